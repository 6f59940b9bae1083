"""Normalisation shared by the generator and the importer, and byte-stable file I/O.

Images: 8-bit greyscale PNG (mode ``L``), ``WIDTH_PX`` x ``HEIGHT_PX``; an oval
mask (the largest ellipse that fits, ``OVAL_MARGIN_PX`` from each edge) with
everything outside it set to the window's mid-grey (pixel ``BACKGROUND``, the
PsychoPy colour rgb 0).  Inside the oval the mean luminance and the RMS
contrast (standard deviation of pixel values / 255) are set to the targets.

Sounds: mono WAV, 48 kHz, 16-bit PCM; 10 ms raised-cosine onset and offset
ramps; RMS over the whole file set to ``TARGET_RMS_DBFS``; peaks at or below
``MAX_PEAK_DBFS``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from icb.errors import StimulusError

WIDTH_PX = 260
HEIGHT_PX = 340
OVAL_MARGIN_PX = 4
BACKGROUND = 128
TARGET_MEAN_LUMINANCE = 0.50  # mean pixel value inside the oval / 255
TARGET_RMS_CONTRAST = 0.18  # SD of pixel values inside the oval / 255
LUMINANCE_TOLERANCE = 0.004  # allowed |mean - target| (about 1 pixel value)
CONTRAST_TOLERANCE = 0.004

SAMPLE_RATE_HZ = 48000
RAMP_MS = 10.0
TARGET_RMS_DBFS = -23.0
MAX_PEAK_DBFS = -1.0
RMS_TOLERANCE_DB = 0.1


# ------------------------------------------------------------------ images
def oval_mask(width_px: int = WIDTH_PX, height_px: int = HEIGHT_PX) -> np.ndarray:
    """Boolean mask of the pixels whose centres lie inside the oval."""
    ys = np.arange(height_px)[:, None] + 0.5
    xs = np.arange(width_px)[None, :] + 0.5
    rx = width_px / 2.0 - OVAL_MARGIN_PX
    ry = height_px / 2.0 - OVAL_MARGIN_PX
    return ((xs - width_px / 2.0) / rx) ** 2 + ((ys - height_px / 2.0) / ry) ** 2 <= 1.0


def image_stats(pixels: np.ndarray) -> tuple[float, float]:
    """(mean luminance, RMS contrast) inside the oval of an 8-bit image, both on 0..1."""
    inside = pixels[oval_mask(pixels.shape[1], pixels.shape[0])].astype(float) / 255.0
    return float(inside.mean()), float(inside.std())


def equalise_image(img: np.ndarray, mean_target: float = TARGET_MEAN_LUMINANCE,
                   contrast_target: float = TARGET_RMS_CONTRAST) -> np.ndarray:
    """Float image (0..1, the standard size) -> uint8 with the oval's statistics set.

    A linear map a*x + b, refined a few times so that clipping and rounding to
    8 bits still land on the targets.
    """
    mask = oval_mask(img.shape[1], img.shape[0])
    x = img[mask].astype(float) * 255.0
    sd = x.std()
    if sd < 1e-6:
        raise StimulusError("image is blank (no contrast inside the oval); cannot equalise")
    mean_t, sd_t = mean_target * 255.0, contrast_target * 255.0

    def offset_for(a: float, b: float) -> float:
        # Newton steps on b so that the clipped mean hits the target (mean is monotone in b)
        for _ in range(30):
            y = a * x + b
            inside = (y > 0) & (y < 255)
            err = np.clip(y, 0, 255).mean() - mean_t
            if abs(err) < 0.01:
                break
            slope = max(inside.mean(), 1e-3)
            b -= err / slope
        return b

    a = sd_t / sd
    b = offset_for(a, mean_t - a * x.mean())
    for _ in range(40):
        y = np.clip(np.round(a * x + b), 0, 255)
        m, s = y.mean(), y.std()
        if abs(m - mean_t) < 0.1 and abs(s - sd_t) < 0.1:
            break
        a *= (sd_t / max(s, 1e-6)) ** 0.8
        b = offset_for(a, b)
    if abs(s - sd_t) > CONTRAST_TOLERANCE * 255 or abs(m - mean_t) > LUMINANCE_TOLERANCE * 255:
        raise StimulusError(f"cannot reach mean luminance {mean_target} and RMS contrast {contrast_target} "
                            f"without clipping most of the image (got {m / 255:.3f}, {s / 255:.3f})")
    out = np.full(img.shape, BACKGROUND, dtype=np.uint8)
    out[mask] = np.clip(np.round(a * x + b), 0, 255).astype(np.uint8)
    return out


def fit_image(img: np.ndarray) -> np.ndarray:
    """Scale and centre-crop a float greyscale image to WIDTH_PX x HEIGHT_PX (cover)."""
    from PIL import Image

    h, w = img.shape
    scale = max(WIDTH_PX / w, HEIGHT_PX / h)
    new_w, new_h = max(WIDTH_PX, round(w * scale)), max(HEIGHT_PX, round(h * scale))
    im = Image.fromarray(np.ascontiguousarray(img, dtype=np.float32)).resize((new_w, new_h), Image.Resampling.LANCZOS)
    left, top = (new_w - WIDTH_PX) // 2, (new_h - HEIGHT_PX) // 2
    arr = np.asarray(im, dtype=float)[top:top + HEIGHT_PX, left:left + WIDTH_PX]
    return np.clip(arr, 0.0, 1.0)


MAX_IMAGE_PIXELS = 40_000_000  # a stimulus picture is a few megapixels, never a bomb


def too_many_pixels(image) -> str | None:
    """Why an opened (not yet decoded) image must not be decoded, or None: its header's
    pixel count against :data:`MAX_IMAGE_PIXELS`."""
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        return (f"it is {width}x{height} pixels; allowed: at most {MAX_IMAGE_PIXELS} pixels "
                "(not decoded)")
    return None


def read_image_grey(path: Path) -> np.ndarray:
    """Any image Pillow reads -> float greyscale 0..1 (alpha composited on mid-grey); a
    picture larger than :data:`MAX_IMAGE_PIXELS` is refused from its header, undecoded."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            large = too_many_pixels(im)
            if large:
                raise StimulusError(f"{path}: {large}")
            im.load()
            if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
                rgba = im.convert("RGBA")
                bg = Image.new("RGBA", rgba.size, (BACKGROUND, BACKGROUND, BACKGROUND, 255))
                im2 = Image.alpha_composite(bg, rgba).convert("L")
            else:
                im2 = im.convert("L")
    except Image.DecompressionBombError as exc:  # PIL's own bound, from the header
        raise StimulusError(f"{path}: it is too large ({exc}); allowed: at most "
                            f"{MAX_IMAGE_PIXELS} pixels (not decoded)") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise StimulusError(f"{path}: cannot read it as an image ({exc}); "
                            "allowed: PNG, JPEG, TIFF, BMP") from exc
    return np.asarray(im2, dtype=float) / 255.0


