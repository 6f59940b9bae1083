"""Pair each opioid cue with a household object of the same size, luminance and contrast.

For one pair:

1. the cue's layout (footprint, counts, angles) is drawn from the cue's generator
   and the cue is rendered; the household object is rendered on the same layout
   with its own look (from its own generator);
2. the household object is scaled about its anchor until its *figure* (the drawn
   object, without the scene) covers as many pixels as the cue's figure;
3. the cue is equalised like every other picture (:func:`normalise.equalise_image`:
   whole oval at mean luminance 0.50 and RMS contrast 0.18);
4. the household picture is equalised with its figure held to the cue's figure
   (:func:`equalise_with_figure`): one linear map for the figure's pixels gives it
   the cue figure's mean luminance and RMS contrast, a second for the scene brings
   the whole oval to the same 0.50 / 0.18 as every picture (SHINE-style matching,
   Willenbockel et al. 2010, applied to the figure).

:func:`figure_measures` measures the figure of a finished 8-bit picture: its area,
mean luminance and RMS contrast (on 0..1, as in the manifest) and its edge density
(mean Sobel gradient magnitude inside the figure, grey levels per pixel on 0..1),
a simple index of visual complexity.  The generator refuses a pair outside the
tolerances below, and ``tests/test_stimuli_opioid.py`` holds every committed pair
to them.
"""

from __future__ import annotations

import numpy as np

from icb.errors import StimulusError

FIGURE_COVERAGE_MIN = 0.5  # a pixel belongs to the figure when at least half of it is covered
PAIR_AREA_TOLERANCE = 0.02  # |household area / cue area - 1|
PAIR_LUMINANCE_TOLERANCE = 0.004  # |difference of the figures' mean luminance| (0..1), as for whole pictures
PAIR_CONTRAST_TOLERANCE = 0.004  # |difference of the figures' RMS contrast| (0..1)
PAIR_EDGE_DENSITY_RATIO_MAX = 1.5  # larger / smaller edge density of the two figures
SCALE_LIMITS = (0.75, 1.35)


def figure_region(coverage: np.ndarray) -> np.ndarray:
    """Boolean mask of the figure's pixels that lie inside the picture's oval."""
    from tasks.stimulus_factory.normalise import oval_mask

    return (coverage >= FIGURE_COVERAGE_MIN) & oval_mask(coverage.shape[1], coverage.shape[0])


def figure_measures(pixels: np.ndarray, coverage: np.ndarray) -> dict:
    """Area (px), mean luminance, RMS contrast and edge density of the figure of an 8-bit picture."""
    from scipy.ndimage import sobel

    region = figure_region(coverage)
    if not region.any():
        raise StimulusError("the picture has no figure inside its oval; nothing to measure")
    grey = pixels.astype(float) / 255.0
    gradient = np.hypot(sobel(grey, axis=0), sobel(grey, axis=1)) / 8.0
    inside = grey[region]
    return {"figure_area_px": int(region.sum()), "figure_mean_luminance": round(float(inside.mean()), 4),
            "figure_rms_contrast": round(float(inside.std()), 4),
            "figure_edge_density": round(float(gradient[region].mean()), 4)}


def fit_clipped_linear(x: np.ndarray, mean_target: float, sd_target: float) -> np.ndarray:
    """8-bit values ``clip(round(a*x + b), 0, 255)`` whose mean and SD are the targets (0..255 units).

    ``b`` by Newton steps for each ``a`` (the clipped mean is monotone in ``b``),
    ``a`` by a damped ratio step, as in :func:`normalise.equalise_image`.
    """
    sd = float(x.std())
    if sd < 1e-9:
        raise StimulusError("a region to be matched is flat (no contrast)")

    def offset_for(a: float, b: float) -> float:
        for _ in range(40):
            y = a * x + b
            mean_error = float(np.clip(y, 0, 255).mean()) - mean_target
            if abs(mean_error) < 0.005:
                break
            b -= mean_error / max(float(((y > 0) & (y < 255)).mean()), 1e-3)
        return b

    a = sd_target / sd
    b = offset_for(a, mean_target - a * float(x.mean()))
    for _ in range(80):
        y = np.clip(np.round(a * x + b), 0, 255)
        if abs(y.mean() - mean_target) < 0.05 and abs(y.std() - sd_target) < 0.05:
            break
        a *= (sd_target / max(float(np.clip(a * x + b, 0, 255).std()), 1e-6)) ** 0.8
        b = offset_for(a, b)
    # The rounded mean is monotone in b as well, but moves in steps where a region is mostly flat
    # tones (the scene): bisect b and keep the closest.
    low, high = b - 2.0, b + 2.0
    best = y
    for _ in range(30):
        b = (low + high) / 2
        trial = np.clip(np.round(a * x + b), 0, 255)
        if abs(trial.mean() - mean_target) < abs(best.mean() - mean_target):
            best = trial
        low, high = (b, high) if trial.mean() < mean_target else (low, b)
    y = best
    if abs(y.mean() - mean_target) > 0.5 or abs(y.std() - sd_target) > 0.5:
        raise StimulusError(f"cannot map a region to mean {mean_target / 255:.4f} and SD {sd_target / 255:.4f} "
                            f"(got {y.mean() / 255:.4f}, {y.std() / 255:.4f})")
    return y


