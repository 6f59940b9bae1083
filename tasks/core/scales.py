"""The catalogue of rating scales, and the keyboard rule of the rating slider.

Rating-type tasks (``rating``, ``cryrating``) name their scales in the config
(``params.scales``); each name comes from :data:`CATALOGUE`.  With
``scale_type: likert`` a scale has whole-number points from ``minimum`` to
``maximum``; with ``scale_type: vas`` it is a visual-analogue line from 0 to 100
(continuous with the mouse, ``vas_key_step`` per arrow-key press).

The keyboard rule (:func:`move`) is pure and shared by the PsychoPy slider, the
data-only engine and the simulated participant: the marker is hidden until the
first arrow press, which puts it at the middle of the scale; each further press
moves it one step; the confirm key records the marker's value only when the
marker is shown.  So the start position is never a response.

Nothing here imports PsychoPy.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING

from icb.columns import Column
from icb.params import did_you_mean
from tasks.core.messages import REFERENCE, Catalogue, load_catalogue

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class ScaleDef:
    """One catalogue entry (Likert form); its prompt and anchors are texts of the message
    catalogue (``scale.<name>.prompt``, ``scale.<name>.anchors.low`` / ``.high``,
    ``configs/lang/``).  ``{what}`` in the prompt is replaced by what is shown
    (:func:`what_is_shown`); an ``infants_only`` scale is asked only after infant
    stimuli (:func:`applicable_scales`)."""

    minimum: int
    maximum: int
    source: str
    infants_only: bool = False
    modalities: tuple[str, ...] = ("image", "audio")  # what the question can be asked of


CATALOGUE: dict[str, ScaleDef] = {
    "liking": ScaleDef(-4, 4, "Kringelbach/Parsons liking scale -4..+4 (anchors unverified)"),
    "cuteness": ScaleDef(1, 7, "7-point cuteness rating (Glocker et al. 2009; Kuraguchi-type "
                         "protocol)", modalities=("image",)),
    "caretaking": ScaleDef(1, 7, "motivation for caretaking (Glocker et al. 2009)",
                           infants_only=True),
    "urgent": ScaleDef(1, 7, "Friedman, Zahn-Waxler & Radke-Yarrow 1982 (urgent)",
                       modalities=("audio",)),
    "aversive": ScaleDef(1, 7, "perceived aversiveness (Zeskind & Lester 1978; Gustafson & "
                         "Green 1989)", modalities=("audio",)),
    "distressed": ScaleDef(1, 7, "distress of the baby (OxVoc ratings, Parsons et al. 2014)",
                           infants_only=True, modalities=("audio",)),
    "respond": ScaleDef(1, 7, "motivation to respond (OxVoc ratings, Parsons et al. 2014)",
                        infants_only=True),
}


def english_prompt(name: str) -> str:
    """The English prompt of scale ``name`` (``{what}`` unfilled): for the experimenter's
    messages and the reference docs."""
    return load_catalogue(REFERENCE).template(f"scale.{name}.prompt")


# What a prompt calls the stimulus shown, by modality and manifest category.
PICTURE_NOUNS = {"infant": "baby", "child": "child", "adult": "face", "object": "object",
                 "household": "object", "animal": "animal", "opioid": "picture",
                 "other": "picture"}
SOUND_NOUNS = {"infant": "baby", "adult": "voice", "animal": "animal"}  # else "sound"


def what_is_shown(category: str, *, sound: bool) -> str:
    """Which word a prompt uses for a stimulus of ``category`` (the id under ``scale.what``
    of the message catalogue; the English word itself).

    >>> what_is_shown("adult", sound=False), what_is_shown("noise", sound=True)
    ('face', 'sound')
    """
    if sound:
        return SOUND_NOUNS.get(category, "sound")
    return PICTURE_NOUNS.get(category, "picture")


def applicable_scales(names, category: str) -> tuple[str, ...]:
    """The scales of ``names`` that are asked after a stimulus of ``category``: an
    ``infants_only`` scale only after infants.

    >>> applicable_scales(("liking", "caretaking"), "adult")
    ('liking',)
    """
    return tuple(n for n in names if n not in CATALOGUE or not CATALOGUE[n].infants_only
                 or category == "infant")


def infants_only_problems(names, categories, modality: str, *,
                          where: str = "params.scales") -> list[str]:
    """A category for which none of the configured scales would be asked (every one is
    infants-only): named with the scales that would be."""
    asked_anywhere = [n for n in names if n in CATALOGUE and not CATALOGUE[n].infants_only]
    if asked_anywhere or not names:
        return []
    wrong = sorted({c for c in categories if c != "infant"})
    if not wrong:
        return []
    general = ", ".join(n for n, d in CATALOGUE.items()
                        if not d.infants_only and modality in d.modalities)
    return [f"{where}: {', '.join(names)} {'is' if len(names) == 1 else 'are'} asked only "
            f"about infants, so {', '.join(wrong)} stimuli would get no question; allowed: "
            f"add a scale asked of any stimulus ({general}), or leave those stimuli out"]


SCALE_TYPES = ("likert", "vas")
VAS_MIN, VAS_MAX = 0.0, 100.0


@dataclass(frozen=True)
class Scale:
    """A scale as presented: name, prompt, range, anchors and key step."""

    name: str
    prompt: str
    minimum: float
    maximum: float
    low_anchor: str
    high_anchor: str
    continuous: bool  # True: visual analogue (any value), False: whole points
    key_step: float
    words: tuple[tuple[str, str], ...] = ()  # (word id, text) for {what}, in its language

    def for_stimulus(self, category: str, *, sound: bool) -> "Scale":
        """This scale with its prompt naming what is shown (``{what}`` filled in)."""
        from dataclasses import replace
        word = what_is_shown(category, sound=sound)
        return replace(self, prompt=self.prompt.replace("{what}", dict(self.words).get(word,
                                                                                      word)))

    @property
    def middle(self) -> float:
        return (self.minimum + self.maximum) / 2.0

    @property
    def ticks(self) -> list[float]:
        if self.continuous:
            return [self.minimum, self.maximum]
        return [float(v) for v in range(int(self.minimum), int(self.maximum) + 1)]


def unknown_scales(names: list[str], *, where: str = "params.scales") -> list[str]:
    """Problems for scale names not in the catalogue (with did-you-mean)."""
    known = list(CATALOGUE)
    return [f"{where}: unknown scale {name!r}{did_you_mean(name, known)}; allowed: "
            + ", ".join(known) for name in names if name not in CATALOGUE]


def scale_problems(params, modality: str) -> list[str]:
    """Every problem of ``params.scales``: unknown names, questions that do not fit the
    task's ``modality`` (``image`` or ``audio``: no "How unpleasant is this sound" under a
    picture), and stimuli (test categories, and the practice category when there is
    practice) that no configured scale asks about."""
    names = list(params["scales"])
    problems = unknown_scales(names)
    what = {"image": "pictures", "audio": "sounds"}[modality]
    fitting = ", ".join(n for n, d in CATALOGUE.items() if modality in d.modalities)
    problems += [f"params.scales: {n!r} ({english_prompt(n)!r}) is not a question about "
                 f"{what}; allowed for this task: {fitting}"
                 for n in names if n in CATALOGUE and modality not in CATALOGUE[n].modalities]
    categories = [c.partition("_")[0] for c in params["categories"]]
    if params.get("practice_trials", 0) > 0 and params.get("practice_category"):
        categories.append(str(params["practice_category"]).partition("_")[0])
    return problems + infants_only_problems(names, categories, modality)


def build_scales(names: list[str], scale_type: str, vas_key_step: float = 5.0,
                 messages: Catalogue | None = None) -> list[Scale]:
    """The :class:`Scale` objects of the configured scale names, worded in the language of
    ``messages`` (English when None)."""
    messages = messages or load_catalogue(REFERENCE)
    words = tuple(sorted(messages.mapping("scale.what").items()))
    out = []
    for name in names:
        d = CATALOGUE[name]
        prompt = messages.template(f"scale.{name}.prompt")
        low = messages.text(f"scale.{name}.anchors.low")
        high = messages.text(f"scale.{name}.anchors.high")
        if scale_type == "vas":
            out.append(Scale(name, prompt, VAS_MIN, VAS_MAX, low, high, True,
                             float(vas_key_step), words))
        else:
            out.append(Scale(name, prompt, float(d.minimum), float(d.maximum), low, high, False,
                             1.0, words))
    return out


def move(scale: Scale, marker: float | None, key: str) -> float | None:
    """Marker position after an arrow key (``left``/``right``); ``None`` = hidden.

    >>> s = build_scales(["cuteness"], "likert")[0]
    >>> move(s, None, "right"), move(s, 4.0, "right"), move(s, 7.0, "right")
    (4.0, 5.0, 7.0)
    """
    if marker is None:
        return _snap(scale, scale.middle, key)
    step = scale.key_step if key == "right" else -scale.key_step
    return min(scale.maximum, max(scale.minimum, marker + step))


def _snap(scale: Scale, value: float, key: str) -> float:
    if scale.continuous:
        return value
    return float(math.ceil(value) if key == "right" else math.floor(value))


def keys_to_reach(scale: Scale, target: float) -> list[str]:
    """Arrow keys that put the marker on ``target`` from hidden (confirm key not included).

    >>> keys_to_reach(build_scales(["liking"], "likert")[0], -2)
    ['left', 'left', 'left']
    """
    key = "right" if target >= scale.middle else "left"
    keys = [key]
    marker = move(scale, None, key)
    for _ in range(10000):
        if abs(marker - target) < 1e-9:
            return keys
        key = "right" if target > marker else "left"
        new = move(scale, marker, key)
        if new == marker:
            break
        keys.append(key)
        marker = new
    raise ValueError(f"scale {scale.name}: {target} cannot be reached with the arrow keys")


def replay(scale: Scale, keys: list[str]) -> float | None:
    """Marker after a sequence of arrow keys from hidden."""
    marker = None
    for key in keys:
        marker = move(scale, marker, key)
    return marker


def reachable(scale: Scale, value: float) -> float:
    """The nearest value the arrow keys can reach (clipped to the scale)."""
    value = min(scale.maximum, max(scale.minimum, value))
    if not scale.continuous:
        return float(round(value))
    steps = round((value - scale.middle) / scale.key_step)
    return min(scale.maximum, max(scale.minimum, scale.middle + steps * scale.key_step))


@dataclass(frozen=True)
class PlannedRating:
    """What a simulated participant will do on one scale: end on ``value`` and confirm
    ``rt_ms`` after the scale's onset (``value=None``: no response)."""

    value: float | None
    rt_ms: float | None


