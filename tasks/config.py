"""Load and check YAML configs (``yaml.safe_load`` only), reporting every problem.

A config file is a mapping with these top-level keys:

``include``
    a file name or a list of them, relative to this file; their keys are merged
    first, in order, and this file's keys override them key by key.
``paradigm``
    the paradigm: a folder under ``tasks/paradigms/`` (``dotprobe``, ``rating``, ...).
    ``task`` is accepted as its older name.
``label``
    the BIDS task label of this configured use (letters and digits; default: the
    paradigm's name). ``paradigm: dotprobe`` with ``label: opioiddotprobe`` is a second
    dot-probe that sits beside the infant one in a battery and is scored as a dot-probe.
``station``
    testing-station settings shared by every task (monitor, keyboard, data folder).
``params``
    the task's parameters, checked against the task's declarations.
``battery``
    (battery configs only) an ordered list of task configs; see ``tasks.battery``.

Each problem names the file that set the key, the key path, the bad value and what
is allowed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from icb.safe_yaml import MAX_CONFIG_BYTES, bounded_safe_load

from icb.bids import check_label
from icb.errors import BadInput, ConfigError
from icb.params import Param, check_mapping, did_you_mean
from tasks.core.paradigm import load as load_paradigm
from tasks.core.paradigm import names as paradigm_names

REPO_ROOT = Path(__file__).resolve().parent.parent

TOP_LEVEL_KEYS = ("include", "paradigm", "label", "task", "station", "params", "battery",
                  "description")

STATION_PARAMS: tuple[Param, ...] = (
    Param("data_dir", "path", "../data", "Folder the data are written to (the BIDS data root); "
          "relative paths are relative to the config file that sets it. `--data-dir` overrides."),
    Param("stimulus_manifest", "path", "../stimuli/manifest.tsv",
          "Stimulus manifest (TSV) the task takes its pictures and sounds from; relative to the "
          "config file that sets it. Point it at an imported lab set to use licensed stimuli."),
    Param("screen_width_cm", "float", 53.0, "Visible width of the monitor.", 10, 300, unit="cm"),
    Param("viewing_distance_cm", "float", 60.0, "Eye-to-screen distance.", 20, 300, unit="cm"),
    Param("screen_size_px", "list[int]", [1920, 1080], "Screen resolution (width, height).",
          320, 10000, min_length=2, max_length=2, distinct=False),
    Param("window_size_px", "list[int]", [1024, 768], "Window size with `--windowed`.",
          320, 10000, min_length=2, max_length=2, distinct=False),
    Param("fullscreen", "bool", True, "Full-screen window (`--windowed` turns it off)."),
    Param("screen_index", "int", 0, "Which screen the window opens on.", 0, 8),
    Param("expected_refresh_hz", "float", 60.0, "The monitor's refresh rate; the measured rate "
          "is compared with it before the run starts.", 20, 500, unit="Hz"),
    Param("refresh_tolerance_hz", "float", 3.0, "Largest allowed difference between measured "
          "and expected refresh rate before the run refuses to start.", 0.1, 100, unit="Hz"),
    Param("keyboard_backend", "str", "ptb", "PsychoPy keyboard backend: `ptb` (Psychtoolbox, "
          "time-stamped off the main thread) or `event` (pyglet events). If `ptb` does not load "
          "the run falls back to `event` and says so on screen, in the log and in the sidecar.",
          choices=("ptb", "event")),
    Param("require_ptb_keyboard", "bool", False, "Refuse to run when the PTB keyboard backend "
          "does not load (instead of falling back)."),
    Param("audio_latency_mode", "int", 3, "PsychoPy/PTB audio latency mode (0 = shared, "
          "3 = aggressive exclusive low latency, 4 = critical).", 0, 4),
    Param("audio_device", "str", None, "Audio output device name (null = the backend's "
          "default).", nullable=True),
    Param("abort_key", "str", "escape", "Key with which the experimenter ends a run (a "
          "confirmation screen follows).", choices=("escape", "f12", "end", "pause")),
    Param("abort_modifiers", "list[str]", [], "Keys the experimenter holds down while pressing "
          "`abort_key`, so that a participant cannot abort by accident: e.g. `[ctrl, shift]` "
          "makes the abort Ctrl+Shift+Escape (a bare Escape is then ignored); `[]` = the "
          "abort key alone. The battery configs set `[ctrl, shift]`.",
          choices=("ctrl", "shift", "alt"), max_length=3),
    Param("background", "list[float]", [0.0, 0.0, 0.0], "Window colour in PsychoPy rgb "
          "(-1..1); 0,0,0 is mid-grey.", -1, 1, min_length=3, max_length=3, distinct=False),
    Param("text_height_deg", "float", 0.8, "Height of instruction text.", 0.2, 5, unit="deg"),
    Param("break_min_s", "float", 5.0, "Shortest break between blocks before the participant "
          "may go on.", 0, 600, unit="s"),
    Param("eye_tracker", "str", "none", "Eye tracker, through PsychoPy's ioHub: `mousegaze` "
          "(ioHub's simulated tracker: the mouse pointer is the gaze; CI and the demo), "
          "`eyelink`, `tobii`, `gazepoint` (their ioHub plugins: `pip install .[eyelink]` and "
          "so on), or `none`. Tasks that need gaze (`freeview`) refuse `none`.",
          choices=("none", "mousegaze", "eyelink", "tobii", "gazepoint")),
    Param("eye_tracker_sampling_hz", "float", 60.0, "Sampling rate asked of the eye tracker "
          "(MouseGaze takes any rate; a hardware tracker's own rates are in its manual).",
          10, 2000, unit="Hz"),
    # -- Lab Streaming Layer (contract section 8) --
    Param("lsl_markers", "bool", False, "Push one LSL marker per flip-locked event (outlet "
          "`icb-markers`, type `Markers`), time-stamped with the flip's (or key's) own time "
          "on the LSL clock."),
    Param("lsl_record", "list[str]", [], "LSL stream types to record for the whole run, e.g. "
          "`[ECG, EDA]`; each becomes BIDS physio beside the events "
          "(`_recording-<type>_physio.tsv.gz`). A type not found within `lsl_resolve_s` is an "
          "error before anything is written."),
    Param("lsl_resolve_s", "float", 5.0, "How long to look for each stream of `lsl_record` "
          "before the run is refused.", 0.2, 120, unit="s"),
    # -- language, input and text size (contract section 9) --
    Param("language", "str", "en", "Language of every text the participant sees: the "
          "catalogue `configs/lang/<language>.yaml` (`en`, `es` shipped)."),
    Param("input", "str", "keyboard", "How the participant answers: `keyboard`, or `touch` "
          "(a touch screen, read as mouse presses; on-screen buttons).",
          choices=("keyboard", "touch")),
    Param("text_height_frac", "float", None, "Height of instruction text as a fraction of the "
          "screen's height; when set it replaces `text_height_deg`.", 0.01, 0.2,
          nullable=True),
)


@dataclass(frozen=True)
class TaskConfig:
    """A checked, resolved task config."""

    path: Path
    paradigm: str
    label: str
    station: dict
    params: dict
    files: tuple[Path, ...] = field(default_factory=tuple)

    def resolved(self) -> dict:
        return {"paradigm": self.paradigm, "label": self.label, "station": self.station,
                "params": self.params}

    @property
    def sha256(self) -> str:
        text = json.dumps(self.resolved(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def data_dir(self) -> Path:
        return Path(self.station["data_dir"])

    @property
    def manifest_path(self) -> Path:
        return Path(self.station["stimulus_manifest"])


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


MAX_INCLUDED_FILES = 50  # config files read for one config (an include diamond)


def read_yaml(path: Path) -> dict:
    """Read one YAML file into a mapping; raise ConfigError naming the file and line."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{_display(path)}: config file not found")
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{_display(path)}: {size} bytes; allowed: a config of at most "
                              f"{MAX_CONFIG_BYTES} bytes")
        data = bounded_safe_load(path.read_text(encoding="utf-8"), ConfigError)
    except OSError as exc:
        raise ConfigError(f"{_display(path)}: cannot read the config "
                          f"({exc.strerror or exc})") from None
    except ConfigError as exc:
        if str(exc).startswith(_display(path)):
            raise
        raise ConfigError(f"{_display(path)}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{_display(path)}:{where}: not valid YAML ({problem})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{_display(path)}: not a text file (UTF-8 expected)") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{_display(path)}: must be a mapping of keys (task:, params:, ...), "
                          f"not {type(data).__name__}")
    return data


