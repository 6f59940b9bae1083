"""The stimulus manifest (``manifest.tsv``): columns, loading, validation, lookup.

Tasks refer to stimuli by ``id`` only and resolve them with :func:`stimulus_path`.
``file`` is relative to the manifest's own folder and may not leave it.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePosixPath

from icb.errors import StimulusError

COLUMNS = ("id", "file", "modality", "category", "valence", "set", "identity", "baby_schema",
           "source", "licence", "sha256", "width_px", "height_px", "duration_s",
           "mean_luminance", "rms_contrast", "rms_dbfs", "peak_dbfs")
NA = "n/a"
MODALITIES = ("image", "audio")
CATEGORIES = {
    "image": ("infant", "adult", "child", "object", "opioid", "household", "animal", "other"),
    "audio": ("infant", "adult", "rotated", "noise", "animal", "other"),
}
VALENCES = {
    "image": ("distress", "neutral", "happy", "sad", "positive", "negative", "cue"),
    "audio": ("high_distress", "low_distress", "neutral", "happy", "sad", "positive", "negative"),
}
INT_COLUMNS = ("width_px", "height_px")
FLOAT_COLUMNS = ("duration_s", "mean_luminance", "rms_contrast", "rms_dbfs", "peak_dbfs")
# Columns that must be filled (not n/a) per modality.
REQUIRED = {
    "image": ("width_px", "height_px", "mean_luminance", "rms_contrast"),
    "audio": ("duration_s", "rms_dbfs", "peak_dbfs"),
}
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
SET_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
SHA_RE = re.compile(r"^[0-9a-f]{64}$")
FLOAT_FORMAT = {"duration_s": "{:.4f}", "mean_luminance": "{:.4f}", "rms_contrast": "{:.4f}",
                "rms_dbfs": "{:.2f}", "peak_dbfs": "{:.2f}"}


def default_stimuli_dir() -> Path:
    """The repository's ``stimuli/`` folder (found from the package location)."""
    import tasks

    return Path(tasks.__file__).resolve().parent.parent / "stimuli"


def default_manifest_path() -> Path:
    return default_stimuli_dir() / "manifest.tsv"


def manifest_sha256(path: Path | None = None) -> str:
    """SHA-256 (hex) of the manifest file's bytes."""
    return sha256_file(Path(path) if path is not None else default_manifest_path())


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def safe_relative(file_value: str) -> bool:
    """True when a manifest ``file`` stays inside the manifest's folder."""
    if not file_value or "\\" in file_value:
        return False
    p = PurePosixPath(file_value)
    return not p.is_absolute() and ".." not in p.parts and not re.match(r"^[A-Za-z]:", file_value)


def kind_problems(where: str, modality: str, category: str, valence: str) -> list[str]:
    """``category`` and ``valence`` checked against those allowed for ``modality``.

    >>> kind_problems("x.tsv, line 2", "audio", "object", "neutral")  # doctest: +ELLIPSIS
    ["x.tsv, line 2, column category: 'object'; allowed for audio: infant, adult, rotated, ..."]
    """
    problems = []
    if category not in CATEGORIES[modality]:
        problems.append(f"{where}, column category: {category!r}; allowed for {modality}: "
                        f"{', '.join(CATEGORIES[modality])}")
    if valence not in VALENCES[modality]:
        problems.append(f"{where}, column valence: {valence!r}; allowed for {modality}: "
                        f"{', '.join(VALENCES[modality])}")
    return problems


def _validate_rows(df, where: str) -> list[str]:
    problems = []
    seen: dict[str, int] = {}
    for i, row in enumerate(df.to_dict("records")):
        line = f"{where}, line {i + 2}"
        sid = row["id"]
        if not ID_RE.match(sid):
            problems.append(f"{line}, column id: {sid!r} is not a valid id (letters, digits, _ and -)")
        elif sid in seen:
            problems.append(f"{line}, column id: duplicate id {sid!r} (first on line {seen[sid]})")
        else:
            seen[sid] = i + 2
        if not safe_relative(row["file"]):
            problems.append(f"{line}, column file: {row['file']!r} is outside the stimulus folder "
                            "(allowed: a relative path inside the manifest's folder, '/' separators)")
        mod = row["modality"]
        if mod not in MODALITIES:
            problems.append(f"{line}, column modality: {mod!r}; allowed: {', '.join(MODALITIES)}")
            continue
        problems += kind_problems(line, mod, row["category"], row["valence"])
        if not SET_RE.match(row["set"]):
            problems.append(f"{line}, column set: {row['set']!r}; allowed: A, B, both or a set name "
                            "(letters, digits, _ and -)")
        if not row["identity"]:
            problems.append(f"{line}, column identity: empty; allowed: an identity label or n/a")
        bs = row["baby_schema"]
        if bs != NA and bs not in ("1", "2", "3", "4", "5"):
            problems.append(f"{line}, column baby_schema: {bs!r}; allowed: 1, 2, 3, 4, 5 or n/a")
        if not row["licence"] or row["licence"] == NA:
            problems.append(f"{line}, column licence: empty; every stimulus needs its licence")
        if not SHA_RE.match(row["sha256"]):
            problems.append(f"{line}, column sha256: {row['sha256']!r} is not 64 lower-case hex digits")
        for col in INT_COLUMNS + FLOAT_COLUMNS:
            v = row[col]
            if v == NA:
                if col in REQUIRED[mod]:
                    problems.append(f"{line}, column {col}: n/a, but an {mod} needs a value")
                continue
            try:
                num = int(v) if col in INT_COLUMNS else float(v)
            except ValueError:
                kind = "an integer" if col in INT_COLUMNS else "a number"
                problems.append(f"{line}, column {col}: {v!r} is not {kind} or n/a")
                continue
            if col in INT_COLUMNS and num <= 0:
                problems.append(f"{line}, column {col}: {v!r}; allowed: a positive integer")
    return problems