@dataclass
class ConfirmTiming:
    """What :func:`planned_rating` reads of a simulated rater, inherited by the raters'
    responders (set by keyword or ``--simulate``): the rating noise ``noise_sd`` (points of
    a 7-point scale), the ex-Gaussian confirm time ``rt_mu_ms``, ``rt_sigma_ms``,
    ``rt_tau_ms``, and the chance ``p_miss`` of no response.

    >>> ConfirmTiming(noise_sd=0.0, p_miss=0.1).fields_dict()
    {'noise_sd': 0.0, 'rt_mu_ms': 1300.0, 'rt_sigma_ms': 200.0, 'rt_tau_ms': 400.0, 'p_miss': 0.1}
    """

    LIMITS = {"rt_mu_ms": (50.0, 60000.0)}  # --simulate ranges (besides p_*, *_sd, sigma, tau)

    noise_sd: float = 0.7
    rt_mu_ms: float = 1300.0
    rt_sigma_ms: float = 200.0
    rt_tau_ms: float = 400.0
    p_miss: float = 0.0

    def fields_dict(self) -> dict:
        """``asdict(self)``, these timing fields last (after a subclass's planted effects)."""
        values = asdict(self)
        timing = [f.name for f in fields(ConfirmTiming)]
        return {**{k: v for k, v in values.items() if k not in timing},
                **{k: values[k] for k in timing}}


