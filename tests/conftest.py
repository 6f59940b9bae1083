"""Shared pytest set-up for the icb suite: the platform fixtures.

Fixtures
--------
``display``      session-scoped; the reachable X display name (e.g. ``":0"``).
``jack_server``  session-scoped; the name of a running JACK server (``JACK_DEFAULT_SERVER`` or
                 ``"default"``).
``xdotool``      a runner: ``xdotool("key", "space")`` -> ``subprocess.CompletedProcess``
                 (needs ``display``; raises on a non-zero exit unless ``check=False``).

Tests marked ``@pytest.mark.display`` / ``@pytest.mark.sound`` get ``display`` /
``jack_server`` automatically.

Policy when the display or the JACK server is missing: the test FAILS with a message saying how
to provide it (``make test`` runs everything under ``scripts/headless.sh``). Only outside CI,
``ICB_ALLOW_SKIP_DISPLAY=1`` / ``ICB_ALLOW_SKIP_SOUND=1`` turn that into a skip.

Nothing here imports PsychoPy. Test modules must not import PsychoPy (or modules that import it)
at module level either: import it inside the test, or better run it in a subprocess. A warning
names the offenders at the end of collection.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import warnings

import pytest

# ---------------------------------------------------------------------------------------------
# Environment for everything the suite starts (set before any test imports PsychoPy).

# PsychoPy's prefs/cache live in ~/.psychopy3; make sure HOME is writable (CI runs as root,
# where ~ is fine), otherwise point it at a private temp dir.
_home = os.environ.get("HOME")
if not _home or not os.path.isdir(_home) or not os.access(_home, os.W_OK):
    os.environ["HOME"] = tempfile.mkdtemp(prefix="icb-test-home-")
# Used as a library: do not let `import psychopy` add ~/.psychopy3/packages to PYTHONPATH/site.
os.environ.setdefault("PSYCHOPYNOPACKAGES", "1")
# JACK clients must never autostart a server of their own (headless.sh provides one), and must
# not ask dbus for device reservation (no dbus in containers).
# Lab Streaming Layer: this test session's streams in an LSL session of their own (liblsl's
# [lab] SessionID), so that no other device or test run on this machine or network is seen
# and none of ours is seen by them; set before anything loads pylsl, inherited by children.
_lsl_cfg = os.path.join(tempfile.mkdtemp(prefix="icb-test-lsl-"), "lsl_api.cfg")
with open(_lsl_cfg, "w", encoding="utf-8") as _fh:
    _fh.write(f"[log]\nlevel = -2\n[lab]\nSessionID = icb-pytest-{os.getpid()}\n")
os.environ["LSLAPICFG"] = _lsl_cfg
os.environ.setdefault("JACK_NO_START_SERVER", "1")
os.environ.setdefault("JACK_NO_AUDIO_RESERVATION", "1")


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _in_ci() -> bool:
    return _truthy("CI")


def display_reachable(display: str | None = None) -> tuple[bool, str]:
    """(ok, detail) for the X display ``display`` (default: $DISPLAY)."""
    display = display if display is not None else os.environ.get("DISPLAY", "")
    if not display:
        return False, "DISPLAY is not set"
    try:
        from Xlib import display as xdisplay  # python-xlib, in the [run] extra
    except ImportError:
        xdisplay = None
    if xdisplay is not None:
        try:
            d = xdisplay.Display(display)
            d.close()
            return True, display
        except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
            return False, f"cannot connect to X display {display!r}: {exc}"
    if shutil.which("xdpyinfo"):
        r = subprocess.run(["xdpyinfo", "-display", display], capture_output=True, timeout=10)
        if r.returncode == 0:
            return True, display
        return False, f"xdpyinfo cannot connect to {display!r}"
    return False, "neither python-xlib nor xdpyinfo is available to check the display"


def jack_running() -> tuple[bool, str]:
    """(ok, server name or reason) for the JACK server clients would connect to."""
    name = os.environ.get("JACK_DEFAULT_SERVER", "default")
    if not shutil.which("jack_lsp"):
        return False, "jack_lsp not found (apt-get install jackd2)"
    env = dict(os.environ, JACK_NO_START_SERVER="1")
    try:
        r = subprocess.run(["jack_lsp"], capture_output=True, text=True, timeout=10, env=env)
    except subprocess.TimeoutExpired:
        return False, f"jack_lsp timed out talking to JACK server {name!r}"
    if r.returncode == 0:
        return True, name
    return False, f"no JACK server {name!r} is running"


_HOW = ("run the suite with `make test` (it wraps pytest in scripts/headless.sh, which starts "
        "Xvfb and a JACK dummy server), or `scripts/headless.sh .venv/bin/python -m pytest ...`")


def _missing(what: str, detail: str, skip_var: str) -> None:
    msg = f"{what} not available ({detail}); {_HOW}."
    if not _in_ci() and _truthy(skip_var):
        pytest.skip(msg + f" [skipped because {skip_var}=1]")
    pytest.fail(msg + ("" if _in_ci() else f" Set {skip_var}=1 to skip instead (never in CI)."),
                pytrace=False)


@pytest.fixture(scope="session")
def display() -> str:
    ok, detail = display_reachable()
    if not ok:
        _missing("X display", detail, "ICB_ALLOW_SKIP_DISPLAY")
    return os.environ["DISPLAY"]


@pytest.fixture(scope="session")
def jack_server() -> str:
    ok, detail = jack_running()
    if not ok:
        _missing("JACK audio server", detail, "ICB_ALLOW_SKIP_SOUND")
    return detail


def run_xdotool(*args: str, check: bool = True, timeout: float = 10.0) -> subprocess.CompletedProcess:
    """Run ``xdotool ARGS...`` on $DISPLAY and return the completed process."""
    exe = shutil.which("xdotool")
    if exe is None:
        pytest.fail("xdotool not found (apt-get install xdotool; `make bootstrap` does it)",
                    pytrace=False)
    r = subprocess.run([exe, *map(str, args)], capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError(f"xdotool {' '.join(map(str, args))} exited {r.returncode}: "
                             f"{r.stderr.strip()}")
    return r


@pytest.fixture
def xdotool(display):
    """``xdotool("key", "--delay", "30", "space")`` -> CompletedProcess (fails on error)."""
    return run_xdotool


@pytest.fixture(autouse=True)
def _platform_markers(request):
    """Give `display`- and `sound`-marked tests their platform fixtures automatically."""
    if request.node.get_closest_marker("display") is not None:
        request.getfixturevalue("display")
    if request.node.get_closest_marker("sound") is not None:
        request.getfixturevalue("jack_server")


def pytest_collection_finish(session):
    if "psychopy" in sys.modules:
        warnings.warn(
            "PsychoPy was imported while collecting tests (slow, and it edits PYTHONPATH and "
            "opens devices); import it inside tests or run it in a subprocess instead.",
            pytest.PytestWarning,
            stacklevel=1,
        )


def pytest_report_header(config):
    d_ok, d = display_reachable()
    j_ok, j = jack_running()
    return [f"icb platform: display={'ok ' + d if d_ok else 'MISSING (' + d + ')'}; "
            f"jack={'ok ' + j if j_ok else 'MISSING (' + j + ')'}; CI={os.environ.get('CI', '')}"]
