"""Opioid-cue pictures: prescription pill bottles, loose pills, blister packs, syringes.

Each is drawn from its layout (:mod:`opioid_layouts`) on the object scene
(:func:`posed_drawing.tabletop_canvas`).  Nothing here is copied from a photograph
or another set: every shape is a polygon, line or ellipse drawn by the factory.
Colours are plausible ones (amber bottle, white cap and label, white tablets,
two-tone capsules, a clear barrel) rendered at their luminance.
"""

from __future__ import annotations

import numpy as np

from tasks.stimulus_factory.posed_drawing import FigureCanvas, Pose, figure_canvas, luma

CAP_WHITE = 0.93
LABEL_WHITE = 0.94
FOIL_GREY = 0.80


def _scene(layout: dict) -> FigureCanvas:
    return figure_canvas(layout["shadow_cx_px"], layout["shadow_rx_px"])


def _pill_bottle(layout: dict) -> FigureCanvas:
    cv = _scene(layout)
    pose = Pose(130.0, 262.0)
    hw, h, ch = layout["half_width_px"], layout["body_height_px"], layout["cap_height_px"]
    amber = luma(tuple(layout["amber_rgb"]))
    cv.paint(pose.rounded_rect(cv, -hw, -h, hw, 0, 6), pose.cylinder(cv, -hw, hw, amber))
    label_top, label_bottom = -layout["label_top_frac"] * h, -layout["label_bottom_frac"] * h
    for k in range(layout["pills_seen"]):  # tablets seen through the amber above the label
        u = layout["pill_u_frac"][k] * (hw - 12)
        cv.paint(pose.ellipse(cv, u, label_top - 9 - 5 * (k % 2), 11, 7, 15 * (k - 1)), amber * 0.62, 0.55)
    cv.paint(pose.rect(cv, -hw * 0.58, -h + 6, -hw * 0.36, -8), 1.0, alpha=0.22)  # highlight
    cv.paint(pose.rect(cv, -hw, label_top, hw, label_bottom), pose.cylinder(cv, -hw, hw, LABEL_WHITE))
    cv.paint(pose.rect(cv, -hw * 0.82, -h - 6, hw * 0.82, -h + 1), amber * 0.78)  # neck
    cap_top, cap_bottom, cap_hw = -h - 6 - ch, -h - 6, hw + 3
    cv.paint(pose.rounded_rect(cv, -cap_hw, cap_top, cap_hw, cap_bottom, 3),
             pose.cylinder(cv, -cap_hw, cap_hw, CAP_WHITE))
    n = layout["cap_ridges"]
    for k in range(n):  # child-resistant ridges
        u = -cap_hw + (k + 0.5) * 2 * cap_hw / n
        cv.paint(pose.line(cv, [(u, cap_top + 5), (u, cap_bottom - 2)], 1.3), 0.55, alpha=0.6)
    cv.paint(pose.rect(cv, -cap_hw, cap_top, cap_hw, cap_top + 4), CAP_WHITE * 0.85)
    return cv


def _tablet(cv: FigureCanvas, pose: Pose, pill: dict) -> None:
    r = pill["radius_px"]
    white = pill["white"]
    cv.paint(pose.ellipse(cv, 0, 3.5, r, r * 0.58), white * 0.68)  # the tablet's edge
    cv.paint(pose.ellipse(cv, 0, 0, r, r * 0.58), white)
    cv.paint(pose.ellipse(cv, -r * 0.3, -r * 0.15, r * 0.45, r * 0.2), 1.0, alpha=0.35)
    cv.paint(pose.line(cv, [(-r * 0.75, 0), (r * 0.75, 0)], 1.4), white * 0.6)  # score line


