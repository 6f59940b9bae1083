"""Seeded schematic infant and adult faces built from the baby-schema measures.

A face is a :class:`FaceParams` (geometry after Glocker et al. 2009: face
width, forehead/face length, eye width/face width, nose length/head length,
nose width/face width, mouth width/face width; plus identity features and an
expression) rendered by :func:`render_face` into a float image (0..1) of
``WIDTH_PX`` x ``HEIGHT_PX``.  Normalisation (greyscale statistics, oval mask)
happens in :mod:`tasks.stimulus_factory.normalise`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

from tasks.stimulus_factory.draw import Canvas, bezier
from tasks.stimulus_factory.normalise import HEIGHT_PX, WIDTH_PX

EXPRESSIONS = ("distress", "neutral", "happy")


@dataclass(frozen=True)
class FaceParams:
    kind: str  # "infant" | "adult"
    face_width_px: float  # fw
    face_aspect: float  # head length / face width
    forehead_ratio: float  # fol/fal: crown to eye line / crown to chin
    eye_ratio: float  # ew/fw (one eye's width / face width)
    eye_height_ratio: float  # eye height / eye width
    eye_spacing_ratio: float  # distance between eye centres / fw
    nose_ratio: float  # nl/hl: eye line to nose base / head length
    nose_width_ratio: float  # nw/fw
    mouth_ratio: float  # mw/fw
    jaw_taper: float  # 0 = round, larger = narrower chin
    skin: float  # base skin lightness 0..1
    hair: float  # hair lightness 0..1
    hair_style: int  # 0 wisps, 1 short, 2 long, 3 receding/short
    brow_px: float  # eyebrow thickness
    lip_px: float  # lip thickness (adults)
    expression: str = "neutral"


def template(kind: str) -> FaceParams:
    """The average infant or adult (baby-schema level 3 for infants)."""
    if kind == "infant":
        return FaceParams("infant", 204.0, 1.10, 0.57, 0.22, 0.78, 0.42, 0.13, 0.17,
                          0.27, 0.06, 0.80, 0.55, 0, 5.0, 3.0)
    if kind == "adult":
        return FaceParams("adult", 158.0, 1.42, 0.45, 0.165, 0.52, 0.42, 0.25, 0.21,
                          0.36, 0.30, 0.74, 0.22, 1, 6.5, 5.0)
    raise ValueError(f"unknown face kind {kind!r}")


def random_identity(kind: str, rng: np.random.Generator) -> FaceParams:
    """A new identity: the template with small, natural-range variations."""
    t = template(kind)
    j = lambda sd: float(rng.normal(0.0, sd))  # noqa: E731 - a tiny local helper
    style = int(rng.integers(0, 2)) if kind == "infant" else int(rng.choice([1, 2, 3]))
    return replace(
        t,
        face_width_px=t.face_width_px * (1 + j(0.03)),
        face_aspect=t.face_aspect * (1 + j(0.025)),
        forehead_ratio=t.forehead_ratio + j(0.012),
        eye_ratio=t.eye_ratio * (1 + j(0.05)),
        eye_height_ratio=t.eye_height_ratio * (1 + j(0.06)),
        eye_spacing_ratio=t.eye_spacing_ratio * (1 + j(0.03)),
        nose_ratio=t.nose_ratio * (1 + j(0.06)),
        nose_width_ratio=t.nose_width_ratio * (1 + j(0.06)),
        mouth_ratio=t.mouth_ratio * (1 + j(0.05)),
        jaw_taper=max(0.0, t.jaw_taper + j(0.04)),
        skin=float(np.clip(t.skin + j(0.04), 0.62, 0.9)),
        hair=float(np.clip(t.hair + j(0.1), 0.08, 0.7)),
        hair_style=style,
        brow_px=t.brow_px * (1 + j(0.12)),
        lip_px=t.lip_px * (1 + j(0.12)),
    )


def baby_schema_level(p: FaceParams, level: int) -> FaceParams:
    """Morph an infant identity to baby-schema level 1 (low) .. 5 (high); 3 = unchanged.

    High: wider, rounder face, higher forehead, larger eyes, shorter and
    narrower nose, smaller mouth (Glocker et al. 2009; Golle et al. 2015).
    """
    t = (level - 3) / 2.0
    return replace(
        p,
        face_width_px=p.face_width_px * (1 + 0.07 * t),
        face_aspect=p.face_aspect * (1 - 0.06 * t),
        forehead_ratio=p.forehead_ratio + 0.045 * t,
        eye_ratio=p.eye_ratio * (1 + 0.16 * t),
        nose_ratio=p.nose_ratio * (1 - 0.22 * t),
        nose_width_ratio=p.nose_width_ratio * (1 - 0.12 * t),
        mouth_ratio=p.mouth_ratio * (1 - 0.14 * t),
        jaw_taper=max(0.0, p.jaw_taper - 0.05 * t),
    )


def params_dict(p: FaceParams) -> dict:
    """The parameters (for the generator's JSON record), rounded for readability."""
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(p).items()}


