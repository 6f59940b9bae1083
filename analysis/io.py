"""All reading and writing of the analysis package.

Reading: every ``*_events.tsv`` under a data root, typed and checked against
the column declarations of ``tasks.core.columns`` (contract section 3).  A file
that cannot be read (bad name, bad header, a row cut short, a wrong type) is
listed with its reason and the rest is read; nothing is dropped silently.

Writing: TSV with ``n/a`` for missing values, numbers unrounded (``repr``),
text that a spreadsheet could run as a formula made safe; files are created
exclusively (never overwritten).

>>> parse_name("sub-07_ses-pre_task-dotprobe_run-2_events.tsv")
('07', 'pre', 'dotprobe', 2)
"""

from __future__ import annotations

import csv
import hashlib
import io as _io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from icb.bids import EVENTS_RE
from tasks.core.columns import TASK_COLUMNS

KEY_COLUMNS = ("participant_id", "session", "task", "run")
FORMULA_START = ("=", "+", "-", "@")
BATCH_FILES = 200  # files parsed together (bounds memory)


class FileProblem(Exception):
    """A file that cannot be scored; the message is the reason written to exclusions.tsv."""


@dataclass
class Run:
    """One events file found under the data root."""

    path: Path
    participant: str
    session: str
    task: str
    run: int
    sha256: str = ""
    status: str = "unknown"
    simulated: bool = False
    sidecar_problem: str | None = None
    problem: str | None = None
    n_rows: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def participant_id(self) -> str:
        return f"sub-{self.participant}"


def parse_name(name: str) -> tuple[str, str, str, int]:
    """(participant, session, task, run) from an events file name; FileProblem if not."""
    m = EVENTS_RE.match(name)
    if not m:
        raise FileProblem("file name does not follow sub-<P>_ses-<S>_task-<T>_run-<N>_events.tsv")
    return m["participant"], m["session"], m["task"], int(m["run"])


def find_event_files(data_root: Path) -> list[Path]:
    """Every ``*_events.tsv`` under ``data_root``, sorted by path (order-independent)."""
    return sorted(p for p in Path(data_root).rglob("*_events.tsv") if p.is_file())


def read_sidecar(tsv_path: Path) -> tuple[str, bool, str | None]:
    """(status, simulated, problem) from the run's sidecar; status ``unknown`` if unreadable."""
    json_path = tsv_path.with_suffix(".json")
    if not json_path.is_file():
        return "unknown", False, "sidecar missing"
    try:
        data = json.loads(json_path.read_text(encoding="utf-8"))
        prov = data["Provenance"]
        status = prov["Status"]
        if status not in ("in_progress", "completed", "aborted"):
            return "unknown", bool(prov.get("Simulated")), f"sidecar: unknown Status {status!r}"
        return status, bool(prov.get("Simulated")), None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return "unknown", False, f"sidecar unreadable ({type(exc).__name__}: {exc})"


def split_lines(text: str, task: str) -> tuple[list[str], list[str], str | None]:
    """(header, data lines, warning) of one events file; FileProblem when unreadable."""
    declared = [c.name for c in TASK_COLUMNS[task]]
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
    if len(set(header)) != len(header):
        raise FileProblem("bad header: a column name appears twice")
    missing = [c for c in declared if c not in header]
    if missing:
        raise FileProblem(f"bad header: missing column(s) {', '.join(missing)}")
    if header[:2] != ["onset", "duration"]:
        raise FileProblem("bad header: onset and duration must be the first two columns")
    n = len(header)
    for i, line in enumerate(lines[1:], start=2):
        if "\r" in line or "\x00" in line:
            raise FileProblem(f"line {i}: stray carriage-return or NUL character")
        k = line.count("\t") + 1
        if k != n:
            cut = " (row cut short)" if k < n else ""
            raise FileProblem(f"line {i}: {k} fields, the header has {n}{cut}")
    return header, lines[1:], warning


