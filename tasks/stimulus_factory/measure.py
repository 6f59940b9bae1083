"""Acoustic measurement of cries: F0 (normalised autocorrelation), units, HNR, levels.

    python -m tasks.stimulus_factory.measure [FILES ...]

With no files, measures every sound in the default manifest.  Each cry's
figures are printed beside the targets of its preset (``cries.TARGETS``).

Method: 40 ms Hann frames every 10 ms; the autocorrelation of each frame is
divided by the window's own autocorrelation (Boersma 1993); the F0 candidate is
the shortest lag in 250-2000 Hz whose correlation is within 5 % of the best
(guards against octave errors); frames with r >= 0.45 count as voiced; HNR =
10 log10(r / (1 - r)) averaged over voiced frames.  Units: 10 ms RMS frames
above (loudest frame - 25 dB), gaps under 50 ms bridged, segments of at least
0.3 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from tasks.stimulus_factory.normalise import SAMPLE_RATE_HZ, peak_dbfs, rms_dbfs

FRAME_S = 0.040
HOP_S = 0.010
F0_MIN_HZ = 250.0
F0_MAX_HZ = 2000.0
VOICED_R = 0.45
UNIT_THRESHOLD_DB = 25.0
UNIT_MIN_S = 0.3
BRIDGE_S = 0.05


def units(x: np.ndarray, fs: int = SAMPLE_RATE_HZ) -> list[tuple[float, float]]:
    """(start_s, end_s) of each phonation unit found from the RMS envelope."""
    hop = int(HOP_S * fs)
    n = x.size // hop
    level = 10 * np.log10(np.mean(x[: n * hop].reshape(n, hop) ** 2, axis=1) + 1e-20)
    above = level > level.max() - UNIT_THRESHOLD_DB
    segs = []
    i = 0
    while i < n:
        if above[i]:
            j = i
            while j < n and above[j]:
                j += 1
            segs.append([i, j])
            i = j
        else:
            i += 1
    merged = []
    for s in segs:
        if merged and (s[0] - merged[-1][1]) * HOP_S < BRIDGE_S:
            merged[-1][1] = s[1]
        else:
            merged.append(s)
    return [(a * HOP_S, b * HOP_S) for a, b in merged if (b - a) * HOP_S >= UNIT_MIN_S]


def pitch_track(x: np.ndarray, fs: int = SAMPLE_RATE_HZ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frame times (s), F0 (Hz, nan when unvoiced) and peak correlation r per frame."""
    size, hop = int(FRAME_S * fs), int(HOP_S * fs)
    win = np.hanning(size)
    nfft = 1 << int(np.ceil(np.log2(2 * size)))
    wac = np.fft.irfft(np.abs(np.fft.rfft(win, nfft)) ** 2)[:size]
    wac /= wac[0]
    lo, hi = int(fs / F0_MAX_HZ), int(np.ceil(fs / F0_MIN_HZ))
    starts = np.arange(0, x.size - size, hop)
    frames = x[starts[:, None] + np.arange(size)[None, :]]
    frames = (frames - frames.mean(axis=1, keepdims=True)) * win
    ac = np.fft.irfft(np.abs(np.fft.rfft(frames, nfft, axis=1)) ** 2, axis=1)[:, :size]
    energy = np.maximum(ac[:, :1], 1e-20)
    seg = (ac[:, lo:hi + 1] / energy) / wac[None, lo:hi + 1]
    seg[ac[:, 0] <= 1e-12] = 0.0
    best = seg.max(axis=1)
    # shortest lag within 5 % of the best correlation
    idx = np.argmax(seg >= 0.95 * best[:, None], axis=1)
    # local peak refinement: climb to the local maximum, then parabolic interpolation
    f0 = np.full(starts.size, np.nan)
    rr = np.zeros(starts.size)
    for k in range(starts.size):
        i = idx[k]
        while i + 1 < seg.shape[1] and seg[k, i + 1] > seg[k, i]:
            i += 1
        rk = seg[k, i]
        lag = float(lo + i)
        if 0 < i < seg.shape[1] - 1:
            a, b, c = seg[k, i - 1], seg[k, i], seg[k, i + 1]
            den = a - 2 * b + c
            if den < 0:
                lag += 0.5 * (a - c) / den
        rr[k] = min(rk, 0.999)
        if rk >= VOICED_R:
            f0[k] = fs / lag
    times = (starts + size / 2) / fs
    return times, f0, rr


