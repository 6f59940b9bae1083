"""The engine protocol (tasks.core.engine.Engine): both engines implement every method it
lists with the same signature, neither has a public method it does not list, and task
logic never probes an engine with getattr/hasattr."""

import inspect
import re
from pathlib import Path

import pytest

from tasks.core.data_engine import DataEngine
from tasks.core.engine import Engine
from tasks.core.psychopy_engine import PsychoPyEngine

REPO = Path(__file__).resolve().parent.parent
STATION = {"expected_refresh_hz": 60.0}


def protocol_methods() -> dict[str, inspect.Signature]:
    return {name: inspect.signature(member) for name, member in vars(Engine).items()
            if callable(member) and not name.startswith("_")}


def public_methods(cls) -> set[str]:
    return {name for name, member in inspect.getmembers(cls, callable)
            if not name.startswith("_")}


def test_protocol_lists_the_engine_calls():
    names = set(protocol_methods())
    assert {"run_sequence", "rate", "present_adjustable", "play_sound", "show_message",
            "pause_screen", "confirm_abort", "new_run", "preload_images"} <= names


@pytest.mark.parametrize("engine", [DataEngine, PsychoPyEngine], ids=lambda c: c.__name__)
def test_engine_implements_every_method_with_the_protocol_signature(engine):
    mismatched = {}
    for name, wanted in protocol_methods().items():
        member = getattr(engine, name, None)
        if member is None:
            mismatched[name] = "missing"
            continue
        got = inspect.signature(member)
        if got != wanted:
            mismatched[name] = f"{got} != protocol {wanted}"
    assert not mismatched, mismatched


@pytest.mark.parametrize("engine", [DataEngine, PsychoPyEngine], ids=lambda c: c.__name__)
def test_engine_has_no_public_method_outside_the_protocol(engine):
    assert public_methods(engine) - set(protocol_methods()) == set()


def test_both_engines_are_engines():
    assert isinstance(DataEngine(), Engine)
    assert isinstance(PsychoPyEngine(STATION), Engine)  # no window is opened


def test_a_changed_signature_is_caught():
    """The check above can fail: an engine whose rate() lost its time-out."""

    class Drifted(DataEngine):
        def rate(self, scale, items: tuple = (), *, planned=None):  # noqa: D102
            return super().rate(scale, items, planned=planned)

    wanted = protocol_methods()["rate"]
    assert inspect.signature(Drifted.rate) != wanted
    assert inspect.signature(DataEngine.rate) == wanted


def test_no_engine_probing_in_station_code():
    pattern = re.compile(r"\b(getattr|hasattr)\(\s*(self\.)?(engine|eng)\b")
    hits = [f"{path.relative_to(REPO)}:{n}" for path in (REPO / "tasks").rglob("*.py")
            for n, line in enumerate(path.read_text().splitlines(), 1) if pattern.search(line)]
    assert hits == []


def test_parity_check_finds_a_changed_engine(tmp_path):
    """The comparison the real-window tests make (tests/engine_parity.py) against the data
    engine: the same run twice agrees row for row; an engine that records the other arrow
    key does not."""
    from engine_parity import compared_columns, data_engine_twin, read_rows, row_differences

    from tasks.core.results import SequenceResult

    class SwappedKeys(DataEngine):
        def run_sequence(self, screens, response=None, planned=None) -> SequenceResult:
            result = super().run_sequence(screens, response, planned)
            swap = {"left": "right", "right": "left"}
            result.key = swap.get(result.key, result.key)
            return result

    config = REPO / "configs" / "demo" / "dotprobe.yaml"
    spec = "p_error=0,p_miss=0"
    first = data_engine_twin_from_scratch(config, spec, tmp_path / "first")
    sidecar = first.with_suffix(".json")
    again = data_engine_twin(config, sidecar, spec, tmp_path / "again")
    changed = data_engine_twin(config, sidecar, spec, tmp_path / "changed",
                               engine=SwappedKeys())
    columns = compared_columns("dotprobe")
    assert "response" in columns and "rt_ms" not in columns and "onset" not in columns
    assert row_differences(read_rows(first), read_rows(again), columns) == []
    differences = row_differences(read_rows(first), read_rows(changed), columns)
    assert any(" response: " in d for d in differences)
    assert any(" correct: " in d for d in differences)


def data_engine_twin_from_scratch(config_path, spec, root):
    from tasks.config import load_task_config
    from tasks.core.paradigm import load as load_paradigm
    from tasks.core.runner import RunRequest, run_one
    config = load_task_config(config_path)
    engine = DataEngine()
    engine.open()
    return run_one(config, engine, RunRequest("01", "pre", root),
                   responder=load_paradigm("dotprobe").responder(spec, config),
                   log=lambda msg: None).tsv_path
