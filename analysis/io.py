"""Writing (and the small reads) of the analysis package.

Writing: TSV with ``n/a`` for missing values, numbers unrounded (``repr``),
text that a spreadsheet could run as a formula made safe; files are created
exclusively (never overwritten).  Reading: ``participants.tsv`` and score files.
Events files are read by :mod:`analysis.events`.

>>> tsv_text(pd.DataFrame({"task": ["=x"], "value": [0.1]})).splitlines()
['task\\tvalue', "'=x\\t0.1"]
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import tsv_cells
from analysis.tsv_cells import TO_CSV

FORMULA_START = ("=", "+", "-", "@")


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (read in 1 MiB chunks), as hex.

    >>> file_sha256(Path(__file__)) == hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    True
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_participants(data_root: Path) -> tuple[pd.DataFrame, list[str]]:
    """participants.tsv as (participant_id, group), group ``n/a`` when absent; plus warnings.

    Read strictly, never guessed: a file that is not UTF-8 gives no groups; a line with
    another number of fields than the header is not used, and a participant_id on several
    lines gets no group (``n/a``); each is a warning naming the line(s), and every other
    line is used.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "participants.tsv").write_text(
    ...         "participant_id\\tgroup\\nsub-1\\tMORE\\nsub-2\\tcontrol\\nsub-1\\tcontrol\\n"
    ...         "sub-3\\tMORE\\textra\\nsub-4\\tMORE\\n")
    ...     table, warnings = read_participants(Path(tmp))
    >>> table.to_dict("records")
    [{'participant_id': 'sub-2', 'group': 'control'}, {'participant_id': 'sub-4', 'group': 'MORE'}]
    >>> for w in warnings: print(w)
    participants.tsv, line 5: 3 field(s), the header has 2; the line is not used (fix the file)
    participants.tsv: participant_id sub-1 appears on lines 2 and 4; no group is used for it (fix the file)
    """
    empty = pd.DataFrame({"participant_id": [], "group": []})
    path = Path(data_root) / "participants.tsv"
    if not path.is_file():
        return empty, ["participants.tsv missing"]
    data = path.read_bytes()
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise UnicodeError("UTF-16 text")
        text = data.decode("utf-8-sig")
    except UnicodeError as exc:
        return empty, [f"participants.tsv is not UTF-8 text ({exc}); groups not used (save "
                       "it as UTF-8)"]
    lines = text.splitlines()
    header = lines[0].split("\t") if lines else []
    if "participant_id" not in header:
        return empty, ["participants.tsv has no participant_id column; groups not used"]
    id_at, group_at = header.index("participant_id"), (header.index("group")
                                                       if "group" in header else None)
    warnings, rows = [], []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != len(header):
            warnings.append(f"participants.tsv, line {number}: {len(fields)} field(s), the "
                            f"header has {len(header)}; the line is not used (fix the file)")
            continue
        group = fields[group_at] if group_at is not None else "n/a"
        rows.append((fields[id_at], group or "n/a", number))
    table = pd.DataFrame(rows, columns=["participant_id", "group", "line"])
    repeated = table["participant_id"].duplicated(keep=False)
    for pid, where in table[repeated].groupby("participant_id", sort=True)["line"]:
        numbers = [str(n) for n in where]
        listed = ", ".join(numbers[:-1]) + " and " + numbers[-1]
        warnings.append(f"participants.tsv: participant_id {pid} appears on lines {listed}; "
                        "no group is used for it (fix the file)")
    table = table[~repeated]
    return table[["participant_id", "group"]].reset_index(drop=True), warnings


# ----------------------------------------------------------------------------- writing
NUMBER_TEXT = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"


def _safe_text(series: pd.Series) -> pd.Series:
    """Cells as spreadsheet-safe text (missing cells kept missing); a column of text is
    made safe one distinct value at a time (the same result, much faster for long columns).

    >>> _safe_text(pd.Series(["=1", "a", None, "=1", ""], dtype=object)).tolist()
    ["'=1", 'a', None, "'=1", 'n/a']
    """
    if len(series) > 1 and pd.api.types.infer_dtype(series, skipna=True) == "string":
        codes, uniques = pd.factorize(series)
        safe = _safe_cells(pd.Series(uniques, dtype=object)).to_numpy(dtype=object)
        text = np.empty(len(series), dtype=object)
        present = codes >= 0
        text[present] = safe[codes[present]]
        if not present.all():
            text[~present] = series[~present].astype(object).to_numpy()
        return pd.Series(text, index=series.index, name=series.name, dtype=object)
    return _safe_cells(series)


def _safe_cells(series: pd.Series) -> pd.Series:
    text = series.astype(object)
    mask = text.notna()
    s = text[mask].astype(str).str.replace(r"[\t\r\n]", " ", regex=True)
    # a formula-looking text gets an apostrophe; a number (-12.5, +2) stays a number
    s = s.where(~s.str.startswith(FORMULA_START) | s.str.fullmatch(NUMBER_TEXT), "'" + s)
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
    frame = pd.DataFrame(out, index=df.index, copy=False)  # the number columns not copied
    frame.columns = list(_safe_text(pd.Series([str(c) for c in frame.columns], dtype=object)))
    return frame


def tsv_text(df: pd.DataFrame, columns: list[str] | None = None) -> str:
    """The TSV text of ``df`` (header + rows), ``n/a`` for missing, floats unrounded.

    >>> text = tsv_text(pd.DataFrame({"a": ["-x", None], "v": [-0.1, float("nan")]}))
    >>> print(text.replace(chr(9), " | "), end="")
    a | v
    '-x | -0.1
    n/a | n/a
    """
    return frame_text(format_frame(df, columns))


def frame_text(frame: pd.DataFrame) -> str:
    """The TSV text of a frame made by :func:`format_frame`."""
    columns = tsv_cells.text_columns(frame)
    if columns is None:
        return frame.to_csv(**TO_CSV)
    return frame.iloc[:0].to_csv(**TO_CSV) + tsv_cells.rows_text(columns, 0, len(frame))


def write_tsv(df: pd.DataFrame, path: Path, columns: list[str] | None = None, *,
              chunk_rows: int = 50000) -> None:
    """Write ``df`` as TSV to a new file (never overwrites); the text is made in chunks of
    rows (bounded memory)."""
    with open(path, "x", encoding="utf-8", newline="") as fh:
        frame = format_frame(df, columns)  # cell by cell: the same as chunk by chunk
        texts = tsv_cells.text_columns(frame)
        fh.write(frame.iloc[:0].to_csv(**TO_CSV))
        for start in range(0, len(frame), chunk_rows):
            stop = min(start + chunk_rows, len(frame))
            if texts is None:
                fh.write(frame.iloc[start:stop].to_csv(**TO_CSV).split("\n", 1)[1])
            else:
                fh.write(tsv_cells.rows_text(texts, start, stop))


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
    """Write ``obj`` as JSON to a new file; NaN and infinities become null."""
    with open(path, "x", encoding="utf-8") as fh:
        fh.write(json.dumps(_json_clean(obj), indent=2, allow_nan=False) + "\n")


def read_score_tsv(path: Path, dtype: dict | None = None) -> pd.DataFrame:
    """A score file written by :func:`write_tsv` (``n/a`` -> missing); ``dtype`` as pandas.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_tsv(pd.DataFrame({"task": ["007"], "value": [None]}), Path(tmp) / "s.tsv")
    ...     back = read_score_tsv(Path(tmp) / "s.tsv", dtype={"task": str})
    >>> back.to_dict("records")
    [{'task': '007', 'value': nan}]
    """
    return pd.read_csv(path, sep="\t", na_values=["n/a"], keep_default_na=False,
                       low_memory=False, quoting=csv.QUOTE_NONE, dtype=dtype)


# ----------------------------------------------------------------------------- recordings
# The files beside an events file that a scorer may read: a BIDS physio recording
# (headerless ``*_physio.tsv.gz`` written as whole gzip members, and its JSON sidecar),
# the events sidecar's ``Provenance`` and a stimulus manifest.
class UnreadableFile(Exception):
    """A recording, sidecar or manifest that cannot be used; the message says why."""


MAX_RECORDING_BYTES = 1 << 30  # decompressed; a 1 h recording at 1000 Hz is about 0.15 GB


def read_gzip_members(path: Path, *, max_bytes: int = MAX_RECORDING_BYTES
                      ) -> tuple[bytes, list[str]]:
    """The data of every whole gzip member of ``path`` (several concatenated members read as
    one stream, as :mod:`gzip` does), and warnings.  A file that ends inside a member (a
    crash while it was written), or whose bytes from some point on are not whole gzip
    data, gives the members before and a warning; the cut member's data is left out.
    :class:`UnreadableFile` for a symbolic link (not followed), a file that is not gzip,
    or more than ``max_bytes`` of data.

    >>> import gzip, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "s.tsv.gz"
    ...     _ = p.write_bytes(gzip.compress(b"a\\n") + gzip.compress(b"b\\n")
    ...                       + gzip.compress(b"c\\n")[:9])
    ...     data, warnings = read_gzip_members(p)
    >>> data
    b'a\\nb\\n'
    >>> warnings  # doctest: +ELLIPSIS
    ['s.tsv.gz: the last gzip member is cut short (a crash while it was written): 9 bytes ...']
    """
    import zlib

    name = Path(path).name
    if Path(path).is_symlink():
        raise UnreadableFile(f"{name}: a symbolic link: not followed (copy the file into the "
                             "data root to score it)")
    try:
        raw = memoryview(Path(path).read_bytes())
    except OSError as exc:
        raise UnreadableFile(f"{name}: cannot be read ({exc.strerror})") from None
    if len(raw) and raw[:2] != b"\x1f\x8b":
        raise UnreadableFile(f"{name}: not a gzip file")
    parts, pos, size = [], 0, 0
    while pos < len(raw):
        member = zlib.decompressobj(wbits=31)
        try:
            data = member.decompress(raw[pos:], max_bytes - size + 1)
        except zlib.error as exc:
            return b"".join(parts), [f"{name}: the {len(raw) - pos} bytes from byte {pos} on "
                                     f"are not whole gzip data ({exc}); not read"]
        size += len(data)
        if size > max_bytes:
            raise UnreadableFile(f"{name}: more than {max_bytes} bytes once decompressed; "
                                 f"allowed: at most {max_bytes}")
        if not member.eof:
            return b"".join(parts), [f"{name}: the last gzip member is cut short (a crash "
                                     f"while it was written): {len(raw) - pos} bytes not read"]
        parts.append(data)
        pos = len(raw) - len(member.unused_data)
    return b"".join(parts), []


def read_json_object(path: Path) -> dict:
    """A JSON file holding an object; :class:`UnreadableFile` naming the file otherwise.

    >>> read_json_object(Path("/nonexistent/x_physio.json"))
    Traceback (most recent call last):
    ...
    analysis.io.UnreadableFile: x_physio.json missing
    """
    path = Path(path)
    if not path.is_file():
        raise UnreadableFile(f"{path.name} missing")
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError:
        raise UnreadableFile(f"{path.name}: unreadable (nested too deep)") from None
    except (OSError, ValueError) as exc:
        raise UnreadableFile(f"{path.name}: unreadable ({type(exc).__name__}: {exc})") from None
    if not isinstance(obj, dict):
        raise UnreadableFile(f"{path.name}: not a JSON object")
    return obj


def _first_bad_line(text: bytes, n_fields: int) -> str:
    for number, line in enumerate(text.split(b"\n"), start=1):
        k = line.count(b"\t") + 1
        if k != n_fields and not (line == b"" and number == text.count(b"\n") + 1):
            return (f"line {number}: {k} field{'s' if k != 1 else ''}, the sidecar's "
                    f"Columns has {n_fields}")
    return "a line with the wrong number of fields"


def _first_bad_value(text: bytes, columns: list[str], wanted: list[str]) -> str:
    from io import BytesIO

    raw = pd.read_csv(BytesIO(text), sep="\t", header=None, names=columns,
                      usecols=wanted, dtype=str, keep_default_na=False, na_filter=False,
                      quoting=csv.QUOTE_NONE, skip_blank_lines=False)
    for name in wanted:
        cells = raw[name]
        bad = pd.to_numeric(cells.where(cells != "n/a"), errors="coerce").isna() \
            & (cells != "n/a")
        if bad.any():
            line = int(np.flatnonzero(bad.to_numpy())[0]) + 1
            return (f"line {line}: column {name}: bad value {cells[bad].iloc[0]!r}; allowed: a "
                    "number or n/a")
    return "a value that is not a number"


def read_physio(path: Path, *, wanted: tuple[str, ...]) -> tuple[pd.DataFrame, dict, list[str]]:
    """(samples, sidecar, warnings) of a BIDS physio recording ``*_physio.tsv.gz``: the
    ``wanted`` columns (named by the sidecar ``*_physio.json``'s ``Columns``) as floats,
    ``n/a`` missing, rows in file order; every whole gzip member is read
    (:func:`read_gzip_members`).  :class:`UnreadableFile` (the reason) when the recording
    or its sidecar is missing or unreadable, a wanted column is not in ``Columns``, a line
    has another number of fields than ``Columns`` or a value is not a number.

    >>> import gzip, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "x_physio.tsv.gz"
    ...     _ = p.write_bytes(gzip.compress(b"0.0\\t1.5\\tn/a\\t3\\n0.5\\t2\\t4\\t3\\n"))
    ...     _ = (Path(tmp) / "x_physio.json").write_text(json.dumps(
    ...         {"Columns": ["timestamp", "x_coordinate", "y_coordinate", "pupil_size"],
    ...          "SamplingFrequency": 2}))
    ...     samples, sidecar, warnings = read_physio(p, wanted=("timestamp", "y_coordinate"))
    >>> samples.to_dict("list"), sidecar["SamplingFrequency"], warnings
    ({'timestamp': [0.0, 0.5], 'y_coordinate': [nan, 4.0]}, 2, [])
    """
    from io import BytesIO

    path = Path(path)
    if not path.is_file():
        raise UnreadableFile(f"{path.name} " + ("not a regular file" if path.exists()
                                                 else "missing"))
    sidecar = read_json_object(path.with_name(path.name[: -len(".tsv.gz")] + ".json"))
    columns = sidecar.get("Columns")
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns) \
            or len(set(columns)) != len(columns):
        raise UnreadableFile(f"{path.name}: the sidecar's Columns is not a list of distinct "
                             "column names")
    missing = [c for c in wanted if c not in columns]
    if missing:
        raise UnreadableFile(f"{path.name}: the sidecar's Columns lacks {', '.join(missing)}")
    text, warnings = read_gzip_members(path)
    n_lines = text.count(b"\n") + (0 if text.endswith(b"\n") or not text else 1)
    if text.count(b"\t") != n_lines * (len(columns) - 1):
        raise UnreadableFile(f"{path.name}: {_first_bad_line(text, len(columns))}")
    if not text:
        return pd.DataFrame({c: pd.Series([], dtype=float) for c in wanted}), sidecar, warnings
    try:
        samples = pd.read_csv(BytesIO(text), sep="\t", header=None, names=columns,
                              usecols=list(wanted), dtype=dict.fromkeys(wanted, "float64"),
                              na_values=["n/a"], keep_default_na=False,
                              quoting=csv.QUOTE_NONE, skip_blank_lines=False, engine="c")
    except (ValueError, pd.errors.ParserError):
        raise UnreadableFile(f"{path.name}: {_first_bad_value(text, columns, list(wanted))}"
                             ) from None
    return samples[list(wanted)], sidecar, warnings


def read_stimulus_categories(path: Path) -> dict[str, str]:
    """Stimulus id -> ``<category>_<valence>`` from a stimulus manifest (TSV with a header
    holding ``id``, ``category`` and ``valence``); :class:`UnreadableFile` otherwise.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = Path(tmp) / "manifest.tsv"
    ...     _ = p.write_text("id\\tfile\\tcategory\\tvalence\\ni1\\ta.png\\tinfant\\tneutral\\n")
    ...     read_stimulus_categories(p)
    {'i1': 'infant_neutral'}
    """
    path = Path(path)
    if not path.is_file():
        raise UnreadableFile(f"stimulus manifest {path} missing")
    try:
        table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False,
                            na_filter=False, quoting=csv.QUOTE_NONE)
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise UnreadableFile(f"stimulus manifest {path}: unreadable ({exc})") from None
    lacking = [c for c in ("id", "category", "valence") if c not in table]
    if lacking:
        raise UnreadableFile(f"stimulus manifest {path}: no column {', '.join(lacking)}")
    if table["id"].duplicated().any():
        first = table.loc[table["id"].duplicated(), "id"].iloc[0]
        raise UnreadableFile(f"stimulus manifest {path}: id {first!r} on two lines")
    return dict(zip(table["id"], table["category"] + "_" + table["valence"]))
