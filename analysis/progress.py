"""A tiny progress bar: drawn on stderr only when stderr is a terminal.

>>> import io
>>> with Progress(3, "demo", stream=io.StringIO()) as bar:
...     for _ in range(3):
...         bar.update()
>>> bar.done
3
"""

from __future__ import annotations

import sys
import time


class Progress:
    """``Progress(total, label)``; ``update(n=1)``; quiet when the stream is not a TTY."""

    def __init__(self, total: int, label: str, *, stream=None, width: int = 30):
        self.total = max(int(total), 1)
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.done = 0
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self._start_s = time.monotonic()
        self._last_draw_s = 0.0

    def update(self, n: int = 1) -> None:
        self.done += n
        now_s = time.monotonic()
        if self.enabled and (now_s - self._last_draw_s > 0.1 or self.done >= self.total):
            self._last_draw_s = now_s
            frac = min(self.done / self.total, 1.0)
            filled = int(frac * self.width)
            elapsed_s = now_s - self._start_s
            self.stream.write(f"\r{self.label:<22} [{'#' * filled}{'.' * (self.width - filled)}] "
                              f"{self.done}/{self.total} {elapsed_s:5.1f} s")
            self.stream.flush()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