def write_png(path: Path, pixels: np.ndarray) -> None:
    """Write an 8-bit greyscale PNG with fixed options and no metadata."""
    from PIL import Image

    Image.fromarray(np.ascontiguousarray(pixels, dtype=np.uint8)).save(path, format="PNG", compress_level=6)


# ------------------------------------------------------------------ sounds
def dbfs(value: float) -> float:
    return float(20.0 * np.log10(max(value, 1e-12)))


def rms_dbfs(x: np.ndarray) -> float:
    return dbfs(float(np.sqrt(np.mean(np.square(x)))))


def peak_dbfs(x: np.ndarray) -> float:
    return dbfs(float(np.max(np.abs(x))))


def apply_ramps(x: np.ndarray, sample_rate_hz: int = SAMPLE_RATE_HZ, ramp_ms: float = RAMP_MS) -> np.ndarray:
    """Raised-cosine onset and offset ramps."""
    n = int(round(sample_rate_hz * ramp_ms / 1000.0))
    y = np.array(x, dtype=float)
    if n <= 0 or 2 * n > y.size:
        return y
    ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(n) + 0.5) / n)
    y[:n] *= ramp
    y[-n:] *= ramp[::-1]
    return y


def set_rms(x: np.ndarray, target_dbfs: float = TARGET_RMS_DBFS) -> np.ndarray:
    rms = float(np.sqrt(np.mean(np.square(x))))
    if rms <= 0:
        raise StimulusError("sound is silent; cannot set its RMS level")
    return x * (10 ** (target_dbfs / 20.0) / rms)


def resample(x: np.ndarray, rate_in_hz: int, rate_out_hz: int = SAMPLE_RATE_HZ) -> np.ndarray:
    from math import gcd

    from scipy.signal import resample_poly

    if rate_in_hz == rate_out_hz:
        return np.asarray(x, dtype=float)
    g = gcd(rate_in_hz, rate_out_hz)
    return resample_poly(np.asarray(x, dtype=float), rate_out_hz // g, rate_in_hz // g)


def to_int16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x * 32767.0), -32768, 32767).astype("<i2")


def write_wav(path: Path, x: np.ndarray, sample_rate_hz: int = SAMPLE_RATE_HZ) -> None:
    """Mono 16-bit PCM WAV via the stdlib (no metadata chunks)."""
    import wave

    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate_hz)
        w.writeframes(to_int16(x).tobytes())


def read_wav(path: Path) -> tuple[np.ndarray, int, int]:
    """PCM WAV -> (mono float samples in -1..1, sample rate, channels).  Stereo is averaged."""
    import wave

    try:
        with wave.open(str(path), "rb") as w:
            channels, width, rate, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
            raw = w.readframes(n)
    except (wave.Error, EOFError, OSError) as exc:
        raise StimulusError(f"{path}: cannot read it as a PCM WAV file ({exc}); "
                            "allowed: uncompressed PCM WAV, 8/16/24/32-bit") from exc
    if n == 0 or len(raw) < n * channels * width:
        raise StimulusError(f"{path}: the WAV file is empty or truncated ({len(raw)} bytes of audio data)")
    if width == 1:
        data = (np.frombuffer(raw, dtype=np.uint8).astype(float) - 128.0) / 128.0
    elif width == 2:
        data = np.frombuffer(raw, dtype="<i2").astype(float) / 32768.0
    elif width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        data = np.where(v >= 1 << 23, v - (1 << 24), v).astype(float) / float(1 << 23)
    elif width == 4:
        data = np.frombuffer(raw, dtype="<i4").astype(float) / float(1 << 31)
    else:
        raise StimulusError(f"{path}: unsupported sample width {width} bytes; allowed: 1, 2, 3, 4")
    data = data[: n * channels].reshape(-1, channels).mean(axis=1)
    return data, rate, channels
