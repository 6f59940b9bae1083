"""A pure, incremental model of a participant's ECG and EDA with planted cue responses.

Used by the simulated LSL device (``tasks/lsl/simulated_device.py``, ``icb lsl-device``) and
by tests that score its recordings against the planted ground truth.  No global state: every
random draw comes from the ``numpy.random.Generator`` passed in (split with ``spawn`` into
independent streams, so the output does not depend on how it is cut into chunks).

Heart rate (bpm) at time ``t`` (seconds, on the LSL clock)::

    hr(t) = base_bpm + drift_k + rsa_bpm * sin(2 pi rsa_hz t + phase) + sum_cues d(t - onset)

* ``drift_k``: slow natural variability, an AR(1) process drawn once per beat
  (``noise_rho``; stationary standard deviation ``noise_bpm``).
* respiratory sinus arrhythmia: a sine at ``rsa_hz`` (0.25 Hz) of amplitude ``rsa_bpm``.
* the planted response to a cue of class ``c`` (its manifest category) at ``onset``::

      d(x) = depth_c * sin^2(pi x / recovery_s)   for 0 <= x <= recovery_s, else 0

  a smooth dip (zero value and zero slope at onset and at the end), deepest
  (``depth_c`` bpm) at ``recovery_s / 2`` = 3 s, back to baseline at ``recovery_s`` = 6 s.
  Defaults: infant -6 bpm, rotated -3 bpm, noise 0 bpm.  Responses of overlapping cues add.

Beats: R-peaks sit where the integral of ``hr / 60`` from the previous R-peak reaches one
beat (integrated on a 1 ms grid), so R-R intervals follow the instantaneous rate and the rate
of an R-R interval is the rate averaged over it.  A cue counts from the moment the
generation reaches its onset (the current beat's next R-peak is planned again then), so a
cue learned a few ms late, but before the samples at its onset are generated, gives exactly
the recording that knowing it all along would give; one learned later still acts on the
heart from the next generated sample on (its response starts flat, so the difference is
far below a millisecond of R-R).

Waveform: one ECG cycle from NeuroKit2 (``nk.ecg_simulate(method="ecgsyn")`` at 72 bpm,
cycles averaged R-peak to R-peak) is the template; each beat replays it from its R-peak
to the next, the QRS and P waves kept at their own width (the first 80 ms after and the
last 260 ms before the R-peak) and the ST segment, T wave and diastole stretched to the
beat's R-R interval.  Plus white measurement noise (``noise_mv``).

EDA (microsiemens): a tonic level with a slow sine drift, plus a skin-conductance response
per cue of its class's amplitude (defaults infant 0.3, rotated 0.15, noise 0.1 uS): a
bi-exponential ``exp(-x/decay) - exp(-x/rise)`` scaled to that peak, starting
``latency_s`` (1.5 s) after onset; plus white noise.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Iterable, Mapping, NamedTuple

import numpy as np

DEFAULT_RESPONSES_BPM = {"infant": -6.0, "rotated": -3.0, "noise": 0.0}
DEFAULT_SCR_US = {"infant": 0.3, "rotated": 0.15, "noise": 0.1}
MIN_BPM, MAX_BPM = 30.0, 170.0
PLAN_GRID_S = 0.001      # the grid on which hr is integrated to place the next R-peak
PLAN_HORIZON_S = 2.5     # > 60 / MIN_BPM
TEMPLATE_HZ = 1000
QRS_HEAD_S = 0.08        # template kept unstretched after the R-peak (R down-stroke, S)
QRS_TAIL_S = 0.26        # ... and before the next R-peak (P wave, PR segment, Q)


class Cue(NamedTuple):
    onset_s: float
    cue_class: str


def _sin2_integral(x: np.ndarray | float, period_s: float) -> np.ndarray | float:
    """Integral from 0 to x of sin^2(pi u / period_s) du, for 0 <= x <= period_s."""
    return x / 2.0 - period_s / (4.0 * np.pi) * np.sin(2.0 * np.pi * x / period_s)


@dataclass(frozen=True)
class HeartSpec:
    base_bpm: float = 72.0
    rsa_bpm: float = 1.5
    rsa_hz: float = 0.25
    noise_bpm: float = 0.5
    noise_rho: float = 0.9
    responses_bpm: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_RESPONSES_BPM))
    recovery_s: float = 6.0
    noise_mv: float = 0.01

    def depth_bpm(self, cue_class: str) -> float:
        """The planted depth for a class; 0 for a class without a planted response."""
        return float(self.responses_bpm.get(cue_class, 0.0))

    def response_bpm(self, since_onset_s, cue_class: str) -> np.ndarray:
        """The planted heart-rate change ``since_onset_s`` seconds after one cue."""
        x = np.asarray(since_onset_s, dtype=float)
        inside = (x >= 0.0) & (x <= self.recovery_s)
        return np.where(inside, self.depth_bpm(cue_class)
                        * np.sin(np.pi * np.clip(x, 0.0, self.recovery_s) / self.recovery_s)
                        ** 2, 0.0)

    def planted_change_bpm(self, cue_class: str, window_s: tuple[float, float]) -> float:
        """Mean planted heart-rate change (bpm, against the rate without the cue) over
        ``window_s = (from_s, to_s)`` after one cue's onset (exact integral)."""
        a, b = (float(v) for v in window_s)
        if not b > a:
            raise ValueError(f"window_s {window_s!r}: the end must come after the start")
        lo, hi = np.clip([a, b], 0.0, self.recovery_s)
        area = _sin2_integral(hi, self.recovery_s) - _sin2_integral(lo, self.recovery_s)
        return float(self.depth_bpm(cue_class) * area / (b - a))

    def planted_deviation_bpm(self, times_s, cues: Iterable[Cue]) -> np.ndarray:
        """The summed planted change at ``times_s`` for ``cues`` (overlaps add)."""
        t = np.asarray(times_s, dtype=float)
        out = np.zeros_like(t)
        for cue in cues:
            out = out + self.response_bpm(t - cue.onset_s, cue.cue_class)
        return out


