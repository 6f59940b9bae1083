"""Generate ``docs/config-reference.md`` from the parameter declarations.

``python -m tasks.reference`` rewrites the file; a test checks that the committed
file is what this makes, so every declared parameter is documented.
"""

from __future__ import annotations

import importlib
import sys

from tasks.config import REPO_ROOT, STATION_PARAMS, TASK_MODULES, TOP_LEVEL_KEYS
from icb.params import reference_markdown

OUT = REPO_ROOT / "docs" / "config-reference.md"

HEADER = """# Config reference

Generated from the parameter declarations by `python -m tasks.reference`; do not edit by
hand (a test checks that this file matches the code).

A config is a YAML file (read with `yaml.safe_load`) with the top-level keys
{keys}. `include` names other config files (relative to the including file) whose keys
are merged first; the including file overrides them key by key. Unknown keys are errors,
with a did-you-mean. `icb validate CONFIG...` checks configs and every stimulus they name
without opening a window and reports every problem at once (exit status 2).

Defaults marked *unverified* are the battery's choices where the literature check could not
confirm the original paradigm's value (see `docs/paradigms.md`); keep them in the config
when you report a study.

## `station`: the testing station (shared by every task)

"""


def available_tasks() -> list[tuple[str, object]]:
    found = []
    for name, module_name in TASK_MODULES.items():
        try:
            found.append((name, importlib.import_module(module_name)))
        except ModuleNotFoundError:
            continue
    return found


def build() -> str:
    parts = [HEADER.format(keys=", ".join(f"`{k}`" for k in TOP_LEVEL_KEYS)),
             reference_markdown("station keys", STATION_PARAMS)]
    for name, module in available_tasks():
        parts.append(f"\n## `params` of task `{name}`\n\n")
        parts.append(reference_markdown(f"{name} parameters", module.PARAMS))
        effects = getattr(module, "EFFECTS", None)
        if effects:
            parts.append(f"\nPlanted effects for `icb simulate --effect NAME=VALUE` ({name}):\n\n")
            parts += [f"- `{k}` (default {d}): {doc}\n" for k, (d, doc) in effects.items()]
    extra = getattr(importlib.import_module("tasks.config"), "BATTERY_REFERENCE", None)
    if extra:
        parts.append("\n" + extra)
    return "".join(parts)


def main() -> int:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(build(), encoding="utf-8")
    print(f"wrote {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
