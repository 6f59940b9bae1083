"""The geometry shared by an opioid cue and its matched household object.

One *layout* per pair, drawn from the cue's own generator: the footprint (sizes,
positions, counts, angles) that both pictures use, so the cue and its match
have the same outline size and arrangement.  What makes each picture what it is
(a white ridged cap or a pump; a score line or button holes) is drawn by
:mod:`opioid_cues` and :mod:`household_matches`.

Every layout is a plain dict of numbers and short strings (it goes into
``stimuli/parameters.json``).  Lengths are in output pixels, angles in degrees.
"""

from __future__ import annotations

import numpy as np

from tasks.stimulus_factory.posed_drawing import TABLE_TOP_Y_PX

KINDS = ("pill_bottle", "loose_pills", "blister_pack", "syringe")
CENTRE_X_PX = 130.0
CAPSULE_RGB = ((0.80, 0.22, 0.18), (0.20, 0.35, 0.75), (0.95, 0.80, 0.25), (0.30, 0.62, 0.35),
               (0.92, 0.92, 0.90))


def _uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return round(float(rng.uniform(lo, hi)), 2)


def pill_bottle_layout(rng: np.random.Generator) -> dict:
    """An amber prescription bottle standing on the table: sizes and label placement."""
    half_width_px = _uniform(rng, 33, 43)
    return {"kind": "pill_bottle", "half_width_px": half_width_px,
            "body_height_px": _uniform(rng, 105, 145), "cap_height_px": _uniform(rng, 24, 32),
            "amber_rgb": [_uniform(rng, 0.70, 0.88), _uniform(rng, 0.36, 0.50), _uniform(rng, 0.04, 0.14)],
            "label_top_frac": _uniform(rng, 0.58, 0.72), "label_bottom_frac": _uniform(rng, 0.10, 0.20),
            "cap_ridges": int(rng.integers(11, 17)), "pills_seen": int(rng.integers(2, 5)),
            "pill_u_frac": [_uniform(rng, -0.6, 0.6) for _ in range(4)],
            "shadow_cx_px": CENTRE_X_PX, "shadow_rx_px": round(half_width_px + 30, 2)}


def _mound_top_px(u_px: float) -> float:
    """Highest point (most negative v) of the pile at offset u from its centre."""
    return -78.0 * max(0.0, 1.0 - (u_px / 104.0) ** 2) - 6.0


def loose_pills_layout(rng: np.random.Generator) -> dict:
    """A small pile of loose tablets and capsules: each one's place, size, angle and colours."""
    n_pills = int(rng.integers(8, 13))
    capsule_share = float(rng.uniform(0.15, 0.5))
    pills: list[dict] = []
    tries = 0
    while len(pills) < n_pills and tries < 4000:
        tries += 1
        capsule = bool(rng.uniform() < capsule_share)
        size = {"length_px": _uniform(rng, 42, 54), "width_px": _uniform(rng, 17, 21)} if capsule else \
            {"radius_px": _uniform(rng, 16, 21)}
        reach = size.get("length_px", 0) / 2 or size["radius_px"]
        u = float(np.clip(rng.normal(0.0, 40.0), -100 + reach, 100 - reach))
        v = float(rng.uniform(_mound_top_px(u), 24.0))
        if any(np.hypot(u - p["u_px"], (v - p["v_px"]) * 1.6) < 0.85 * (reach + p["reach_px"]) for p in pills):
            continue
        tones = [CAPSULE_RGB[int(i)] for i in rng.choice(len(CAPSULE_RGB), size=2, replace=False)]
        pills.append({"shape": "capsule" if capsule else "round", "u_px": round(u, 2), "v_px": round(v, 2),
                      "reach_px": round(reach, 2), "angle_deg": _uniform(rng, -70, 70) if capsule
                      else _uniform(rng, -12, 12), "rgb": [list(t) for t in tones],
                      "white": _uniform(rng, 0.86, 0.95), **size})
    pills.sort(key=lambda p: p["v_px"])  # back (higher up) first, so the front ones overlap them
    return {"kind": "loose_pills", "x_px": CENTRE_X_PX, "y_px": TABLE_TOP_Y_PX, "pills": pills,
            "shadow_cx_px": CENTRE_X_PX, "shadow_rx_px": 104.0}


