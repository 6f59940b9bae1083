"""The blocks a report section is made of, as data; ``templates/report.html.j2`` renders them.

Nothing here writes HTML: text stays text, so the template (autoescape on) escapes every
text the report did not write itself -- group names, trial types, contrast names from the
data.  Figures are PNG bytes (base64) drawn with matplotlib's object API (no pyplot, no
global backend), and every text from the data that goes into a plot passes :func:`plain`,
so that a ``$`` is never read as matplotlib mathtext.

>>> t = table(pd.DataFrame({"group": ["<b>MORE</b>"], "r": [0.123456]}))
>>> t.columns, t.rows
(('group', 'r'), (('<b>MORE</b>', '0.123'),))
>>> plain("$\\\\foo$")
'\\\\$\\\\foo\\\\$'
"""

from __future__ import annotations

import base64
import io as _io
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Text:
    """A paragraph; ``style`` is ``""``, ``muted`` or ``warn``."""

    text: str
    style: str = ""
    kind = "text"


@dataclass(frozen=True)
class Figure:
    """A PNG figure, base64-encoded."""

    png_base64: str
    alt: str = "figure"
    kind = "figure"


@dataclass(frozen=True)
class Table:
    """A table of text cells (numbers already formatted)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""
    kind = "table"


@dataclass(frozen=True)
class Items:
    """A bulleted list."""

    items: tuple[str, ...]
    kind = "items"


@dataclass(frozen=True)
class Details:
    """A folded part: ``summary`` shown, ``blocks`` on click."""

    summary: str
    blocks: tuple
    kind = "details"


@dataclass(frozen=True)
class Section:
    """One numbered section of the report."""

    title: str
    blocks: tuple


def _cell(value, digits: int) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "n/a"
    if isinstance(value, float):
        if value != 0 and abs(value) < 1e-3:
            return f"{value:.{digits}g}"
        return f"{value:.{digits}f}"
    return str(value)


def table(df: pd.DataFrame | None, *, digits: int = 3, max_rows: int = 400):
    """A :class:`Table` of the first ``max_rows`` rows (floats to ``digits`` decimals), or a
    muted "None." when there is nothing to show."""
    if df is None or df.empty:
        return Text("None.", "muted")
    shown = df.head(max_rows)
    rows = tuple(tuple(_cell(v, digits) for v in row)
                 for row in shown.astype(object).itertuples(index=False))
    note = (f"First {max_rows} of {len(df)} rows; all rows are in the TSV."
            if len(df) > max_rows else "")
    return Table(tuple(str(c) for c in df.columns), rows, note)


def plain(text: object) -> str:
    """Text for a plot: every ``$`` escaped, so matplotlib never parses it as mathtext."""
    return str(text).replace("$", "\\$")


def new_figure(width_in: float, height_in: float):
    """A matplotlib Figure with an Agg canvas (object API: no pyplot state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    fig = MplFigure(figsize=(width_in, height_in))
    FigureCanvasAgg(fig)
    return fig


def figure(fig, alt: str = "figure") -> Figure:
    """The PNG of a matplotlib figure as a :class:`Figure` block."""
    buf = _io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return Figure(base64.b64encode(buf.getvalue()).decode("ascii"), alt)