def _capsule(cv: FigureCanvas, pose: Pose, pill: dict) -> None:
    half, w = pill["length_px"] / 2, pill["width_px"]
    first, second = (luma(tuple(c)) for c in pill["rgb"])
    cv.paint(pose.line(cv, [(-half + w / 2, 1.5), (half - w / 2, 1.5)], w), min(first, second) * 0.7)
    cv.paint(pose.line(cv, [(-half + w / 2, 0), (0, 0)], w), first)
    cv.paint(pose.line(cv, [(0, 0), (half - w / 2, 0)], w), second)
    cv.paint(pose.line(cv, [(-0.5, -w / 2 + 1), (-0.5, w / 2 - 1)], 1.2), 0.25, alpha=0.6)  # the join
    cv.paint(pose.line(cv, [(-half + w * 0.7, -w * 0.22), (half - w * 0.7, -w * 0.22)], w * 0.18), 1.0,
             alpha=0.4)


def _loose_pills(layout: dict) -> FigureCanvas:
    cv = _scene(layout)
    pile = Pose(layout["x_px"], layout["y_px"])
    for pill in layout["pills"]:
        pose = pile.turned(pill["u_px"], pill["v_px"], pill["angle_deg"])
        (_capsule if pill["shape"] == "capsule" else _tablet)(cv, pose, pill)
    return cv


def cell_centres(layout: dict) -> list[tuple[float, float]]:
    """Centres (u, v) of a blister card's cells, row by row, in the card's coordinates."""
    w, h, p, m, tab = (layout[k] for k in ("width_px", "height_px", "pitch_px", "margin_px", "tab_px"))
    return [(-w / 2 + m + (c + 0.5) * p, -h / 2 + tab + m + (r + 0.5) * p)
            for r in range(layout["rows"]) for c in range(layout["cols"])]


def card_pose(layout: dict) -> Pose:
    return Pose(layout["x_px"], layout["y_px"], layout["angle_deg"])


def _blister_pack(layout: dict) -> FigureCanvas:
    cv = _scene(layout)
    pose = card_pose(layout)
    w, h, p = layout["width_px"], layout["height_px"], layout["pitch_px"]
    u, v = pose.across(cv)
    foil = FOIL_GREY + layout["sheen"] * np.sin((u + v) / 18.0)  # brushed-foil sheen
    cv.paint(pose.rounded_rect(cv, -w / 2, -h / 2, w / 2, h / 2, 6), foil)
    top = -h / 2 + layout["tab_px"]
    cv.paint(pose.line(cv, [(-w / 2 + 6, top), (w / 2 - 6, top)], 1.0), 0.55, alpha=0.7)  # tab fold
    cv.paint(pose.rect(cv, -w / 2 + 10, -h / 2 + 4, -w / 2 + 10 + 0.45 * w, top - 4), FOIL_GREY * 0.88)
    for c in range(1, layout["cols"]):  # perforations between cells
        uc = -w / 2 + layout["margin_px"] + c * p
        for k in range(int(layout["rows"] * p / 6)):
            v0 = top + layout["margin_px"] + 6 * k
            cv.paint(pose.line(cv, [(uc, v0), (uc, v0 + 3)], 1.0), 0.6, alpha=0.6)
    oblong = layout["pill_shape"] == "oblong"
    for i, (cu, cvv) in enumerate(cell_centres(layout)):
        ru, rv = (p * 0.24, p * 0.40) if oblong else (p * 0.37, p * 0.37)
        if i in layout["popped"]:  # an emptied cell: torn foil over a dark hole
            radii = layout["tears"][str(i)]
            t = np.linspace(0, 2 * np.pi, len(radii), endpoint=False)
            hole = [(cu + ru * q * np.cos(a), cvv + rv * q * np.sin(a)) for q, a in zip(radii, t)]
            cv.paint(pose.ellipse(cv, cu, cvv, ru, rv), FOIL_GREY * 0.7)
            cv.paint(pose.polygon(cv, hole), 0.22)
            continue
        cv.paint(pose.ellipse(cv, cu + 1.5, cvv + 2, ru, rv), FOIL_GREY * 0.62)  # the dome's shadow
        cv.paint(pose.ellipse(cv, cu, cvv, ru, rv), 0.9, alpha=0.75)  # the clear dome
        cv.paint(pose.ellipse(cv, cu, cvv + 1, ru * 0.72, rv * 0.72), 0.97)  # the tablet inside
        cv.paint(pose.ellipse(cv, cu - ru * 0.4, cvv - rv * 0.45, ru * 0.3, rv * 0.2), 1.0, alpha=0.7)
    return cv


