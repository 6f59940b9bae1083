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
as an optimized PNG.
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


def shot(engine, name: str, out: Path, width: int, items: tuple = (), scale=None) -> None:
    """Draw ``items`` (and ``scale``'s slider screen) and save the back buffer."""
    engine.win.clearBuffer()
    engine._draw(items)
    if scale is not None:
        from tasks.core.psychopy_engine.rating import SliderScreens
        slider, texts = SliderScreens(engine)._get(scale)
        for text in texts:
            text.draw()
        slider.draw()
    image = engine.win._getFrame(buffer="back")
    engine.win.clearBuffer()
    height = round(image.height * width / image.width)
    path = out / f"{name}.png"
    image.convert("RGB").resize((width, height)).quantize(colors=64).save(path, optimize=True)
    print(f"written: {path} ({width}x{height}, {path.stat().st_size // 1024} KB)")


def planned(config_name: str, language: str):
    config = load_task_config(CONFIGS / config_name, {"station": {"language": language}})
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
    engine = open_engine(CONFIGS / "rating.yaml", (1024, 768), None, None, language=lang)
    try:
        def save(name, items=(), scale=None):
            shot(engine, name, out, args.width, items, scale)

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
    finally:
        engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