class _Merged:
    """Merged config keys with the file each key came from."""

    def __init__(self):
        self.top: dict = {}
        self.origin: dict[tuple, Path] = {}
        self.files: list[Path] = []
        self.unreadable: list[Path] = []


def _merge_file(path: Path, merged: _Merged, problems: list[str], stack: tuple = ()) -> None:
    path = path.resolve()
    if path in stack:
        chain = " -> ".join(_display(p) for p in (*stack, path))
        problems.append(f"{_display(path)}: include: includes itself ({chain})")
        return
    try:
        data = read_yaml(path)
    except ConfigError as exc:
        problems.append(str(exc))
        merged.unreadable.append(path)
        return
    merged.files.append(path)
    if len(merged.files) > MAX_INCLUDED_FILES:
        if len(merged.files) == MAX_INCLUDED_FILES + 1:  # said once
            problems.append(f"{_display(path)}: include: more than {MAX_INCLUDED_FILES} config "
                            f"files read for one config; allowed: at most {MAX_INCLUDED_FILES}")
        return
    includes = data.get("include", [])
    if isinstance(includes, str):
        includes = [includes]
    if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
        problems.append(f"{_display(path)}: include: bad value {includes!r}; allowed: a file "
                        "name or a list of file names")
        includes = []
    for inc in includes:
        _merge_file(path.parent / inc, merged, problems, (*stack, path))
    for key, value in data.items():
        if key == "include":
            continue
        if key not in TOP_LEVEL_KEYS:
            problems.append(f"{_display(path)}: unknown top-level key '{key}'"
                            f"{did_you_mean(str(key), list(TOP_LEVEL_KEYS))}; allowed: "
                            + ", ".join(TOP_LEVEL_KEYS))
            continue
        if key in ("station", "params", "battery") and isinstance(value, dict):
            merged.origin[(key,)] = path
            section = merged.top.setdefault(key, {})
            if not isinstance(section, dict):
                section = merged.top[key] = {}
            for sub, subval in value.items():
                if key == "station" and sub in ("data_dir", "stimulus_manifest") \
                        and isinstance(subval, str):
                    subval = str((path.parent / subval).resolve())
                section[sub] = subval
                merged.origin[(key, sub)] = path
        else:
            merged.top[key] = value
            merged.origin[(key,)] = path


