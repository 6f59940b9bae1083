"""Import a lab's own licensed images or sounds as a separate stimulus set.

    icb stimuli import DIR --licence TEXT --set-name NAME [--out OUT]
                       [--table FILES.tsv | --category C --valence V [--modality image|audio]]

Every file is normalised like the default set (images: greyscale, cover-crop
to 260 x 340, oval mask, mean luminance and RMS contrast; sounds: mono, 48 kHz,
10 ms ramps, RMS level, peak check) and written with its own manifest into OUT
(default ``./lab-stimuli/NAME``), through a temporary folder that is renamed
into place only when everything succeeded.

The optional table (tab-separated) describes each file: required columns
``file`` (relative to DIR), ``category``, ``valence``; optional ``id``,
``identity``, ``set`` (e.g. A / B), ``baby_schema``.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from icb.errors import StimulusError

IMAGE_EXT = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
AUDIO_EXT = (".wav",)
TABLE_REQUIRED = ("file", "category", "valence")
TABLE_OPTIONAL = ("id", "identity", "set", "baby_schema")


def _modality_of(path: Path) -> str | None:
    ext = path.suffix.lower()
    return "image" if ext in IMAGE_EXT else "audio" if ext in AUDIO_EXT else None


def _entries_from_table(src: Path, table: Path, set_name: str) -> tuple[list[dict], list[str]]:
    from tasks.stimulus_factory.manifest import read_tsv

    df = read_tsv(table, "table")
    missing = [c for c in TABLE_REQUIRED if c not in df.columns]
    if missing:
        raise StimulusError(f"{table}: missing column(s) {', '.join(missing)}; required: "
                            f"{', '.join(TABLE_REQUIRED)}; optional: {', '.join(TABLE_OPTIONAL)}")
    entries, problems = [], []
    for i, row in enumerate(df.to_dict("records")):
        where = f"{table}, line {i + 2}"
        rel = row["file"]
        p = PurePosixPath(rel)
        if not rel or p.is_absolute() or ".." in p.parts or "\\" in rel:
            problems.append(f"{where}, column file: {rel!r} is outside the folder {src} "
                            "(allowed: a path relative to it, without '..')")
            continue
        entries.append({"path": src / rel, "where": where, "original": rel,
                        "category": row["category"], "valence": row["valence"],
                        "id": row.get("id") or "", "identity": row.get("identity") or "n/a",
                        "set": row.get("set") or set_name, "baby_schema": row.get("baby_schema") or "n/a"})
    return entries, problems


def _entries_from_folder(src: Path, category, valence, set_name: str):
    problems = []
    if not category or not valence:
        raise StimulusError("import without --table needs --category and --valence "
                            "(or give a --table with a category and valence per file)")
    entries = []
    for path in sorted(p for p in src.rglob("*") if p.is_file() and not p.name.startswith(".")):
        rel = path.relative_to(src).as_posix()
        entries.append({"path": path, "where": f"{path}", "original": rel, "category": category,
                        "valence": valence, "id": "", "identity": "n/a", "set": set_name, "baby_schema": "n/a"})
    if not entries:
        problems.append(f"{src}: no files to import")
    return entries, problems


def import_set(src: Path, *, licence: str, set_name: str, out: Path | None = None, table: Path | None = None,
               modality: str | None = None, category: str | None = None, valence: str | None = None) -> Path:
    """Normalise a lab's files into a new set folder with its own manifest; returns the folder."""
    from tasks.stimulus_factory.generate import atomic_dir, audio_record, image_record
    from tasks.stimulus_factory.manifest import ID_RE, SET_RE, kind_problems, write_manifest
    from tasks.stimulus_factory.normalise import (MAX_PEAK_DBFS, TARGET_RMS_DBFS, apply_ramps, equalise_image, fit_image,
                                         peak_dbfs, read_image_grey, read_wav, resample, set_rms)

    src = Path(src).resolve()
    if not src.is_dir():
        raise StimulusError(f"{src}: not a folder; give the folder that holds the lab's files")
    if not licence.strip():
        raise StimulusError("--licence is empty; say under which terms the lab holds these files")
    if not SET_RE.match(set_name):
        raise StimulusError(f"--set-name {set_name!r}; allowed: letters, digits, _ and -")
    out = Path(out) if out is not None else Path.cwd() / "lab-stimuli" / set_name
    if table is not None:
        entries, problems = _entries_from_table(src, Path(table), set_name)
    else:
        entries, problems = _entries_from_folder(src, category, valence, set_name)
    seen: dict[str, str] = {}
    for e in entries:
        mod = _modality_of(e["path"])
        if modality and mod and mod != modality:
            mod = None
        if mod is None:
            allowed = IMAGE_EXT + AUDIO_EXT if not modality else (IMAGE_EXT if modality == "image" else AUDIO_EXT)
            problems.append(f"{e['where']}: {e['original']!r} has the wrong format; allowed: {', '.join(allowed)}")
            continue
        e["modality"] = mod
        if not e["path"].is_file():
            problems.append(f"{e['where']}: file {e['path']} not found")
        elif src not in e["path"].resolve().parents:
            problems.append(f"{e['where']}: {e['original']!r} is a link that leads to "
                            f"{e['path'].resolve()}, outside the folder {src}; allowed: files "
                            "inside it (copy the file in instead of linking to it)")
        problems += kind_problems(e["where"], mod, e["category"], e["valence"])
        if e["baby_schema"] not in ("n/a", "1", "2", "3", "4", "5"):
            problems.append(f"{e['where']}, column baby_schema: {e['baby_schema']!r}; allowed: 1-5 or n/a")
        if not SET_RE.match(e["set"]):
            problems.append(f"{e['where']}, column set: {e['set']!r}; allowed: letters, digits, _ and -")
        sid = e["id"] or f"{set_name}_" + re.sub(r"[^A-Za-z0-9_\-]+", "_", PurePosixPath(e["original"]).stem)
        if not ID_RE.match(sid):
            problems.append(f"{e['where']}, column id: {sid!r} is not a valid id (letters, digits, _ and -)")
        elif sid in seen:
            problems.append(f"{e['where']}, column id: duplicate id {sid!r} (also {seen[sid]})")
        seen[sid] = e["where"]
        e["id"] = sid
    if problems:
        raise StimulusError(f"{src}: {len(problems)} problem(s); nothing was written", problems)
    # Decode and normalise everything in memory first: a bad file stops the import before any writing.
    processed = []
    for e in entries:
        try:
            if e["modality"] == "image":
                processed.append((e, equalise_image(fit_image(read_image_grey(e["path"])))))
            else:
                x, rate, _ = read_wav(e["path"])
                y = set_rms(apply_ramps(resample(x, rate)), TARGET_RMS_DBFS)
                if peak_dbfs(y) > MAX_PEAK_DBFS:
                    raise StimulusError(f"peak would be {peak_dbfs(y):.2f} dBFS at {TARGET_RMS_DBFS} dBFS RMS; "
                                        f"allowed: at most {MAX_PEAK_DBFS} dBFS (trim clicks or compress first)")
                processed.append((e, y))
        except StimulusError as exc:
            problems.append(f"{e['where']}: {str(exc).replace(str(e['path']) + ': ', '')}")
    if problems:
        raise StimulusError(f"{src}: {len(problems)} problem(s); nothing was written", problems)
    with atomic_dir(out, replace_existing=False) as tmp:
        rows = []
        for e, data in processed:
            if e["modality"] == "image":
                rec = image_record(tmp, f"images/{e['id']}.png", data)
            else:
                rec = audio_record(tmp, f"sounds/{e['id']}.wav", data)
            rows.append({"id": e["id"], "category": e["category"], "valence": e["valence"], "set": e["set"],
                         "identity": e["identity"], "baby_schema": e["baby_schema"],
                         "source": f"imported: {e['original']}", "licence": licence.strip(), **rec})
        write_manifest(rows, tmp / "manifest.tsv")
    return out.resolve()
