"""Every message of every language fits a 1024x768 window at the station's text size
(contract section 9): ``scripts/text_fit.py`` lays each one out through the engine's own
text path in one real window and measures it; a lab's message that is too long is named
with its language, id and overflow."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tasks.core.messages import LANG_DIR

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.display


def test_every_message_fits_and_a_long_one_is_named(tmp_path):
    folder = tmp_path / "lang"
    folder.mkdir()
    for language in ("en", "es"):
        shutil.copy(LANG_DIR / f"{language}.yaml", folder)
    # a lab's language whose end screen is far too long for the screen
    lab = (LANG_DIR / "es.yaml").read_text(encoding="utf-8").replace(
        "    Por favor, avise al personal del estudio.\n",
        "".join(f"    Por favor, avise al personal del estudio ({i}).\n" for i in range(40)), 1)
    (folder / "xx.yaml").write_text(lab, encoding="utf-8")
    out = subprocess.run([sys.executable, str(REPO / "scripts" / "text_fit.py"), "--json",
                          "--lang-dir", str(folder)], capture_output=True, text=True,
                         cwd=REPO, timeout=300)
    assert out.returncode == 1, out.stderr
    figures = json.loads(out.stdout)
    assert figures["window_px"] == [1024, 768]
    # the text size used is recorded (Provenance.Display): the station's 0.8 deg
    assert figures["TextHeightDeg"] == 0.8 and 0.01 < figures["TextHeightFrac"] < 0.2
    problems = figures["problems"]
    assert problems and all(p.startswith("xx.yaml: trial.end: ") for p in problems), problems
    assert "sticks out of the 1024x768 window by" in problems[0]
    # with station.input: touch the same screen also covers the Continue button
    assert any(p.startswith("xx.yaml: trial.end: overlaps the 'Continuar' button (touch "
                            "input") for p in problems), problems
    # the shipped languages fit, their tallest screen with room to spare
    for language in ("en", "es"):
        assert 0.3 < figures["languages"][language]["tallest_frac"] < 0.96, figures
