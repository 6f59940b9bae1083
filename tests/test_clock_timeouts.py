"""Time-outs and timed screens end by the clock, whatever the frame rate: a real PsychoPy
window drawn at a throttled frame rate (an artificial delay in every frame's drawing)
still times a rating scale, a response screen and a fixed screen out at the configured
seconds within one (slow) frame, records the measured duration, and counts the frames it
could not keep as dropped.  A break shows its SPACE prompt only once SPACE works."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.display

SCRIPT = r"""
import json, sys, time
from tasks.config import load_task_config
from tasks.core.psychopy_engine import PsychoPyEngine
from tasks.core.scales import build_scales
from tasks.core.engine import CONTINUE_PROMPT
from tasks.core.screens import Fixation, ResponseSpec, Screen

delay_s = float(sys.argv[2])
station = load_task_config(sys.argv[1]).station
engine = PsychoPyEngine(station, windowed=True, simulate=True, log=lambda m: None)
engine.open()
draw = engine._draw

def slow_draw(items):  # the test's throttle: every frame takes delay_s to draw
    time.sleep(delay_s)
    draw(items)

flip = engine._flip
stamps = []

def timed_flip(*args, **kw):  # what the test measures: every flip's time stamp
    stamps.append(flip(*args, **kw))
    return stamps[-1]

def measured():
    got = {"longest_frame_s": max(b - a for a, b in zip(stamps, stamps[1:])),
           "flipped_s": stamps[-1] - stamps[0]}  # first to last flip of the screen(s)
    stamps.clear()
    return got

engine._draw = slow_draw
engine._flip = timed_flip
out = {"frame_ms": engine.frame_ms}
scale = build_scales(["liking"], "likert")[0]
r = engine.rate(scale, (), planned=None, timeout_ms=1500)
out["rating"] = {"duration_s": r.end_s - r.onset_s, "rating": r.rating,
                 "dropped": r.dropped_frames, **measured()}
seq = engine.run_sequence([Screen("fixation", (Fixation(),), 600), Screen("probe", (Fixation(),))],
                          ResponseSpec(("left", "right"), 1000))
out["sequence"] = {"fixation_s": seq.onsets_s["probe"] - seq.onsets_s["fixation"],
                   "response_s": seq.end_s - seq.onsets_s["probe"], "key": seq.key,
                   "frames": seq.frames, "dropped": seq.dropped_frames,
                   **measured()}
# A break: its SPACE prompt only once SPACE works (after min_s); an early SPACE does nothing.
engine._draw = draw
shown = []  # (flip time, the prompt on screen?) for every flip of the break

def watched_draw(items):
    draw(items)
    shown.append(any(getattr(i, "text", "").endswith(CONTINUE_PROMPT) for i in items))

engine._draw = watched_draw
engine.new_run()  # the break's first flip is time 0
engine.injector.press_later("space", 0.4)  # too early: before min_s
engine.injector.press_later("space", 1.6)  # after min_s: ends the break
key = engine.pause_screen("A short break.", min_s=1.0)
ended = engine._clock_s()
times = stamps[-len(shown):]
start = times[0]
out["break"] = {"key": key, "ended_s": ended - start,
                "first_prompt_s": next(t for t, p in zip(times, shown) if p) - start,
                "last_without_prompt_s": max(t for t, p in zip(times, shown) if not p) - start,
                "frame_s": engine.frame_ms / 1000.0}
engine.close()
print(json.dumps(out))
"""


def test_throttled_window_times_out_by_the_clock(tmp_path, display):
    delay_s = 0.045  # about 20 frames per second instead of 60
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(REPO / "configs" / "demo"
                                                            / "rating.yaml"), str(delay_s)],
                         capture_output=True, text=True, cwd=REPO, timeout=180)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    rating = got["rating"]
    assert rating["longest_frame_s"] > delay_s  # the throttle took hold
    assert rating["rating"] is None  # no answer: the time-out
    # within one frame of the configured time-out (a frame as long as this window drew it)
    assert abs(rating["duration_s"] - 1.5) <= rating["longest_frame_s"], rating
    # and what is recorded is what was shown (the flips), not the plan
    assert abs(rating["flipped_s"] - 1.5) <= rating["longest_frame_s"], rating
    assert rating["dropped"] > 0  # the frames it could not keep are counted
    seq = got["sequence"]
    assert abs(seq["fixation_s"] - 0.6) <= seq["longest_frame_s"], seq
    assert seq["key"] is None and abs(seq["response_s"] - 1.0) <= seq["longest_frame_s"], seq
    assert abs(seq["flipped_s"] - 1.6) <= 2 * seq["longest_frame_s"], seq
    # far fewer flips than the nominal frame count: the clock, not the count, ended them
    assert seq["frames"]["probe"] < 1000 / got["frame_ms"] * 0.6, seq
    assert seq["dropped"] > 0
    brk = got["break"]  # the prompt appears when SPACE works, and not before
    assert brk["key"] == "space"
    assert 1.0 - brk["frame_s"] <= brk["first_prompt_s"] <= 1.0 + 3 * brk["frame_s"], brk
    assert brk["last_without_prompt_s"] < brk["first_prompt_s"]
    # the SPACE at 0.4 s did nothing (it would have ended the break at min_s, 1.0 s); the
    # presses are timed from just before the break's first flip, hence 50 ms of slack
    assert brk["ended_s"] >= 1.6 - 0.05, brk