def blister_pack_layout(rng: np.random.Generator) -> dict:
    """A blister card standing slightly tilted: grid, pitch, pill shape, popped cells."""
    rows, cols = [(2, 5), (2, 4), (3, 4), (3, 3)][int(rng.integers(4))]
    pitch_px = _uniform(rng, 32, 38) if cols < 5 else _uniform(rng, 30, 33)
    margin_px, tab_px = 10.0, _uniform(rng, 12, 18)
    width_px = cols * pitch_px + 2 * margin_px
    height_px = rows * pitch_px + 2 * margin_px + tab_px
    n_cells = rows * cols
    popped = sorted(int(i) for i in rng.choice(n_cells, size=int(rng.integers(0, 4)), replace=False))
    tears = {str(i): [_uniform(rng, 0.55, 1.0) for _ in range(9)] for i in popped}
    angle_deg = _uniform(rng, -12, 12)
    lift = 0.5 * (height_px * np.cos(np.deg2rad(angle_deg)) + width_px * abs(np.sin(np.deg2rad(angle_deg))))
    return {"kind": "blister_pack", "rows": rows, "cols": cols, "pitch_px": pitch_px, "margin_px": margin_px,
            "tab_px": tab_px, "width_px": round(width_px, 2), "height_px": round(height_px, 2),
            "pill_shape": "oblong" if rng.uniform() < 0.4 else "round", "popped": popped, "tears": tears,
            "angle_deg": angle_deg, "x_px": CENTRE_X_PX, "y_px": round(TABLE_TOP_Y_PX - lift - 2, 2),
            "sheen": _uniform(rng, 0.04, 0.10),
            "shadow_cx_px": CENTRE_X_PX, "shadow_rx_px": round(width_px / 2 + 12, 2)}


def syringe_layout(rng: np.random.Generator) -> dict:
    """A syringe held at a slant above the table: part lengths, fill level, angle."""
    barrel_len_px = _uniform(rng, 92, 118)
    barrel_w_px = _uniform(rng, 19, 25)
    rod_len_px = _uniform(rng, 28, 46)
    needle_len_px = _uniform(rng, 36, 56)
    hub_len_px = 12.0
    total_px = 5.0 + rod_len_px + 4.0 + barrel_len_px + hub_len_px + needle_len_px
    slope_deg = _uniform(rng, 28, 58)
    angle_deg = -slope_deg if rng.uniform() < 0.5 else -(180.0 - slope_deg)  # needle up-right or up-left
    half_drop = 0.5 * total_px * np.sin(np.deg2rad(slope_deg))
    x_px = CENTRE_X_PX
    y_px = TABLE_TOP_Y_PX - half_drop - 10.0
    low_end_x = x_px - 0.5 * total_px * np.cos(np.deg2rad(angle_deg))
    return {"kind": "syringe", "barrel_len_px": barrel_len_px, "barrel_w_px": barrel_w_px,
            "rod_len_px": rod_len_px, "needle_len_px": needle_len_px, "hub_len_px": hub_len_px,
            "total_len_px": round(total_px, 2), "fill_frac": _uniform(rng, 0.25, 0.85),
            "mark_step_px": _uniform(rng, 6.0, 8.0), "angle_deg": round(angle_deg, 2),
            "x_px": x_px, "y_px": round(float(y_px), 2),
            "shadow_cx_px": round(float(low_end_x), 2), "shadow_rx_px": 40.0}


LAYOUTS = {"pill_bottle": pill_bottle_layout, "loose_pills": loose_pills_layout,
           "blister_pack": blister_pack_layout, "syringe": syringe_layout}


def draw_layout(kind: str, rng: np.random.Generator) -> dict:
    if kind not in LAYOUTS:
        raise ValueError(f"unknown opioid-cue kind {kind!r}; allowed: {', '.join(KINDS)}")
    return LAYOUTS[kind](rng)
