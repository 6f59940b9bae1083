"""Does every message of every language fit on the screen?  (contract section 9)

    scripts/headless.sh .venv/bin/python scripts/text_fit.py [--config TASK.yaml]
        [--lang-dir DIR] [--text-height-deg D | --text-height-frac F] [--window 1024x768]

Opens one real window (windowed, ``--window`` pixels) with the station of ``--config``
(default: configs/rating.yaml, i.e. configs/station.yaml) at the station's own pixel size
(cm per pixel and viewing distance kept, so a degree is as many pixels as at the station)
and lays out, through the engine's own text path (``PsychoPyEngine._layout_text``, the
rating slider's ``SliderScreens``), every screen a participant reads: each message with
its placeholders filled with worst-case values (20 of 20 parts, 100 practice trials, the
longest key name and word), the screens that join two messages (after practice + start,
break + continue), the key-press reminder and feedback under the face, and every rating
scale's prompt, anchors and hint (in every language's longest {what}).  Nothing is
flipped: the text is measured (``TextStim.boundingBox``) on the back buffer.

Every screen is laid out twice: with the keyboard texts and with ``station.input: touch``
(the ``<id>_touch`` forms, tasks/core/messages.py).  With touch a continue screen has the
Continue button in the bottom row, the key-press face the Less / More buttons and the
rating screen the Confirm button (tasks/core/touch.py): a text that overlaps a button
fails, and so does a button label wider or taller than its button.

A text fails when its box leaves the window less a margin (2 % of each side), or when two
texts of the rating screen overlap (or one overlaps its line and tick numbers); each
failure names the language, the message id and the overflow in pixels.  Exit 1 when one
fails, 0 when all fit; ``--json`` prints the figures (largest text block per language,
as a fraction of the window).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tasks.config import load_task_config  # noqa: E402
from tasks.core.messages import LANG_DIR, available_languages, load_catalogue  # noqa: E402
from tasks.core.scales import CATALOGUE, build_scales  # noqa: E402
from tasks.core.screens import Text  # noqa: E402

MARGIN_FRAC = 0.02
# worst-case values of the placeholders the shipped catalogues use; any other: 12 wide letters
WORST = {"done": "20", "total": "20", "n": "100", "key": "BACKSPACE", "i1": "W", "i2": "M",
         "d1": "W", "d2": "M"}
JOINED = {"trial.break": "trial.continue", "battery.between_tasks": "trial.continue"}
KEYPRESS_IMAGE_HEIGHT_DEG = 12.5  # tasks/paradigms/keypress/params.py default
KEYPRESS_TRIAL = ("keypress.reminder", "keypress.longer", "keypress.sooner",
                  "keypress.take_turns")  # under (touch: above) the face, not full screens
DEVICES = ("keyboard", "touch")
TICK_NUMBERS_DEG = 1.4  # how far under the rating line its tick numbers reach


def worst_fields(catalogue, template_names: set[str]) -> dict:
    """Worst-case values for the placeholders ``template_names`` in ``catalogue``'s language."""
    keys = [catalogue.text(f"keys.{k}") for k in ("up", "down", "left", "right")]
    keys.append(catalogue.text("keys.other", key=WORST["key"]))
    words = list(catalogue.mapping("scale.what").values()) or ["W" * 12]
    starts = [catalogue.text("trial.start")]
    starts += [catalogue.text(i, n=WORST["n"]) for i in catalogue.messages
               if i.endswith(".start_practice")]
    longest = lambda xs: max(xs, key=len)  # noqa: E731
    fields = {**WORST, "left": longest(keys), "right": longest(keys), "colon": longest(keys),
              "dots": longest(keys), "what": longest(words), "start": longest(starts)}
    return {name: fields.get(name, "W" * 12) for name in template_names}


def screens(catalogue) -> list[tuple[str, str, Text]]:
    """(message id, what is shown, Text item) for every message, as a screen shows it
    to ``catalogue.input`` (a touch form's id ends in ``_touch``)."""
    from tasks.core.messages import TOUCH_SUFFIX, placeholders
    from tasks.paradigms.keypress.paradigm import text_rows
    reminder_y, feedback_y = text_rows(KEYPRESS_IMAGE_HEIGHT_DEG, catalogue.input)
    out = []
    for msg_id in catalogue.messages:
        if msg_id.endswith(TOUCH_SUFFIX):
            continue  # laid out as its id's text when the input is touch
        template = catalogue.template(msg_id)
        if catalogue.input == "touch" and msg_id + TOUCH_SUFFIX in catalogue.messages:
            msg_id += TOUCH_SUFFIX
        text = template.format(**worst_fields(catalogue, placeholders(template)))
        if msg_id.endswith("after_practice"):
            text = f"{text}\n\n{catalogue.text('trial.start')}"
        elif msg_id in JOINED:
            text = f"{text}\n\n{catalogue.text(JOINED[msg_id])}"
        item = Text(text)
        base = msg_id.removesuffix(TOUCH_SUFFIX)
        if base in KEYPRESS_TRIAL:
            item = Text(text, reminder_y if base == "keypress.reminder" else feedback_y,
                        "auto", 0.7)
        out.append((msg_id, text, item))
    return out


