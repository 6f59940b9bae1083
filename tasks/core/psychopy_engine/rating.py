"""Rating scales in the PsychoPy window: ``visual.Slider`` by mouse or keys.

The marker is hidden until the first response (a mouse click on the scale or an
arrow key; the first arrow press puts it at the scale's middle, see
:func:`tasks.core.scales.move`), so the start position is never a rating.  The
rating is recorded only when confirmed (``return`` or ``space``) with the
keyboard's own time stamp, measured from the scale's first flip (the keyboard
clock is reset on that flip).  No confirmed answer within the time-out: n/a.
"""

from __future__ import annotations

from icb.errors import AbortRequested
from tasks.core.contrast import readable_text_colour
from tasks.core.markers import RATING, RESPONSE
from tasks.core.messages import catalogue_of
from tasks.core.text_size import lowest_centre_deg
from tasks.core.results import RatingResult, count_dropped
from tasks.core.scales import (CONFIRM_KEYS, PlannedRating, Scale,
                                 key_schedule, move)

SLIDER_Y_DEG = -6.0
PROMPT_Y_DEG = -3.2
SLIDER_WIDTH_DEG = 18.0
# station.input: touch: the confirm button takes the bottom row, so the scale and its
# texts are lifted clear of it (the tick numbers under the line would touch it) and the
# hint ("tap the line, then tap Confirm") sits between the prompt and the line
TOUCH_LIFT_DEG = 0.7
TOUCH_HINT_ABOVE_LINE_DEG = 1.4


def slider_y_deg(touch: bool) -> float:
    """The height of the scale's line (lifted with touch input)."""
    return SLIDER_Y_DEG + (TOUCH_LIFT_DEG if touch else 0.0)


