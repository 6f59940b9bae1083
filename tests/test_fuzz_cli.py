"""The command line under generated hostile input (issue 12's fuzz harness).

Hypothesis writes configs (wrong types, NaN and infinity, huge and negative numbers,
unknown and nested keys, aliases and alias bombs, deep nesting), labels, option values
and damaged data roots, and hands them to ``icb``'s own entry point (``icb.cli.main``,
the function behind the console script, in this process so that hundreds of cases fit
in CI's two minutes).  Every answer must be exit status 0, 1 or 2 with no traceback (the
error boundary prints one only for a genuine bug), and no file outside the command's own
output folder may change: the configs, the stimuli and the data root being scored are
hashed before and compared after.

In CI the examples are derandomised (the same cases every run, so that a red CI always
names a real bug that reproduces); on a developer's machine they are new every run.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icb.cli import main

REPO = Path(__file__).resolve().parent.parent
DOTPROBE = REPO / "configs" / "demo" / "dotprobe.yaml"
RATING = REPO / "tests" / "configs" / "rating_tiny.yaml"
WATCHED = (REPO / "configs", REPO / "stimuli", REPO / "tests" / "configs")

def fuzz(examples: int):
    return settings(max_examples=examples, deadline=None, database=None,
                    derandomize=bool(os.environ.get("CI")),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


def tree_digest(*folders: Path) -> dict[str, str]:
    """Path -> SHA-256 (or the kind of entry) of everything under the folders."""
    found = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            mode = path.lstat().st_mode
            if stat.S_ISREG(mode):
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[str(path)] = stat.filemode(mode)
    return found


def icb(*argv) -> tuple[int, str]:
    """``icb ARGV`` in this process: (exit status, standard error)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = main([str(a) for a in argv])
        except SystemExit as exc:  # argparse's own refusal
            status = exc.code if isinstance(exc.code, int) else 2
    return status, err.getvalue()


def assert_clean(status: int, stderr: str, allowed=(0, 1, 2)) -> None:
    assert status in allowed, (status, stderr)
    assert "Traceback" not in stderr and "this is a bug in icb" not in stderr, stderr
    if status == 1:  # only the machine's state may give 1, and never in these cases
        raise AssertionError(f"exit 1 for bad input: {stderr}")


@pytest.fixture(scope="module")
def watched():
    before = tree_digest(*WATCHED)
    yield
    assert tree_digest(*WATCHED) == before, "a command changed a file outside its output"


# -- configs ------------------------------------------------------------------------------

KEYS = {
    "params": ["trial_types", "cue_durations_ms", "fixation_ms", "probe_timeout_ms",
               "iti_min_ms", "iti_max_ms", "probe_mode", "location_keys", "n_blocks",
               "reps_per_block", "filler_ratio", "practice_trials", "stimulus_set",
               "cue_msec", "key_mapping"],
    "station": ["expected_refresh_hz", "refresh_tolerance_hz", "background", "screen_size_px",
                "screen_width_cm", "viewing_distance_cm", "data_dir", "stimulus_manifest",
                "fullscreen", "abort_key", "text_height_deg", "keyboard_backend"],
}

SCALARS = st.one_of(
    st.none(), st.booleans(),
    st.integers(-10**30, 10**30), st.integers(-3, 3),
    st.sampled_from([".nan", ".inf", "-.inf", "1e400", "-0", "0x1F", "1_000", "~", "''", "'\\x00'",
                     "!!binary aGVsbG8=", "!!python/object:os.system ls", "2020-01-01"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12).map(repr),
)


def _yaml(value, depth=0) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v, depth + 1) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml(v, depth + 1)}" for k, v in value.items()) + "}"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True),
                                                 inner, max_size=3)), max_leaves=8)

HOSTILE_TEXT = st.sampled_from([
    "[" * 5000 + "]" * 5000,  # deep nesting
    "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi")) + "params: {trial_types: *i}\n",  # alias bomb
    "include: [" + ", ".join(["self.yaml"] * 60) + "]\n",
    "params: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
    "\x00\x01\x02", "\ufeffparamS: 1\n", "--- !!python/object/apply:os.system ['true']\n",
    "params:\n  cue_durations_ms: &c [200, 2000]\n  trial_types: *c\n", "",
])


