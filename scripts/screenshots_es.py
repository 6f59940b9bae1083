"""Screenshots of every Spanish screen of every paradigm (docs/screenshots/es/).

    scripts/headless.sh .venv/bin/python scripts/screenshots_es.py [OUT_DIR] [--width PX]
        [--language es]

One real window, 1024x768 at the station's pixel size (as ``scripts/text_fit.py``: the
station of configs/*.yaml with its cm per pixel and viewing distance), ``station.language``
set to ``--language``.  Each screen is drawn through the engine's own drawing path
(``PsychoPyEngine._draw`` and the rating slider's ``SliderScreens``) with the texts the
tasks make (``paradigm.instructions``, the trial loop's joined screens, the catalogue's
feedback, listen, break, end and battery texts) and the first planned picture, then read
back from the back buffer (nothing is flipped), scaled to ``--width`` pixels and saved
as an optimized PNG.  The ``touch_*`` files are the same screens with ``station.input:
touch``: the touch wording (``<id>_touch``) and the on-screen buttons the engine draws
(Continue, Confirm, Más / Menos, the discrimination probe's two buttons).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from text_fit import open_engine  # noqa: E402
from tasks.config import load_task_config  # noqa: E402
from tasks.core.messages import load_catalogue  # noqa: E402
from tasks.core.paradigm import load as load_paradigm  # noqa: E402
from tasks.core.screens import Image, Text  # noqa: E402

CONFIGS = REPO / "configs"


def shot(engine, name: str, out: Path, width: int, items: tuple = (), scale=None,
         messages=None) -> None:
    """Draw ``items`` (and ``scale``'s slider screen with the texts of ``messages``) and
    save the back buffer."""
    engine.win.clearBuffer()
    engine._draw(items)
    if scale is not None:
        from tasks.core.psychopy_engine.rating import SliderScreens
        slider, texts = SliderScreens(engine, messages)._get(scale)
        for text in texts:
            text.draw()
        slider.draw()
    image = engine.win._getFrame(buffer="back")
    engine.win.clearBuffer()
    height = round(image.height * width / image.width)
    path = out / f"{name}.png"
    image.convert("RGB").resize((width, height)).quantize(colors=64).save(path, optimize=True)
    print(f"written: {path} ({width}x{height}, {path.stat().st_size // 1024} KB)")


def planned(config_name: str, language: str, device: str = "keyboard"):
    config = load_task_config(CONFIGS / config_name, {"station": {"language": language,
                                                                  "input": device}})
    paradigm = load_paradigm(config.paradigm)
    return config, paradigm, paradigm.plan(config, "01", "pre", seed=1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(REPO / "docs" / "screenshots" / "es"))
    parser.add_argument("--width", type=int, default=512)
    parser.add_argument("--language", default="es")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    lang = args.language
    msg = load_catalogue(lang)
    # input: touch so that the buttons can be drawn; the keyboard screens have none
    engine = open_engine(CONFIGS / "rating.yaml", (1024, 768), None, None, language=lang)
    try:
        def save(name, items=(), scale=None, messages=msg):
            shot(engine, name, out, args.width, items, scale, messages)

        def message(name, text):
            save(name, (Text(text),))

        # -- the trial loop's and the battery's screens (every paradigm) ----------------
        message("after_practice", f"{msg.text('trial.after_practice')}\n\n"
                                  f"{msg.text('trial.start')}")
        message("break", f"{msg.text('trial.break', done=1, total=2)}\n\n"
                         f"{msg.text('trial.continue')}")
        message("end", msg.text("trial.end"))
        message("battery_between_tasks", f"{msg.text('battery.between_tasks')}\n\n"
                                         f"{msg.text('trial.continue')}")
        message("battery_all_done", msg.text("battery.all_done"))
        # -- dot-probe ------------------------------------------------------------------
        for config_name, suffix in (("dotprobe.yaml", "location"),
                                    ("dotprobe_discrimination.yaml", "discrimination")):
            config, paradigm, plan = planned(config_name, lang)
            message(f"dotprobe_instructions_{suffix}", paradigm.instructions(config, plan))
        message("dotprobe_after_practice", f"{msg.text('dotprobe.after_practice')}\n\n"
                                           f"{msg.text('trial.start')}")
        save("dotprobe_feedback_too_slow", (Text(msg.text("dotprobe.too_slow"), colour="red"),))
        save("dotprobe_feedback_wrong_key", (Text(msg.text("dotprobe.wrong_key"),
                                                  colour="red"),))
        # -- free viewing ---------------------------------------------------------------
        config, paradigm, plan = planned("freeview.yaml", lang)
        message("freeview_instructions", paradigm.instructions(config, plan))
        message("freeview_after_practice", f"{msg.text('freeview.after_practice')}\n\n"
                                           f"{msg.text('trial.start')}")
        # -- rating: instructions, each scale under an infant face ----------------------
        from tasks.core.scales import scales_of
        from tasks.paradigms.rating.paradigm import FACE_Y_DEG
        config, paradigm, plan = planned("rating.yaml", lang)
        message("rating_instructions", paradigm.instructions(config, plan))
        trial = next(t for t in plan.trials if t.stim.category == "infant")
        engine.preload_images({trial.stim.stim_id: plan.images[trial.stim.stim_id]},
                              plan.image_size_deg)
        face = Image(trial.stim.stim_id, 0.0, FACE_Y_DEG)
        for name, scale in scales_of(config.params, msg).items():
            save(f"rating_scale_{name}", (face,), scale.for_stimulus("infant", sound=False))
        # -- key-press: instructions, a face with the reminder and each feedback --------
        config, paradigm, plan = planned("keypress.yaml", lang)
        message("keypress_instructions", paradigm.instructions(config, plan))
        p = config.params
        trial = next(t for t in plan.trials if t.stim.category == "infant")
        engine.preload_images({trial.stim.stim_id: plan.images[trial.stim.stim_id]},
                              plan.image_size_deg)
        below = -(p["image_height_deg"] / 2 + 1.2)
        i1, i2 = (k.upper() for k in p["increase_keys"])
        d1, d2 = (k.upper() for k in p["decrease_keys"])
        reminder = Text(msg.text("keypress.reminder", i1=i1, i2=i2, d1=d1, d2=d2), below,
                        "auto", 0.7)
        for effect in ("longer", "take_turns"):
            save(f"keypress_trial_{effect}", (Image(trial.stim.stim_id, 0.0, 0.0), reminder,
                                              Text(msg.text(f"keypress.{effect}"), below - 1.2,
                                                   "auto", 0.7)))
        # -- cry rating: instructions, the listening screen, each scale -----------------
        config, paradigm, plan = planned("cryrating.yaml", lang)
        message("cryrating_instructions", paradigm.instructions(config, plan))
        message("cryrating_listen", msg.text("cryrating.listen"))
        for name, scale in scales_of(config.params, msg).items():
            save(f"cryrating_scale_{name}", (), scale.for_stimulus("infant", sound=True))
        touch_screens(engine, save, lang)
    finally:
        engine.close()
    return 0


def touch_screens(engine, save, lang: str) -> None:
    """The screens that differ with ``station.input: touch`` (files ``touch_*.png``)."""
    from tasks.core import touch
    from tasks.core.paradigm import RunContext
    from tasks.core.scales import scales_of
    from tasks.paradigms.dotprobe.paradigm import touch_targets, trial_screens
    from tasks.core.psychopy_engine.keypress import touch_buttons
    from tasks.core.psychopy_engine.rating import SLIDER_WIDTH_DEG, slider_y_deg
    from tasks.paradigms.keypress.design import rule_for
    from tasks.paradigms.keypress.paradigm import trial_texts
    from tasks.paradigms.rating.paradigm import FACE_Y_DEG
    msg = load_catalogue(lang).for_input("touch")
    button = engine._continue_target()  # Continue: every screen that waits for SPACE

    def message(name, text):
        save(f"touch_{name}", (Text(text), button))

    message("after_practice", f"{msg.text('trial.after_practice')}\n\n{msg.text('trial.start')}")
    message("break", f"{msg.text('trial.break', done=1, total=2)}\n\n"
                     f"{msg.text('trial.continue')}")
    message("battery_between_tasks", f"{msg.text('battery.between_tasks')}\n\n"
                                     f"{msg.text('trial.continue')}")
    message("end", msg.text("trial.end"))
    for config_name, suffix in (("dotprobe.yaml", "location"),
                                ("dotprobe_discrimination.yaml", "discrimination")):
        config, paradigm, plan = planned(config_name, lang, "touch")
        message(f"dotprobe_instructions_{suffix}", paradigm.instructions(config, plan))
        trial = plan.trials[0]
        probe = trial_screens(trial, config.params)[2]  # the dot(s); location: tap them
        save(f"touch_dotprobe_probe_{suffix}",
             (*probe.items, *touch_targets(RunContext(config, plan, msg))))
    save("touch_dotprobe_feedback_wrong_key", (Text(msg.text("dotprobe.wrong_key"),
                                                    colour="red"),))
    for config_name in ("freeview.yaml", "rating.yaml", "keypress.yaml", "cryrating.yaml"):
        config, paradigm, plan = planned(config_name, lang, "touch")
        message(f"{config.paradigm}_instructions", paradigm.instructions(config, plan))
    # a rating screen: the face, the scale, the hint and the Confirm button
    config, paradigm, plan = planned("rating.yaml", lang, "touch")
    trial = next(t for t in plan.trials if t.stim.category == "infant")
    engine.preload_images({trial.stim.stim_id: plan.images[trial.stim.stim_id]},
                          plan.image_size_deg)
    confirm = touch.rating_targets(engine.station, slider_y_deg(True), SLIDER_WIDTH_DEG,
                                   engine._window_height_deg(), msg.text("touch.confirm"))[1]
    scale = scales_of(config.params, msg)["cuteness"].for_stimulus("infant", sound=False)
    save("touch_rating_scale_cuteness", (Image(trial.stim.stim_id, 0.0, FACE_Y_DEG), confirm),
         scale, msg)
    config, paradigm, plan = planned("cryrating.yaml", lang, "touch")
    scale = scales_of(config.params, msg)["distressed"].for_stimulus("infant", sound=True)
    save("touch_cryrating_scale_distressed", (confirm,), scale, msg)
    # the key-press face: reminder and feedback above it, Menos / Más below
    config, paradigm, plan = planned("keypress.yaml", lang, "touch")
    trial = next(t for t in plan.trials if t.stim.category == "infant")
    engine.preload_images({trial.stim.stim_id: plan.images[trial.stim.stim_id]},
                          plan.image_size_deg)
    reminder, feedback = trial_texts(config.params, msg)
    pair = touch_buttons(engine, rule_for(config.params))[0]  # as the engine draws them
    save("touch_keypress_trial_longer", (Image(trial.stim.stim_id, 0.0, 0.0), reminder,
                                         feedback["+"], *pair))


if __name__ == "__main__":
    sys.exit(main())
