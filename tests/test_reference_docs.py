"""The generated config reference is current: every declared parameter is documented."""

from tasks.config import STATION_PARAMS
from tasks.core import paradigm
from tasks.reference import OUT, build


def test_committed_reference_matches_declarations():
    assert OUT.read_text(encoding="utf-8") == build(), \
        "docs/config-reference.md is stale: run `python -m tasks.reference`"


def test_every_parameter_appears():
    text = OUT.read_text(encoding="utf-8")
    for param in STATION_PARAMS:
        assert f"| `{param.name}` |" in text
    for name in paradigm.names():
        for param in paradigm.load(name).params:
            assert f"| `{param.name}` |" in text