def target_box(engine, target) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) of a touch target in pixels from the window's centre."""
    k = engine._px_per_deg
    return ((target.x_deg - target.width_deg / 2) * k, (target.y_deg - target.height_deg / 2) * k,
            (target.x_deg + target.width_deg / 2) * k, (target.y_deg + target.height_deg / 2) * k)


def overlaps(a, c) -> bool:
    return a[0] < c[2] and c[0] < a[2] and a[1] < c[3] and c[1] < a[3]


def buttons(engine, catalogue) -> dict:
    """The touch buttons of each kind of screen, laid out as the engine does."""
    from tasks.core import touch
    station, h_deg = engine.station, engine._window_height_deg()
    label = lambda name: catalogue.text(f"touch.{name}")  # noqa: E731
    pair = touch.button_pair(station, touch.bottom_row_y(station, h_deg),
                             ("less", label("less")), ("more", label("more")))
    return {"continue": (touch.continue_button(station, h_deg, "space", label("continue")),),
            "confirm": (touch.continue_button(station, h_deg, "confirm", label("confirm")),),
            "keypress": pair}


def label_problems(engine, catalogue, label: str) -> list[str]:
    """A button label wider or taller than its button (drawn as ``_draw_target`` does)."""
    from tasks.core import touch
    width_deg, height_deg = touch.button_size_deg(engine.station)
    k = engine._px_per_deg
    problems = []
    for name in touch.DEFAULT_LABELS:
        engine._text.text = catalogue.text(f"touch.{name}")
        engine._text.height = engine.station["text_height_deg"]
        w, h = engine._text.boundingBox
        if w > (width_deg - 0.4) * k or h > height_deg * k:
            problems.append(f"{label}: touch.{name}: {w:.0f}x{h:.0f} px does not fit its "
                            f"{width_deg * k:.0f}x{height_deg * k:.0f} px button")
    return problems


def box(stim) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) of a drawn TextStim in pixels from the window's centre."""
    w, h = stim.boundingBox
    x, y = (float(v) for v in stim.posPix)
    return x - w / 2, y - h / 2, x + w / 2, y + h / 2


def overflow(b, half_w: float, half_h: float) -> float:
    """How many pixels box ``b`` sticks out of the window less its margin (0: fits)."""
    mx, my = half_w * (1 - 2 * MARGIN_FRAC), half_h * (1 - 2 * MARGIN_FRAC)
    out = max(0.0, -mx - b[0], -my - b[1], b[2] - mx, b[3] - my)
    return out if out >= 1.0 else 0.0  # less than a pixel: rounding


def check_language(engine, catalogue, label: str) -> tuple[list[str], dict]:
    """Problems and figures of one catalogue in the open engine's window (the engine
    opened with ``input: touch``, so that its buttons can be laid out)."""
    problems, tallest = [], (0.0, "")
    for device in DEVICES:
        found, tallest = check_input(engine, catalogue.for_input(device), label, tallest)
        problems += [p for p in found if p not in problems]
    problems += label_problems(engine, catalogue, label)
    engine.win.clearBuffer()
    half_h = float(engine.win.size[1]) / 2
    return problems, {"tallest_frac": round(tallest[0] / (2 * half_h), 3),
                      "tallest_id": tallest[1]}


