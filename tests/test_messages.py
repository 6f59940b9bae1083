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


# -- touch wording: <id>_touch forms picked with station.input: touch ----------------------
KEYBOARD_WORDS = re.compile(r"SPACE|ESPACIO|espaciadora|arrow|flecha|\bkeys?\b|tecla|mouse|"
                            r"rat[oó]n|keyboard|teclado|\bpress|presion|\bclick|clic\b", re.I)
TASK_CONFIGS = ("dotprobe.yaml", "dotprobe_discrimination.yaml", "freeview.yaml",
                "rating.yaml", "keypress.yaml", "cryrating.yaml")


def participant_texts(config_name: str, language: str, device: str) -> dict[str, str]:
    """Every text a run of ``config_name`` shows, made by the functions the run uses."""
    from tasks.config import load_task_config
    from tasks.core.messages import catalogue_of
    from tasks.core.paradigm import RunContext, load
    from tasks.core.scales import scales_of
    from tasks.paradigms.keypress.paradigm import trial_texts
    config = load_task_config(REPO / "configs" / config_name,
                              {"station": {"language": language, "input": device}})
    paradigm = load(config.paradigm)
    plan = paradigm.plan(config, "01", "pre", seed=3)
    messages = RunContext(config, plan).catalogue  # what present() reads
    assert messages.input == device and catalogue_of(config.station).input == device
    texts = {"instructions": paradigm.instructions(config, plan)}
    texts |= {i: messages.text(i) for i in (paradigm.after_practice, "trial.start",
                                            "trial.continue", "trial.end",
                                            "battery.between_tasks", "battery.all_done",
                                            "scale.hint")}
    texts["trial.break"] = messages.text("trial.break", done=1, total=2)
    if config.paradigm == "dotprobe":
        texts |= {i: messages.text(i) for i in ("dotprobe.too_slow", "dotprobe.wrong_key")}
    if config.paradigm == "keypress":
        reminder, feedback = trial_texts(config.params, messages)
        texts["keypress.reminder"] = reminder.text
        texts |= {f"keypress.feedback{sign}": t.text for sign, t in feedback.items()}
    if config.paradigm in ("rating", "cryrating"):
        for name, scale in scales_of(config.params, messages).items():
            texts[f"scale.{name}"] = scale.prompt + scale.low_anchor + scale.high_anchor
    return texts


@pytest.mark.parametrize("language", ["en", "es"])
def test_touch_runs_never_name_a_key_or_the_mouse(language):
    for config_name in TASK_CONFIGS:
        for what, text in participant_texts(config_name, language, "touch").items():
            assert not KEYBOARD_WORDS.search(text), (config_name, language, what, text)
    # the keyboard run still names its keys (the check above could fail)
    keyboard = participant_texts("dotprobe.yaml", language, "keyboard")
    assert KEYBOARD_WORDS.search(keyboard["instructions"])
    assert KEYBOARD_WORDS.search(keyboard["trial.start"])


def test_touch_wording_names_the_buttons_drawn():
    """Touch texts point at the buttons the engine labels (tasks/core/touch.py labels)."""
    for language in ("en", "es"):
        touch = load_catalogue(language).for_input("touch")
        go, confirm = touch.text("touch.continue"), touch.text("touch.confirm")
        assert go in touch.text("trial.start") and go in touch.text("trial.continue")
        assert confirm in touch.text("scale.hint")
        keypress = participant_texts("keypress.yaml", language, "touch")
        assert touch.text("touch.more") in keypress["instructions"]
        assert touch.text("touch.less") in keypress["keypress.reminder"]


def test_keyboard_texts_are_unchanged_by_touch_forms():
    english = load_catalogue("en")
    assert english.input == "keyboard"
    for msg_id, text in english.messages.items():
        assert english.template(msg_id) == text  # a keyboard station never gets a touch form
    assert english.text("trial.start") == "Press the SPACE bar to start."
    assert participant_texts("rating.yaml", "en", "keyboard")["scale.hint"] == \
        "Use the mouse or the LEFT and RIGHT arrow keys, then press SPACE to confirm"


def test_every_text_naming_an_input_has_a_touch_form():
    """A new message that names a key or the mouse needs its <id>_touch (keys.* only
    name the configured keys inside keyboard texts)."""
    for language in ("en", "es"):
        messages = load_catalogue(language).messages
        lacking = [i for i, text in messages.items() if KEYBOARD_WORDS.search(text)
                   and not i.endswith("_touch") and not i.startswith("keys.")
                   and i + "_touch" not in messages]
        assert lacking == [], (language, lacking)


def test_touch_forms_are_checked_in_every_language(tmp_path):
    folder = lab_catalogues(tmp_path, lambda t: t.replace(
        "  start_touch: Toque el botón Continuar para empezar.\n", "", 1).replace(
        "  too_slow: Muy lento\n", "  too_slow: Muy lento\n  too_slow_touch: Muy lento\n", 1))
    problems = catalogue_problems(folder)
    assert len(problems) == 2, problems
    assert "xx.yaml: trial.start_touch: missing" in problems[0]
    assert "xx.yaml: dotprobe.too_slow_touch: not an id of en.yaml" in problems[1]
    # a touch form of no id in the reference itself is named too
    (folder / "en.yaml").write_text((LANG_DIR / "en.yaml").read_text(encoding="utf-8")
                                    + "orphan_touch: Tap here\n", encoding="utf-8")
    assert any("en.yaml: orphan_touch: a touch form of no id" in p
               for p in catalogue_problems(folder))