# --------------------------------------------------------------------------- render
def _head_mask(cv: Canvas, cx, cy, hw, hh, taper):
    u = cv.x - cx
    v = (cv.y - cy) / hh
    width = hw * (1.0 - taper * np.clip(v, 0.0, 1.0) ** 2)
    return ((u / width) ** 2 + v**2 <= 1.0).astype(float)


def render_face(p: FaceParams) -> np.ndarray:
    """Render one face; float array (HEIGHT_PX, WIDTH_PX) in 0..1."""
    cv = Canvas(WIDTH_PX, HEIGHT_PX, background=0.45, ss=2)
    infant = p.kind == "infant"
    fw = p.face_width_px
    hw = fw / 2.0
    hl = fw * p.face_aspect
    hh = hl / 2.0
    cx = WIDTH_PX / 2.0
    top = (HEIGHT_PX - hl) / 2.0 + (8.0 if infant else -6.0)
    cy = top + hh
    chin = top + hl
    eye_y = top + p.forehead_ratio * hl
    ex = p.eye_spacing_ratio * fw / 2.0
    erx = p.eye_ratio * fw / 2.0
    ery = erx * p.eye_height_ratio
    nose_y = eye_y + p.nose_ratio * hl
    nose_hw = p.nose_width_ratio * fw / 2.0
    mouth_y = nose_y + (chin - nose_y) * (0.36 if infant else 0.40)
    mhw = p.mouth_ratio * fw / 2.0
    expr = p.expression
    skin = p.skin
    dark = 0.12

    # long hair behind the head, neck / shoulders
    if not infant and p.hair_style == 2:
        cv.paint(cv.ellipse(cx, cy + 0.12 * hl, hw * 1.28, hh * 1.12), p.hair)
    neck_w = hw * (0.62 if not infant else 0.7)
    neck = cv.polygon([(cx - neck_w, cy), (cx + neck_w, cy), (cx + neck_w * 1.05, HEIGHT_PX),
                       (cx - neck_w * 1.05, HEIGHT_PX)])
    cv.paint(neck, skin * 0.78)
    cv.paint(cv.ellipse(cx, HEIGHT_PX + 40, hw * 2.2, 75), 0.30 if not infant else 0.62)
    # ears
    ear_y = (eye_y + nose_y) / 2.0
    for s in (-1, 1):
        ear = cv.ellipse(cx + s * hw * (0.97 if not infant else 0.95), ear_y, hw * 0.14, hl * 0.11)
        cv.paint(ear, skin * 0.88)
        cv.shade(cv.ellipse(cx + s * hw * 0.99, ear_y, hw * 0.06, hl * 0.06), -0.12, blur_px=2)
    # head with spherical shading, light from upper left
    head = _head_mask(cv, cx, cy, hw, hh, p.jaw_taper)
    u = (cv.x - cx) / hw
    v = (cv.y - cy) / hh
    r2 = np.clip(u * u + v * v, 0, 1)
    shading = skin * (1.0 - 0.20 * r2**1.6) + 0.05 * (-0.6 * u - 0.4 * v)
    cv.paint(head, shading)
    cv.shade(head * (cv.y > chin - 0.12 * hl), -0.06, blur_px=6)
    if infant:  # chubby cheeks: a highlight above, a soft shadow below
        for s in (-1, 1):
            cheek_x = cx + s * (ex + erx * 0.35)
            cv.shade(cv.ellipse(cheek_x, mouth_y - 0.02 * hl, erx * 1.35, erx * 1.05), 0.05, blur_px=8)
            cv.shade(cv.ellipse(cheek_x, mouth_y + erx * 1.1, erx * 1.2, erx * 0.35), -0.05, blur_px=6)
    _hair(cv, p, cx, cy, top, hw, hh, hl, eye_y, head)
    _brows(cv, p, cx, eye_y, ex, erx, ery)
    _eyes(cv, p, cx, eye_y, ex, erx, ery, skin)
    # nose
    if infant:
        cv.shade(cv.ellipse(cx, nose_y - nose_hw * 0.35, nose_hw * 0.95, nose_hw * 0.7), -0.06, blur_px=3)
        cv.shade(cv.ellipse(cx - 1, nose_y - nose_hw * 0.6, nose_hw * 0.45, nose_hw * 0.35), 0.06, blur_px=2)
    else:
        cv.shade(cv.line(bezier((cx - ex * 0.35, eye_y + 2), (cx - nose_hw * 0.9, (eye_y + nose_y) / 2),
                                (cx - nose_hw * 0.95, nose_y - 6)), 3.0), -0.12, blur_px=2.5)
        cv.shade(cv.ellipse(cx, nose_y - nose_hw * 0.2, nose_hw * 1.0, nose_hw * 0.55), -0.05, blur_px=3)
        cv.shade(cv.ellipse(cx - 1, nose_y - nose_hw * 0.45, nose_hw * 0.35, nose_hw * 0.3), 0.07, blur_px=2)
    for s in (-1, 1):
        cv.paint(cv.ellipse(cx + s * nose_hw * 0.5, nose_y, nose_hw * 0.28, nose_hw * 0.16, s * 20), skin * 0.45,
                 alpha=0.9)
    _mouth(cv, p, cx, mouth_y, mhw, hl, nose_y, nose_hw, skin)
    # expression extras
    if expr == "distress":
        for s in (-1, 1):  # tears
            tx = cx + s * (ex + erx * 0.15)
            ty = eye_y + ery * 1.6
            drop = cv.polygon(bezier((tx, ty - 6), (tx + s * 7, ty + 10), (tx, ty + 12))
                              + bezier((tx, ty + 12), (tx - s * 7, ty + 10), (tx, ty - 6)))
            cv.paint(drop, 0.97, alpha=0.85)
            cv.shade(cv.line(bezier((tx, ty - 6), (tx + s * 7, ty + 10), (tx, ty + 12)), 1.2), -0.25)
        for k in range(3):  # vertical creases between raised inner brows and a wrinkled nose root
            cv.shade(cv.line([(cx + (k - 1) * 4, eye_y - ery * 2.4 - 8), (cx + (k - 1) * 7, eye_y - ery * 1.0)],
                             1.5), -0.07, blur_px=1)
    if expr in ("distress", "happy"):
        for s in (-1, 1):  # nasolabial folds
            cv.shade(cv.line(bezier((cx + s * nose_hw * 1.1, nose_y - 4), (cx + s * (mhw + 6), mouth_y - 10),
                                    (cx + s * (mhw + 4), mouth_y + (8 if expr == "distress" else 4))), 2.2),
                     -0.13, blur_px=2)
    return cv.result()


