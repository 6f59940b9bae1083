"""Parameters declared once: type, default, limits, unit and documentation.

Each task module declares a tuple of :class:`Param`; the config loader checks a
YAML mapping against it and the reference in ``docs/config-reference.md`` is
generated from the same declarations.  Every problem is collected, none stops
the check early, and an unknown key gets a did-you-mean.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any

TYPES = ("int", "float", "bool", "str", "list[int]", "list[float]", "list[str]", "path")


@dataclass(frozen=True)
class Param:
    """One declared parameter.

    ``type`` is one of :data:`TYPES`.  ``minimum``/``maximum`` bound numbers and
    every element of a numeric list; ``choices`` lists allowed values (for a list,
    allowed elements); ``min_length``/``max_length`` bound list lengths;
    ``nullable`` allows ``null`` (YAML ``~``).  ``unverified`` marks a default the
    literature check could not confirm (shown in the reference).
    """

    name: str
    type: str
    default: Any
    doc: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple | None = None
    min_length: int | None = None
    max_length: int | None = None
    nullable: bool = False
    unit: str | None = None
    unverified: bool = False
    distinct: bool = True  # a list's items must not repeat (False: a colour, a size)

    def allowed(self) -> str:
        """Human-readable statement of what is allowed."""
        kind = {
            "int": "a whole number", "float": "a number", "bool": "true or false",
            "str": "text", "path": "a file path", "list[int]": "a list of whole numbers",
            "list[float]": "a list of numbers", "list[str]": "a list of text values",
        }[self.type]
        parts = [kind]
        if self.choices is not None:
            shown = ", ".join(str(c) for c in self.choices)
            parts = [f"{'each one of' if self.type.startswith('list') else 'one of'} {shown}"]
        if self.minimum is not None and self.maximum is not None:
            parts.append(f"from {_num(self.minimum)} to {_num(self.maximum)}")
        elif self.minimum is not None:
            parts.append(f"at least {_num(self.minimum)}")
        elif self.maximum is not None:
            parts.append(f"at most {_num(self.maximum)}")
        if self.unit:
            parts.append(f"in {self.unit}")
        if self.min_length is not None or self.max_length is not None:
            lo = self.min_length if self.min_length is not None else 0
            hi = self.max_length if self.max_length is not None else "any number of"
            if self.max_length is not None and lo == self.max_length:
                parts.append(f"with exactly {lo} items")
            elif self.max_length is not None:
                parts.append(f"with {lo} to {hi} items")
            else:
                parts.append(f"with at least {lo} items")
        if self.nullable:
            parts.append("or null")
        return " ".join(parts)

    def check(self, value: Any) -> tuple[Any, list[str]]:
        """Return ``(converted value, problems)``; problems are phrases without the key."""
        if value is None:
            if self.nullable:
                return None, []
            return value, [f"null is not allowed; allowed: {self.allowed()}"]
        if self.type.startswith("list["):
            if not isinstance(value, list):
                return value, [f"bad value {value!r}; allowed: {self.allowed()}"]
            element_type = self.type[5:-1]
            out, problems = [], []
            for i, item in enumerate(value):
                conv, errs = _check_scalar(self, element_type, item)
                out.append(conv)
                problems += [f"item {i + 1}: {e}" for e in errs]
            if self.min_length is not None and len(value) < self.min_length:
                problems.append(f"bad value {value!r}: needs at least {self.min_length} items")
            if self.max_length is not None and len(value) > self.max_length:
                problems.append(f"bad value {value!r}: at most {self.max_length} items")
            if self.distinct and len(set(map(repr, out))) != len(out):
                problems.append(f"bad value {value!r}: items must not repeat")
            return out, problems
        return _check_scalar(self, self.type, value)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _check_scalar(param: Param, type_: str, value: Any) -> tuple[Any, list[str]]:
    bad = [f"bad value {value!r}; allowed: {param.allowed()}"]
    if type_ == "bool":
        return (value, []) if isinstance(value, bool) else (value, bad)
    if type_ in ("int", "float") and isinstance(value, float) and not math.isfinite(value):
        return value, [f"bad value {value!r}: not a finite number; allowed: {param.allowed()}"]
    if type_ == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                return value, bad
    elif type_ == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return value, bad
        value = float(value)
    elif type_ in ("str", "path"):
        if not isinstance(value, str) or value == "":
            return value, bad
    if param.choices is not None and value not in param.choices:
        return value, bad
    if type_ in ("int", "float"):
        if not math.isfinite(value):  # nan < min is False: NaN would pass every range
            return value, [f"bad value {value!r}: not a finite number; allowed: "
                           f"{param.allowed()}"]
        if param.minimum is not None and value < param.minimum:
            return value, bad
        if param.maximum is not None and value > param.maximum:
            return value, bad
    return value, []


def did_you_mean(name: str, known: list[str]) -> str:
    """`` (did you mean 'cue_ms'?)`` or an empty string."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if not close:
        # also catch a missing/extra unit suffix: cue_msec -> cue_ms
        stem = name.rsplit("_", 1)[0]
        close = [k for k in known if k.rsplit("_", 1)[0] == stem][:1]
    if not close:
        # or the one key that shares the first word: cue_msec -> cue_durations_ms
        first = name.split("_", 1)[0]
        same_first = [k for k in known if k.split("_", 1)[0] == first]
        close = same_first if len(same_first) == 1 else []
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_mapping(values: dict, declared: tuple[Param, ...], *, where: str) -> tuple[dict, list[str]]:
    """Check ``values`` against ``declared``; return (resolved with defaults, problems).

    ``where`` prefixes each problem (e.g. ``configs/dotprobe.yaml: params``).
    """
    by_name = {p.name: p for p in declared}
    resolved = {p.name: p.default for p in declared}
    problems = []
    if not isinstance(values, dict):
        return resolved, [f"{where}: must be a mapping of parameter: value, not {values!r}"]
    for key, value in values.items():
        if key not in by_name:
            problems.append(f"{where}.{key}: unknown parameter '{key}'"
                            f"{did_you_mean(str(key), list(by_name))}")
            continue
        converted, errs = by_name[key].check(value)
        problems += [f"{where}.{key}: {e}" for e in errs]
        if not errs:
            resolved[key] = converted
    return resolved, problems


def reference_markdown(title: str, declared: tuple[Param, ...]) -> str:
    """A Markdown table of the declared parameters (for docs/config-reference.md)."""
    lines = [f"### {title}", "", "| key | type | default | allowed | description |",
             "|---|---|---|---|---|"]
    for p in declared:
        default = "null" if p.default is None else repr(p.default).replace("'", "")
        doc = p.doc + (" *Unverified default* (kept configurable; see the research notes)."
                       if p.unverified else "")
        lines.append(f"| `{p.name}` | {p.type} | `{default}` | {p.allowed()} | {doc} |")
    return "\n".join(lines) + "\n"
