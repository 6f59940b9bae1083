"""The screen-size check is pure data: what a mismatch says, and by how much sizes in
degrees would be wrong."""

import pytest

from tasks.core.geometry import fullscreen_refusal, screen_mismatch, window_mismatch


def test_matching_sizes_pass():
    assert screen_mismatch([1920, 1080], (1920, 1080)) is None
    assert fullscreen_refusal([1280, 1024], [1280, 1024]) is None
    assert window_mismatch([1024, 768], [1024, 768]) is None


@pytest.mark.parametrize("configured, screen, how", [
    ([1920, 1080], [1280, 1024], "1.50 times too large"),  # the 10 deg face at 15
    ([1280, 1024], [2560, 1440], "2.00 times too small")])
def test_mismatch_names_both_sizes_and_the_error(configured, screen, how):
    text = screen_mismatch(configured, screen)
    assert text.startswith(f"station.screen_size_px: the screen is {screen[0]}x{screen[1]} "
                           f"pixels, the config says {configured[0]}x{configured[1]}")
    assert how in text


def test_refusal_says_what_to_set():
    text = fullscreen_refusal([1920, 1080], [1280, 1024])
    assert "set screen_size_px: [1280, 1024]" in text and "--windowed" in text
    assert "nothing was run or written" in text


def test_window_the_window_manager_resized_is_named():
    assert window_mismatch([1024, 768], [1000, 700]) == (
        "station.window_size_px: the window opened at 1000x700 pixels, not the configured "
        "1024x768")