def check_input(engine, catalogue, label: str, tallest: tuple) -> tuple[list[str], tuple]:
    """Problems of the screens ``catalogue.input`` sees, and the tallest text so far."""
    from tasks.core.psychopy_engine.rating import (SLIDER_WIDTH_DEG, SliderScreens,
                                                   slider_y_deg)
    half_w, half_h = (float(v) / 2 for v in engine.win.size)
    touch = catalogue.input == "touch"
    shown_buttons = buttons(engine, catalogue) if touch else {}
    problems = []
    for msg_id, _, item in screens(catalogue):
        stim = engine._layout_text(item)
        stim.draw()
        b = box(stim)
        if b[3] - b[1] > tallest[0]:
            tallest = (b[3] - b[1], msg_id)
        out = overflow(b, half_w, half_h)
        if out > 0:
            problems.append(f"{label}: {msg_id}: {b[2] - b[0]:.0f}x{b[3] - b[1]:.0f} px sticks "
                            f"out of the {2 * half_w:.0f}x{2 * half_h:.0f} window by {out:.0f} "
                            f"px (margin {MARGIN_FRAC:.0%})")
        kind = "keypress" if msg_id.removesuffix("_touch") in KEYPRESS_TRIAL else "continue"
        for target in shown_buttons.get(kind, ()):
            if overlaps(b, target_box(engine, target)):
                problems.append(f"{label}: {msg_id}: overlaps the {target.label!r} button "
                                f"(touch input; text {b[1]:.0f} to {b[3]:.0f} px, button top "
                                f"{target_box(engine, target)[3]:.0f} px from the centre)")
    k = engine._px_per_deg
    y = slider_y_deg(touch)  # the line, and the tick numbers under it
    line = ("line", (-SLIDER_WIDTH_DEG / 2 * k, (y - TICK_NUMBERS_DEG) * k,
                     SLIDER_WIDTH_DEG / 2 * k, (y + 0.4) * k))
    extra = [line] + [(f"{t.label!r} button", target_box(engine, t))
                      for t in shown_buttons.get("confirm", ())]
    # the rating screen, as the engine lays it out for this input
    sliders = SliderScreens(engine, messages=catalogue)
    words = dict(catalogue.mapping("scale.what"))
    longest_word = max(words, key=lambda k: len(words[k])) if words else "picture"
    for scale in build_scales(list(CATALOGUE), "likert", messages=catalogue):
        category = {"baby": "infant", "face": "adult"}.get(longest_word, longest_word)
        shown = scale.for_stimulus(category, sound=longest_word in ("voice", "sound"))
        _, texts = sliders._get(shown)
        names = ("prompt", "anchors.low", "anchors.high", "hint")
        boxes = []
        for name, stim in zip(names, texts):
            stim.draw()
            b = box(stim)
            boxes.append((name, b))
            out = overflow(b, half_w, half_h)
            msg_id = ("scale.hint_touch" if touch else "scale.hint") if name == "hint" \
                else f"scale.{scale.name}.{name}"
            problem = (f"{label}: {msg_id}: sticks out of the window by {out:.0f} px "
                       "(rating screen)")
            if out > 0 and problem not in problems:
                problems.append(problem)
        for i, (n1, a) in enumerate(boxes + extra):
            for n2, c in (boxes + extra)[i + 1:]:
                if overlaps(a, c):
                    problems.append(f"{label}: scale.{scale.name}: {n1} and {n2} overlap on "
                                    f"the rating screen ({catalogue.input} input)")
    return problems, tallest


def open_engine(config: Path, size: tuple[int, int], height_deg, height_frac,
                language: str = "en", device: str = "touch"):
    import pyglet
    from tasks.core.psychopy_engine import PsychoPyEngine
    station = dict(load_task_config(config).station)
    screen = pyglet.canvas.get_display().get_screens()[int(station["screen_index"])]
    # the station's pixel size: as many pixels per degree as at the station
    cm_per_px = station["screen_width_cm"] / station["screen_size_px"][0]
    station.update(window_size_px=list(size), screen_width_cm=cm_per_px * screen.width,
                   screen_size_px=[screen.width, screen.height], language=language,
                   input=device)  # touch: the buttons can be laid out and drawn
    if height_deg is not None:
        station.update(text_height_deg=height_deg, text_height_frac=None)
    if height_frac is not None:
        station["text_height_frac"] = height_frac
    engine = PsychoPyEngine(station, windowed=True, log=lambda m: None)
    engine.open()
    return engine


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=REPO / "configs" / "rating.yaml")
    parser.add_argument("--lang-dir", type=Path, default=LANG_DIR)
    parser.add_argument("--text-height-deg", type=float)
    parser.add_argument("--text-height-frac", type=float)
    parser.add_argument("--window", default="1024x768")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    size = tuple(int(v) for v in args.window.lower().split("x"))
    engine = open_engine(args.config, size, args.text_height_deg, args.text_height_frac)
    try:
        display = engine.info()  # Provenance.Display: the text size used
        problems, figures = [], {"window_px": display["WindowSizePx"],
                                 **{k: v for k, v in display.items() if k.startswith("Text")},
                                 "languages": {}}
        for language in available_languages(args.lang_dir):
            catalogue = load_catalogue(language, args.lang_dir)
            found, fig = check_language(engine, catalogue, f"{language}.yaml")
            problems += found
            figures["languages"][language] = fig
    finally:
        engine.close()
    figures["problems"] = problems
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        for problem in problems:
            print(problem)
        print(f"{len(problems)} text(s) do not fit" if problems else "every message fits")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
