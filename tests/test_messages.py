"""Message catalogues (contract section 9): every language has English's ids and
placeholders, a lab's file with a missing or an extra id is named by ``icb validate``, an
unknown ``station.language`` is refused (exit 2), and the tasks speak the station's
language."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from icb.errors import ConfigError
from tasks.core.messages import (LANG_DIR, available_languages, catalogue_problems,
                                 load_catalogue)
from tasks.core.scales import build_scales

REPO = Path(__file__).resolve().parent.parent


def test_shipped_catalogues_are_complete():
    assert {"en", "es"} <= set(available_languages())
    assert catalogue_problems() == []
    en, es = load_catalogue("en"), load_catalogue("es")
    assert set(en.messages) == set(es.messages)
    # Spanish is Spanish: no message is left in English (short key labels aside)
    same = [k for k in en.messages if en.messages[k] == es.messages[k]
            and len(en.messages[k]) > 12]
    assert same == [], same


def lab_catalogues(tmp_path: Path, spanish: str) -> Path:
    """A catalogue folder: the shipped English, and ``xx.yaml`` = Spanish edited."""
    folder = tmp_path / "lang"
    folder.mkdir()
    (folder / "en.yaml").write_text((LANG_DIR / "en.yaml").read_text(encoding="utf-8"),
                                    encoding="utf-8")
    text = (LANG_DIR / "es.yaml").read_text(encoding="utf-8")
    (folder / "xx.yaml").write_text(spanish(text) if callable(spanish) else spanish,
                                    encoding="utf-8")
    return folder


def test_missing_id_is_named(tmp_path):
    folder = lab_catalogues(tmp_path, lambda t: t.replace(
        "  too_slow: Muy lento\n", "", 1))
    problems = catalogue_problems(folder)
    assert len(problems) == 1, problems
    assert "xx.yaml: dotprobe.too_slow: missing" in problems[0]
    assert "Too slow" in problems[0]  # the English text to translate


def test_extra_id_is_named(tmp_path):
    folder = lab_catalogues(tmp_path, lambda t: t.replace(
        "  too_slow: Muy lento\n", "  too_slow: Muy lento\n  too_slw: Muy lento\n", 1))
    problems = catalogue_problems(folder)
    assert len(problems) == 1, problems
    assert "xx.yaml: dotprobe.too_slw: not an id of en.yaml (did you mean " \
           "'dotprobe.too_slow'?)" in problems[0]


def test_placeholder_mismatch_and_non_text_are_named(tmp_path):
    folder = lab_catalogues(tmp_path, lambda t: t.replace(
        "Ya terminó la parte {done} de {total}.", "Ya terminó la parte {hecho} de {total}.", 1
    ).replace("too_slow: Muy lento", "too_slow: 12", 1))
    problems = "\n".join(catalogue_problems(folder))
    assert "xx.yaml: trial.break: placeholders {hecho}, {total} differ from en.yaml's; " \
           "allowed: exactly {done}, {total}" in problems
    assert "xx.yaml: dotprobe.too_slow: int 12 is not a text" in problems


def test_unknown_id_names_the_id_and_the_file():
    with pytest.raises(ConfigError, match=r"es\.yaml: no message 'trial.brake' \(did you mean "
                                          r"'trial.break'\?\)"):
        load_catalogue("es").text("trial.brake")


def validate(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "icb.cli", "validate", *map(str, args)],
                          capture_output=True, text=True, cwd=REPO, timeout=120)


def test_validate_refuses_a_language_without_catalogue(tmp_path):
    cfg = tmp_path / "rating.yaml"
    cfg.write_text(f"include: {REPO / 'configs' / 'rating.yaml'}\nstation:\n  language: fr\n")
    out = validate(cfg)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "station.language: bad value 'fr': no catalogue configs/lang/fr.yaml" in out.stderr
    assert "allowed: en, es" in out.stderr


def test_validate_accepts_spanish_and_a_catalogue_file(tmp_path):
    cfg = tmp_path / "rating.yaml"
    cfg.write_text(f"include: {REPO / 'configs' / 'rating.yaml'}\nstation:\n  language: es\n")
    out = validate(cfg, LANG_DIR / "es.yaml")
    assert out.returncode == 0, out.stderr
    assert "ok: " in out.stdout and "message catalogue, language es" in out.stdout


def test_every_message_id_in_the_code_exists():
    """Each literal id the code asks for (``.text("a.b")``, ``after_practice="a.b"``) is in
    the English catalogue, so no screen fails mid-session."""
    ids = set()
    pattern = re.compile(r'''(?:\.text\(\s*|after_practice=|\.template\(\s*)["']([a-z_]+(?:\.[a-z_]+)+)["']''')
    for path in (REPO / "tasks").rglob("*.py"):
        ids |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert len(ids) > 20
    missing = sorted(i for i in ids if i not in load_catalogue("en").messages)
    assert missing == []


def test_scales_speak_the_language():
    es = load_catalogue("es")
    liking = build_scales(["liking"], "likert", messages=es)[0]
    assert liking.for_stimulus("infant", sound=False).prompt == "¿Cuánto le gusta este bebé?"
    assert liking.for_stimulus("adult", sound=False).prompt == "¿Cuánto le gusta esta cara?"
    assert liking.low_anchor == "me disgusta mucho"
    english = build_scales(["liking"], "likert")[0]
    assert english.for_stimulus("infant", sound=False).prompt == \
        "How much do you like this baby?"
