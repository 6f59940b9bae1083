"""Progress bars (tqdm) on stderr: drawn only when asked and stderr is a terminal.

>>> list(progress([1, 2, 3], "demo", show=True))   # stderr is no terminal here: no bar
[1, 2, 3]
"""

from __future__ import annotations

import sys
from typing import Iterable, TypeVar

from tqdm import tqdm

T = TypeVar("T")


def progress(items: Iterable[T], label: str, show: bool, total: int | None = None
             ) -> Iterable[T]:
    """``items`` with a progress bar labelled ``label``; ``show=False`` never draws one
    (``disable=None``: tqdm itself draws nothing when stderr is not a terminal)."""
    return tqdm(items, desc=label, total=total, file=sys.stderr, disable=None if show else True,
                leave=False, dynamic_ncols=True)
