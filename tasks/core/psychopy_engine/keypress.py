"""The adjustable-duration face of the key-press task, frame by frame.

The face's onset is a flip; the keyboard clock is reset on that flip, so each
press's time is the keyboard's own stamp from face onset.  Before every further
flip (after the frame pacing's wait, as late as possible) the keys are polled and
fed to the task's pure :class:`~tasks.paradigms.keypress.design.PressRule`; when the rule's
scheduled offset has been reached, that flip is the offset flip (the face is
cleared).  Viewing time = offset flip - onset flip.  Presses noticed only after
the offset flip came too late to change the face and are not logged.
"""

from __future__ import annotations

from icb.errors import AbortRequested
from tasks.core.results import PressResult, count_dropped


FEEDBACK_S = 0.4  # how long the sign that a press counted stays


def present_adjustable(engine, items: tuple, rule, planned: list | None,
                       feedback: dict) -> PressResult:
    win = engine.win
    abort_key = engine.station["abort_key"]
    watch = list(rule.keys) + [abort_key]
    log: list = []
    state = {"abort": False, "end": False, "feedback": None}

    def shown() -> tuple:
        """The face, and the sign of the last press for ``FEEDBACK_S``."""
        if state["feedback"] and engine._clock_s() - state["feedback"][1] < FEEDBACK_S:
            return (*items, state["feedback"][0])
        return items

    def feed() -> None:
        for key in engine._poll_keys(watch):
            if key.name == abort_key:
                state["abort"] = state["abort"] or engine._is_abort(key)
                continue
            t_ms = float(key.rt) * 1000.0
            effect = rule.press(key.name, t_ms)
            log.append((key.name, t_ms, effect))
            if effect in feedback:
                state["feedback"] = (feedback[effect], engine._clock_s())

    def before_flip() -> None:
        # Runs after the pacing wait, just before win.flip(): the last moment a press
        # can still change this frame.
        feed()
        # the face goes by the clock (whatever the frame rate): this flip, if it comes
        # within half a frame of the offset the presses have set
        if engine._timed_out(stamps[0], engine._clock_s(), rule.offset_ms):
            state["end"] = True
            win.clearBuffer()  # this flip takes the face away

    win.callOnFlip(engine.kb.clearEvents)
    win.callOnFlip(engine.kb.clock.reset)
    if planned and engine.injector:
        for key, t_ms in planned:
            win.callOnFlip(engine.injector.press_later, key, t_ms / 1000.0)
    stamps = []
    try:
        engine._draw(items)
        stamps.append(engine._flip())
        while True:
            engine._draw(shown())
            stamps.append(engine._flip(before_flip=before_flip))
            if state["abort"]:
                raise AbortRequested()
            if state["end"]:
                break
    finally:
        if engine.injector:
            engine.injector.cancel()
    log.sort(key=lambda e: e[1])
    return PressResult(stamps[0], stamps[-1], log, count_dropped(stamps, engine.frame_ms))
