"""participants.tsv is the lab's file: the battery changes its own cells only, keeps every
other byte, never loses a row to a concurrent writer, and refuses (exit 2, file and line
named) what it cannot read without guessing."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest

from icb.errors import BadInput, DataExistsError
from tasks.core.lab_tables import recorded_group, update_participants
from tasks.core.writer import EventsWriter

REPO = Path(__file__).resolve().parent.parent
KEYPRESS = REPO / "configs" / "demo" / "keypress.yaml"

# what a lab's own participants.tsv may hold: extra columns, signed numbers, quotes, an
# empty cell, a CRLF line, a formula-looking note
LAB = ("participant_id\tgroup\tage\tweeks_postpartum\tnote\n"
       "sub-01\tMORE\t-3\t+2\t\"quoted, kept\"\n"
       "sub-02\tcontrol\t31\t\t=SUM(A1)\r\n"
       "sub-03\tn/a\t28.50\t6\tplain\n")


def test_lab_cells_survive_ten_runs_byte_for_byte(tmp_path):
    from icb.cli import main
    path = tmp_path / "participants.tsv"
    path.write_bytes(LAB.encode("utf-8"))
    for k in range(10):  # ten real (data-only) runs: five new participants, then again
        first = 4 + k % 5
        assert main(["simulate", str(KEYPRESS), "--participants", "1", "--first", str(first),
                     "--data-dir", str(tmp_path), "--sessions",
                     "pre" if k < 5 else "post"]) == 0, k
    text = path.read_bytes().decode("utf-8")
    assert text.startswith(LAB), text  # every lab byte kept, in place
    added = text[len(LAB):].splitlines()
    assert len(added) == 5 and all(line.count("\t") == 4 for line in added)
    assert all(line.endswith("\tn/a\tn/a\tn/a") for line in added)


def test_known_participant_keeps_lab_cells_when_its_group_changes(tmp_path):
    path = tmp_path / "participants.tsv"
    path.write_bytes(LAB.encode("utf-8"))
    update_participants(tmp_path, "03", "MORE")  # n/a -> MORE: the one cell changes
    assert path.read_bytes().decode() == LAB.replace("sub-03\tn/a\t", "sub-03\tMORE\t")
    before = path.stat().st_mtime_ns
    update_participants(tmp_path, "02", None)  # nothing to change: not even rewritten
    update_participants(tmp_path, "02", "control")
    assert path.stat().st_mtime_ns == before
    assert recorded_group(tmp_path, "03") == "MORE"


@pytest.mark.parametrize("data, says", [
    (LAB.replace("kept", "k\u00e9pt").encode("latin-1"), "is not UTF-8 (perhaps Latin-1"),
    (LAB.encode("utf-16"), "the file is UTF-16 text; allowed: UTF-8"),
    ((LAB + "sub-02\tMORE\t30\t1\tagain\n").encode(),
     "participant_id sub-02 appears on lines 3 and 5; allowed: each participant once"),
    ((LAB + "sub-04\tMORE\t30\t1\tone\ttwo\textra\n").encode(),
     "line 5: 7 field(s), the header has 5"),
])
def test_unreadable_or_ambiguous_file_is_refused_and_kept(tmp_path, data, says):
    path = tmp_path / "participants.tsv"
    path.write_bytes(data)
    with pytest.raises(BadInput, match="nothing was changed") as err:
        update_participants(tmp_path, "09", "MORE")
    assert says in str(err.value) and str(path) in str(err.value)
    assert path.read_bytes() == data


def test_a_run_into_a_latin1_participants_file_is_one_line_exit_2(tmp_path):
    path = tmp_path / "participants.tsv"
    data = LAB.replace("kept", "k\u00e9pt").encode("latin-1")
    path.write_bytes(data)
    out = subprocess.run([sys.executable, "-m", "icb.cli", "simulate", str(KEYPRESS),
                          "--participants", "1", "--data-dir", str(tmp_path)],
                         capture_output=True, text=True, cwd=REPO, timeout=120)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "is not UTF-8" in out.stderr and path.read_bytes() == data


def _writer(root: str, participant: str, barrier, results) -> None:
    barrier.wait()  # both start at the same instant
    try:
        w = EventsWriter.create(Path(root), participant=participant, session="pre",
                                task="keypress", provenance={}, group="MORE")
    except DataExistsError:
        results.put("exists")
        return
    for k in range(5):
        w.append({c: None for c in w.columns} | {"onset": float(k), "duration": 1.0,
                                                 "trial_index": k + 1})
    w.finish("completed")
    results.put("written")


@pytest.mark.parametrize("same_participant", [False, True])
def test_two_writers_at_the_same_instant_20_times(tmp_path, same_participant):
    ctx = multiprocessing.get_context("fork")
    for trial in range(20):
        root = tmp_path / f"t{trial}"
        barrier, queue = ctx.Barrier(2), ctx.Queue()
        pids = ["07", "07"] if same_participant else ["07", "08"]
        procs = [ctx.Process(target=_writer, args=(str(root), p, barrier, queue))
                 for p in pids]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(60)
            assert proc.exitcode == 0
        results = sorted(queue.get(timeout=10) for _ in procs)
        rows = (root / "participants.tsv").read_text().splitlines()
        assert sorted(rows[1:]) == sorted({f"sub-{p}\tMORE" for p in pids}), (trial, rows)
        events = sorted(root.rglob("*_events.tsv"))
        sidecars = sorted(root.rglob("*_events.json"))
        # the same run: one wins, the other is refused and deletes nothing of the winner's
        assert results == (["exists", "written"] if same_participant else ["written"] * 2)
        assert len(events) == len(sidecars) == results.count("written")
        for tsv in events:  # every row whole, the sidecar completed
            lines = tsv.read_text().splitlines()
            assert len(lines) == 6 and {line.count("\t") for line in lines} == {
                lines[0].count("\t")}
            assert '"Status": "completed"' in tsv.with_suffix(".json").read_text()


@pytest.mark.parametrize("locks", ["granted_twice", "enolck"])
def test_a_data_root_whose_locks_do_not_hold_is_refused(tmp_path, capsys, monkeypatch, locks):
    """A file system whose flock locks nothing (some network drives) or fails with ENOLCK:
    the run is refused before anything is written, naming the lock file (exit 2).  The
    file system is stood in for by the locking call: no such mount can be made here."""
    import errno
    import fcntl

    from icb.cli import main

    def no_lock(fd, op):
        if locks == "enolck":
            raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_lock)
    root = tmp_path / "share"
    assert main(["simulate", str(KEYPRESS), "--participants", "1", "--data-dir",
                 str(root)]) == 2
    err = capsys.readouterr().err
    assert "does not lock files" in err and str(root / ".participants.lock") in err, err
    assert sorted(p.name for p in root.iterdir()) == [".participants.lock"]  # nothing else