def _hair(cv, p, cx, cy, top, hw, hh, hl, eye_y, head):
    if p.kind == "infant":  # a few soft wisps on the crown
        for k in range(-2, 3):
            x0 = cx + k * hw * 0.12
            pts = bezier((x0, top + 3), (x0 + hw * 0.18, top + hl * 0.06), (x0 + hw * 0.06 * k, top + hl * 0.12))
            cv.shade(cv.line(pts, 2.0), -0.10 if p.hair_style == 0 else -0.16, blur_px=0.8)
        return
    hairline = top + hl * (0.17 if p.hair_style != 3 else 0.21)
    part = cx + (hw * 0.25 if p.hair_style == 1 else 0)
    # hair mass: a cap slightly larger than the head, above a curved hairline
    cap = cv.ellipse(cx, cy - hh * 0.03, hw * 1.08, hh * 1.05)
    dip = 0.05 if p.hair_style != 3 else 0.10
    temple = np.clip((np.abs(cv.x - cx) / hw - 0.62) / 0.38, 0.0, 1.0) ** 1.6
    drop = (0.75 if p.hair_style == 2 else 0.55) * (eye_y - hairline)
    line_y = hairline + dip * hl * ((cv.x - part) / hw) ** 2 + drop * temple
    mask = cap * (cv.y < line_y)
    cv.paint(mask, p.hair, blur_px=0.8)
    cv.shade(mask * (cv.y < top + hl * 0.08), 0.06, blur_px=4)
    for k in range(-3, 4):  # strands
        x0 = part + k * hw * 0.16
        cv.shade(cv.line(bezier((x0, top + 4), (x0 + hw * 0.12, top + hl * 0.08), (x0 + k * 3, hairline - 3)),
                         1.4) * mask, 0.05 if p.hair < 0.3 else -0.06, blur_px=0.5)


