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

    A participant_id on several lines is a warning naming the id and the lines (the last
    line is used).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "participants.tsv").write_text(
    ...         "participant_id\\tgroup\\nsub-1\\tMORE\\nsub-2\\tcontrol\\nsub-1\\tcontrol\\n")
    ...     table, warnings = read_participants(Path(tmp))
    >>> table.to_dict("records")
    [{'participant_id': 'sub-2', 'group': 'control'}, {'participant_id': 'sub-1', 'group': 'control'}]
    >>> warnings
    ['participants.tsv: participant_id sub-1 appears on lines 2 and 4; the last one (line 4) is used']
    """
    empty = pd.DataFrame({"participant_id": [], "group": []})
    path = Path(data_root) / "participants.tsv"
    if not path.is_file():
        return empty, ["participants.tsv missing"]
    try:
        table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, na_filter=False,
                            quoting=csv.QUOTE_NONE)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        return empty, [f"participants.tsv unreadable ({exc}); groups not used"]
    if "participant_id" not in table:
        return empty, ["participants.tsv has no participant_id column; groups not used"]
    if "group" not in table:
        table["group"] = "n/a"
    table["group"] = table["group"].replace("", "n/a")
    warnings = []
    lines = pd.Series(np.arange(len(table)) + 2, index=table.index)  # line 1 is the header
    repeated = table["participant_id"].duplicated(keep=False)
    for pid, where in lines[repeated].groupby(table.loc[repeated, "participant_id"],
                                              sort=True):
        numbers = [str(n) for n in where]
        listed = ", ".join(numbers[:-1]) + " and " + numbers[-1]
        warnings.append(f"participants.tsv: participant_id {pid} appears on lines {listed}; "
                        f"the last one (line {numbers[-1]}) is used")
    table = table.drop_duplicates("participant_id", keep="last")
    return table[["participant_id", "group"]].reset_index(drop=True), warnings


# ----------------------------------------------------------------------------- writing
NUMBER_TEXT = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"


def _safe_text(series: pd.Series) -> pd.Series:
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
    frame = pd.DataFrame(out, index=df.index)
    frame.columns = [_safe_text(pd.Series([str(c)])).iloc[0] for c in frame.columns]
    return frame


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
