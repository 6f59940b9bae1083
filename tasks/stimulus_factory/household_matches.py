"""Household objects matched to the opioid cues, drawn on the cue's own layout.

=================  =========================================================
opioid cue         matched household object
=================  =========================================================
pill bottle        lotion bottle with a pump (same body width and height)
loose pills        buttons and oblong wooden beads (same places, sizes, angles)
blister pack       a card of buttons (same card, same grid)
syringe            a marker pen with a clip and a ribbed grip (same axis and width)
=================  =========================================================

Each takes the cue's layout, its own *look* (colours, details; from its own
generator) and a ``scale`` about the object's anchor, which the matcher
(:mod:`cue_matching`) tunes so the drawn area equals the cue's.
"""

from __future__ import annotations

import numpy as np

from tasks.stimulus_factory.draw import bezier
from tasks.stimulus_factory.opioid_cues import card_pose, cell_centres, syringe_stations
from tasks.stimulus_factory.posed_drawing import FigureCanvas, Pose, figure_canvas, luma

PLASTIC_RGB = ((0.62, 0.78, 0.88), (0.90, 0.85, 0.66), (0.64, 0.82, 0.68), (0.88, 0.70, 0.74),
               (0.80, 0.80, 0.86))
BUTTON_RGB = ((0.25, 0.30, 0.55), (0.70, 0.25, 0.25), (0.85, 0.80, 0.65), (0.30, 0.55, 0.40),
              (0.55, 0.40, 0.30), (0.20, 0.20, 0.22))
CARD_RGB = ((0.76, 0.62, 0.45), (0.93, 0.91, 0.86), (0.70, 0.78, 0.86))
PEN_BODY_RGB = ((0.94, 0.94, 0.92), (0.90, 0.92, 0.95), (0.93, 0.90, 0.84))  # white markers
PEN_CAP_RGB = ((0.20, 0.33, 0.70), (0.15, 0.15, 0.17), (0.75, 0.20, 0.20), (0.20, 0.55, 0.35))
WOOD_RGB = (0.66, 0.50, 0.34)


def _pick(rng: np.random.Generator, colours) -> list[float]:
    return [float(c) for c in colours[int(rng.integers(len(colours)))]]


def draw_look(kind: str, layout: dict, rng: np.random.Generator) -> dict:
    """The household object's own colours and details (its id's generator)."""
    if kind == "pill_bottle":
        return {"object": "lotion bottle", "body_rgb": _pick(rng, PLASTIC_RGB),
                "nozzle_side": 1 if rng.uniform() < 0.5 else -1, "label_rgb": _pick(rng, PLASTIC_RGB[1:2] + ((0.95,) * 3,))}
    if kind == "loose_pills":
        return {"object": "buttons and beads",
                "button_rgb": [_pick(rng, BUTTON_RGB) for _ in layout["pills"]],
                "holes": [2 if rng.uniform() < 0.5 else 4 for _ in layout["pills"]]}
    if kind == "blister_pack":
        return {"object": "button card", "card_rgb": _pick(rng, CARD_RGB), "button_rgb": _pick(rng, BUTTON_RGB),
                "holes": 2 if rng.uniform() < 0.4 else 4}
    if kind == "syringe":
        return {"object": "marker pen", "body_rgb": _pick(rng, PEN_BODY_RGB), "cap_rgb": _pick(rng, PEN_CAP_RGB)}
    raise ValueError(f"unknown opioid-cue kind {kind!r}")


