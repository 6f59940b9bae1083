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
from tasks.core.markers import DISPLAY, RESPONSE
from tasks.core import touch
from tasks.core.psychopy_engine.touch import TapKey, taps_as_keys
from tasks.core.results import PressResult, count_dropped
from tasks.core.touch import drop_repeats


FEEDBACK_S = 0.4  # how long the sign that a press counted stays


def touch_buttons(engine, rule) -> tuple[tuple, dict]:
    """The "less" (left) and "more" (right) buttons in the bottom row, and which key pair
    each stands for."""
    labels = engine.touch_labels
    y = touch.bottom_row_y(engine.station, engine._window_height_deg())
    targets = touch.button_pair(engine.station, y, ("less", labels["less"]),
                                ("more", labels["more"]))
    return targets, {"more": [tuple(rule.increase_keys), None],
                     "less": [tuple(rule.decrease_keys), None]}


def alternate(pair_state: list, _name: str) -> str:
    """The key of the pair not used last (a tap on one button always counts as the
    alternation the keyboard asks for)."""
    pair, last = pair_state
    key = pair[1] if last == pair[0] else pair[0]
    pair_state[1] = key
    return key


def present_adjustable(engine, items: tuple, rule, planned: list | None,
                       feedback: dict) -> PressResult:
    win = engine.win
    abort_key = engine.station["abort_key"]
    watch = list(rule.keys) + [abort_key]
    log: list = []
    state = {"abort": False, "end": False, "feedback": None}
    targets, pairs = (), {}
    if engine.touch_on:  # station.input: touch: "more" and "less" buttons, no keys
        targets, pairs = touch_buttons(engine, rule)
        watch = [abort_key]
        items = (*items, *targets)
        planned = drop_repeats(sorted(planned or [], key=lambda p: p[1]),
                               (rule.increase_keys, rule.decrease_keys))
        engine._tapped(())  # taps before this face count for nothing

    def shown() -> tuple:
        """The face, and the sign of the last press for ``FEEDBACK_S``."""
        if state["feedback"] and engine._clock_s() - state["feedback"][1] < FEEDBACK_S:
            return (*items, state["feedback"][0])
        return items

    def feed() -> None:
        pressed = engine._poll_keys(watch)
        if targets:  # a tap on a button is the pair's next key (taking turns for her)
            pressed += [TapKey(alternate(pairs[tap.name], tap.name), tap.rt)
                        for tap in taps_as_keys(engine, targets, stamps[0] + engine._t0)]
        for key in pressed:
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
            if targets:  # the planned key becomes a tap on its pair's button
                which = "more" if key in rule.increase_keys else "less"
                win.callOnFlip(engine._tap_key_later, targets, which, t_ms / 1000.0)
            else:
                win.callOnFlip(engine.injector.press_later, key, t_ms / 1000.0)
    stamps = []
    try:
        engine._draw(items)
        stamps.append(engine._flip())
        engine._mark(DISPLAY, stamps[0], items)
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
    for _key, t_ms, _effect in log:  # each press at its own time (known after the face)
        engine._mark(RESPONSE, stamps[0] + t_ms / 1000.0)
    return PressResult(stamps[0], stamps[-1], log, count_dropped(stamps, engine.frame_ms))