def ramp_ok(x: np.ndarray, fs: int = SAMPLE_RATE_HZ) -> bool:
    """True when the first and last 0.5 ms are near silence (a ramp is in place)."""
    n = max(1, int(0.0005 * fs))
    peak = float(np.max(np.abs(x))) or 1.0
    return bool(max(np.max(np.abs(x[:n])), np.max(np.abs(x[-n:]))) <= 0.02 * peak)


def measure_samples(x: np.ndarray, fs: int = SAMPLE_RATE_HZ) -> dict:
    """Every figure for one sound."""
    segs = units(x, fs)
    times, f0, r = pitch_track(x, fs)
    in_unit = np.zeros(times.size, dtype=bool)
    for a, b in segs:
        in_unit |= (times >= a) & (times <= b)
    voiced = in_unit & np.isfinite(f0)
    f0v = f0[voiced]
    rv = r[voiced]
    durs = [b - a for a, b in segs]
    return {
        "duration_s": x.size / fs,
        "rms_dbfs": rms_dbfs(x),
        "peak_dbfs": peak_dbfs(x),
        "ramps_ok": ramp_ok(x, fs),
        "n_units": len(segs),
        "unit_s": durs,
        "unit_min_s": min(durs) if durs else float("nan"),
        "unit_max_s": max(durs) if durs else float("nan"),
        "voiced_fraction": float(voiced.sum() / max(in_unit.sum(), 1)),
        "f0_mean_hz": float(np.mean(f0v)) if f0v.size else float("nan"),
        "f0_p05_hz": float(np.percentile(f0v, 5)) if f0v.size else float("nan"),
        "f0_p95_hz": float(np.percentile(f0v, 95)) if f0v.size else float("nan"),
        "hnr_db": float(np.mean(10 * np.log10(rv / (1 - rv)))) if rv.size else float("nan"),
    }


def measure_file(path: Path) -> dict:
    from tasks.stimulus_factory.normalise import read_wav

    x, fs, _ = read_wav(Path(path))
    return measure_samples(x, fs)


def format_row(label: str, m: dict, preset: str | None) -> str:
    from tasks.stimulus_factory.cries import TARGETS

    t = TARGETS.get(preset or "", None)
    f0_t = f" [{t['f0_mean_hz'][0]:.0f}-{t['f0_mean_hz'][1]:.0f}]" if t else ""
    u_t = f" [{t['unit_s'][0]:.1f}-{t['unit_s'][1]:.1f}]" if t else ""
    h_t = f" [{t['hnr_db'][0]:.0f}-{t['hnr_db'][1]:.0f}]" if t else ""
    return (f"{label:<14} F0 {m['f0_mean_hz']:6.0f} Hz{f0_t:<12} (5-95% {m['f0_p05_hz']:4.0f}-{m['f0_p95_hz']:4.0f})"
            f"  units {m['n_units']} {m['unit_min_s']:.2f}-{m['unit_max_s']:.2f} s{u_t:<10}"
            f"  HNR {m['hnr_db']:5.1f} dB{h_t:<8}  RMS {m['rms_dbfs']:6.2f} dBFS  peak {m['peak_dbfs']:6.2f} dBFS"
            f"  ramps {'ok' if m['ramps_ok'] else 'MISSING'}")


def main(argv: list[str] | None = None) -> int:
    from icb.errors import BadInput
    from tasks.stimulus_factory.manifest import load_manifest, stimulus_path

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        rows = []
        if argv:
            rows = [(Path(a).name, Path(a), None) for a in argv]
        else:
            df = load_manifest()
            for _, row in df[df["modality"] == "audio"].iterrows():
                rows.append((row["id"], stimulus_path(df, row["id"]),
                             row["valence"] if row["category"] == "infant" else None))
        for label, path, preset in rows:
            print(format_row(label, measure_file(path), preset))
    except BadInput as exc:
        print(f"measure: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
