"""``--simulate SPEC``: ``key=value`` items that set a simulated participant's parameters.

One parser for every paradigm's responder (a dataclass of numbers): each item is
``field=number``, or ``<prefix>.<name>=number`` for a mapping field (e.g. the dot-probe's
``bias.<condition>``, the raters' ``scale.<name>``).  Numbers must be finite.
"""

from __future__ import annotations

import math
from dataclasses import fields

from icb.errors import BadInput


def parse_spec(spec: str | None, cls, *, mappings: dict[str, str] | None = None):
    """A ``cls()`` with the fields of ``spec`` set; BadInput naming the bad item.

    ``mappings`` maps an item prefix to the dict field it fills.

    >>> from dataclasses import dataclass, field
    >>> @dataclass
    ... class R:
    ...     mu_ms: float = 1.0
    ...     extra: dict = field(default_factory=dict)
    >>> parse_spec("mu_ms=3,x.a=2", R, mappings={"x": "extra"})
    R(mu_ms=3.0, extra={'a': 2.0})
    >>> parse_spec("mu_ms", R)
    Traceback (most recent call last):
    icb.errors.BadInput: --simulate: item 'mu_ms' has no '='; allowed: key=value pairs separated by commas, e.g. mu_ms=1.0
    """
    mappings = dict(mappings or {})
    responder = cls()
    if not spec:
        return responder
    numeric = sorted(f.name for f in fields(cls) if f.name not in mappings.values()
                     and isinstance(getattr(responder, f.name), (int, float)))
    allowed = ", ".join(numeric + [f"{p}.<name>" for p in mappings])
    example = f"{numeric[0]}={getattr(responder, numeric[0])}" if numeric else "key=1"
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep:
            raise BadInput(f"--simulate: item {part!r} has no '='; allowed: key=value pairs "
                           f"separated by commas, e.g. {example}")
        prefix, dot, name = key.partition(".")
        if not ((dot and prefix in mappings and name) or key in numeric):
            raise BadInput(f"--simulate: unknown parameter {key!r}; allowed: {allowed}")
        try:
            number = float(value)
        except ValueError:
            raise BadInput(f"--simulate: {key}: bad value {value!r}; allowed: a number "
                           f"(e.g. {example})") from None
        if not math.isfinite(number):
            raise BadInput(f"--simulate: {key}: bad value {value!r}; allowed: a finite number")
        if dot and prefix in mappings:
            getattr(responder, mappings[prefix])[name] = number
        else:
            setattr(responder, key, number)
    return responder