def _lotion_bottle(cv: FigureCanvas, layout: dict, look: dict, scale: float) -> None:
    pose = Pose(130.0, 262.0, 0.0, scale)
    hw, h, ch = layout["half_width_px"], layout["body_height_px"], layout["cap_height_px"]
    tone = luma(tuple(look["body_rgb"]))
    shoulder = -h * 0.84
    outline = ([(-hw, -4), (-hw, shoulder)] + bezier((-hw, shoulder), (-hw, -h), (-hw * 0.45, -h), 10)
               + bezier((hw * 0.45, -h), (hw, -h), (hw, shoulder), 10) + [(hw, -4)]
               + bezier((hw, -4), (hw, 0), (hw - 4, 0), 4) + bezier((-hw + 4, 0), (-hw, 0), (-hw, -4), 4))
    cv.paint(pose.polygon(cv, outline), pose.cylinder(cv, -hw, hw, tone))
    cv.paint(pose.rect(cv, -hw * 0.6, -h * 0.8, -hw * 0.42, -10), 1.0, alpha=0.25)  # highlight
    cv.paint(pose.rounded_rect(cv, -hw * 0.78, -h * 0.68, hw * 0.78, -h * 0.2, 8),
             pose.cylinder(cv, -hw, hw, luma(tuple(look["label_rgb"]))))
    collar_top = -h - 10
    cv.paint(pose.rect(cv, -hw * 0.5, collar_top, hw * 0.5, -h + 1), pose.cylinder(cv, -hw * 0.5, hw * 0.5, 0.9))
    for k in range(1, 4):  # the collar's screw ribs
        cv.paint(pose.line(cv, [(-hw * 0.5, collar_top + 2.5 * k), (hw * 0.5, collar_top + 2.5 * k)], 0.9), 0.6,
                 alpha=0.6)
    stem_top = collar_top - ch * 0.5
    cv.paint(pose.rect(cv, -3.5, stem_top, 3.5, collar_top), 0.88)
    side = look["nozzle_side"]
    cv.paint(pose.rounded_rect(cv, -13, stem_top - 9, 13, stem_top, 3), pose.cylinder(cv, -13, 13, 0.92))
    nozzle = [(side * 10, stem_top - 8), (side * (13 + ch * 0.7), stem_top - 7),
              (side * (13 + ch * 0.7), stem_top - 3), (side * 10, stem_top - 2)]
    cv.paint(pose.polygon(cv, nozzle), 0.86)


def _button(cv: FigureCanvas, pose: Pose, ru: float, rv: float, tone: float, holes: int, edge: bool) -> None:
    if edge:
        cv.paint(pose.ellipse(cv, 0, 3.5, ru, rv), tone * 0.62)
    cv.paint(pose.ellipse(cv, 0, 0, ru, rv), tone)
    cv.paint(pose.ellipse(cv, 0, 0.5, ru * 0.72, rv * 0.72), tone * 0.86)  # the rim's inner edge
    cv.paint(pose.ellipse(cv, 0, 0, ru * 0.68, rv * 0.68), tone * 0.96)
    offsets = [(-0.22, 0.0), (0.22, 0.0)] if holes == 2 else [(-0.2, -0.2), (0.2, -0.2), (-0.2, 0.2), (0.2, 0.2)]
    for du, dv in offsets:
        cv.paint(pose.ellipse(cv, du * ru * 1.1, dv * rv * 1.1, ru * 0.09, rv * 0.09), tone * 0.45)
    cv.paint(pose.ellipse(cv, -ru * 0.45, -rv * 0.45, ru * 0.22, rv * 0.16), 1.0, alpha=0.3)


def _bead(cv: FigureCanvas, pose: Pose, pill: dict) -> None:
    half, w = pill["length_px"] / 2, pill["width_px"]
    tone = luma(WOOD_RGB)
    cv.paint(pose.line(cv, [(-half + w / 2, 1.5), (half - w / 2, 1.5)], w), tone * 0.7)
    cv.paint(pose.line(cv, [(-half + w / 2, 0), (half - w / 2, 0)], w), tone)
    for dv in (-0.18, 0.12):  # wood grain
        cv.paint(pose.line(cv, [(-half + w * 0.6, dv * w), (half - w * 0.6, dv * w * 1.3)], 1.0), tone * 0.7,
                 alpha=0.7)
    cv.paint(pose.ellipse(cv, half - w * 0.45, 0, w * 0.13, w * 0.22), 0.2)  # the threading hole
    cv.paint(pose.line(cv, [(-half + w * 0.7, -w * 0.28), (half - w * 0.7, -w * 0.28)], w * 0.15), 1.0,
             alpha=0.3)


def _buttons_and_beads(cv: FigureCanvas, layout: dict, look: dict, scale: float) -> None:
    pile = Pose(layout["x_px"], layout["y_px"], 0.0, scale)
    for k, pill in enumerate(layout["pills"]):
        pose = pile.turned(pill["u_px"], pill["v_px"], pill["angle_deg"])
        if pill["shape"] == "capsule":
            _bead(cv, pose, pill)
        else:
            r = pill["radius_px"]
            _button(cv, pose, r, r * 0.58, luma(tuple(look["button_rgb"][k])), look["holes"][k], edge=True)


