"""Reading the events files under a data root (contract §3).

Each events file is typed and checked against the columns its paradigm's scorer requires
(``Scorer.columns``): every required column present, ``onset`` and ``duration`` first,
every row with the header's number of fields, types (float / whole number / levels),
``n/a`` only where allowed, no duplicate ``trial_index``.  Columns the scorer does not
require are kept (numbers when every value is one, else text).  A file that fails a check gets ``Run.problem`` (its reason in
exclusions.tsv) and the rest is read; nothing is dropped silently.

>>> parse_name("sub-07_ses-pre_task-faces_run-02_events.tsv").run
2
"""

from __future__ import annotations

import csv
import io as _io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import large_events
from icb.bids import BidsName
from icb.columns import Column

BATCH_FILES = 200  # files parsed together (bounds memory)
LARGE_FILE_BYTES = 8 << 20  # a file this large is checked and parsed alone, from its bytes
WHOLE_RE = r"-?(?:0|[1-9][0-9]*)"
NUMBER_RE = WHOLE_RE + r"(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
SOURCE = "_source"  # hidden column: the path of the file a row came from
# names the scorer gives its own columns: a file's column of that name is renamed file_<name>
RESERVED = frozenset({"_file", "_line", SOURCE, "participant_id", "session", "task", "run"})


class FileProblem(Exception):
    """A file that cannot be scored; the message is the reason written to exclusions.tsv."""


@dataclass
class Run:
    """One events file found under the data root; ``task`` is its label."""

    path: Path
    participant: str
    session: str
    task: str
    run: int
    sha256: str = ""
    status: str = "unknown"
    simulated: bool = False
    paradigm: str | None = None
    sidecar_problem: str | None = None
    problem: str | None = None
    n_rows: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def participant_id(self) -> str:
        return f"sub-{self.participant}"


@dataclass(frozen=True)
class Sidecar:
    """What the analysis reads from a sidecar (``paradigm`` None when it does not say)."""

    status: str
    simulated: bool
    paradigm: str | None
    problem: str | None


def parse_name(name: str) -> BidsName:
    """The entities of an events file name (run as a number); FileProblem if not one."""
    parsed = BidsName.parse(name)
    if parsed is None:
        raise FileProblem("file name does not follow sub-<P>_ses-<S>_task-<T>_run-<N>_events.tsv")
    return parsed


def find_event_files(data_root: Path) -> list[Path]:
    """Every regular ``*_events.tsv`` under ``data_root``, sorted by path."""
    return find_event_entries(data_root)[0]


