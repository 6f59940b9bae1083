"""When does a fixed screen end?  The PsychoPy engine predicts the next flip from the
recent frame intervals: a display that is steadily slow is followed (the screen still
ends by the clock), but one long frame on a busy machine does not end it a frame early."""

import pytest


@pytest.mark.parametrize("intervals_ms, last_expected", [
    # a steady 60 Hz display: a 100 ms screen is 6 frames; the flip at 83.3 ms is its last
    ([16.667] * 5, True),
    # one long frame (a busy machine) at 66.7 ms: the next flip is due at 83.3 ms, so
    # this is not the last (predicting from the long frame alone ended it 17 ms short)
    ([16.667] * 2 + [33.333], False),
    # ... and the flip after it, at 83.3 ms, is the last
    ([16.667] * 2 + [33.333, 16.667], True),
    # a display steadily at 30 Hz: the flip at 66.7 ms is the last (the next is at 100 ms)
    ([33.333] * 2, True),
])
def test_fixed_screen_end_follows_a_slow_display_not_one_long_frame(intervals_ms, last_expected):
    """The prediction of the next flip is pure arithmetic on the time stamps: run it on a
    stand-in for the engine that has only the nominal frame duration."""
    from types import SimpleNamespace

    from tasks.core.psychopy_engine.window import PsychoPyEngine

    stamps = [0.0]
    for ms in intervals_ms:
        stamps.append(stamps[-1] + ms / 1000.0)
    engine = SimpleNamespace(frame_ms=16.667)
    assert PsychoPyEngine._screen_over(engine, 0.0, stamps, 100.0) is last_expected