def _brows(cv, p, cx, eye_y, ex, erx, ery):
    expr = p.expression
    lift = {"neutral": 0.0, "happy": 2.5, "distress": 0.0}[expr]
    inner_lift = {"neutral": 0.0, "happy": 1.0, "distress": 9.0}[expr]
    base = eye_y - ery * (1.9 if p.kind == "infant" else 2.2) - lift
    tone = p.hair if p.kind == "adult" else p.skin * 0.62
    for s in (-1, 1):
        inner = (cx + s * (ex - erx * 1.05), base + 1 - inner_lift)
        outer = (cx + s * (ex + erx * 1.15), base + 3 + (inner_lift * 0.25 if expr == "distress" else 0))
        mid = (cx + s * ex, base - 5 - inner_lift * 0.35)
        pts = bezier(inner, mid, outer)
        cv.paint(cv.line(pts, p.brow_px), tone, alpha=0.9 if p.kind == "adult" else 0.8, blur_px=0.6)


def _eyes(cv, p, cx, eye_y, ex, erx, ery, skin):
    expr = p.expression
    for s in (-1, 1):
        x0 = cx + s * ex
        if expr == "distress":  # squeezed shut: a curved crease, lids bunched, crow's feet
            cv.shade(cv.ellipse(x0, eye_y, erx * 1.1, ery * 0.9), -0.08, blur_px=3)
            pts = bezier((x0 - erx, eye_y + 1), (x0, eye_y - ery * 0.55), (x0 + erx, eye_y + 1))
            cv.paint(cv.line(pts, 3.2), 0.12)
            for k in (-1, 1):
                cv.shade(cv.line(bezier((x0 - erx * 0.6, eye_y + 4 + 3 * (k + 1)),
                                        (x0, eye_y + ery * 0.2 + 3 * (k + 1)),
                                        (x0 + erx * 0.6, eye_y + 4 + 3 * (k + 1))), 1.4), -0.08, blur_px=0.8)
            for k in (-1, 0, 1):
                cv.shade(cv.line([(x0 + s * erx * 1.1, eye_y + k * 4), (x0 + s * erx * 1.45, eye_y + k * 7)],
                                 1.4), -0.12, blur_px=0.6)
            continue
        # socket shadow, sclera, iris, pupil, catch-light, upper lid
        cv.shade(cv.ellipse(x0, eye_y - ery * 0.3, erx * 1.2, ery * 1.5), -0.06, blur_px=4)
        almond = cv.polygon(bezier((x0 - erx, eye_y), (x0, eye_y - ery * 2.0), (x0 + erx, eye_y))
                            + bezier((x0 + erx, eye_y), (x0, eye_y + ery * 2.0), (x0 - erx, eye_y)))
        if expr == "happy":  # raised lower lid and cheek: crescent "smiling" eyes
            d = np.clip((cv.x - x0) / erx, -1, 1)
            lid_y = eye_y + ery * 0.45 - ery * 0.75 * (1 - d * d)
            almond = almond * (cv.y < lid_y)
        cv.paint(almond, 0.95)
        iris_r = ery * (1.0 if p.kind == "infant" else 0.95)
        iris = cv.ellipse(x0, eye_y, iris_r, iris_r) * almond
        cv.paint(iris, 0.30)
        cv.paint(cv.ellipse(x0, eye_y, iris_r * 0.5, iris_r * 0.5) * almond, 0.04)
        cv.paint(cv.ellipse(x0 - iris_r * 0.35, eye_y - iris_r * 0.35, iris_r * 0.22, iris_r * 0.22) * almond, 1.0)
        cv.paint(cv.line(bezier((x0 - erx * 1.05, eye_y + 1), (x0, eye_y - ery * 2.05), (x0 + erx * 1.05, eye_y + 1)),
                         2.6 if p.kind == "adult" else 2.2), 0.10)
        if expr == "happy":
            cv.shade(cv.line(bezier((x0 - erx, eye_y + ery * 0.45), (x0, eye_y - ery * 1.05),
                                    (x0 + erx, eye_y + ery * 0.45)), 1.8), -0.25, blur_px=0.4)
            cv.shade(cv.line(bezier((x0 - erx * 0.9, eye_y + ery * 1.3), (x0, eye_y + ery * 0.4),
                                    (x0 + erx * 0.9, eye_y + ery * 1.3)), 1.4), -0.08, blur_px=1)
            cv.shade(cv.line([(x0 + s * erx * 1.1, eye_y + 2), (x0 + s * erx * 1.45, eye_y + 6)], 1.3), -0.12)
        else:
            cv.shade(cv.line(bezier((x0 - erx * 0.8, eye_y + ery * 1.0), (x0, eye_y + ery * 1.5),
                                    (x0 + erx * 0.8, eye_y + ery * 1.0)), 1.4), -0.07, blur_px=1)