def read_tsv(path: Path, what: str, *, not_found: str | None = None):
    """A tab-separated file, every cell as text; :class:`StimulusError` when it cannot be read
    (``"<path>: <not_found>"`` for a missing file when ``not_found`` is given)."""
    import pandas as pd

    try:
        return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, na_filter=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        if not_found is not None and isinstance(exc, FileNotFoundError):
            raise StimulusError(f"{path}: {not_found}") from exc
        raise StimulusError(f"{path}: cannot read the {what} as a tab-separated file ({exc})") from exc


def load_manifest(path: Path | None = None):
    """Read and validate a manifest; a typed DataFrame with a ``root`` in ``df.attrs``.

    Raises :class:`StimulusError` listing every problem (file, line, column,
    value, what is allowed).
    """
    import pandas as pd

    path = Path(path) if path is not None else default_manifest_path()
    df = read_tsv(path, "manifest", not_found="manifest not found")
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise StimulusError(f"{path}: missing column(s) {', '.join(missing)}; "
                            f"a manifest has the columns {', '.join(COLUMNS)}")
    df = df[list(COLUMNS)].copy()
    problems = _validate_rows(df, str(path))
    if problems:
        raise StimulusError(f"{path}: {len(problems)} problem(s) in the manifest", problems)
    for col in INT_COLUMNS:
        df[col] = pd.to_numeric(df[col].replace(NA, None)).astype("Int64")
    for col in FLOAT_COLUMNS:
        df[col] = pd.to_numeric(df[col].replace(NA, None)).astype("Float64")
    df["baby_schema"] = pd.to_numeric(df["baby_schema"].replace(NA, None)).astype("Int64")
    df.attrs["root"] = str(path.resolve().parent)
    df.attrs["path"] = str(path.resolve())
    return df.reset_index(drop=True)


def stimulus_file(manifest_df, stim_id: str) -> Path:
    """Absolute path the manifest gives for stimulus ``stim_id`` (whether or not it exists:
    :func:`tasks.core.stimulus_pools.check_files` reports missing and corrupt files in one
    pass); StimulusError if the id is unknown."""
    rows = manifest_df.index[manifest_df["id"] == stim_id]
    if len(rows) == 0:
        where = manifest_df.attrs.get("path", "the manifest")
        raise StimulusError(f"{where}: no stimulus with id {stim_id!r}")
    root = Path(manifest_df.attrs.get("root", default_stimuli_dir()))
    return (root / manifest_df.at[rows[0], "file"]).resolve()


def stimulus_path(manifest_df, stim_id: str) -> Path:
    """Absolute path of the file of stimulus ``stim_id``; StimulusError if unknown or missing."""
    where = manifest_df.attrs.get("path", "the manifest")
    path = stimulus_file(manifest_df, stim_id)
    if not path.is_file():
        raise StimulusError(f"{where}, id {stim_id!r}: file {path} does not exist")
    return path


def select(manifest_df, *, modality=None, category=None, valence=None, stim_set=None, baby_schema=None):
    """Rows matching every given filter (a value or a list of values).

    ``stim_set='A'`` also returns rows whose set is ``both``; ``baby_schema`` is 1..5.
    """
    mask = manifest_df["id"].notna()

    def _in(col, value):
        values = value if isinstance(value, (list, tuple, set)) else [value]
        return manifest_df[col].isin(list(values))

    if modality is not None:
        mask &= _in("modality", modality)
    if category is not None:
        mask &= _in("category", category)
    if valence is not None:
        mask &= _in("valence", valence)
    if stim_set is not None:
        sets = list(stim_set) if isinstance(stim_set, (list, tuple, set)) else [stim_set]
        mask &= manifest_df["set"].isin(sets + ["both"])
    if baby_schema is not None:
        mask &= _in("baby_schema", baby_schema).fillna(False).astype(bool)
    out = manifest_df[mask].reset_index(drop=True)
    out.attrs.update(manifest_df.attrs)
    return out


def format_value(col: str, value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return NA
    if col in FLOAT_FORMAT and not isinstance(value, str):
        return FLOAT_FORMAT[col].format(float(value))
    return str(value)


def write_manifest(rows: list[dict], path: Path) -> None:
    """Write rows (dicts with every column) as a TSV with fixed formatting, LF line ends."""
    lines = ["\t".join(COLUMNS)]
    for row in rows:
        cells = [format_value(c, row.get(c)) for c in COLUMNS]
        for c, cell in zip(COLUMNS, cells):
            if "\t" in cell or "\n" in cell:
                raise StimulusError(f"manifest value for {c} of {row.get('id')!r} contains a tab or newline")
        lines.append("\t".join(cells))
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