def _resolve_station_defaults(station: dict) -> dict:
    """Relative default paths are relative to the configs/ folder of the repository."""
    out = dict(station)
    for key in ("data_dir", "stimulus_manifest"):
        value = Path(out[key])
        if not value.is_absolute():
            out[key] = str((REPO_ROOT / "configs" / value).resolve())
    return out


def load_merged(path: Path) -> tuple[_Merged, list[str]]:
    merged, problems = _Merged(), []
    _merge_file(Path(path), merged, problems)
    return merged, problems


def _paradigm_and_label(merged: _Merged, path: Path, problems: list[str]):
    """The ``paradigm`` (or its older name ``task``) and the ``label`` of a merged config."""
    top = merged.top
    shown = _display(Path(path))
    if "paradigm" in top and "task" in top:
        problems.append(f"{shown}: task: set together with paradigm; allowed: paradigm "
                        "alone (task is its older name)")
    key = "paradigm" if "paradigm" in top or "task" not in top else "task"
    name = top.get(key)
    known = paradigm_names()
    if name is None:
        problems.append(f"{shown}: paradigm: missing; allowed: one of {', '.join(known)}")
        return None, None
    where = _display(merged.origin.get((key,), Path(path)))
    if not isinstance(name, str) or name not in known:
        problems.append(f"{where}: {key}: unknown paradigm {name!r}"
                        f"{did_you_mean(str(name), known)}; allowed: one of {', '.join(known)}")
        return None, None
    label = top.get("label", name)
    try:
        label = check_label("task", label, option="label")
    except BadInput as exc:
        where = _display(merged.origin.get(("label",), Path(path)))
        problems.append(f"{where}: {exc}")
        return name, None
    return name, label


def check_task_sections(merged: _Merged, path: Path, problems: list[str]) -> TaskConfig | None:
    """Check ``paradigm``, ``label``, ``station`` and ``params`` of a merged task config."""
    top = merged.top
    shown = _display(Path(path))
    name, label = _paradigm_and_label(merged, path, problems)
    if name is None:
        return None
    paradigm = load_paradigm(name)
    station, station_problems = check_mapping(top.get("station", {}) or {}, STATION_PARAMS,
                                              where="station")
    params, param_problems = check_mapping(top.get("params", {}) or {}, paradigm.params,
                                           where="params")
    for problem in station_problems + param_problems:
        section, _, rest = problem.partition(".")
        key = rest.split(":", 1)[0]
        origin = merged.origin.get((section, key), Path(path))
        problems.append(f"{_display(origin)}: {problem}")
    if not station_problems:  # a station.language needs its catalogue configs/lang/<code>.yaml
        from tasks.core.messages import language_problems
        origin = merged.origin.get(("station", "language"), Path(path))
        problems += [f"{_display(origin)}: {p}" for p in language_problems(station["language"])]
    station = _resolve_station_defaults(station)
    if label is None:
        return None
    config = TaskConfig(Path(path), name, label, station, params, tuple(merged.files))
    if not station_problems and not param_problems:
        for problem in paradigm.check(config):
            problems.append(f"{shown}: {problem}")
    return config


def load_task_config(path: Path, overrides: dict | None = None) -> TaskConfig:
    """Load, merge and check a task config; raise ConfigError listing every problem.

    ``overrides`` (``{"station": {...}, "params": {...}}``) are applied on top, as
    if from the command line.
    """
    merged, problems = load_merged(path)
    for section, values in (overrides or {}).items():
        for key, value in values.items():
            merged.top.setdefault(section, {})[key] = value
            merged.origin[(section, key)] = Path("<command line>")
    # A file that could not be read at all: its own problem is the whole story.
    config = None if merged.unreadable else check_task_sections(merged, path, problems)
    if problems or config is None:
        raise ConfigError(f"{len(problems)} problem(s) in {_display(Path(path))}", problems)
    return config