def _button_card(cv: FigureCanvas, layout: dict, look: dict, scale: float) -> None:
    base = card_pose(layout)
    pose = Pose(base.x_px, base.y_px, base.angle_deg, scale)
    w, h, p = layout["width_px"], layout["height_px"], layout["pitch_px"]
    card = luma(tuple(look["card_rgb"]))
    cv.paint(pose.rounded_rect(cv, -w / 2, -h / 2, w / 2, h / 2, 6), pose.cylinder(cv, -w / 2, w / 2, card))
    top = -h / 2 + layout["tab_px"]
    cv.paint(pose.rounded_rect(cv, -11, -h / 2 + 4, 11, -h / 2 + 9, 2.5), 0.3)  # hanging slot
    cv.paint(pose.rect(cv, -w / 2 + 6, top - 1, w / 2 - 6, top + 1), card * 0.8)  # printed band
    tone = luma(tuple(look["button_rgb"]))
    oblong = layout["pill_shape"] == "oblong"
    for i, (cu, cvv) in enumerate(cell_centres(layout)):
        ru, rv = (p * 0.24, p * 0.40) if oblong else (p * 0.37, p * 0.37)
        if i in layout["popped"]:  # a button gone: only its stitches are left
            for du in (-0.2, 0.2):
                cv.paint(pose.line(cv, [(cu + du * ru, cvv - 0.2 * rv), (cu + du * ru, cvv + 0.2 * rv)], 1.4),
                         0.25)
            cv.paint(pose.ellipse(cv, cu, cvv, ru, rv), card * 0.9, alpha=0.5)
            continue
        cv.paint(pose.ellipse(cv, cu + 1.5, cvv + 2, ru, rv), card * 0.65)  # the button's shadow
        _button(cv, pose.turned(cu, cvv, 0.0), ru, rv, tone, look["holes"], edge=False)


def _marker_pen(cv: FigureCanvas, layout: dict, look: dict, scale: float) -> None:
    pose = Pose(layout["x_px"], layout["y_px"], layout["angle_deg"], scale)
    s = syringe_stations(layout)
    bw = layout["barrel_w_px"] / 2 * 0.9
    body, cap = luma(tuple(look["body_rgb"])), luma(tuple(look["cap_rgb"]))
    split = s["barrel"] + 0.3 * layout["barrel_len_px"]
    cv.paint(pose.rounded_rect(cv, s["thumb"], -5, s["thumb"] + 9, 5, 2), cap)  # end button, the ink colour
    cv.paint(pose.rounded_rect(cv, s["thumb"] + 7, -bw, split, bw, 4),
             pose.cylinder(cv, -bw, bw, body * 0.96, along_v=True))
    cv.paint(pose.rect(cv, split - 1, -bw * 0.96, s["hub"], bw * 0.96), pose.cylinder(cv, -bw, bw, body, along_v=True))
    cv.paint(pose.line(cv, [(split, -bw * 0.96), (split, bw * 0.96)], 1.2), 0.2, alpha=0.7)
    clip_end = s["thumb"] + 12 + 0.55 * (split - s["thumb"])
    cv.paint(pose.rounded_rect(cv, s["thumb"] + 12, -bw - 5, clip_end, -bw + 1, 2.5), cap)  # the clip
    cv.paint(pose.line(cv, [(s["thumb"] + 15, -bw - 3), (clip_end - 4, -bw - 3)], 1.0), 1.0, alpha=0.5)
    grip = s["hub"] - min(44.0, 0.4 * layout["barrel_len_px"])
    cv.paint(pose.line(cv, [(split + 6, bw * 0.45), (grip - 6, bw * 0.45)], 1.0), cap, alpha=0.8)  # print
    for k in range(int((grip - split - 14) / 7)):  # the maker's lettering, as dashes
        u = split + 8 + 7 * k
        cv.paint(pose.line(cv, [(u, -bw * 0.15), (u + 4, -bw * 0.15)], 1.4), cap * 0.8, alpha=0.8)
    for k in range(int((s["hub"] - grip) / 3.5)):  # ribbed grip
        u = grip + 2 + 3.5 * k
        cv.paint(pose.line(cv, [(u, -bw * 0.96), (u, bw * 0.96)], 1.2), body * 0.55, alpha=0.8)
    cone = s["hub"] + layout["hub_len_px"] + 0.45 * layout["needle_len_px"]
    cv.paint(pose.polygon(cv, [(s["hub"], -bw * 0.96), (cone, -2.4), (cone, 2.4), (s["hub"], bw * 0.96)]),
             pose.cylinder(cv, -bw, bw, 0.86, along_v=True))
    cv.paint(pose.line(cv, [(cone, 0), (cone + 5, 0)], 2.6), cap * 0.8)  # the felt tip


RENDERERS = {"pill_bottle": _lotion_bottle, "loose_pills": _buttons_and_beads, "blister_pack": _button_card,
             "syringe": _marker_pen}


def render_household(layout: dict, look: dict, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(picture 0..1, figure coverage 0..1) of the household match to ``layout``'s cue."""
    cv = figure_canvas(layout["shadow_cx_px"], layout["shadow_rx_px"])
    RENDERERS[layout["kind"]](cv, layout, look, scale)
    return cv.result(), cv.figure_coverage()