def planted_change_bpm(cue_class: str, window_s: tuple[float, float],
                       spec: HeartSpec | None = None) -> float:
    """Module-level shortcut: the planted change of the default (or given) heart."""
    return (spec or HeartSpec()).planted_change_bpm(cue_class, window_s)


@dataclass(frozen=True)
class EdaSpec:
    tonic_us: float = 2.0
    drift_us: float = 0.2
    drift_period_s: float = 80.0
    scr_us: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_SCR_US))
    latency_s: float = 1.5
    rise_s: float = 0.75
    decay_s: float = 2.0
    noise_us: float = 0.005

    def planted_scr_us(self, cue_class: str) -> float:
        """The planted skin-conductance response's peak (uS) for a class."""
        return float(self.scr_us.get(cue_class, 0.0))

    def scr_shape(self, since_onset_s) -> np.ndarray:
        """One response scaled to peak 1: zero before ``latency_s``."""
        x = np.asarray(since_onset_s, dtype=float) - self.latency_s
        peak_x = (np.log(self.decay_s / self.rise_s) * self.decay_s * self.rise_s
                  / (self.decay_s - self.rise_s))
        norm = np.exp(-peak_x / self.decay_s) - np.exp(-peak_x / self.rise_s)
        xp = np.maximum(x, 0.0)
        return np.where(x > 0, (np.exp(-xp / self.decay_s) - np.exp(-xp / self.rise_s))
                        / norm, 0.0)


def ecg_template() -> tuple[np.ndarray, float]:
    """One ECG cycle from NeuroKit2, R-peak to R-peak at TEMPLATE_HZ: (values in mV,
    length in s).  Deterministic (NeuroKit2's own seed), independent of the model's rng."""
    import neurokit2 as nk
    sig = nk.ecg_simulate(duration=12, sampling_rate=TEMPLATE_HZ, heart_rate=72,
                          heart_rate_std=0.01, noise=0.0, method="ecgsyn", random_state=1)
    _, info = nk.ecg_peaks(sig, sampling_rate=TEMPLATE_HZ)
    peaks = np.asarray(info["ECG_R_Peaks"])[1:-1]
    length = int(round(np.median(np.diff(peaks))))
    cycles = [np.interp(np.linspace(a, b, length, endpoint=False), np.arange(len(sig)), sig)
              for a, b in zip(peaks, peaks[1:])]
    return np.mean(cycles, axis=0), length / TEMPLATE_HZ


