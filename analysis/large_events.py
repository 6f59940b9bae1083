"""A large events file, checked and parsed from its bytes (bounded time and memory).

:func:`analysis.events.split_lines` checks a file line by line in Python and keeps every
line as a string: fine for a run of a few hundred trials, minutes and gigabytes for a
file of millions of lines.  Here the same checks run on the bytes, in C (``bytes.count``,
numpy), and pandas parses the bytes directly.  A file passes only when every line is
well formed (no NUL, a carriage return only as part of CR LF, every line with the
header's number of fields); otherwise :func:`well_formed` says no and the caller falls back
to ``split_lines``, which names the first bad line -- so the reasons written to
exclusions.tsv are the same for a file of any size.  :func:`read` then has pandas' C
parser read the number columns as floats where that is provably what the text path gives
(:func:`_read_numbers`), and every other column as text.

>>> data = b"onset\\tduration\\n0.5\\t1\\n1.5\\t1\\n"
>>> well_formed(data, data.index(b"\\n") + 1, 2), well_formed(data + b"2\\n", 15, 2)
(True, False)
>>> parse(data, ["onset", "duration"]).values.tolist()
[['0.5', '1'], ['1.5', '1']]
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

BOM = b"\xef\xbb\xbf"
BOOLEAN_TEXTS = ["True", "TRUE", "true", "False", "FALSE", "false"]  # the C parser's booleans
CHUNK_BYTES = 1 << 24  # bytes checked together (bounds the temporary arrays)
DIGITS_TO_1 = bytes(49 if 48 <= b <= 57 else 48 for b in range(256))  # b"0".."9" -> b"1"


def header_line(data: bytes) -> tuple[str, int] | None:
    """(header line without its line end, offset of line 2), or None when the file holds
    a NUL, a carriage return outside CR LF, or no line end after the header.

    >>> header_line(b"a\\tb\\r\\n1\\t2\\r\\n"), header_line(b"a\\tb\\r1\\t2\\n")
    (('a\\tb', 5), None)
    """
    if b"\x00" in data or data.count(b"\r") != data.count(b"\r\n"):
        return None
    end = data.find(b"\n")
    if end < 0:
        return None
    return data[:end].removesuffix(b"\r").decode("utf-8"), end + 1


def _line_chunks(data: bytes, start: int):
    """``data[start:]`` as numpy views of whole lines, about CHUNK_BYTES each."""
    arr = np.frombuffer(data, dtype=np.uint8)
    pos, end = start, len(arr)
    while pos < end:
        stop = min(pos + CHUNK_BYTES, end)
        if stop < end:  # cut after a line end (or take the rest of a very long line)
            cut = data.rfind(b"\n", pos, stop)
            stop = cut + 1 if cut >= 0 else (data.find(b"\n", stop) + 1 or end)
        yield arr[pos:stop]
        pos = stop


def well_formed(data: bytes, start: int, n_fields: int) -> bool:
    """Whether every line from ``data[start:]`` on (the last may lack its line end) has
    exactly ``n_fields`` tab-separated fields; a blank line has one.

    >>> well_formed(b"h\\n1\\t2\\n\\n3\\t4", 2, 2), well_formed(b"h\\n1\\t2\\n3\\t4", 2, 2)
    (False, True)
    """
    for part in _line_chunks(data, start):
        ends = np.flatnonzero(part == 10)
        if len(ends) == 0 or ends[-1] != len(part) - 1:
            ends = np.append(ends, len(part))  # the last line, without a line end
        tabs_before = np.searchsorted(np.flatnonzero(part == 9), ends)
        if (np.diff(tabs_before, prepend=0) != n_fields - 1).any():
            return False
    return True


def digit_run(data: bytes, start: int, length: int) -> bool:
    """Whether ``data[start:]`` holds ``length`` ASCII digits in a row.

    >>> digit_run(b"h\\n12345\\t1.5\\n", 2, 5), digit_run(b"h\\n1234\\t56\\n", 2, 5)
    (True, False)
    """
    run = b"1" * length
    for pos in range(start, len(data), CHUNK_BYTES):  # chunks overlap by length - 1 bytes
        if data[pos:pos + CHUNK_BYTES + length - 1].translate(DIGITS_TO_1).find(run) >= 0:
            return True
    return False


def parse(data: bytes, header: list[str], numbers: dict | None = None) -> pd.DataFrame:
    """The data lines of a well-formed file as columns named ``header`` (line 1, the
    header, skipped): text, by the same parser and options as the batched small files,
    except the columns that ``numbers`` maps to their texts for missing: floats read by the
    parser itself; ValueError when one of them holds anything else -- but a column of only
    True/False (:data:`BOOLEAN_TEXTS`) and missing texts is read as 1.0/0.0.

    >>> parse(b"a\\tb\\n1.5\\tn/a\\nn/a\\t\\n", ["a", "b"], {"a": ["n/a"]}).values.tolist()
    [[1.5, 'n/a'], [nan, '']]
    """
    numbers = numbers or {}
    return pd.read_csv(io.BytesIO(data), sep="\t", header=None, names=header, skiprows=1,
                       dtype={name: "float64" if name in numbers else str for name in header},
                       na_values=numbers, keep_default_na=False, na_filter=bool(numbers),
                       quoting=csv.QUOTE_NONE, engine="c", skip_blank_lines=False)


def read(idx: int, header: list[str], data: bytes, cols: dict
         ) -> tuple[pd.DataFrame, list[str]]:
    """(the rows of a well-formed large file, with ``_file`` = ``idx`` and ``_line``; the
    columns among them typed as floats already).  The other columns are text, which
    ``events._check_rows`` types and checks.  ``cols``: required name -> ``Column``.

    >>> from icb.columns import COMMON_HEAD
    >>> raw, floats = read(3, ["onset", "duration", "note"], b"onset\\tduration\\tnote\\n"
    ...                    b"0.5\\t1\\tx\\n", {c.name: c for c in COMMON_HEAD})
    >>> raw.values.tolist(), floats
    ([[3, 2, 0.5, 1.0, 'x']], ['onset', 'duration'])
    """
    numbers = [n for n in header if n in cols and cols[n].dtype != "str"
               and not cols[n].levels]
    raw = _read_numbers(data, header, numbers, cols) if numbers else None
    if raw is None:  # every column as text, checked as for a small file
        raw, numbers = parse(data, header), []
    raw.insert(0, "_file", np.full(len(raw), idx, dtype=int))
    raw.insert(1, "_line", np.arange(len(raw), dtype=int) + 2)  # line 1 is the header
    return raw, numbers


def _read_numbers(data: bytes, header: list[str], numbers: list[str], cols: dict
                  ) -> pd.DataFrame | None:
    """The file with its number columns (required, without levels) read as floats by the C
    parser, when that gives exactly what ``events._check_column`` gives; else None.

    Both use pandas' ``precise_xstrtod`` (``pd.to_numeric`` through ``to_double``, the C
    parser directly), and a text the C parser takes is one ``to_numeric`` takes.  The one
    difference, ``to_numeric`` turning a column of whole numbers into integers first, shows
    only for a whole number of 16 or more digits (not exact in a float, or cut after 17
    digits) or a negative zero: with 18 digits in a row anywhere in the file, or with a
    value of 1e15 or more or -0.0, None.  The C parser also reads a column of nothing but
    True/False as 1.0/0.0 (``to_numeric`` does not): in a column without n/a those texts
    are read as missing (so refused), a column with n/a of only 0 and 1 is None.  A bad
    value (n/a where not allowed, not finite, not whole in a whole-number column) is None
    too: the text path names its line.
    """
    if digit_run(data, 0, 18):
        return None
    missing = {n: ["n/a"] + ([] if cols[n].nullable else BOOLEAN_TEXTS) for n in numbers}
    try:
        raw = parse(data, header, missing)
    except ValueError:
        return None
    for name in numbers:
        values = raw[name].to_numpy()
        present = values[~np.isnan(values)]
        if ((not cols[name].nullable and len(present) < len(values))
                or (cols[name].nullable and len(present) and np.isin(present, (0, 1)).all())
                or not np.isfinite(present).all() or (np.abs(present) >= 1e15).any()
                or (np.signbit(present) & (present == 0)).any()
                or (cols[name].dtype == "int" and (np.floor(present) != present).any())):
            return None
    return raw