@st.composite
def configs(draw) -> str:
    """A config's text: the demo dot-probe with generated damage."""
    if draw(st.integers(0, 9)) == 0:
        return draw(HOSTILE_TEXT)
    lines = [f"include: {DOTPROBE}", "paradigm: dotprobe"]
    for section in ("params", "station"):
        chosen = draw(st.lists(st.sampled_from(KEYS[section]), max_size=3, unique=True))
        entries = {key: _yaml(draw(VALUES)) for key in chosen}
        if draw(st.booleans()):
            entries[draw(st.from_regex(r"[a-z_]{1,10}", fullmatch=True))] = _yaml(draw(VALUES))
        if entries:
            lines.append(f"{section}:")
            lines += [f"  {k}: {v}" for k, v in entries.items()]
    if draw(st.integers(0, 4)) == 0:
        lines.append(f"{draw(st.from_regex(r'[a-z]{1,8}', fullmatch=True))}: {_yaml(draw(VALUES))}")
    return "\n".join(lines) + "\n"


@fuzz(120)
@given(text=configs(), plan=st.booleans())
def test_validate_any_config(watched, text, plan):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "self.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        status, err = icb("validate", path, *(["--plan"] if plan else []))
        assert_clean(status, err, allowed=(0, 2))


# -- labels and option values ----------------------------------------------------------------

OPTION_TEXT = st.one_of(
    st.integers(-10**20, 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", ",", " ", "01", "pre", "post", "Pre", "MORE", "control", "a b", "../x",
                     "x" * 300, "sub-01", "é", "\t", "MORE,,control", "bias_ms=nan",
                     "bias_ms=1e400", "bias_ms=-5", "sigma_ms=-5", "nope=1", "bias_ms", "=3",
                     "rating_sd=-1", "rating_infant_minus_adult=inf"]),
    st.text(max_size=20))


def options(data, valid: dict[str, str]) -> list[str]:
    """Every option with a valid value but one or two, which get a generated one: a bad
    value in one option is reached only when the others pass."""
    values = dict(valid)
    for name in data.draw(st.lists(st.sampled_from(sorted(valid)), min_size=1, max_size=2,
                                   unique=True)):
        values[name] = data.draw(OPTION_TEXT)
    return [part for name, value in values.items() for part in (name, value)]


@fuzz(60)
@given(data=st.data())
def test_simulate_any_options(watched, data):
    with tempfile.TemporaryDirectory() as tmp:
        argv = options(data, {"--participants": "2", "--seed": "7", "--first": "1",
                              "--groups": "MORE,control", "--sessions": "pre,post",
                              "--effect": "rating_infant_minus_adult=1"})
        count = argv.index("--participants") + 1
        if argv[count].strip().isdigit() and int(argv[count]) > 2:
            argv[count] = "2"  # a valid cohort is at most two people here: a case stays fast
        status, err = icb("simulate", RATING, "--data-dir", Path(tmp) / "data", *argv)
        assert_clean(status, err, allowed=(0, 2))


