"""Counterbalancing: Latin-square task orders and stimulus sets over participants,
pure functions of the labels (reproducible offline)."""

import subprocess
import sys
from collections import Counter
from itertools import permutations

import pytest

from tasks.core import counterbalance as cb

TASKS = ["dotprobe", "rating", "keypress", "cryrating"]
LABELS_24 = [f"{i:02d}" for i in range(1, 25)]


@pytest.mark.parametrize("n", range(1, 8))
def test_latin_square_is_balanced(n):
    rows = cb.latin_square(n)
    assert len(rows) == (2 * n if n % 2 and n > 1 else n)
    for row in rows:
        assert sorted(row) == list(range(n))
    for pos in range(n):  # every item equally often in every position
        counts = Counter(row[pos] for row in rows)
        assert len(set(counts.values())) == 1 and len(counts) == n
    if n > 1:  # every ordered pair of neighbours equally often (Williams design)
        pairs = Counter((a, b) for row in rows for a, b in zip(row, row[1:]))
        assert set(pairs) == set(permutations(range(n), 2))
        assert len(set(pairs.values())) == 1


def test_24_participants_orders_and_sets_balanced():
    orders = [tuple(cb.task_order(p, TASKS)) for p in LABELS_24]
    counts = Counter(orders)
    assert len(counts) == 4 and set(counts.values()) == {6}  # each square row 6 times
    for pos in range(4):
        assert set(Counter(o[pos] for o in orders).values()) == {6}
    for session in ("pre", "post"):
        sets = Counter(cb.stimulus_set_for(p, session) for p in LABELS_24)
        assert sets == {"A": 12, "B": 12}
    # order crossed with the first set: every cell equally often
    cells = Counter((o, cb.stimulus_set_for(p, "pre")) for p, o in zip(LABELS_24, orders))
    assert len(cells) == 8 and set(cells.values()) == {3}


def test_no_one_sees_the_same_set_twice():
    for p in LABELS_24 + ["P07", "abc", "X1"]:
        assert cb.stimulus_set_for(p, "pre") != cb.stimulus_set_for(p, "post")
        assert cb.stimulus_set_for(p, "followup") == cb.stimulus_set_for(p, "pre")


def test_same_order_in_every_session_and_fixed_order_kept():
    assert cb.task_order("05", TASKS, order="fixed") == TASKS
    assert cb.task_order("05", TASKS) == cb.task_order("05", list(TASKS))
    assert cb.participant_index("007") == 7 and cb.participant_index("P7") != 7


def test_pure_functions_of_labels_in_a_fresh_interpreter():
    """Same answers in a new process (no salted hash, no state)."""
    code = ("from tasks.core import counterbalance as cb;"
            "print([(cb.task_order(p, list('abcd')), cb.stimulus_set_for(p, s)) "
            "for p in ('01','P07','zz9') for s in ('pre','post')])")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={"PYTHONHASHSEED": str(seed), "PATH": ""},
                           cwd=str(__import__("pathlib").Path(__file__).parent.parent)).stdout
            for seed in (1, 2)}
    assert len(runs) == 1
    here = [(cb.task_order(p, list("abcd")), cb.stimulus_set_for(p, s))
            for p in ("01", "P07", "zz9") for s in ("pre", "post")]
    assert runs.pop().strip() == repr(here)


def test_hashed_labels_roughly_balanced():
    labels = [f"P{i:03d}x" for i in range(400)]
    sets = Counter(cb.stimulus_set_for(p, "pre") for p in labels)
    assert 160 <= sets["A"] <= 240