def _check_column(col, values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(typed values, bad-cell mask) of one declared column (vectorised)."""
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


def _allowed(col) -> str:
    if col.levels:
        return ", ".join(col.levels) + (" or n/a" if col.nullable else "")
    kind = {"float": "a number", "int": "a whole number", "str": "text"}[col.dtype]
    return kind + (" or n/a" if col.nullable else "")


def read_task_tables(runs: list[Run], task: str) -> pd.DataFrame:
    """Read, check and type every run of ``task``; sets ``run.problem`` for unreadable files.

    Returns one frame of all readable rows with ``participant_id``, ``session``,
    ``task`` and ``run`` added, rows ordered by run key and ``trial_index``.
    """
    cols = {c.name: c for c in TASK_COLUMNS[task]}
    by_header: dict[tuple, list[tuple[int, list[str]]]] = {}
    for idx, run in enumerate(runs):
        try:
            text = run.path.read_bytes().decode("utf-8")
            header, lines, warning = split_lines(text, task)
        except UnicodeDecodeError:
            run.problem = "not UTF-8 text"
            continue
        except FileProblem as exc:
            run.problem = str(exc)
            continue
        if warning:
            run.warnings.append(warning)
        by_header.setdefault(tuple(header), []).append((idx, lines))
    frames = []
    batches = [(header, items[k:k + BATCH_FILES]) for header, items in by_header.items()
               for k in range(0, len(items), BATCH_FILES)]
    for header, items in batches:
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
        bad_files: dict[int, str] = {}
        out = {"_file": raw["_file"], "_line": raw["_line"]}
        for name in header:
            if name not in cols:
                out[name] = raw[name].where(raw[name] != "n/a")
                continue
            typed, bad = _check_column(cols[name], raw[name])
            out[name] = typed
            if bad.any():
                first = raw.loc[bad, ["_file", "_line", name]].groupby("_file").first()
                for f, row in first.iterrows():
                    reason = (f"line {row['_line']}: column {name}: bad value {row[name]!r}; "
                              f"allowed: {_allowed(cols[name])}")
                    if f not in bad_files or row["_line"] < int(bad_files[f].split(":")[0][5:]):
                        bad_files[f] = reason
        frame = pd.DataFrame(out)
        dup = frame.duplicated(["_file", "trial_index"], keep=False) & frame["trial_index"].notna()
        for f in frame.loc[dup, "_file"].unique():
            bad_files.setdefault(int(f), "duplicate trial_index")
        for f, reason in bad_files.items():
            runs[f].problem = reason
        frame = frame[~frame["_file"].isin(list(bad_files))]
        frames.append(frame)
    if frames:
        data = pd.concat(frames, ignore_index=True)
    else:
        data = pd.DataFrame({"_file": pd.Series([], dtype=int)})
    for name, col in cols.items():
        if name not in data:
            data[name] = pd.Series([], dtype="float64" if col.dtype != "str" else object)
    counts = data["_file"].value_counts()
    for idx, run in enumerate(runs):
        run.n_rows = int(counts.get(idx, 0))
    files = data["_file"].to_numpy()
    data.insert(0, "run", np.array([runs[i].run for i in files], dtype=int))
    data.insert(0, "task", task)
    data.insert(0, "session", np.array([runs[i].session for i in files], dtype=object))
    data.insert(0, "participant_id", np.array([runs[i].participant_id for i in files],
                                              dtype=object))
    data = data.drop(columns=["_file", "_line"])
    for name, col in cols.items():
        if col.dtype == "int":
            data[name] = data[name].astype("Int64")
    data = data.sort_values(["participant_id", "session", "run", "trial_index"], kind="stable")
    return data.reset_index(drop=True)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_participants(data_root: Path) -> tuple[pd.DataFrame, list[str]]:
    """participants.tsv as (participant_id, group); group ``n/a`` when absent. Plus warnings."""
    path = Path(data_root) / "participants.tsv"
    if not path.is_file():
        return pd.DataFrame({"participant_id": [], "group": []}), ["participants.tsv missing"]
    try:
        table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, na_filter=False,
                            quoting=csv.QUOTE_NONE)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        return (pd.DataFrame({"participant_id": [], "group": []}),
                [f"participants.tsv unreadable ({exc}); groups not used"])
    if "participant_id" not in table:
        return (pd.DataFrame({"participant_id": [], "group": []}),
                ["participants.tsv has no participant_id column; groups not used"])
    if "group" not in table:
        table["group"] = "n/a"
    table["group"] = table["group"].replace("", "n/a")
    table = table.drop_duplicates("participant_id", keep="last")
    return table[["participant_id", "group"]].reset_index(drop=True), []


# ----------------------------------------------------------------------------- writing
def _safe_text(series: pd.Series) -> pd.Series:
    text = series.astype(object)
    mask = text.notna()
    s = text[mask].astype(str).str.replace(r"[\t\r\n]", " ", regex=True)
    s = s.where(~s.str.startswith(FORMULA_START), "'" + s)
    s = s.where(s != "", "n/a")
    text = text.copy()
    text[mask] = s
    return text


def format_frame(df: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Columns ready for TSV: numbers kept numeric, text made spreadsheet-safe."""
    out = {}
    for name in (columns or list(df.columns)):
        s = df[name] if name in df else pd.Series(np.nan, index=df.index)
        if pd.api.types.is_bool_dtype(s):
            s = s.astype(int)
        if pd.api.types.is_numeric_dtype(s):
            out[name] = s
        else:
            out[name] = _safe_text(s)
    return pd.DataFrame(out, index=df.index)


def tsv_text(df: pd.DataFrame, columns: list[str] | None = None) -> str:
    """The TSV text of ``df`` (header + rows), ``n/a`` for missing, floats unrounded.

    >>> text = tsv_text(pd.DataFrame({"a": ["-x", None], "v": [-0.1, float("nan")]}))
    >>> print(text.replace(chr(9), " | "), end="")
    a | v
    '-x | -0.1
    n/a | n/a
    """
    frame = format_frame(df, columns)
    return frame.to_csv(sep="\t", index=False, na_rep="n/a", lineterminator="\n",
                        quoting=csv.QUOTE_NONE, escapechar="\\")


def write_tsv(df: pd.DataFrame, path: Path, columns: list[str] | None = None, *,
              chunk_rows: int = 50000) -> None:
    """Write ``df`` as TSV to a new file (never overwrites), in chunks of rows (bounded memory)."""
    with open(path, "x", encoding="utf-8", newline="") as fh:
        if len(df) <= chunk_rows:
            fh.write(tsv_text(df, columns))
            return
        for start in range(0, len(df), chunk_rows):
            text = tsv_text(df.iloc[start:start + chunk_rows], columns)
            fh.write(text if start == 0 else text.split("\n", 1)[1])


def _json_clean(obj):
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {str(k): _json_clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_clean(v) for v in obj]
    if hasattr(obj, "item"):
        return _json_clean(obj.item())
    if isinstance(obj, Path):
        return str(obj)
    return obj


def write_json(obj: dict, path: Path) -> None:
    with open(path, "x", encoding="utf-8") as fh:
        fh.write(json.dumps(_json_clean(obj), indent=2, allow_nan=False) + "\n")


def read_score_tsv(path: Path) -> pd.DataFrame:
    """A score file written by :func:`write_tsv` (``n/a`` -> missing)."""
    return pd.read_csv(path, sep="\t", na_values=["n/a"], keep_default_na=False,
                       low_memory=False, quoting=csv.QUOTE_NONE)
