"""Source-filter synthesis of infant cry bouts and their matched control sounds.

Source: a harmonic series on a jittered, shimmered period sequence whose F0
follows a rise-fall contour per phonation unit (Michelsson et al. 2002: mean
about 500 Hz, per-cry min about 400 and max about 580 Hz; units 1.0-1.6 s),
with a -6 dB/octave net tilt, aspiration noise at a set harmonics-to-noise
ratio, optional hyperphonation glides and roughness.  Filter: three cascaded
resonators for a short infant vocal tract (F1 1.1, F2 3.3, F3 5.0 kHz).  A
bout is two or three units separated by short inspiratory gaps.

Controls (matched to each cry): a spectrally rotated version (Blesser 1972;
f -> 10 kHz - f) and noise with the cry's long-term spectrum, both given the
cry's temporal envelope.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tasks.stimulus_factory.normalise import SAMPLE_RATE_HZ

FORMANTS_HZ = ((1100.0, 200.0), (3300.0, 300.0), (5000.0, 400.0))
ROTATION_HZ = 10000.0


@dataclass(frozen=True)
class CryPreset:
    name: str
    f0_start_hz: float
    f0_peak_hz: float
    f0_end_hz: float
    unit_s: tuple[float, float]
    n_units: int
    gap_s: tuple[float, float]  # pause before and after the inspiratory gasp, each
    jitter: float  # SD of each period relative to the contour
    shimmer: float  # SD of each period's amplitude
    hnr_db: float  # harmonics-to-noise ratio of the mixed source
    glide_probability: float  # chance of a hyperphonation glide per unit
    glide_hz: tuple[float, float]
    roughness_depth: float  # amplitude modulation depth at 40-80 Hz
    gasp_level_db: float  # inspiratory gasp relative to the units


PRESETS = {
    "high_distress": CryPreset("high_distress", 480.0, 690.0, 500.0, (1.05, 1.45), 2, (0.10, 0.20),
                               0.02, 0.08, 9.0, 0.5, (1050.0, 1350.0), 0.25, -14.0),
    "low_distress": CryPreset("low_distress", 360.0, 480.0, 370.0, (0.45, 0.75), 3, (0.15, 0.30),
                              0.007, 0.04, 18.0, 0.0, (0.0, 0.0), 0.0, -22.0),
}
# Targets the measurement is held to (tests and `icb stimuli check --acoustics`).
TARGETS = {
    "high_distress": {"f0_mean_hz": (520.0, 680.0), "unit_s": (1.0, 1.6), "hnr_db": (3.0, 20.0)},
    "low_distress": {"f0_mean_hz": (380.0, 480.0), "unit_s": (0.4, 0.8), "hnr_db": (8.0, 30.0)},
}


def _smooth_step(n: int) -> np.ndarray:
    return 0.5 - 0.5 * np.cos(np.pi * (np.arange(n) + 0.5) / max(n, 1))


def _resonate(x: np.ndarray, freq_hz: float, bw_hz: float, fs: int) -> np.ndarray:
    from scipy.signal import lfilter

    r = np.exp(-np.pi * bw_hz / fs)
    c = 2 * r * np.cos(2 * np.pi * freq_hz / fs)
    return lfilter([1 - c + r * r], [1.0, -c, r * r], x)


def formant_filter(x: np.ndarray, fs: int = SAMPLE_RATE_HZ) -> np.ndarray:
    for f, bw in FORMANTS_HZ:
        x = _resonate(x, f, bw, fs)
    return x


def _unit(preset: CryPreset, duration_s: float, rng: np.random.Generator, fs: int) -> np.ndarray:
    """One phonation unit (expiration) with its F0 contour, jitter, shimmer and noise."""
    n = int(round(duration_s * fs))
    scale = 1.0 + rng.uniform(-0.06, 0.06)
    peak_at = rng.uniform(0.35, 0.45)

    def contour(t_s: float) -> float:
        u = t_s / duration_s
        if u < peak_at:
            w = 0.5 - 0.5 * np.cos(np.pi * u / peak_at)
            f = preset.f0_start_hz + (preset.f0_peak_hz - preset.f0_start_hz) * w
        else:
            w = 0.5 - 0.5 * np.cos(np.pi * (u - peak_at) / (1 - peak_at))
            f = preset.f0_peak_hz + (preset.f0_end_hz - preset.f0_peak_hz) * w
        return f * scale * (1 + 0.012 * np.sin(2 * np.pi * 6.0 * t_s))

    glide = None
    if rng.uniform() < preset.glide_probability:
        start = rng.uniform(0.5, 0.7) * duration_s
        glide = (start, start + rng.uniform(0.14, 0.22), rng.uniform(*preset.glide_hz))
    # period sequence with jitter; amplitude per period with shimmer
    bounds = [0.0]
    amps = []
    while bounds[-1] < duration_s:
        t = bounds[-1]
        f = contour(t)
        if glide is not None and glide[0] <= t <= glide[1]:
            w = np.sin(np.pi * (t - glide[0]) / (glide[1] - glide[0])) ** 0.6
            f = f + (glide[2] - f) * w
        period = (1.0 / f) * (1.0 + preset.jitter * rng.standard_normal())
        bounds.append(t + period)
        amps.append(max(0.2, 1.0 + preset.shimmer * rng.standard_normal()))
    bounds = np.asarray(bounds)
    t = np.arange(n) / fs
    phase = np.interp(t, bounds, 2 * np.pi * np.arange(bounds.size))
    inst_f = np.interp(t, bounds[:-1], 1.0 / np.diff(bounds))
    amp = np.interp(t, bounds[:-1], np.asarray(amps))
    src = np.zeros(n)
    for k in range(1, 40):
        limit = np.clip((11000.0 - k * inst_f) / 1000.0, 0.0, 1.0)
        if not limit.any():
            break
        src += limit * np.sin(k * phase) / k
    src *= amp
    voiced = formant_filter(src, fs)
    noise = formant_filter(rng.standard_normal(n) * amp, fs)
    noise *= np.sqrt(np.mean(voiced**2) / np.mean(noise**2)) * 10 ** (-preset.hnr_db / 20.0)
    y = voiced + noise
    if preset.roughness_depth > 0:
        am_hz = rng.uniform(40.0, 80.0)
        y *= 1.0 - preset.roughness_depth * (0.5 + 0.5 * np.sin(2 * np.pi * am_hz * t))
    env = 0.8 + 0.2 * np.sin(np.pi * t / duration_s)
    a, r = int(0.04 * fs), int(0.08 * fs)
    env[:a] *= _smooth_step(a)
    env[-r:] *= _smooth_step(r)[::-1]
    return y * env / np.sqrt(np.mean((y * env) ** 2))


def _gasp(preset: CryPreset, rng: np.random.Generator, fs: int) -> np.ndarray:
    """A short, noisy inspiratory sound with a weak high F0."""
    n = int(round(rng.uniform(0.06, 0.11) * fs))
    t = np.arange(n) / fs
    f0 = rng.uniform(700.0, 900.0)
    y = formant_filter(rng.standard_normal(n), fs)
    y = y / np.sqrt(np.mean(y**2)) + 0.7 * np.sin(2 * np.pi * f0 * t)
    env = np.sin(np.pi * (np.arange(n) + 0.5) / n) ** 2
    return y * env * 10 ** (preset.gasp_level_db / 20.0)


def synthesise_cry(preset_name: str, rng: np.random.Generator, fs: int = SAMPLE_RATE_HZ):
    """One cry bout -> (samples as floats, record of its nominal parameters)."""
    preset = PRESETS[preset_name]
    parts = [np.zeros(int(0.05 * fs))]
    units_s = []
    for i in range(preset.n_units):
        dur = float(rng.uniform(*preset.unit_s))
        units_s.append(round(dur, 4))
        parts.append(_unit(preset, dur, rng, fs))
        if i < preset.n_units - 1:
            parts.append(np.zeros(int(rng.uniform(*preset.gap_s) * fs)))
            parts.append(_gasp(preset, rng, fs))
            parts.append(np.zeros(int(rng.uniform(*preset.gap_s) * fs)))
    parts.append(np.zeros(int(0.08 * fs)))
    return np.concatenate(parts), {"preset": preset_name, "unit_durations_s": units_s}


def envelope(x: np.ndarray, fs: int = SAMPLE_RATE_HZ, cutoff_hz: float = 30.0) -> np.ndarray:
    """Temporal envelope: magnitude of the analytic signal, low-passed (zero phase)."""
    from scipy.signal import butter, hilbert, sosfiltfilt

    sos = butter(2, cutoff_hz, fs=fs, output="sos")
    return np.maximum(sosfiltfilt(sos, np.abs(hilbert(x))), 0.0)


def _impose_envelope(y: np.ndarray, target_env: np.ndarray, fs: int) -> np.ndarray:
    own = envelope(y, fs)
    floor = 1e-3 * float(own.max())
    return y * target_env / np.maximum(own, floor)


def rotate_spectrum(x: np.ndarray, fs: int = SAMPLE_RATE_HZ, pivot_hz: float = ROTATION_HZ) -> np.ndarray:
    """Spectral rotation: band 0..pivot_hz mirrored (f -> pivot - f), cry envelope restored."""
    spec = np.fft.rfft(x)
    kc = int(round(pivot_hz * x.size / fs))
    out = np.zeros_like(spec)
    out[: kc + 1] = spec[kc::-1]
    out[0] = 0.0
    y = np.fft.irfft(out, n=x.size)
    return _impose_envelope(y, envelope(x, fs), fs)


def matched_noise(x: np.ndarray, rng: np.random.Generator, fs: int = SAMPLE_RATE_HZ) -> np.ndarray:
    """Noise with the cry's long-term magnitude spectrum (random phase) and its envelope."""
    spec = np.abs(np.fft.rfft(x))
    phase = rng.uniform(0.0, 2 * np.pi, spec.size)
    y = np.fft.irfft(spec * np.exp(1j * phase), n=x.size)
    return _impose_envelope(y, envelope(x, fs), fs)
