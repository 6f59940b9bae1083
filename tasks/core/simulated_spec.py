"""``--simulate SPEC``: ``key=value`` items that set a simulated participant's parameters.

One parser for every paradigm's responder (a dataclass of numbers): each item is
``field=number``, or ``<prefix>.<name>=number`` for a mapping field (e.g. the dot-probe's
``bias.<condition>``, the raters' ``scale.<name>``).  Numbers must be finite and in range:
a probability (``p_*``) from 0 to 1; a spread (``*sigma*``, ``*tau*``, ``*_sd``, ``*_sd_ms``)
0 or more; and whatever the responder class declares in ``LIMITS`` (field -> (low, high)).
A difference (``bias_ms``, ``infant_minus_adult``) may be negative.
"""

from __future__ import annotations

import math
import re
from dataclasses import fields

from icb.errors import BadInput


def limits_of(cls, name: str) -> tuple[float, float] | None:
    """The allowed range of a responder's field (None: any finite number).

    >>> class R:
    ...     LIMITS = {"mu_ms": (1.0, 5000.0)}
    >>> limits_of(R, "p_miss"), limits_of(R, "sigma_ms"), limits_of(R, "mu_ms"), limits_of(R, "bias_ms")
    ((0.0, 1.0), (0.0, inf), (1.0, 5000.0), None)
    """
    declared = getattr(cls, "LIMITS", {})
    if name in declared:
        return declared[name]
    if name.startswith("p_"):
        return (0.0, 1.0)
    if "sigma" in name or "tau" in name or re.search(r"_sd(_ms)?$", name):
        return (0.0, math.inf)
    return None


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
    >>> @dataclass
    ... class S:
    ...     sigma_ms: float = 40.0
    >>> parse_spec("sigma_ms=-5", S)
    Traceback (most recent call last):
    icb.errors.BadInput: --simulate: sigma_ms: bad value -5; allowed: from 0 to inf
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
        bounds = limits_of(cls, key) if not dot else None
        if bounds is not None and not bounds[0] <= number <= bounds[1]:
            raise BadInput(f"--simulate: {key}: bad value {number:g}; allowed: from "
                           f"{bounds[0]:g} to {bounds[1]:g}")
        if dot and prefix in mappings:
            getattr(responder, mappings[prefix])[name] = number
        else:
            setattr(responder, key, number)
    return responder
