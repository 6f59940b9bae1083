"""Screenshots of the rating, cry-rating and key-press screens, taken from real runs.

    scripts/headless.sh .venv/bin/python scripts/screenshots.py [OUT_DIR] [--width PX]

Each task runs for real (its smallest test config, the simulated participant, a
1024x768 window, data into a temporary folder) and the frame the participant sees is
read back from the window's back buffer just before its flip:

* rating: the first test face's first scale, before any key (the hint is the
  instruction: the marker is hidden until the first press);
* cry rating: the first cry's infants-only scale (``respond``), before any key;
* key-press: the first test face half a second in, after a press (the key reminder and
  the "longer" / "sooner" sign that the press counted).

The PNGs (``OUT_DIR``, default ``docs/screenshots``) are scaled to ``--width`` pixels.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tasks.config import load_task_config  # noqa: E402
from tasks.core.paradigm import load as load_paradigm  # noqa: E402
from tasks.core.psychopy_engine import PsychoPyEngine  # noqa: E402
from tasks.core.runner import RunRequest, run_one  # noqa: E402

CONFIGS = REPO / "tests" / "configs"
SHOTS = (  # (file name, config, engine method, which call, seconds into the screen)
    ("rating.png", "rating_tiny.yaml", "rate",
     lambda args, kw: "baby" in args[0].prompt, 0.1),
    ("cryrating.png", "cryrating_tiny.yaml", "rate",
     lambda args, kw: args[0].name == "respond", 0.1),
    ("keypress.png", "keypress_tiny.yaml", "present_adjustable",
     lambda args, kw: args[0][0].stim_id.startswith("inf_"), 0.55),
)
KEYPRESS_SPEC = "p_repeat=0,offset_ms=600"  # presses early in the face: the sign shows


def capture(engine: PsychoPyEngine, method: str, wanted, delay_s: float) -> list:
    """Arm ``engine.<method>``: on its first call that ``wanted(args, kwargs)`` accepts,
    the first frame ``delay_s`` or more into the call is grabbed (back buffer, before
    the flip).  Returns the list the PIL image is put into."""
    grabbed: list = []
    state = {"since": None}
    real_method, real_flip = getattr(engine, method), engine._flip

    def method_wrapper(*args, **kw):
        if not grabbed and state["since"] is None and wanted(args, kw):
            state["since"] = engine._clock_s()
        try:
            return real_method(*args, **kw)
        finally:
            if state["since"] is not None and not grabbed:
                state["since"] = None  # the call ended before the moment: try the next

    def flip_wrapper(before_flip=None):
        if (state["since"] is not None and not grabbed
                and engine._clock_s() - state["since"] >= delay_s):
            grabbed.append(engine.win._getFrame(buffer="back"))
            state["since"] = None
        return real_flip(before_flip)

    setattr(engine, method, method_wrapper)
    engine._flip = flip_wrapper
    return grabbed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(REPO / "docs" / "screenshots"))
    parser.add_argument("--width", type=int, default=640)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, config_name, method, wanted, delay_s in SHOTS:
        config = load_task_config(CONFIGS / config_name)
        paradigm = load_paradigm(config.paradigm)
        spec = KEYPRESS_SPEC if config.paradigm == "keypress" else ""
        responder = paradigm.responder(spec, config)
        with tempfile.TemporaryDirectory() as data:
            engine = PsychoPyEngine(config.station, windowed=True, simulate=True,
                                    log=lambda m: None)
            engine.open()
            try:
                grabbed = capture(engine, method, wanted, delay_s)
                run_one(config, engine, RunRequest("shot", "pre", Path(data), group="MORE",
                                                   seed=1), responder=responder,
                        log=lambda m: None)
            finally:
                engine.close()
        if not grabbed:
            print(f"error: {name}: the screen to capture was never shown", file=sys.stderr)
            return 1
        image = grabbed[0]
        height = round(image.height * args.width / image.width)
        image.resize((args.width, height)).save(out / name, optimize=True)
        print(f"written: {out / name} ({args.width}x{height})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
