"""Message catalogues: every text a participant sees, one YAML file per language.

``configs/lang/<code>.yaml`` holds nested mappings addressed by dotted ids
(``trial.break``, ``scale.liking.anchors.low``); placeholders are Python ``str.format``
fields (``{done}``, ``{what}``) and every language uses the same placeholders per id as
English (``en.yaml``, the reference).  ``station.language`` picks the file; a lab adds a
language by adding one file.  :func:`catalogue_problems` (``icb validate``) names every
missing or extra id, placeholder mismatch and non-text value, per file.

Touch wording.  A text that names a key, the keyboard or the mouse has a touch form: the
id with ``_touch`` appended (``trial.start`` and ``trial.start_touch``).  The catalogue of a
station with ``input: touch`` (:func:`catalogue_of`) returns ``<id>_touch`` when it exists,
else ``<id>`` (a text that names no input has no touch form).  Touch forms are ids like
any other: every language has the same ones, with the same placeholders.

A :class:`Catalogue` is immutable; :func:`load_catalogue` reads a file once per process
(re-read when the file changes).  Nothing here imports PsychoPy.
"""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import yaml

from icb.errors import ConfigError

LANG_DIR = Path(__file__).resolve().parent.parent.parent / "configs" / "lang"
REFERENCE = "en"  # the language every other one is compared with
TOUCH_SUFFIX = "_touch"  # <id><TOUCH_SUFFIX>: the text of <id> with station.input: touch


@dataclass(frozen=True)
class Catalogue:
    """One language's messages, flattened to dotted ids."""

    language: str
    path: Path
    messages: Mapping[str, str]
    input: str = "keyboard"  # station.input: "touch" picks the <id>_touch forms

    def for_input(self, device: str) -> "Catalogue":
        """This catalogue speaking to ``device`` (``station.input``: keyboard or touch)."""
        return self if device == self.input else replace(self, input=device)

    def template(self, msg_id: str) -> str:
        """The text of ``msg_id`` with its placeholders unfilled (its touch form with a
        touch input, when it has one)."""
        if self.input == "touch" and msg_id + TOUCH_SUFFIX in self.messages:
            return self.messages[msg_id + TOUCH_SUFFIX]
        try:
            return self.messages[msg_id]
        except KeyError:
            from icb.params import did_you_mean
            raise ConfigError(f"{self.path}: no message {msg_id!r}"
                              f"{did_you_mean(msg_id, list(self.messages))}; every language "
                              f"file needs the ids of {REFERENCE}.yaml (icb validate lists "
                              "what is missing)") from None

    def text(self, msg_id: str, **fields) -> str:
        """The text of ``msg_id`` with ``fields`` filled in."""
        template = self.template(msg_id)
        try:
            return template.format(**fields)
        except (KeyError, IndexError, ValueError) as exc:
            raise ConfigError(f"{self.path}: message {msg_id!r}: cannot fill its placeholders "
                              f"({exc}); allowed placeholders: "
                              f"{', '.join(sorted(placeholders(template))) or 'none'}") from None

    def mapping(self, prefix: str) -> dict[str, str]:
        """Every message under ``prefix.`` keyed by the rest of its id (e.g. ``scale.what``)."""
        head = prefix + "."
        return {k[len(head):]: v for k, v in self.messages.items() if k.startswith(head)}


def placeholders(text: str) -> set[str]:
    """The ``str.format`` fields of ``text`` (ValueError when its braces are broken).

    >>> sorted(placeholders("part {done} of {total}, {{literal}}"))
    ['done', 'total']
    """
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _flatten(tree, prefix: str, out: dict, bad: list) -> None:
    for key, value in tree.items():
        msg_id = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, msg_id + ".", out, bad)
        elif isinstance(value, str):
            out[msg_id] = value
        else:
            bad.append((msg_id, value))


def _read(path: Path) -> tuple[dict[str, str], list[str]]:
    """(messages, problems) of one catalogue file."""
    shown = _shown(path)
    try:
        tree = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return {}, [f"{shown}: cannot be read as UTF-8 YAML ({exc})"]
    if not isinstance(tree, dict):
        return {}, [f"{shown}: not a mapping of message ids; allowed: nested mappings of "
                    f"texts as in {REFERENCE}.yaml"]
    messages: dict[str, str] = {}
    bad: list = []
    _flatten(tree, "", messages, bad)
    problems = [f"{shown}: {msg_id}: {type(value).__name__} {value!r} is not a text; allowed: "
                "a text (quote it) or a mapping of texts" for msg_id, value in bad]
    for msg_id, text in messages.items():
        try:
            placeholders(text)
        except ValueError as exc:
            problems.append(f"{shown}: {msg_id}: broken placeholder ({exc}); allowed: "
                            "{name} fields, {{ and }} for a literal brace")
    return messages, problems


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(LANG_DIR.parent.parent))
    except ValueError:
        return str(path)