def planned_rating(r, mean: float, scale: Scale, rng: np.random.Generator) -> PlannedRating:
    """Noise, rounding to what the keys reach, and the ex-Gaussian confirm time of
    responder ``r`` (fields ``noise_sd``, ``rt_*``, ``p_miss``)."""
    if rng.random() < r.p_miss:
        return PlannedRating(None, None)
    unit = (scale.maximum - scale.minimum) / 6.0 if scale.continuous else 1.0
    value = reachable(scale, mean + rng.normal(0.0, r.noise_sd) * unit)
    rt = rng.normal(r.rt_mu_ms, r.rt_sigma_ms) + rng.exponential(r.rt_tau_ms)
    return PlannedRating(float(value), float(max(rt, 300.0)))


CONFIRM_KEYS = ("return", "space")
KEY_GAP_MS = 120.0


def key_schedule(scale: Scale, value: float, rt_ms: float) -> list[tuple[str, float]]:
    """(key, ms after scale onset) presses that rate ``value`` and confirm at ``rt_ms``
    (moved later when ``rt_ms`` leaves too little time for the arrow presses).

    >>> key_schedule(build_scales(["cuteness"], "likert")[0], 5, 1000)
    [('right', 760.0), ('right', 880.0), ('return', 1000.0)]
    """
    arrows = keys_to_reach(scale, value)
    rt_ms = max(float(rt_ms), 200.0 + KEY_GAP_MS * len(arrows))
    out = [(k, rt_ms - KEY_GAP_MS * (len(arrows) - i)) for i, k in enumerate(arrows)]
    return out + [("return", rt_ms)]