def syringe_stations(layout: dict) -> dict:
    """Where each part of a syringe begins along its axis (u, from the plunger end)."""
    u0 = -layout["total_len_px"] / 2
    rod = u0 + 5.0
    flange = rod + layout["rod_len_px"]
    barrel = flange + 4.0
    hub = barrel + layout["barrel_len_px"]
    needle = hub + layout["hub_len_px"]
    return {"thumb": u0, "rod": rod, "flange": flange, "barrel": barrel, "hub": hub, "needle": needle,
            "tip": needle + layout["needle_len_px"]}


def _syringe(layout: dict) -> FigureCanvas:
    cv = _scene(layout)
    pose = Pose(layout["x_px"], layout["y_px"], layout["angle_deg"])
    s = syringe_stations(layout)
    bw = layout["barrel_w_px"] / 2
    stopper = s["barrel"] + (1 - layout["fill_frac"]) * (layout["barrel_len_px"] - 10)
    cv.paint(pose.rect(cv, s["thumb"], -bw - 5, s["rod"], bw + 5), 0.86)  # thumb rest
    cv.paint(pose.rect(cv, s["rod"], -4, stopper, 4), pose.cylinder(cv, -4, 4, 0.9, along_v=True))
    cv.paint(pose.rounded_rect(cv, s["flange"], -bw - 11, s["barrel"], bw + 11, 2), 0.84)  # finger grips
    cv.paint(pose.rect(cv, s["barrel"], -bw, s["hub"], bw), pose.cylinder(cv, -bw, bw, 0.92, along_v=True),
             alpha=0.8)
    cv.paint(pose.rect(cv, stopper + 8, -bw + 2, s["hub"] - 1, bw - 2), 0.72, alpha=0.45)  # the liquid
    cv.paint(pose.rounded_rect(cv, stopper, -bw + 1.5, stopper + 8, bw - 1.5, 2), 0.16)  # rubber stopper
    step = layout["mark_step_px"]
    for k in range(int((layout["barrel_len_px"] - 10) / step) + 1):  # graduation marks
        u = s["hub"] - 5 - k * step
        length = 8.0 if k % 5 == 0 else 4.5
        cv.paint(pose.line(cv, [(u, -bw + 1), (u, -bw + 1 + length)], 1.1), 0.2, alpha=0.85)
    cv.paint(pose.line(cv, [(s["barrel"] + 4, bw - 4), (s["hub"] - 6, bw - 4)], 2.0), 1.0, alpha=0.35)
    cv.paint(pose.polygon(cv, [(s["hub"], -6), (s["needle"] - 3, -3.5), (s["needle"], -2), (s["needle"], 2),
                               (s["needle"] - 3, 3.5), (s["hub"], 6)]), 0.82)  # hub
    cv.paint(pose.line(cv, [(s["needle"], 0), (s["tip"] - 2, 0)], 1.7), 0.62)  # needle
    cv.paint(pose.polygon(cv, [(s["tip"] - 3, -0.9), (s["tip"], 0.9), (s["tip"] - 3, 0.9)]), 0.62)
    return cv


RENDERERS = {"pill_bottle": _pill_bottle, "loose_pills": _loose_pills, "blister_pack": _blister_pack,
             "syringe": _syringe}


def render_cue(layout: dict) -> tuple[np.ndarray, np.ndarray]:
    """(picture 0..1, figure coverage 0..1), both HEIGHT_PX x WIDTH_PX."""
    cv = RENDERERS[layout["kind"]](layout)
    return cv.result(), cv.figure_coverage()