@functools.lru_cache(maxsize=32)
def _cached(path: str, mtime_ns: int, size: int) -> Catalogue:
    messages, problems = _read(Path(path))
    if problems:
        raise ConfigError(f"{len(problems)} problem(s) in {_shown(Path(path))}", problems)
    return Catalogue(Path(path).stem, Path(path), MappingProxyType(messages))


def available_languages(directory: Path | None = None) -> list[str]:
    """The language codes that have a catalogue file, sorted."""
    folder = Path(directory) if directory is not None else LANG_DIR
    return sorted(p.stem for p in folder.glob("*.yaml"))


def language_problems(language, directory: Path | None = None, *,
                      where: str = "station.language") -> list[str]:
    """A language with no catalogue file, named with the languages available."""
    folder = Path(directory) if directory is not None else LANG_DIR
    known = available_languages(folder)
    if isinstance(language, str) and language in known:
        return []
    from icb.params import did_you_mean
    return [f"{where}: bad value {language!r}: no catalogue {_shown(folder / f'{language}.yaml')}"
            f"{did_you_mean(str(language), known)}; allowed: {', '.join(known)} (a lab adds a "
            f"language by adding {_shown(folder)}/<code>.yaml, see docs/languages.md)"]


def load_catalogue(language: str, directory: Path | None = None) -> Catalogue:
    """The catalogue of ``language``; ConfigError naming the languages available."""
    problems = language_problems(language, directory)
    if problems:
        raise ConfigError(problems[0])
    path = (Path(directory) if directory is not None else LANG_DIR) / f"{language}.yaml"
    stat = path.stat()
    return _cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def catalogue_of(station: Mapping) -> Catalogue:
    """The catalogue ``station['language']`` picks (English when the key is absent), with
    the touch forms of its texts when ``station['input']`` is ``touch``."""
    return load_catalogue(station.get("language") or REFERENCE).for_input(
        station.get("input") or "keyboard")


def catalogue_problems(directory: Path | None = None) -> list[str]:
    """Every language file compared with English: a missing id, an extra id, other
    placeholders, a value that is not a text (each named with file, id and what is allowed)."""
    folder = Path(directory) if directory is not None else LANG_DIR
    reference_path = folder / f"{REFERENCE}.yaml"
    if not reference_path.is_file():
        return [f"{_shown(reference_path)}: missing; the English catalogue is the reference "
                "every language is compared with"]
    reference, problems = _read(reference_path)
    ref_name = reference_path.name
    problems += [f"{_shown(reference_path)}: {msg_id}: a touch form of no id; allowed: "
                 f"<id>{TOUCH_SUFFIX} next to an id {msg_id[:-len(TOUCH_SUFFIX)]!r}"
                 for msg_id in reference if msg_id.endswith(TOUCH_SUFFIX)
                 and msg_id[:-len(TOUCH_SUFFIX)] not in reference]
    for path in sorted(folder.glob("*.yaml")):
        if path == reference_path:
            continue
        shown = _shown(path)
        messages, own = _read(path)
        problems += own
        if not messages and own:
            continue
        problems += [f"{shown}: {msg_id}: missing; allowed: every id of {ref_name} (English: "
                     f"{_short(reference[msg_id])})" for msg_id in reference
                     if msg_id not in messages]
        from icb.params import did_you_mean
        problems += [f"{shown}: {msg_id}: not an id of {ref_name}"
                     f"{did_you_mean(msg_id, list(reference))}; allowed: only the ids of "
                     f"{ref_name} (add a new id to every language)"
                     for msg_id in messages if msg_id not in reference]
        for msg_id, text in messages.items():
            if msg_id not in reference:
                continue
            try:
                mine, theirs = placeholders(text), placeholders(reference[msg_id])
            except ValueError:
                continue  # reported by _read
            if mine != theirs:
                problems.append(f"{shown}: {msg_id}: placeholders {_fields(mine)} differ from "
                                f"{ref_name}'s; allowed: exactly {_fields(theirs)}")
    return problems


def _fields(names: set[str]) -> str:
    return ", ".join("{" + n + "}" for n in sorted(names)) if names else "none"


def _short(text: str, n: int = 40) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= n else flat[:n - 3] + "...")
