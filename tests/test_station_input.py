"""What the station is told must be true before anything opens: session labels the change
analysis would silently drop are refused with a did-you-mean; no display is one line and
exit 2, never a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
KEYPRESS = REPO / "configs" / "demo" / "keypress.yaml"


def icb(*args, display=None):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "CI")}
    if display:
        env["DISPLAY"] = display
    return subprocess.run([sys.executable, "-m", "icb.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=120)


@pytest.mark.parametrize("label, meant", [("Pre", "pre"), ("POST", "post"), ("pos", "post"),
                                          ("pree", "pre")])
def test_near_miss_session_label_refused_with_did_you_mean(tmp_path, label, meant):
    out = icb("run", KEYPRESS, "--participant", "01", "--session", label, "--simulate",
              "--data-dir", tmp_path / "d")
    assert out.returncode == 2, out.stderr
    assert f"bad session label '{label}' (did you mean '{meant}'?)" in out.stderr
    assert "Traceback" not in out.stderr and not (tmp_path / "d").exists()


def test_custom_session_label_passes_with_a_note(tmp_path):
    # no display here: the label passes (with its note), then the missing display stops it
    out = icb("run", KEYPRESS, "--participant", "01", "--session", "followup", "--simulate",
              "--data-dir", tmp_path / "d")
    assert "session 'followup' is a custom label: the change analysis pairs 'pre' and " \
        "'post' only" in out.stderr
    assert "no display for the PsychoPy window" in out.stderr


@pytest.mark.parametrize("command", [
    ["run", KEYPRESS, "--participant", "01", "--session", "pre", "--simulate"],
    ["check"]])
@pytest.mark.parametrize("display", [None, ":987"])
def test_no_display_is_one_line_and_exit_2(tmp_path, command, display):
    out = icb(*command, "--data-dir", tmp_path / "d", display=display)
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    errors = [line for line in out.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and "no display for the PsychoPy window" in errors[0]
    assert ("DISPLAY=:987 does not answer" if display else "DISPLAY is not set") in errors[0]
    assert not (tmp_path / "d").exists()


def test_full_screen_run_on_a_screen_of_another_size_is_refused(tmp_path, display):
    # the demo station says 1920x1080; the test X server's screen is another size
    from Xlib import display as xdisplay
    x = xdisplay.Display(display)
    screen = x.screen()
    width, height = screen.width_in_pixels, screen.height_in_pixels
    x.close()
    assert [width, height] != [1920, 1080]
    out = icb("run", KEYPRESS, "--participant", "01", "--session", "pre", "--group", "MORE",
              "--simulate", "--data-dir", tmp_path / "d", display=display)
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    assert (f"station.screen_size_px: the screen is {width}x{height} pixels, the config says "
            "1920x1080; every size in degrees would be drawn") in out.stderr
    assert f"set screen_size_px: [{width}, {height}]" in out.stderr
    assert not list((tmp_path / "d").rglob("*_events.*"))


def test_a_label_too_long_for_a_file_name_is_refused_before_anything(tmp_path):
    out = icb("run", KEYPRESS, "--participant", "P" * 230, "--session", "pre", "--simulate",
              "--data-dir", tmp_path / "d")
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert "the participant label is 230 characters long; allowed: at most 64" in out.stderr
    assert not (tmp_path / "d").exists()