def _mouth(cv, p, cx, my, mhw, hl, nose_y, nose_hw, skin):
    expr = p.expression
    infant = p.kind == "infant"
    lip_tone = skin * 0.70
    if expr == "neutral":
        w = mhw * 0.9
        if not infant:
            upper = cv.polygon(bezier((cx - w, my), (cx, my - p.lip_px * 2.0), (cx + w, my))
                               + [(cx + w, my)] + bezier((cx + w, my), (cx, my + 1), (cx - w, my)))
            lower = cv.polygon(bezier((cx - w, my), (cx, my + 1), (cx + w, my))
                               + bezier((cx + w, my), (cx, my + p.lip_px * 2.6), (cx - w, my)))
            cv.paint(upper, lip_tone * 0.92)
            cv.paint(lower, lip_tone, blur_px=0.5)
        else:
            cv.paint(cv.ellipse(cx, my + 2, w * 0.8, 4.5), lip_tone * 1.05, blur_px=1)
        cv.paint(cv.line(bezier((cx - w, my), (cx, my + 1.5), (cx + w, my)), 2.0), 0.22)
        cv.shade(cv.ellipse(cx, my + 12, w * 0.6, 4), -0.05, blur_px=3)
        return
    if expr == "happy":
        w = mhw * 1.25
        for s in (-1, 1):  # raised cheeks
            cv.shade(cv.ellipse(cx + s * (w + 4), my - 0.06 * hl, w * 0.55, 0.05 * hl), 0.05, blur_px=5)
        upper = bezier((cx - w, my - 8), (cx, my + 2), (cx + w, my - 8))
        lower = bezier((cx + w, my - 8), (cx, my + (0.17 if infant else 0.11) * hl), (cx - w, my - 8))
        hole = cv.polygon(upper + lower)
        cv.paint(hole, 0.10)
        if infant:
            cv.paint(cv.ellipse(cx, my + 0.075 * hl, w * 0.55, 0.04 * hl) * hole, 0.45)  # tongue
        else:
            teeth = hole * (cv.y < my + 0.03 * hl)
            cv.paint(teeth, 0.93)
        cv.paint(cv.line(upper, 2.4), lip_tone * 0.8)
        cv.paint(cv.line(lower, 3.0), lip_tone)
        return
    # distress: a wide-open, squared, down-turned crying mouth
    w = mhw * (1.05 if infant else 0.95)
    h = (0.17 if infant else 0.11) * hl
    ytop = my - h * 0.35
    pts = (bezier((cx - w, ytop + h * 0.55), (cx, ytop - h * 0.55), (cx + w, ytop + h * 0.55))
           + bezier((cx + w, ytop + h * 0.55), (cx + w * 0.85, ytop + h * 1.05), (cx + w * 0.45, ytop + h))
           + bezier((cx + w * 0.45, ytop + h), (cx, ytop + h * 1.08), (cx - w * 0.45, ytop + h))
           + bezier((cx - w * 0.45, ytop + h), (cx - w * 0.85, ytop + h * 1.05), (cx - w, ytop + h * 0.55)))
    hole = cv.polygon(pts)
    cv.paint(hole, 0.07)
    cv.paint(cv.ellipse(cx, ytop + h * 0.95, w * 0.55, h * 0.28) * hole, 0.38)  # tongue
    cv.paint(cv.line(pts + [pts[0]], 3.0), lip_tone * 0.85)
    cv.shade(cv.ellipse(cx, ytop + h * 1.35, w * 0.8, h * 0.18), -0.07, blur_px=3)  # chin bunching
