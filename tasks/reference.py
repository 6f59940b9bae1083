"""Generate ``docs/config-reference.md`` from the parameter declarations.

``python -m tasks.reference`` rewrites the file; a test checks that the committed
file is what this makes, so every declared parameter is documented.
"""

from __future__ import annotations

import sys

from icb.params import reference_markdown
from tasks.config import REPO_ROOT, STATION_PARAMS, TOP_LEVEL_KEYS
from tasks.core import paradigm as paradigms
from tasks.session import BATTERY_REFERENCE

OUT = REPO_ROOT / "docs" / "config-reference.md"

HEADER = """# Config reference

Generated from the parameter declarations by `python -m tasks.reference`; do not edit by
hand (a test checks that this file matches the code).

A config is a YAML file (read with `yaml.safe_load`) with the top-level keys
{keys}. `include` names other config files (relative to the including file) whose keys
are merged first; the including file overrides them key by key (inside `station:`,
`params:` and `battery:` too: an including battery that sets only `order:` keeps the
included task list, which stays relative to the file that lists it). Unknown keys are errors,
with a did-you-mean. `icb validate CONFIG...` checks configs and every stimulus they name
without opening a window and reports every problem at once (exit status 2).
Limits are checked before any work: a config file of at most 1,000,000 bytes, nested at most
20 levels deep, with at most 200 aliases (`*name`) and 100,000 values once they are expanded,
and at most 50 config files read through `include:` for one config. Every number must be
finite (`.nan` and `.inf` are refused by name), and every stimulus file must be the one its
manifest describes (SHA-256), inside the manifest's folder (no symbolic link out of it) and,
for a picture, at most 40,000,000 pixels (checked from its header, before decoding).

Defaults marked *unverified* are the battery's choices where the literature check could not
confirm the original paradigm's value (see `docs/paradigms.md`); keep them in the config
when you report a study.

## `station`: the testing station (shared by every task)

"""


PARADIGM_NOTE = """
A task config names its `paradigm` (a folder under `tasks/paradigms/`) and optionally a
`label` (letters and digits; the BIDS `task-<label>` of its files; default: the paradigm's
name). A battery may hold one paradigm under several labels, e.g. `paradigm: dotprobe` with
`label: opioiddotprobe` beside the infant dot-probe. `task` is accepted as the older name
of `paradigm`.
"""


def build() -> str:
    parts = [HEADER.format(keys=", ".join(f"`{k}`" for k in TOP_LEVEL_KEYS)),
             reference_markdown("station keys", STATION_PARAMS), PARADIGM_NOTE]
    for name in paradigms.names():
        paradigm = paradigms.load(name)
        parts.append(f"\n## `params` of paradigm `{name}`\n\n")
        if paradigm.description:
            parts.append(f"{paradigm.description[0].upper()}{paradigm.description[1:]}.\n\n")
        parts.append(reference_markdown(f"{name} parameters", paradigm.params))
        if paradigm.effects:
            parts.append(f"\nPlanted effects for `icb simulate --effect NAME=VALUE` ({name}):\n\n")
            parts += [f"- `{e.name}` (default {e.default}): {e.doc}\n" for e in paradigm.effects]
    parts.append("\n" + BATTERY_REFERENCE)
    return "".join(parts)


def main() -> int:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(build(), encoding="utf-8")
    print(f"wrote {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
