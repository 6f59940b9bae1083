"""The cry-rating paradigm's own events columns: one row per sound x scale."""

from __future__ import annotations

from icb.columns import DROPPED_FRAMES, Column
from tasks.core.scales import RATING_COLUMNS
from tasks.core.stimulus_pools import STIM_COLUMNS

COLUMNS: tuple[Column, ...] = STIM_COLUMNS + RATING_COLUMNS + (
    Column("audio_onset_requested_s", "Requested audio onset",
           "Time (s from run start) at which the sound was scheduled to start (a screen flip).",
           "float", units="s", measured=True),
    Column("audio_onset_reported_s", "Reported audio onset",
           "Start time reported by the audio backend (s from run start).", "float", units="s",
           nullable=True, measured=True),
    Column("audio_onset_error_ms", "Audio onset error",
           "Reported minus requested onset.", "float", units="ms", nullable=True, measured=True),
    DROPPED_FRAMES,
)