@fuzz(60)
@given(data=st.data())
def test_run_and_plan_any_labels(watched, data):
    """``icb run`` with no display: every label and option is checked before the window,
    so each case ends with exit 2 (a bad value, or no display) and writes no run."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "data"
        argv = options(data, {"--participant": "01", "--session": "pre", "--group": "MORE",
                              "--seed": "3", "--simulate": "bias_ms=20"})
        display = os.environ.pop("DISPLAY", None)
        try:
            status, err = icb("run", DOTPROBE, "--data-dir", root, *argv)
        finally:
            if display is not None:
                os.environ["DISPLAY"] = display
        assert_clean(status, err, allowed=(2,))
        assert not root.exists() or not any(root.rglob("*_events.*")), err
        plan = [a for i, a in enumerate(argv) if argv[i - (i % 2)] in
                ("--participant", "--session", "--seed")]
        status, err = icb("validate", DOTPROBE, "--plan", *plan)
        assert_clean(status, err, allowed=(0, 2))


# -- damaged data roots --------------------------------------------------------------------

@pytest.fixture(scope="module")
def scored_root(tmp_path_factory):
    """A small simulated data root (dot-probe and rating, two participants, pre and post)
    and a fast scoring config."""
    base = tmp_path_factory.mktemp("fuzzroot")
    root = base / "root"
    for config in (DOTPROBE, RATING):
        status, err = icb("simulate", config, "--participants", "2", "--data-dir", root,
                          "--seed", "5")
        assert status == 0, err
    scoring = base / "scoring.yaml"
    scoring.write_text("reliability:\n  n_splits: 20\nmixed_model:\n  enabled: false\n")
    return root, scoring


DAMAGES = ("truncate", "garbage", "header", "reserved", "latin1", "empty", "folder",
           "dangling", "fifo", "sidecar", "deep_sidecar", "status", "run01", "participants",
           "ragged", "huge_number", "formula")


def damage(path: Path, how: str, data: st.DataObject) -> None:
    """One kind of damage to one file of the data root."""
    text = path.read_bytes()
    sidecar = path.with_name(path.name[: -len(".tsv")] + ".json")
    if how == "truncate":
        path.write_bytes(text[: data.draw(st.integers(0, len(text)))])
    elif how == "garbage":
        at = data.draw(st.integers(0, len(text)))
        path.write_bytes(text[:at] + data.draw(st.binary(max_size=40)) + text[at:])
    elif how == "header":
        lines = text.split(b"\n")
        cols = lines[0].split(b"\t")
        del cols[data.draw(st.integers(0, len(cols) - 1))]
        path.write_bytes(b"\n".join([b"\t".join(cols), *lines[1:]]))
    elif how == "reserved":
        name = data.draw(st.sampled_from([b"run", b"participant_id", b"_file", b"excluded",
                                          b"=1+1", b"onset"]))
        lines = text.rstrip(b"\n").split(b"\n")
        path.write_bytes(b"\n".join([lines[0] + b"\t" + name]
                                    + [ln + b"\t-12.5" for ln in lines[1:]]) + b"\n")
    elif how == "latin1":
        path.write_bytes(text.replace(b"infant", b"inf\xe1nt", 1))
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "folder":
        path.unlink()
        path.mkdir()
    elif how == "dangling":
        path.unlink()
        path.symlink_to(path.with_name("nowhere"))
    elif how == "fifo":
        path.unlink()
        os.mkfifo(path)
    elif how == "sidecar":
        sidecar.write_bytes(data.draw(st.binary(max_size=60)))
    elif how == "deep_sidecar":
        sidecar.write_text("[" * 100_000)
    elif how == "status":
        sidecar.write_text(sidecar.read_text().replace('"completed"', '"in_progress"'))
    elif how == "run01":
        shutil.copy(path, path.with_name(path.name.replace("_run-1_", "_run-01_")))
    elif how == "participants":
        (path.parents[3] / "participants.tsv").write_bytes(data.draw(st.sampled_from([
            b"", b"\xff\xfeu\x00", b"participant_id\tgroup\nsub-001\tMORE\nsub-001\tcontrol\n",
            b"participant_id\tgroup\nsub-001\tMORE\textra\textra\n",
            b"participant_id\tgroup\nsub-001\t<img src=x onerror=alert(1)>\n",
            b"participant_id\tgroup\nsub-002\t$\\foo$\n"])))
    elif how == "ragged":
        path.write_bytes(text + b"1\t2\n")
    elif how == "huge_number":
        path.write_bytes(text.replace(b"\t1\t", b"\t1e999\t", 3))
    elif how == "formula":
        path.write_bytes(text.replace(b"test", b"=HYPERLINK(\"x\")", 2))


@fuzz(30)
@given(data=st.data())
def test_score_any_damaged_root(watched, scored_root, data):
    root, scoring = scored_root
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "root"
        shutil.copytree(root, copy, symlinks=True)
        files = sorted(copy.rglob("*_events.tsv"))
        for _ in range(data.draw(st.integers(1, 3))):
            path = data.draw(st.sampled_from(files))
            if path.is_file() and not path.is_symlink():
                damage(path, data.draw(st.sampled_from(DAMAGES)), data)
        before = tree_digest(copy)
        out = Path(tmp) / "scores"
        status, err = icb("score", copy, "--out", out, "--scoring", scoring,
                          "--include-simulated")
        assert_clean(status, err, allowed=(0, 2))
        assert tree_digest(copy) == before, "scoring changed the data root"
        if status == 0 and data.draw(st.integers(0, 5)) == 0:  # now and then, the report too
            status, err = icb("report", out, "--out", Path(tmp) / "report.html")
            assert_clean(status, err, allowed=(0,))
