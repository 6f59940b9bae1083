"""Only the PsychoPy boundary imports PsychoPy; analysis and validation never do."""

import ast
from pathlib import Path

from helpers import assert_imports_none_of, run_python

REPO = Path(__file__).resolve().parent.parent
BOUNDARY = REPO / "tasks" / "core" / "psychopy_engine"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_no_psychopy_import_outside_the_boundary():
    offenders = []
    for package in ("tasks", "analysis"):
        for path in (REPO / package).rglob("*.py"):
            if BOUNDARY in path.parents:
                continue
            if {"psychopy", "psychtoolbox", "pyglet"} & imported_modules(path):
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def test_validation_simulation_and_analysis_run_without_psychopy():
    code = (
        "import icb.cli, tasks.config, tasks.validate, tasks.simulate_cohort, tasks.run\n"
        "import tasks.core.writer, tasks.stimulus_factory.manifest, tasks.battery\n"
        "import analysis.cli, analysis.score, analysis.report\n"
        "from tasks.core import paradigm\n"
        "[paradigm.load(n) for n in paradigm.names()]\n")
    assert_imports_none_of(code, ("psychopy", "psychtoolbox", "pyglet"), timeout=120)


def test_validate_does_not_import_psychopy(tmp_path):
    code = ("import sys, runpy\n"
            "from icb.cli import main\n"
            f"rc = main(['validate', r'{REPO / 'configs' / 'dotprobe.yaml'}'])\n"
            "bad = [m for m in sys.modules if m.startswith('psychopy')]\n"
            "sys.exit(3 if bad else rc)\n")
    out = run_python(code, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
