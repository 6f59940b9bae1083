"""Argument types of the ``icb`` command line: numbers checked where they are read.

argparse turns an ``ArgumentTypeError`` into ``icb <command>: error: argument --seed:
...`` and exit status 2, so a bad value never reaches the code that would fail on it.

>>> seed("12")
12
>>> seed("-1")
Traceback (most recent call last):
argparse.ArgumentTypeError: bad value '-1'; allowed: a whole number from 0 to 4294967295
>>> count(1, 10_000)("0")
Traceback (most recent call last):
argparse.ArgumentTypeError: bad value '0'; allowed: a whole number from 1 to 10000
>>> seconds(1.0, 600.0)("nan")
Traceback (most recent call last):
argparse.ArgumentTypeError: bad value 'nan'; allowed: a number of seconds from 1.0 to 600.0
"""

from __future__ import annotations

import argparse
import math

SEED_MAX = 2**32 - 1  # numpy, PsychoPy and R all take seeds in this range


def _whole(text: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise argparse.ArgumentTypeError(
            f"bad value {text!r}; allowed: a whole number from {low} to {high}")
    return value


def seed(text: str) -> int:
    """A random seed: a whole number from 0 to 2**32 - 1."""
    return _whole(text, 0, SEED_MAX)


def count(low: int, high: int):
    """An argument type for a whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        return _whole(text, low, high)

    parse.__name__ = "whole number"
    return parse


def seconds(low: float, high: float):
    """An argument type for a finite number of seconds from ``low`` to ``high``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and low <= value <= high):
            raise argparse.ArgumentTypeError(
                f"bad value {text!r}; allowed: a number of seconds from {low} to {high}")
        return value

    parse.__name__ = "seconds"
    return parse
