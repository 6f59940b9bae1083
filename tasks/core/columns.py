"""The columns of every task's events file, declared once.

The writer takes its header order and its sidecar descriptions from here, the
analysis package its types and checks.  Column sets follow the contract
(``shared/spec/contract.md`` section 3); ``onset`` and ``duration`` come first.

This module imports nothing from PsychoPy and nothing heavy.
"""

from __future__ import annotations



from icb.columns import COMMON_HEAD, DROPPED_FRAMES, PHASE_LEVELS, SIDE_LEVELS, Column  # noqa: F401

DOTPROBE = COMMON_HEAD + (
    Column("trial_type", "Trial type",
           "<target category>-<comparison category> (category = face category and expression, "
           "e.g. infant_distress); 'filler' for neutral-neutral pairs."),
    Column("cue_duration_ms", "Intended cue duration", "Intended duration of the picture pair.",
           "float", units="ms"),
    Column("cue_duration_actual_ms", "Achieved cue duration",
           "Cue onset flip to probe onset flip, from flip time stamps.", "float", units="ms"),
    Column("dropped_frames", "Dropped frames", "Frames dropped during this trial.", "int"),
    Column("target_side", "Target side", "Side of the target picture (n/a for fillers).",
           levels=SIDE_LEVELS, nullable=True),
    Column("probe_side", "Probe side", "Side on which the probe appeared.", levels=SIDE_LEVELS),
    Column("congruent", "Congruent", "Whether the probe replaced the target picture.", "int",
           levels={"1": "probe replaced the target picture",
                   "0": "probe replaced the comparison picture"}, nullable=True),
    Column("stim_left", "Left stimulus", "Stimulus id (manifest) of the left picture."),
    Column("stim_right", "Right stimulus", "Stimulus id (manifest) of the right picture."),
    Column("probe_identity", "Probe identity",
           "Probe form: 'dot' (location mode), 'colon' (:) or 'dots' (..) in discrimination mode.",
           levels={"dot": "single dot", "colon": "two dots stacked vertically (:)",
                   "dots": "two dots side by side (..)"}),
    Column("response", "Response", "Name of the key pressed, n/a if none.", nullable=True),
    Column("correct", "Correct", "1 correct, 0 error or no response.", "int",
           levels={"1": "correct", "0": "error or no response"}),
    Column("rt_ms", "Response time", "Probe onset flip to key press (keyboard time stamp).",
           "float", units="ms", nullable=True),
)

_STIM = (
    Column("stim_id", "Stimulus id", "Stimulus id in the stimulus manifest."),
    Column("category", "Category", "Stimulus category (infant, adult, object; for sounds "
           "infant (cry), rotated (spectrally rotated control), noise (envelope-matched noise))."),
    Column("valence", "Valence", "Expression or distress level (distress, neutral, happy; "
           "for sounds high_distress or low_distress)."),
    Column("baby_schema", "Baby-schema level", "Baby-schema level 1 (low) to 5 (high), "
           "n/a where the stimulus is not on the continuum.", "int", nullable=True),
)

_RATING = (
    Column("scale", "Scale", "Name of the rating scale (from the config)."),
    Column("scale_min", "Scale minimum", "Lowest value of the scale.", "float"),
    Column("scale_max", "Scale maximum", "Highest value of the scale.", "float"),
    Column("rating", "Rating", "The value chosen; n/a if no response was given (the slider's "
           "start position is never recorded as a rating).", "float", nullable=True),
    Column("rating_rt_ms", "Rating response time",
           "Scale onset flip to the confirmed response.", "float", units="ms", nullable=True),
)

RATING = COMMON_HEAD + _STIM + _RATING

KEYPRESS = COMMON_HEAD + _STIM + (
    Column("default_ms", "Default viewing time", "Viewing time without any key press.",
           "float", units="ms"),
    Column("viewing_time_ms", "Viewing time",
           "Face onset flip to face offset flip, from flip time stamps.", "float", units="ms"),
    Column("n_increase", "Increase presses", "Counted (alternating) presses that lengthened "
           "the viewing time.", "int"),
    Column("n_decrease", "Decrease presses", "Counted (alternating) presses that shortened "
           "the viewing time.", "int"),
    Column("response_class", "Response class", "Breiter taxonomy of the trial's presses.",
           levels={"increase": "only increase presses", "decrease": "only decrease presses",
                   "mixed": "both", "default": "no counted press"}),
    Column("press_log", "Press log", "Every key press: key@ms from face onset, "
           "'+'/'-' when counted as increase/decrease, '0' when not counted; ';'-separated.",
           nullable=True),
)

CRYRATING = COMMON_HEAD + _STIM + _RATING + (
    Column("audio_onset_requested_s", "Requested audio onset",
           "Time (s from run start) at which the sound was scheduled to start (a screen flip).",
           "float", units="s"),
    Column("audio_onset_reported_s", "Reported audio onset",
           "Start time reported by the audio backend (s from run start).", "float", units="s",
           nullable=True),
    Column("audio_onset_error_ms", "Audio onset error",
           "Reported minus requested onset.", "float", units="ms", nullable=True),
)

TASK_COLUMNS: dict[str, tuple[Column, ...]] = {
    "dotprobe": DOTPROBE,
    "rating": RATING,
    "keypress": KEYPRESS,
    "cryrating": CRYRATING,
}


def column_names(task: str) -> list[str]:
    """Header of ``task``'s events file, in order."""
    return [c.name for c in TASK_COLUMNS[task]]
