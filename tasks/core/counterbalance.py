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


def participant_index(participant: str) -> int:
    """The number counterbalancing works from: ``int(label)`` for an all-digit label
    (``"07"`` -> 7), else a stable SHA-256 number of the label.

    Consecutive numeric labels (01, 02, ...) give exactly balanced orders and sets;
    other labels are balanced only in expectation.

    >>> participant_index("07"), participant_index("P07") == participant_index("P07")
    (7, True)
    """
    if participant.isdigit() and participant.isascii():
        return int(participant)
    return label_number("index", participant)


def set_order(participant: str) -> tuple[str, str]:
    """Which stimulus set a participant sees first (pre) and second (post):
    even index -> A then B, odd index -> B then A."""
    return SETS if participant_index(participant) % 2 == 0 else SETS[::-1]


def stimulus_set_for(participant: str, session: str) -> str:
    """``A`` or ``B``: pre and post always differ; other sessions (e.g. a follow-up)
    get the pre-session set again.  Battery and single-task runs use this same rule.

    >>> {stimulus_set_for("07", "pre"), stimulus_set_for("07", "post")} == {"A", "B"}
    True
    """
    first, second = set_order(participant)
    return second if session == "post" else first


def latin_square(n: int) -> list[list[int]]:
    """A balanced (Williams) Latin square of orders of ``n`` items.

    Every item is in every position equally often, and every item directly follows
    every other item equally often (first-order carry-over balanced).  ``n`` rows
    when ``n`` is even; ``2n`` rows (the square and its mirror) when ``n`` is odd.

    >>> latin_square(4)
    [[0, 1, 3, 2], [1, 2, 0, 3], [2, 3, 1, 0], [3, 0, 2, 1]]
    """
    if n < 1:
        raise ValueError(f"latin_square: n must be at least 1, not {n}")
    first, low, high = [0], 1, n - 1
    while len(first) < n:
        first.append(low)
        low += 1
        if len(first) < n:
            first.append(high)
            high -= 1
    rows = [[(x + r) % n for x in first] for r in range(n)]
    if n % 2 == 1 and n > 1:
        rows += [row[::-1] for row in rows]
    return rows


def order_row(participant: str, n_tasks: int) -> int:
    """The Latin-square row a participant gets: ``(index // 2) mod rows``.

    Dividing by 2 first crosses order with the set (which uses ``index mod 2``), so
    every order x first-set cell comes up once in each run of ``2 x rows`` numbers.
    The order is the same in every session of a participant.
    """
    return (participant_index(participant) // len(SETS)) % len(latin_square(n_tasks))


def task_order(participant: str, items: list, *, order: str = "latin_square") -> list:
    """``items`` in this participant's order (``order='fixed'``: as listed)."""
    if order == "fixed" or len(items) < 2:
        return list(items)
    row = latin_square(len(items))[order_row(participant, len(items))]
    return [items[i] for i in row]


def key_mapping_for(participant: str) -> str:
    """Discrimination-mode key mapping ``A`` or ``B``, balanced over participants."""
    return "A" if label_number("keys", participant) % 2 == 0 else "B"
