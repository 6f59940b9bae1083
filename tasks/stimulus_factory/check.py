"""Verify a stimulus set against its manifest: ``icb stimuli check [--manifest PATH] [--acoustics]``.

For every row: the file exists inside the manifest's folder, its SHA-256
matches, it decodes in the expected format (PNG 8-bit greyscale of the stated
size; WAV mono 16-bit 48 kHz of the stated duration), its measured luminance /
contrast or RMS / peak match the manifest, and equal those of the rest of the
set (within the tolerances in :mod:`tasks.stimulus_factory.normalise`).  With
``acoustics=True``, each generated cry is also measured against its preset's
targets.  Returns the list of problems, each naming the file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _check_image(path: Path, row: dict, problems: list[str]) -> tuple[float, float] | None:
    from PIL import Image, UnidentifiedImageError

    from tasks.stimulus_factory.normalise import image_stats, too_many_pixels

    try:
        with Image.open(path) as im:
            large = too_many_pixels(im)
            if large:
                problems.append(f"{path}: {large}")
                return None
            im.load()
            fmt, mode, size = im.format, im.mode, im.size
            pixels = np.asarray(im)
    except Image.DecompressionBombError as exc:  # PIL's own bound, from the header
        problems.append(f"{path}: it is too large ({exc}); not decoded")
        return None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        problems.append(f"{path}: does not decode as an image ({exc})")
        return None
    if fmt != "PNG" or mode != "L":
        problems.append(f"{path}: is {fmt} mode {mode}; expected PNG mode L (8-bit greyscale)")
        return None
    if size != (row["width_px"], row["height_px"]):
        problems.append(f"{path}: is {size[0]} x {size[1]} px; the manifest says "
                        f"{row['width_px']} x {row['height_px']}")
    mean, contrast = image_stats(pixels)
    for name, value in (("mean_luminance", mean), ("rms_contrast", contrast)):
        if abs(value - float(row[name])) > 0.0006:
            problems.append(f"{path}: {name} measures {value:.4f}; the manifest says {float(row[name]):.4f}")
    return mean, contrast


def _check_audio(path: Path, row: dict, problems: list[str]):
    import wave

    from tasks.stimulus_factory.measure import ramp_ok
    from tasks.stimulus_factory.normalise import MAX_PEAK_DBFS, SAMPLE_RATE_HZ, peak_dbfs, rms_dbfs

    try:
        with wave.open(str(path), "rb") as w:
            params = (w.getnchannels(), w.getsampwidth(), w.getframerate())
            n = w.getnframes()
            raw = w.readframes(n)
    except (wave.Error, EOFError, OSError) as exc:
        problems.append(f"{path}: does not decode as a WAV file ({exc})")
        return None
    if params != (1, 2, SAMPLE_RATE_HZ):
        problems.append(f"{path}: is {params[0]} channel(s), {8 * params[1]}-bit, {params[2]} Hz; "
                        f"expected mono, 16-bit, {SAMPLE_RATE_HZ} Hz")
        return None
    if n == 0 or len(raw) != 2 * n:
        problems.append(f"{path}: the audio data is empty or truncated")
        return None
    x = np.frombuffer(raw, dtype="<i2").astype(float) / 32767.0
    if abs(n / SAMPLE_RATE_HZ - float(row["duration_s"])) > 0.001:
        problems.append(f"{path}: lasts {n / SAMPLE_RATE_HZ:.4f} s; the manifest says {float(row['duration_s']):.4f}")
    rms, peak = rms_dbfs(x), peak_dbfs(x)
    if abs(rms - float(row["rms_dbfs"])) > 0.01:
        problems.append(f"{path}: RMS measures {rms:.2f} dBFS; the manifest says {float(row['rms_dbfs']):.2f}")
    if peak > MAX_PEAK_DBFS + 1e-6:
        problems.append(f"{path}: peak {peak:.2f} dBFS is above the allowed {MAX_PEAK_DBFS} dBFS")
    if not ramp_ok(x, SAMPLE_RATE_HZ):
        problems.append(f"{path}: no onset/offset ramp (the first or last 0.5 ms is not near silence)")
    return x, rms


def check(manifest_path: Path | None = None, acoustics: bool = False) -> list[str]:
    """Every problem with the set (an empty list when it passes)."""
    from icb.errors import StimulusError
    from tasks.stimulus_factory.cries import TARGETS
    from tasks.stimulus_factory.manifest import default_manifest_path, load_manifest, sha256_file
    from tasks.stimulus_factory.measure import measure_samples
    from tasks.stimulus_factory.normalise import (CONTRAST_TOLERANCE, LUMINANCE_TOLERANCE, RMS_TOLERANCE_DB,
                                         SAMPLE_RATE_HZ)

    path = Path(manifest_path) if manifest_path is not None else default_manifest_path()
    try:
        df = load_manifest(path)
    except StimulusError as exc:
        return list(exc.problems)
    root = Path(df.attrs["root"])
    problems: list[str] = []
    lum: dict[str, tuple[float, float]] = {}
    loud: dict[str, float] = {}
    for row in df.to_dict("records"):
        f = (root / row["file"]).resolve()
        label = f"{f} (id {row['id']})"
        if root not in f.parents:
            problems.append(f"{label}: outside the stimulus folder {root}")
            continue
        if not f.is_file():
            problems.append(f"{label}: file not found")
            continue
        digest = sha256_file(f)
        if digest != row["sha256"]:
            problems.append(f"{label}: SHA-256 {digest} does not match the manifest's {row['sha256']}")
        before = len(problems)
        if row["modality"] == "image":
            stats = _check_image(f, row, problems)
            if stats is not None:
                lum[label] = stats
        else:
            result = _check_audio(f, row, problems)
            if result is not None:
                loud[label] = result[1]
                target = TARGETS.get(row["valence"])
                if acoustics and row["category"] == "infant" and target and row["source"].startswith("generated"):
                    m = measure_samples(result[0], SAMPLE_RATE_HZ)
                    lo, hi = target["f0_mean_hz"]
                    if not lo <= m["f0_mean_hz"] <= hi:
                        problems.append(f"{label}: F0 mean {m['f0_mean_hz']:.0f} Hz outside {lo:.0f}-{hi:.0f} Hz")
                    ulo, uhi = target["unit_s"]
                    if not m["n_units"] or m["unit_min_s"] < ulo - 0.05 or m["unit_max_s"] > uhi:
                        problems.append(f"{label}: unit durations {m['unit_s']} outside {ulo}-{uhi} s")
        problems[before:] = [p.replace(str(f), label, 1) for p in problems[before:]]
    if lum:
        med_m = float(np.median([v[0] for v in lum.values()]))
        med_c = float(np.median([v[1] for v in lum.values()]))
        for label, (m, c) in lum.items():
            if abs(m - med_m) > LUMINANCE_TOLERANCE:
                problems.append(f"{label}: mean luminance {m:.4f} differs from the set's {med_m:.4f} "
                                f"by more than {LUMINANCE_TOLERANCE}")
            if abs(c - med_c) > CONTRAST_TOLERANCE:
                problems.append(f"{label}: RMS contrast {c:.4f} differs from the set's {med_c:.4f} "
                                f"by more than {CONTRAST_TOLERANCE}")
    if loud:
        med = float(np.median(list(loud.values())))
        for label, rms in loud.items():
            if abs(rms - med) > RMS_TOLERANCE_DB:
                problems.append(f"{label}: RMS {rms:.2f} dBFS differs from the set's {med:.2f} dBFS "
                                f"by more than {RMS_TOLERANCE_DB} dB")
    return problems
