"""The engine protocol: everything task logic may ask of an engine, typed, in one place.

Two engines implement it: ``tasks.core.psychopy_engine.PsychoPyEngine`` (a real window;
the only PsychoPy code of the battery) and ``tasks.core.data_engine.DataEngine`` (no
window, a virtual clock; ``icb simulate`` and the tests of battery, resume and abort
logic).  What they are handed is pure data (``tasks.core.screens``); what they report is
``tasks.core.results``.  Nothing calls an engine method that is not listed here, and a
test (tests/test_engine_protocol.py) checks that both engines implement every method with
the same signature.

Timing rules for both: durations become whole frames (``round(ms / frame_ms)``, at least
one); onsets are flip time stamps in seconds from the run's first flip; response times
are the input's own time stamps from the response screen's first flip.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from tasks.core.gaze import GazeSpec, Scanpath, ViewResult
from tasks.core.markers import Markers
from tasks.core.messages import REFERENCE, load_catalogue
from tasks.core.results import PressResult, RatingResult, SequenceResult, SoundResult
from tasks.core.screens import PlannedResponse, ResponseSpec, Screen

# The English continue prompt (message ``trial.continue``): the default of ``pause_screen``;
# callers pass the one of the station's language.
CONTINUE_PROMPT = load_catalogue(REFERENCE).text("trial.continue")


@runtime_checkable
class Engine(Protocol):
    kind: str
    frame_ms: float
    keyboard_backend: str
    pointer_backend: str  # how taps are read (station.input: touch); "none" else
    audio_backend: str

    # -- set-up --------------------------------------------------------------------
    def open(self) -> None:
        """Open the window (or reset the virtual clock)."""

    def close(self) -> None:
        """Close the window and every device; never leaves a key held down."""

    def new_run(self) -> None:
        """A new run in the same window: onsets count from its first flip again."""

    def info(self) -> dict:
        """``Provenance.Display``: window size, refresh rate, frame pacing."""

    def presentation_info(self) -> dict:
        """The sidecar's ``StimulusPresentation`` (BIDS); empty without a window."""

    def preload_images(self, paths: dict[str, Path], size_deg: tuple[float, float]) -> None:
        """Load every picture before the first trial (StimulusError when one is gone)."""

    def preload_sounds(self, paths: dict[str, Path]) -> dict:
        """Open the speaker and load every sound; return ``Provenance.Audio``."""

    def frames_for(self, duration_ms: float) -> int:
        """Whole frames for ``duration_ms`` (at least one)."""

    def set_markers(self, markers: Markers | None) -> None:
        """Mark every flip-locked event of the run with ``markers``
        (``tasks.core.markers.Markers``; None: no markers).  The run's first flip reports
        the run clock's origin to it."""

    def last_flip_s(self) -> float | None:
        """The last flip's time on the run clock (None before the run's first flip)."""

    def clock_now_s(self) -> float:
        """The engine's own clock now, in seconds (the clock its flips are stamped on,
        before the run's origin is subtracted): what LSL time is lined up with."""

    # -- screens between trials ---------------------------------------------------------
    def show_message(self, text: str, *, keys: tuple[str, ...] = ("space",), min_s: float = 0.0,
                     planned: PlannedResponse | None = None, allow_abort: bool = True) -> str:
        """Text until one of ``keys`` (accepted after ``min_s``); the key's name.  The
        confirmed abort raises ``Aborted``."""

    def pause_screen(self, text: str, *, min_s: float = 0.0, prompt: str = CONTINUE_PROMPT,
                     planned: PlannedResponse | None = None) -> str:
        """A break: ``text`` alone for ``min_s``, then with ``prompt`` until SPACE (the
        prompt appears only when the key it names works)."""

    def confirm_abort(self, planned: PlannedResponse | None = None) -> bool:
        """Ask the experimenter: True ends the run, False goes on."""

    def abort_chord_text(self) -> str:
        """How the experimenter aborts, e.g. ``Ctrl+Shift+Escape``."""

    # -- trials --------------------------------------------------------------------------
    def run_sequence(self, screens: list[Screen], response: ResponseSpec | None = None,
                     planned: PlannedResponse | None = None) -> SequenceResult:
        """Screens back to back; the one without a duration waits for a response or the
        time-out.  Raises ``AbortRequested`` on the abort key."""

    def rate(self, scale, items: tuple = (), *, planned=None,
             timeout_ms: float | None = None) -> RatingResult:
        """One rating scale (``tasks.core.scales.Scale``) under ``items``."""

    def present_adjustable(self, items: tuple, rule, planned=None,
                           feedback: dict | None = None) -> PressResult:
        """``items`` until ``rule.offset_ms``, which the presses fed to ``rule.press``
        move (the key-press task); ``feedback`` maps what ``rule.press`` returned
        (``+``, ``-``, ``0``) to a :class:`~tasks.core.screens.Text` shown briefly after
        the press (the sign that a press counted)."""

    def play_sound(self, stim_id: str, items: tuple, duration_ms: float,
                   lead_frames: int = 2) -> SoundResult:
        """``items``; the sound starts on the flip ``lead_frames`` after the first."""

    # -- gaze (free viewing) ----------------------------------------------------------------
    def start_gaze(self, station: dict, *, simulated: bool = False) -> dict:
        """Open the eye tracker ``station['eye_tracker']`` names, calibrate and validate it,
        and start recording; return the recording's description: ``SamplingFrequency``,
        ``PixelsPerDegree``, ``Manufacturer``, ``ManufacturersModelName``, ``RecordedEye``,
        the calibration and validation figures, and ``StimulusPresentation`` (the screen
        fields BIDS asks of gaze on screen).  ``simulated``: a simulated participant
        looks (the calibration is answered for it)."""

    def view(self, screens: list[Screen], gaze: GazeSpec,
             planned: Scanpath | None = None) -> ViewResult:
        """A free-viewing trial: ``screens[0]`` (the fixation screen) lasts until the gaze
        has rested on the centre (``gaze``) or its time-out, then the other screens back to
        back; the gaze recorded from the first screen's onset to the end.  ``planned`` is
        where a simulated participant looks.  Raises ``AbortRequested`` on the abort key."""
