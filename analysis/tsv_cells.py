"""The text of a score file's cells, column by column: what pandas' ``to_csv`` writes, faster.

:func:`analysis.io.write_tsv` writes trials.tsv, one line per trial.  For a run of
millions of trials pandas' ``to_csv`` (a Python call per cell) took most of the scoring
time.  Here a formatted column (:func:`analysis.io.format_frame`) becomes text at once:
floats by ``repr`` and whole numbers by ``str`` (what the csv writer of ``to_csv`` calls),
text escaped by that same csv writer, missing cells ``n/a`` -- and a column with few
distinct values (a level, a block number, a stimulus name) has each distinct value
written once.  A frame with a column of another kind (or a single column) is left to
``to_csv``: :func:`text_columns` says None.

>>> frame = pd.DataFrame({"a": pd.Series(["x", None, 'q"'], dtype=object),
...                       "v": [0.1, float("nan"), -0.0]})
>>> rows_text(text_columns(frame), 0, 3) == frame.to_csv(**TO_CSV).split("\\n", 1)[1]
True
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd

TO_CSV = {"sep": "\t", "index": False, "na_rep": "n/a", "lineterminator": "\n",
          "quoting": csv.QUOTE_NONE, "escapechar": "\\"}
ESCAPED = re.compile(r'[\t\n\r\\"]')  # every character the csv writer of TO_CSV may escape
SAMPLE = 4096  # values looked at to tell a column of mostly distinct values


def escaped(text: str) -> str:
    """A cell's text as the csv writer of ``to_csv(**TO_CSV)`` writes it.

    >>> escaped('a"b'), escaped("plain")
    ('a\\\\"b', 'plain')
    """
    if not ESCAPED.search(text):
        return text
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE,
               escapechar="\\", quotechar='"', doublequote=True).writerow([text])
    return buf.getvalue()[:-1]


class TextColumn:
    """The text of each cell of one formatted column (:meth:`cells` of a range of rows).

    Either ``codes`` into ``texts`` (the text of each distinct value; floats told apart by
    their bits, so that 0.0 and -0.0 stay two), or ``values`` formatted by ``fmt`` when
    asked, with ``missing`` cells n/a.

    >>> TextColumn.of(pd.Series([0.0, -0.0, 0.0, np.nan])).cells(0, 4)
    ['0.0', '-0.0', '0.0', 'n/a']
    """

    def __init__(self, codes=None, texts=None, values=None, fmt=None, missing=None):
        self.codes, self.texts = codes, texts
        self.values, self.fmt, self.missing = values, fmt, missing

    @classmethod
    def of(cls, column: pd.Series) -> TextColumn | None:
        """The column's texts, or None for a kind of column left to ``to_csv``."""
        dtype = column.dtype
        if dtype == object:
            if pd.api.types.infer_dtype(column, skipna=True) not in ("string", "empty"):
                return None
            codes, uniques = pd.factorize(column)
            texts = np.array([escaped(u) for u in uniques] + ["n/a"], dtype=object)
            return cls(codes=_small(codes), texts=texts)  # code -1 (missing): the last, n/a
        if isinstance(dtype, np.dtype) and dtype.kind in "iu":
            values, fmt, missing = column.to_numpy(), str, None
        elif isinstance(dtype, np.dtype) and dtype == np.float64:
            values, fmt = column.to_numpy(), repr
            missing = np.isnan(values)
        elif isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iu":
            values = column.to_numpy(dtype=dtype.numpy_dtype, na_value=0)
            fmt, missing = str, column.isna().to_numpy()
        else:
            return None
        values = np.ascontiguousarray(values)
        is_float = values.dtype == np.float64
        keys = values.view(np.int64) if is_float else values
        sample = keys[::max(1, len(keys) // SAMPLE)]  # mostly distinct values: skip counting
        if 2 * len(np.unique(sample)) > len(sample) and len(keys) > SAMPLE:
            return cls(values=values, fmt=fmt, missing=missing)
        codes, uniques = pd.factorize(keys)
        if 2 * len(uniques) > len(values):
            return cls(values=values, fmt=fmt, missing=missing)
        distinct = uniques.view(np.float64) if is_float else uniques
        texts = np.array(list(map(fmt, distinct.tolist())) + ["n/a"], dtype=object)
        if missing is not None:
            codes[missing] = len(texts) - 1
        return cls(codes=_small(codes), texts=texts)

    def cells(self, start: int, stop: int) -> list[str]:
        if self.codes is not None:
            return self.texts[self.codes[start:stop]].tolist()
        texts = list(map(self.fmt, self.values[start:stop].tolist()))
        if self.missing is not None:
            for k in np.flatnonzero(self.missing[start:stop]):
                texts[k] = "n/a"
        return texts


def _small(codes: np.ndarray) -> np.ndarray:
    """Codes in the smallest signed integer type that holds them (a column of few distinct
    values then takes a byte a row, not eight)."""
    top = int(codes.max()) if len(codes) else 0
    return codes.astype(np.min_scalar_type(-(max(top, 0) + 1)))


def text_columns(frame: pd.DataFrame) -> list[TextColumn] | None:
    """A TextColumn per column of a formatted frame, or None: then ``to_csv`` writes it."""
    if frame.shape[1] < 2:  # a one-column row of an empty text is quoted by the csv writer
        return None
    columns = [TextColumn.of(frame.iloc[:, k]) for k in range(frame.shape[1])]
    return None if any(c is None for c in columns) else columns


def rows_text(columns: list[TextColumn], start: int, stop: int) -> str:
    """The lines of rows ``start`` to ``stop`` (each ending in a line end)."""
    if stop <= start:
        return ""
    return "\n".join(map("\t".join, zip(*(c.cells(start, stop) for c in columns)))) + "\n"
