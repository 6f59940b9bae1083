"""Handing freed memory back to the system between the large steps of scoring.

Scoring a long table allocates and frees copies of it, step after step.  Two allocators
keep what is freed instead of returning it: pyarrow's (it holds pandas' text columns) and
glibc's malloc (for the numpy arrays below its growing mmap threshold).  Without a
release, a 2-million-row events file (benchmarks/bench_large_events.py) kept 500 MB to
700 MB of freed memory in the process, and its peak went over 2 GB.

>>> release()  # safe anywhere, and cheap (a cycle collection, two allocator calls)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys


def _libc_malloc_trim():
    """glibc's ``malloc_trim``, or None (another C library, another system)."""
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None


MALLOC_TRIM = _libc_malloc_trim()


def release() -> None:
    """Collect unreachable objects, then give freed memory back to the system."""
    gc.collect()
    try:
        import pyarrow
    except ImportError:  # pandas keeps text in Python objects then
        pass
    else:
        pyarrow.default_memory_pool().release_unused()
    if MALLOC_TRIM is not None:
        MALLOC_TRIM(0)