class SliderScreens:
    """Sliders (one per scale) and their texts, made once per engine."""

    def __init__(self, engine, messages=None):
        """``messages``: the catalogue of the texts (default: the station's, with the
        touch forms when ``station.input`` is touch)."""
        self.engine = engine
        self.messages = messages if messages is not None else catalogue_of(engine.station)
        self._made: dict = {}

    def _get(self, scale: Scale):
        key = (scale.name, scale.prompt, scale.continuous, scale.minimum, scale.maximum)
        if key in self._made:
            return self._made[key]
        from psychopy import visual
        win = self.engine.win
        height = self.engine.text_size.height_deg  # the station's text size (window.py)
        wrap = self.engine.text_size.wrap_deg
        # the scale's texts pass WCAG AA (4.5:1) on the station's background
        ink = list(readable_text_colour(self.engine.station["background"]))
        if scale.continuous:
            labels = None
            style, granularity = "slider", 0
        else:
            labels = [f"{int(t):+d}" if scale.minimum < 0 else str(int(t)) for t in scale.ticks]
            style, granularity = "rating", 1
        touch = self.messages.input == "touch"
        lift = slider_y_deg(touch) - SLIDER_Y_DEG
        slider = visual.Slider(win, ticks=scale.ticks, labels=labels, startValue=None,
                               pos=(0, SLIDER_Y_DEG + lift), size=(SLIDER_WIDTH_DEG, 0.8),
                               units="deg", style=style, granularity=granularity,
                               labelHeight=0.8 * height, markerColor="red", labelColor=ink,
                               lineColor=ink, colorSpace="rgb", autoLog=False)
        prompt = visual.TextStim(win, scale.prompt, pos=(0, PROMPT_Y_DEG + lift), height=height,
                                 wrapWidth=wrap, color=ink, colorSpace="rgb", autoLog=False)
        anchor_y = SLIDER_Y_DEG + lift - 2.2
        low = visual.TextStim(win, scale.low_anchor, pos=(-SLIDER_WIDTH_DEG / 2, anchor_y),
                              height=0.8 * height, wrapWidth=8, color=ink, colorSpace="rgb",
                              autoLog=False)
        high = visual.TextStim(win, scale.high_anchor, pos=(SLIDER_WIDTH_DEG / 2, anchor_y),
                               height=0.8 * height, wrapWidth=8, color=ink, colorSpace="rgb",
                               autoLog=False)
        hint = visual.TextStim(win, self.messages.text("scale.hint"),
                               pos=(0, SLIDER_Y_DEG - 4.2),
                               height=0.7 * height, wrapWidth=wrap, color=ink, colorSpace="rgb",
                               autoLog=False)
        # a small window (a 1024x768 tablet at the station's pixel size): the hint is
        # lifted until it ends above the window's bottom margin (tests/test_text_fit.py)
        size = self.engine.text_size
        block_deg = hint.boundingBox[1] * size.window_h_deg / float(win.size[1])
        hint.pos = (0, max(SLIDER_Y_DEG - 4.2, lowest_centre_deg(size, block_deg)))
        if touch:  # the bottom row is the confirm button's
            hint.pos = (0, slider_y_deg(True) + TOUCH_HINT_ABOVE_LINE_DEG)
        self._made[key] = (slider, (prompt, low, high, hint))
        return self._made[key]

    def rate(self, scale: Scale, items: tuple, planned: PlannedRating | None,
             timeout_ms: float | None) -> RatingResult:
        eng = self.engine
        slider, texts = self._get(scale)
        slider.reset()
        slider.markerPos = None
        abort_key = eng.station["abort_key"]
        watch = ["left", "right", *CONFIRM_KEYS, abort_key]
        win = eng.win
        win.mouseVisible = not eng.simulate
        win.callOnFlip(eng.kb.clearEvents)
        win.callOnFlip(eng.kb.clock.reset)
        targets = ()
        if eng.touch_on:  # station.input: touch: tap the line, then the confirm button
            from tasks.core.psychopy_engine import touch as touch_input
            from tasks.core.touch import rating_targets
            targets = rating_targets(eng.station, slider_y_deg(True), SLIDER_WIDTH_DEG,
                                     eng._window_height_deg(), eng.touch_labels["confirm"])
            watch = [abort_key]  # keys: only the experimenter's abort
            slider.readOnly = True  # the taps place the marker, not the slider's own mouse
            eng._tapped(())  # taps before this screen count for nothing
            if planned is not None and planned.value is not None and eng.injector:
                touch_input.plan_rating_taps(eng, scale, targets, planned.value,
                                             planned.rt_ms, slider_y_deg(True),
                                             SLIDER_WIDTH_DEG)
        elif planned is not None and planned.value is not None and eng.injector:
            schedule = key_schedule(scale, planned.value, planned.rt_ms)
            for key, t_ms in schedule:
                win.callOnFlip(eng.injector.press_later, key, t_ms / 1000.0)
        marker, pressed_keys = None, []
        rating = rt_ms = None
        onset = None
        stamps: list[float] = []
        n = 0
        timed_out = False
        try:
            while not timed_out:
                eng._draw(items + targets)
                for text in texts:
                    text.draw()
                slider.draw()  # also reads the mouse: a click places the marker
                stamp = eng._flip()
                stamps.append(stamp)
                if onset is None:
                    onset = stamp
                    eng._mark(RATING, onset, items)
                n += 1
                if slider.markerPos is not None:
                    marker = float(slider.markerPos)
                done = False
                if targets:
                    marker, rt_ms, n_taps = touch_input.rate_by_touch(
                        eng, scale, targets, marker, onset + eng._t0, SLIDER_WIDTH_DEG)
                    pressed_keys += ["tap"] * n_taps
                    slider.markerPos = marker
                    if rt_ms is not None:
                        rating = marker
                        break
                for key in eng._poll_keys(watch):
                    if key.name == abort_key:
                        if eng._is_abort(key):
                            raise AbortRequested()
                        continue
                    pressed_keys.append(key.name)
                    if key.name in ("left", "right"):
                        marker = move(scale, marker, key.name)
                        slider.markerPos = marker
                    elif marker is not None:  # a confirm key with the marker shown
                        rating, rt_ms = marker, float(key.rt) * 1000.0
                        done = True
                        break
                if done:
                    break
                # the time-out by the clock, whatever the frame rate
                timed_out = timeout_ms is not None and eng._timed_out(onset, stamp, timeout_ms)
        finally:
            win.mouseVisible = False
            if eng.injector:
                eng.injector.cancel()
        end = onset + rt_ms / 1000.0 if rt_ms is not None else stamps[-1]  # measured
        if rt_ms is not None:
            eng._mark(RESPONSE, end)
        return RatingResult(rating, rt_ms, onset, end, pressed_keys,
                            count_dropped(stamps, eng.frame_ms))