# -- a trial's scales: one row each (rating and cry-rating paradigms) ---------------------
RATING_COLUMNS = (
    Column("scale", "Scale", "Name of the rating scale (from the config)."),
    Column("scale_min", "Scale minimum", "Lowest value of the scale.", "float"),
    Column("scale_max", "Scale maximum", "Highest value of the scale.", "float"),
    Column("rating", "Rating", "The value chosen; n/a if no response was given (the slider's "
           "start position is never recorded as a rating).", "float", nullable=True),
    Column("rating_rt_ms", "Rating response time",
           "Scale onset flip to the confirmed response.", "float", units="ms", nullable=True,
           measured=True),
)


@dataclass
class PerScaleResponder:
    """Adapts a rater that answers one scale (``respond(stim, scale, rng)``) to the one
    responder signature: ``respond(trial, rng)`` plans every scale of the trial."""

    rater: object
    scales: dict

    def respond(self, trial, rng) -> dict[str, PlannedRating]:
        return {name: self.rater.respond(trial.stim, self.scales[name], rng)
                for name in trial.scales}

    def describe(self) -> dict:
        return self.rater.describe()


def scales_of(params, messages: Catalogue | None = None) -> dict[str, Scale]:
    return {s.name: s for s in build_scales(params["scales"], params["scale_type"],
                                            params["vas_key_step"], messages)}


def rate_scales(engine, trial, scales: dict[str, Scale], items: tuple, planned,
                timeout_ms, columns: dict, dropped_before: int = 0) -> list:
    """Every scale of ``trial`` in turn under ``items``: one ``TrialRow`` each (onset = the
    scale's first flip, duration to the confirmed answer or the time-out); ``columns`` are
    added to every row, ``dropped_before`` (frames dropped before the first scale) to the
    first."""
    from tasks.core.paradigm import TrialRow
    rows = []
    sound = trial.stim.duration_s is not None
    for name in trial.scales:
        scale = scales[name].for_stimulus(trial.stim.category, sound=sound)
        result = engine.rate(scale, items, planned=(planned or {}).get(name),
                             timeout_ms=timeout_ms)
        dropped = result.dropped_frames + (dropped_before if not rows else 0)
        rows.append(TrialRow(result.onset_s, result.end_s - result.onset_s, dropped, {
            **columns, "scale": name, "scale_min": scale.minimum, "scale_max": scale.maximum,
            "rating": result.rating, "rating_rt_ms": result.rt_ms}))
    return rows


def add_dropped_to_last(rows: list, n: int) -> list:
    """``rows`` with ``n`` more dropped frames on the last (frames dropped after it)."""
    from dataclasses import replace
    if not rows or not n:
        return rows
    return rows[:-1] + [replace(rows[-1], dropped_frames=rows[-1].dropped_frames + n)]
