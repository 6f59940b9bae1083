"""Assignments that must be reproducible offline from participant and session alone.

Everything here is a pure function of the labels (SHA-256 based, never Python's
salted ``hash``), so an analyst can recompute any assignment without the
station's files.
"""

from __future__ import annotations

import hashlib

SETS = ("A", "B")


def label_number(*parts: str) -> int:
    """A stable 32-bit number from labels (same on every machine and Python)."""
    text = "|".join(parts).encode("utf-8")
    return int.from_bytes(hashlib.sha256(text).digest()[:4], "big")


def default_seed(participant: str, session: str, task: str) -> int:
    """Seed of a run's trial list when the config and command line give none.

    >>> default_seed("07", "pre", "dotprobe") == default_seed("07", "pre", "dotprobe")
    True
    """
    return label_number("seed", participant, session, task)


def set_order(participant: str) -> tuple[str, str]:
    """Which stimulus set a participant sees first (pre) and second (post)."""
    return SETS if label_number("set", participant) % 2 == 0 else SETS[::-1]


def stimulus_set_for(participant: str, session: str) -> str:
    """``A`` or ``B``: pre and post always differ; other sessions (e.g. a follow-up)
    get the pre-session set again.

    >>> {stimulus_set_for("07", "pre"), stimulus_set_for("07", "post")} == {"A", "B"}
    True
    """
    first, second = set_order(participant)
    return second if session == "post" else first


def key_mapping_for(participant: str) -> str:
    """Discrimination-mode key mapping ``A`` or ``B``, balanced over participants."""
    return "A" if label_number("keys", participant) % 2 == 0 else "B"