def find_event_entries(data_root: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(regular events files, [(path, reason)] for every entry that looks like one, or
    might hold some, but cannot be scored): a symbolic link (to a folder or a file; not
    followed, so that nothing outside the data root is read or a loop walked), a FIFO or
    a folder named like an events file, a folder that cannot be read.  Sorted by path."""
    root = Path(data_root)
    files, problems = [], []

    def unreadable(exc: OSError) -> None:
        problems.append((Path(exc.filename), f"folder cannot be read ({exc.strerror})"))

    for folder, dirs, names in os.walk(root, onerror=unreadable):
        here = Path(folder)
        for name in sorted(dirs):
            path = here / name
            if path.is_symlink():
                problems.append((path, "a symbolic link to a folder: not followed (copy the "
                                       "folder into the data root to score it)"))
            elif name.endswith("_events.tsv"):
                problems.append((path, "a folder, not an events file"))
        for name in names:
            if not name.endswith("_events.tsv"):
                continue
            path = here / name
            if path.is_symlink():
                problems.append((path, "a symbolic link: not followed (copy the file into "
                                       "the data root to score it)"))
            elif not path.is_file():
                problems.append((path, "not a regular file (a FIFO, socket or device)"))
            else:
                files.append(path)
    return sorted(files), sorted(problems)


def read_sidecar(tsv_path: Path) -> Sidecar:
    """Status, Simulated and Paradigm of ``Provenance``; status ``unknown`` if unreadable.

    >>> read_sidecar(Path("/nonexistent/x_events.tsv")).problem
    'sidecar missing'
    """
    json_path = tsv_path.with_suffix(".json")
    if not json_path.is_file():
        return Sidecar("unknown", False, None, "sidecar missing")
    try:
        prov = json.loads(json_path.read_text(encoding="utf-8"))["Provenance"]
        paradigm = prov.get("Paradigm")
        paradigm = paradigm if isinstance(paradigm, str) and paradigm else None
        status = prov["Status"]
        if status not in ("in_progress", "completed", "aborted"):
            return Sidecar("unknown", bool(prov.get("Simulated")), paradigm,
                           f"sidecar: unknown Status {status!r}")
        return Sidecar(status, bool(prov.get("Simulated")), paradigm, None)
    except RecursionError:  # e.g. 100,000 nested [
        return Sidecar("unknown", False, None, "sidecar unreadable (nested too deep)")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return Sidecar("unknown", False, None,
                       f"sidecar unreadable ({type(exc).__name__}: {exc})")


def check_header(header: list[str], required: list[str]) -> None:
    """FileProblem when a header lacks a required column, repeats a name or does not start
    with onset and duration."""
    if len(set(header)) != len(header):
        raise FileProblem("bad header: a column name appears twice")
    missing = [c for c in required if c not in header]
    if missing:
        raise FileProblem(f"bad header: missing column(s) {', '.join(missing)}")
    if header[:2] != ["onset", "duration"]:
        raise FileProblem("bad header: onset and duration must be the first two columns")


def split_lines(text: str, required: list[str]) -> tuple[list[str], list[str], str | None]:
    """(header, data lines, warning) of one events file; FileProblem when unreadable.

    >>> split_lines("onset\\tduration\\n1\\t2\\n", ["onset", "duration"])
    (['onset', 'duration'], ['1\\t2'], None)
    >>> split_lines("onset\\tduration\\n", ["onset", "rt_ms"])
    Traceback (most recent call last):
    ...
    analysis.events.FileProblem: bad header: missing column(s) rt_ms
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise FileProblem("empty file (no header)")
    lines = text.split("\n")
    warning = None
    if lines[-1] == "":
        lines.pop()
    else:
        warning = "last line has no line end"
    lines = [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
    header = lines[0].split("\t")
    check_header(header, required)
    n = len(header)
    for i, line in enumerate(lines[1:], start=2):
        if "\r" in line or "\x00" in line:
            raise FileProblem(f"line {i}: stray carriage-return or NUL character")
        k = line.count("\t") + 1
        if k != n:
            cut = " (row cut short)" if k < n else ""
            raise FileProblem(f"line {i}: {k} fields, the header has {n}{cut}")
    return header, lines[1:], warning


def split_large(data: bytes, required: list[str]) -> tuple[list[str], bytes, str | None] | None:
    """(header, bytes without a byte-order mark, warning) of a large file that passes every
    check of :func:`split_lines` (made on the bytes by :mod:`analysis.large_events`), or
    None: then ``split_lines`` is the judge (and names what is wrong).  UTF-8 is checked by
    the caller.

    >>> split_large(b"onset\\tduration\\n1\\t2", ["onset"])
    (['onset', 'duration'], b'onset\\tduration\\n1\\t2', 'last line has no line end')
    >>> split_large(b"onset\\tduration\\n1\\t2\\t3\\n", ["onset"]) is None
    True
    """
    if data.startswith(large_events.BOM):
        data = data[len(large_events.BOM):]
    found = large_events.header_line(data)
    if found is None:
        return None
    header = found[0].split("\t")
    try:
        check_header(header, required)
    except FileProblem:
        return None
    if not large_events.well_formed(data, found[1], len(header)):
        return None
    return header, data, None if data.endswith(b"\n") else "last line has no line end"


def _check_column(col: Column, values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(typed values, bad-cell mask) of one required column (text, never missing).

    A column with few distinct values (a level, a block number) has each distinct value
    checked and converted once: the same results, since a cell's result depends only on
    its text and the set of texts in the column.

    >>> col = Column("block", "Block", "", "int")
    >>> typed, bad = _check_column(col, pd.Series(["1", "2", "x", "1", "1", "2"]))
    >>> typed.tolist(), bad.tolist()
    ([1.0, 2.0, nan, 1.0, 1.0, 2.0], [False, False, True, False, False, False])
    """
    codes, uniques = pd.factorize(values)
    if len(uniques) > len(values) // 2 or (codes < 0).any():
        return _check_values(col, values)
    typed, bad = _check_values(col, pd.Series(uniques, dtype=values.dtype))
    return (pd.Series(typed.array.take(codes), index=values.index, name=values.name),
            pd.Series(bad.to_numpy()[codes], index=values.index, name=values.name))


def _check_values(col: Column, values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(typed values, bad-cell mask) of one required column (vectorised)."""
    is_na = values == "n/a"
    bad = values == ""
    if not col.nullable:
        bad |= is_na
    if col.dtype in ("float", "int"):
        num = pd.to_numeric(values.where(~is_na & ~bad), errors="coerce").astype("float64")
        arr = num.to_numpy()
        bad |= ~is_na & ~np.isfinite(arr)
        if col.dtype == "int":
            bad |= ~is_na & np.isfinite(arr) & (np.floor(arr) != arr)
        typed = num
    else:
        typed = values.where(~is_na)
    if col.levels:
        bad |= ~is_na & ~values.isin(list(col.levels))
    return typed, bad


def allowed(col: Column) -> str:
    """What a column allows, for messages.

    >>> allowed(Column("rt_ms", "RT", "", "float", nullable=True))
    'a number or n/a'
    """
    if col.levels:
        return ", ".join(col.levels) + (" or n/a" if col.nullable else "")
    kind = {"float": "a number", "int": "a whole number", "str": "text"}[col.dtype]
    return kind + (" or n/a" if col.nullable else "")


def infer_extra(values: pd.Series) -> pd.Series:
    """A column the scorer does not require: whole numbers when every value is one, numbers
    when every value is one (so that ``-4.0`` stays a number in trials.tsv), else text;
    ``n/a`` is missing.  A value with a leading zero (``007``, an id) keeps it text.

    >>> [str(infer_extra(pd.Series(v)).dtype) for v in (["1", "n/a"], ["-4.0"], ["007", "1"])]
    ['Int64', 'float64', 'object']
    """
    text = values.where(values != "n/a")
    present = text.dropna()
    if present.empty:
        return text.astype(object)
    if present.str.fullmatch(WHOLE_RE).all():
        return pd.to_numeric(text).astype("Int64")
    if present.str.fullmatch(NUMBER_RE).all():
        return pd.to_numeric(text).astype("float64")
    return text.astype(object)


def _parse_batch(header: tuple, items: list, cols: dict, runs: list[Run]) -> pd.DataFrame:
    body = "".join(f"{idx}\t{i + 2}\t{line}\n" for idx, lines in items
                   for i, line in enumerate(lines))
    names = ["_file", "_line", *header]
    if body:
        raw = pd.read_csv(_io.StringIO(body), sep="\t", header=None, names=names, dtype=str,
                          keep_default_na=False, na_filter=False, quoting=csv.QUOTE_NONE,
                          engine="c")
    else:
        raw = pd.DataFrame({n: pd.Series([], dtype=str) for n in names})
    raw["_file"] = raw["_file"].astype(int)
    raw["_line"] = raw["_line"].astype(int)
    return _check_rows(raw, header, cols, runs)


def _check_rows(raw: pd.DataFrame, header, cols: dict, runs: list[Run], floats=()
                ) -> pd.DataFrame:
    """Type the required columns of ``raw`` (text, with _file and _line; the columns named
    in ``floats`` are typed and checked already); a file with a bad value or a repeated
    trial_index gets ``Run.problem`` and its rows are left out.  ``raw`` is used up: each
    column leaves it once typed (a large file's text and types are not all held at once)."""
    bad_files: dict[int, tuple[int, str]] = {}
    out = {"_file": raw["_file"]}
    for name in header:
        if name in floats or name not in cols:  # not in cols: typed per label in read_tables
            out[name] = raw.pop(name)
            continue
        typed, bad = _check_column(cols[name], raw[name])
        out[name] = typed
        if bad.any():
            first = raw.loc[bad, ["_file", "_line", name]].groupby("_file").first()
            for f, row in first.iterrows():
                line = int(row["_line"])
                reason = (f"line {line}: column {name}: bad value {row[name]!r}; "
                          f"allowed: {allowed(cols[name])}")
                if f not in bad_files or line < bad_files[f][0]:
                    bad_files[f] = (line, reason)
        del raw[name], typed, bad
    frame = pd.DataFrame(out, copy=False)
    del out
    dup = frame.duplicated(["_file", "trial_index"], keep=False) & frame["trial_index"].notna()
    for f in frame.loc[dup, "_file"].unique():
        bad_files.setdefault(int(f), (0, "duplicate trial_index"))
    for f, (_, reason) in bad_files.items():
        runs[f].problem = reason
    return frame[~frame["_file"].isin(list(bad_files))] if bad_files else frame


def _read_file(run: Run, required: list[str]) -> tuple[list[str], list[str] | bytes, str | None]:
    """(header, data lines -- or, for a large file that passes every check, its bytes --,
    warning) of one events file; UnicodeDecodeError, OSError or FileProblem when unreadable."""
    data = run.path.read_bytes()
    if len(data) >= LARGE_FILE_BYTES:
        if not data.isascii():
            data.decode("utf-8")  # the check only: a large file's text is never kept
        found = split_large(data, required)
        if found is not None:
            return found
    text = data.decode("utf-8")
    del data  # a large file is in memory once: as text, then as lines
    return split_lines(text, required)


def _source_column(paths: list[str], files: np.ndarray):
    """The path of each row's file; a categorical of the paths in sorted order (it sorts as
    the paths do) when they are distinct, so that a long path is not stored once a row.

    >>> _source_column(["b", "a"], np.array([0, 0, 1])).tolist()
    ['b', 'b', 'a']
    """
    if len(set(paths)) < len(paths):
        return np.array(paths, dtype=object)[files]
    order = sorted(range(len(paths)), key=paths.__getitem__)
    rank = np.empty(len(paths), dtype=int)
    rank[order] = np.arange(len(paths))
    return pd.Categorical.from_codes(rank[files], categories=[paths[i] for i in order])


def read_tables(runs: list[Run], columns: tuple[Column, ...]) -> pd.DataFrame:
    """Read, check and type ``runs`` (one label) against ``columns``; set ``Run.problem``.

    Returns the readable rows with participant_id, session, task, run in front (and the
    hidden ``_source`` path), ordered by participant, session, run, trial_index.  A required
    column is typed (floats, nullable whole numbers, text); any other column is kept, typed
    by :func:`infer_extra`.

    >>> import tempfile
    >>> from icb.columns import COMMON_HEAD
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "sub-1_ses-pre_task-x_run-1_events.tsv"
    ...     _ = p.write_text("onset\\tduration\\ttrial_index\\tphase\\tblock\\tnote\\n"
    ...                      "0.5\\t1\\t1\\ttest\\t1\\thi\\n")
    ...     t = read_tables([Run(p, "1", "pre", "x", 1)], COMMON_HEAD)
    >>> t[["participant_id", "task", "onset", "trial_index", "note"]].to_dict("records")
    [{'participant_id': 'sub-1', 'task': 'x', 'onset': 0.5, 'trial_index': 1, 'note': 'hi'}]
    """
    cols = {c.name: c for c in columns}
    required = [c.name for c in columns]
    by_header: dict[tuple, list[tuple[int, list[str]]]] = {}
    frames = []
    for idx, run in enumerate(runs):
        try:
            header, lines, warning = _read_file(run, required)
        except UnicodeDecodeError:
            run.problem = "not UTF-8 text"
            continue
        except OSError as exc:
            run.problem = f"cannot be read ({exc.strerror})"
            continue
        except FileProblem as exc:
            run.problem = str(exc)
            continue
        if warning:
            run.warnings.append(warning)
        for k, name in enumerate(header):  # a lab's column may not take the scorer's names
            if name in RESERVED and name not in cols:
                header[k] = f"file_{name.lstrip('_')}"
                run.warnings.append(f"column {name!r} is a name the scorer uses itself; kept "
                                    f"as {header[k]!r}")
        if isinstance(lines, bytes):  # a large file: parsed now, its bytes freed, checked
            raw, floats = large_events.read(idx, header, lines, cols)
            del lines
            frames.append(_check_rows(raw, header, cols, runs, floats=floats))
            del raw
        else:
            by_header.setdefault(tuple(header), []).append((idx, lines))
            del lines
    frames += [_parse_batch(header, items[k:k + BATCH_FILES], cols, runs)
               for header, items in sorted(by_header.items())
               for k in range(0, len(items), BATCH_FILES)]
    data = pd.concat(frames, ignore_index=True) if frames else \
        pd.DataFrame({"_file": pd.Series([], dtype=int)})
    del frames  # a large file's rows: only once in memory
    for name, col in cols.items():
        if name not in data:
            data[name] = pd.Series([], dtype="float64" if col.dtype != "str" else object)
    counts = data["_file"].value_counts()
    for idx, run in enumerate(runs):
        run.n_rows = int(counts.get(idx, 0))
    files = data["_file"].to_numpy()

    def per_row(values: list, dtype) -> np.ndarray:  # a value per run, taken for each row
        return np.array(values, dtype=dtype)[files]

    head = pd.DataFrame({
        "participant_id": per_row([r.participant_id for r in runs], object),
        "session": per_row([r.session for r in runs], object),
        "task": per_row([r.task for r in runs], object),
        "run": per_row([r.run for r in runs], int),
        SOURCE: _source_column([str(r.path) for r in runs], files)}, index=data.index)
    extra = sorted(c for c in data.columns if c not in cols and c != "_file")
    for name in extra:  # a column some files lack is n/a in their rows
        data[name] = infer_extra(data[name].fillna("n/a").astype(str))
    data = pd.concat([head, data[required + extra]], axis=1)
    for name, col in cols.items():
        if col.dtype == "int":
            data[name] = data[name].astype("Int64")
    data = data.sort_values(["participant_id", "session", "run", SOURCE, "trial_index"],
                            kind="stable")
    return data.reset_index(drop=True)
