"""The analysis imports the shared contract (``icb.*``) only: no ``tasks`` module and no
PsychoPy, whatever analysis module is imported (each in a fresh interpreter)."""

import pkgutil
from pathlib import Path

import analysis
from helpers import assert_imports_none_of

REPO = Path(__file__).resolve().parent.parent


def analysis_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(analysis.__path__, "analysis."))


def test_every_analysis_module_is_listed():
    names = analysis_modules()
    assert {"analysis.score", "analysis.report", "analysis.scorers.dotprobe",
            "analysis.scorers.rating"} <= set(names)


def test_analysis_imports_no_tasks_module_and_no_psychopy():
    code = (
        "import importlib\n"
        f"names = {analysis_modules()!r}\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "from analysis.scorer import registry\n"
        "registry()\n")
    assert_imports_none_of(code, ("tasks", "psychopy", "psychtoolbox", "pyglet"), timeout=300)


GENERIC = ("score", "report", "report_text", "change", "clean", "io", "dataset", "events",
           "progress", "plots", "report_parts", "scorer")


def test_generic_modules_name_no_paradigm():
    """Paradigm names live in the scorer modules (and the settings keyed by paradigm) only."""
    import ast
    import re

    from analysis.scorer import registry

    word = re.compile(r"\b(" + "|".join(registry()) + r")\b")
    offenders = []
    for name in GENERIC:
        path = REPO / "analysis" / f"{name}.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and word.search(node.value):
                offenders.append(f"{name}.py:{node.lineno}: {word.search(node.value)[0]}")
    assert offenders == []