class _Clock:
    """Sample k of a stream started at ``start_s`` with ``rate_hz`` is at start + k / rate."""

    def __init__(self, start_s: float, rate_hz: float):
        if not rate_hz > 0:
            raise ValueError(f"rate_hz {rate_hz!r}: must be above 0")
        self.start_s, self.rate_hz, self.next_index = float(start_s), float(rate_hz), 0

    def take(self, n: int) -> np.ndarray:
        idx = np.arange(self.next_index, self.next_index + n)
        self.next_index += n
        return self.start_s + idx / self.rate_hz


class EcgGenerator:
    """Incremental ECG: ``add_cue`` as cues are learned, ``take(n)`` for the next samples."""

    def __init__(self, spec: HeartSpec, start_s: float, rate_hz: float,
                 rng: np.random.Generator, template: tuple[np.ndarray, float] | None = None):
        self.spec = spec
        self.clock = _Clock(start_s, rate_hz)
        beat_rng, self._sample_rng, phase_rng = rng.spawn(3)
        self._beat_rng = beat_rng
        self._template, self._template_s = template if template is not None else ecg_template()
        self._rsa_phase = float(phase_rng.uniform(0.0, 2.0 * np.pi))
        self._pending: list[Cue] = []   # learned, onset not reached by the generation yet
        self._active: list[Cue] = []    # acting on the heart
        self._drift = float(beat_rng.normal(0.0, spec.noise_bpm))
        self._r_prev = float(start_s) - float(phase_rng.uniform(0.0, 60.0 / spec.base_bpm))
        self.r_peaks_s: list[float] = []
        self._r_next = self._plan()

    # -- the heart -----------------------------------------------------------------------
    def rate_bpm(self, times_s) -> np.ndarray:
        """The instantaneous rate at ``times_s`` with the cues acting now and this beat's
        drift (clamped to MIN_BPM..MAX_BPM)."""
        t = np.asarray(times_s, dtype=float)
        hr = (self.spec.base_bpm + self._drift
              + self.spec.rsa_bpm * np.sin(2.0 * np.pi * self.spec.rsa_hz * t + self._rsa_phase)
              + self.spec.planted_deviation_bpm(t, self._active))
        return np.clip(hr, MIN_BPM, MAX_BPM)

    def _plan(self) -> float:
        """The next R-peak after ``_r_prev``: one beat of integrated rate."""
        grid = self._r_prev + np.arange(int(PLAN_HORIZON_S / PLAN_GRID_S) + 1) * PLAN_GRID_S
        beats = self.rate_bpm(grid) / 60.0
        cum = np.concatenate([[0.0], np.cumsum((beats[1:] + beats[:-1]) * PLAN_GRID_S / 2.0)])
        j = int(np.searchsorted(cum, 1.0))
        frac = (1.0 - cum[j - 1]) / (cum[j] - cum[j - 1])
        return float(grid[j - 1] + frac * PLAN_GRID_S)

    def _next_beat(self) -> None:
        self.r_peaks_s.append(self._r_next)
        self._r_prev = self._r_next
        rho, sd = self.spec.noise_rho, self.spec.noise_bpm
        self._drift = rho * self._drift + float(self._beat_rng.normal(
            0.0, sd * np.sqrt(1.0 - rho * rho)))
        self._r_next = self._plan()

    def add_cue(self, onset_s: float, cue_class: str) -> bool:
        """A cue learned now; it acts from its onset, or, when the generation has passed
        its onset already (returns False: late), from the next sample on."""
        bisect.insort(self._pending, Cue(float(onset_s), str(cue_class)))
        return float(onset_s) >= self.next_time_s

    @property
    def next_time_s(self) -> float:
        """The time of the next sample to be generated."""
        return self.clock.start_s + self.clock.next_index / self.clock.rate_hz

    def _activate_until(self, t: float) -> bool:
        moved = False
        while self._pending and self._pending[0].onset_s <= t:
            self._active.append(self._pending.pop(0))
            moved = True
        cut = min(t, self._r_prev) - self.spec.recovery_s  # no effect from _r_prev on
        self._active = [c for c in self._active if c.onset_s >= cut]
        return moved

    # -- the waveform --------------------------------------------------------------------
    def _wave(self, times_s: np.ndarray, r0: float, r1: float) -> np.ndarray:
        u = times_s - r0
        rr, length = r1 - r0, self._template_s
        head, tail = QRS_HEAD_S, QRS_TAIL_S
        mid = head + (u - head) * (length - head - tail) / (rr - head - tail)
        tau = np.where(u < head, u, np.where(u > rr - tail, length - (rr - u), mid))
        grid = np.arange(len(self._template)) / TEMPLATE_HZ
        return np.interp(tau, grid, self._template, period=length)

    def take(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The next ``n`` samples: (times in s, ECG in mV)."""
        times = self.clock.take(n)
        values = np.empty(n)
        i = 0
        while i < n:
            if self._activate_until(times[i]):
                self._r_next = self._plan()
            while times[i] >= self._r_next:
                self._next_beat()
            # a segment: up to the next R-peak or the next pending cue's onset
            stop = self._r_next
            if self._pending:
                stop = min(stop, self._pending[0].onset_s)
            j = i + int(np.searchsorted(times[i:], stop, side="left"))
            j = max(j, i + 1)
            values[i:j] = self._wave(times[i:j], self._r_prev, self._r_next)
            i = j
        values += self._sample_rng.normal(0.0, self.spec.noise_mv, n)
        return times, values


class EdaGenerator:
    """Incremental EDA; cues may be added up to ``latency_s`` after their onset."""

    def __init__(self, spec: EdaSpec, start_s: float, rate_hz: float,
                 rng: np.random.Generator):
        self.spec = spec
        self.clock = _Clock(start_s, rate_hz)
        self._sample_rng, phase_rng = rng.spawn(2)
        self._phase = float(phase_rng.uniform(0.0, 2.0 * np.pi))
        self._cues: list[Cue] = []

    def add_cue(self, onset_s: float, cue_class: str) -> None:
        self._cues.append(Cue(float(onset_s), str(cue_class)))

    def take(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The next ``n`` samples: (times in s, EDA in microsiemens)."""
        s = self.spec
        t = self.clock.take(n)
        eda = s.tonic_us + s.drift_us * np.sin(2.0 * np.pi * t / s.drift_period_s + self._phase)
        horizon = s.latency_s + 12.0 * s.decay_s
        self._cues = [c for c in self._cues if t.size == 0 or c.onset_s > t[0] - horizon]
        for cue in self._cues:
            eda = eda + s.planted_scr_us(cue.cue_class) * s.scr_shape(t - cue.onset_s)
        return t, eda + self._sample_rng.normal(0.0, s.noise_us, n)


class Recording(NamedTuple):
    ecg_times_s: np.ndarray
    ecg_mv: np.ndarray
    r_peaks_s: np.ndarray
    eda_times_s: np.ndarray
    eda_us: np.ndarray


def simulate_recording(cues: Iterable[Cue], *, duration_s: float, rng: np.random.Generator,
                       start_s: float = 0.0, ecg_hz: float = 500.0, eda_hz: float = 32.0,
                       heart: HeartSpec | None = None, eda: EdaSpec | None = None,
                       template: tuple[np.ndarray, float] | None = None) -> Recording:
    """A whole recording for known cues: the same samples that the streaming device
    produces for the same ``rng`` seed, start time and cues (each learned before the
    generation reached its onset).  ``rng`` is split as the device splits it."""
    ecg_rng, eda_rng = rng.spawn(2)
    ecg = EcgGenerator(heart or HeartSpec(), start_s, ecg_hz, ecg_rng, template)
    skin = EdaGenerator(eda or EdaSpec(), start_s, eda_hz, eda_rng)
    for cue in cues:
        ecg.add_cue(*cue)
        skin.add_cue(*cue)
    t_ecg, v_ecg = ecg.take(int(round(duration_s * ecg_hz)))
    t_eda, v_eda = skin.take(int(round(duration_s * eda_hz)))
    return Recording(t_ecg, v_ecg, np.asarray(ecg.r_peaks_s), t_eda, v_eda)