def equalise_with_figure(img: np.ndarray, coverage: np.ndarray, figure_mean: float,
                         figure_sd: float) -> np.ndarray:
    """Float picture -> 8-bit, with its figure at ``figure_mean`` / ``figure_sd`` and the oval at the
    usual targets (mean 0.50, RMS contrast 0.18; outside the oval the background grey).

    Two linear maps: one for the figure's pixels, chosen to give the figure its
    targets, and one for the rest of the oval (the scene), chosen so that the
    whole oval still has the standard mean and contrast.
    """
    from tasks.stimulus_factory.normalise import (BACKGROUND, TARGET_MEAN_LUMINANCE, TARGET_RMS_CONTRAST,
                                                  oval_mask)

    oval = oval_mask(img.shape[1], img.shape[0])
    figure = figure_region(coverage)
    scene = oval & ~figure
    n_fig, n_scene = int(figure.sum()), int(scene.sum())
    fig_values = fit_clipped_linear(img[figure] * 255.0, figure_mean * 255.0, figure_sd * 255.0)
    mean_all, sd_all = TARGET_MEAN_LUMINANCE * 255.0, TARGET_RMS_CONTRAST * 255.0
    n_all = n_fig + n_scene
    scene_mean = (n_all * mean_all - fig_values.sum()) / n_scene
    scene_square = (n_all * (sd_all ** 2 + mean_all ** 2) - float(np.square(fig_values).sum())) / n_scene
    scene_var = scene_square - scene_mean ** 2
    if scene_var <= 0 or not 0 < scene_mean < 255:
        raise StimulusError("the figure's targets leave no scene that brings the oval to its standard "
                            "mean and contrast")
    out = np.full(img.shape, BACKGROUND, dtype=np.uint8)
    out[figure] = fig_values.astype(np.uint8)
    out[scene] = fit_clipped_linear(img[scene] * 255.0, scene_mean, float(np.sqrt(scene_var))).astype(np.uint8)
    return out


def scale_to_area(render, target_area_px: int) -> tuple[float, np.ndarray, np.ndarray]:
    """The scale (and its picture and coverage) at which ``render(scale)``'s figure has the target area.

    Scales are rounded to 4 decimals before rendering, so the recorded scale redraws the same figure.
    """
    scale = 1.0
    best = None
    for _ in range(10):
        img, coverage = render(scale)
        area = int(figure_region(coverage).sum())
        error = abs(area / target_area_px - 1.0)
        if best is None or error < best[0]:
            best = (error, scale, img, coverage)
        if error <= 0.002:
            break
        scale = round(float(np.clip(scale * np.sqrt(target_area_px / max(area, 1)), *SCALE_LIMITS)), 4)
    error, scale, img, coverage = best
    if error > PAIR_AREA_TOLERANCE / 2:
        raise StimulusError(f"cannot scale the household object to the cue's area ({target_area_px} px) within "
                            f"{SCALE_LIMITS}; best was {error:.1%} off at scale {scale:.3f}")
    return scale, img, coverage


def render_pair(kind: str, cue_rng: np.random.Generator, look_rng: np.random.Generator) -> dict:
    """Render, match and equalise one cue and its household object; 8-bit pictures and records."""
    from tasks.stimulus_factory.household_matches import draw_look, render_household
    from tasks.stimulus_factory.normalise import equalise_image
    from tasks.stimulus_factory.opioid_cues import render_cue
    from tasks.stimulus_factory.opioid_layouts import draw_layout

    layout = draw_layout(kind, cue_rng)
    look = draw_look(kind, layout, look_rng)
    cue_img, cue_cov = render_cue(layout)
    target_area = int(figure_region(cue_cov).sum())
    scale, house_img, house_cov = scale_to_area(lambda s: render_household(layout, look, s), target_area)
    cue_px = equalise_image(cue_img)
    cue_fig = figure_measures(cue_px, cue_cov)
    house_px = equalise_with_figure(house_img, house_cov, cue_fig["figure_mean_luminance"],
                                    cue_fig["figure_rms_contrast"])
    return {"layout": layout, "look": look, "scale": scale, "cue_pixels": cue_px, "cue_coverage": cue_cov,
            "cue_figure": cue_fig, "household_pixels": house_px, "household_coverage": house_cov,
            "household_figure": figure_measures(house_px, house_cov)}


def pair_problems(cue: dict, household: dict) -> list[str]:
    """How a pair's figure measures break the pair tolerances (an empty list when matched)."""
    problems = []
    area_error = abs(household["figure_area_px"] / cue["figure_area_px"] - 1.0)
    if area_error > PAIR_AREA_TOLERANCE:
        problems.append(f"figure areas differ by {area_error:.1%} (allowed {PAIR_AREA_TOLERANCE:.0%})")
    for name, tolerance in (("figure_mean_luminance", PAIR_LUMINANCE_TOLERANCE),
                            ("figure_rms_contrast", PAIR_CONTRAST_TOLERANCE)):
        difference = abs(household[name] - cue[name])
        if difference > tolerance:
            problems.append(f"{name} differs by {difference:.4f} (allowed {tolerance})")
    low, high = sorted((cue["figure_edge_density"], household["figure_edge_density"]))
    if high > PAIR_EDGE_DENSITY_RATIO_MAX * low:
        problems.append(f"edge densities {low:.4f} and {high:.4f} differ by more than a factor "
                        f"{PAIR_EDGE_DENSITY_RATIO_MAX}")
    return problems
