"""Contact sheet of every image and spectrogram sheet of the cries (for docs/).

    python -m tasks.stimulus_factory.sheets [--manifest PATH] [--out-dir DIR]

Writes ``stimuli-contact-sheet.png`` and ``cry-spectrograms.png`` (default:
the repository's ``docs/``).  These are for people to look at; they are not
part of the byte-identical set.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

TILE_SCALE = 0.5
COLUMNS = 18


def contact_sheet(manifest_path: Path | None, out_png: Path) -> Path:
    from PIL import Image, ImageDraw, ImageFont

    from tasks.stimulus_factory.manifest import load_manifest, select, stimulus_path

    df = load_manifest(manifest_path)
    images = df[df["modality"] == "image"]
    groups = []
    for stim_set in sorted(images["set"].unique()):
        part = select(images, stim_set=stim_set)
        for cat in ("infant", "adult"):
            ids = []
            for val in ("distress", "neutral", "happy"):
                sel = part[(part["category"] == cat) & (part["valence"] == val) & part["baby_schema"].isna()]
                ids += list(sel["id"])
            groups.append((f"set {stim_set}: {cat} faces - distress | neutral | happy", ids))
        cont = part[part["baby_schema"].notna()].sort_values(["identity", "baby_schema"])
        groups.append((f"set {stim_set}: baby-schema continuum, levels 1 (low) to 5 (high) per identity",
                       list(cont["id"])))
        groups.append((f"set {stim_set}: objects", list(part[part["category"] == "object"]["id"])))
    others = images[~images["category"].isin(["infant", "adult", "object"])]
    if len(others):
        groups.append(("other images", list(others["id"])))
    tw = int(round(260 * TILE_SCALE))
    th = int(round(340 * TILE_SCALE))
    label_h, head_h = 14, 22
    rows = []
    for title, ids in groups:
        rows.append(("title", title))
        for k in range(0, len(ids), COLUMNS if "continuum" not in title else 15):
            rows.append(("tiles", ids[k:k + (COLUMNS if "continuum" not in title else 15)]))
    height = sum(head_h if kind == "title" else th + label_h for kind, _ in rows) + 10
    sheet = Image.new("L", (COLUMNS * tw + 10, height), 128)
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default()
    y = 5
    for kind, content in rows:
        if kind == "title":
            draw.text((8, y + 5), content, fill=255, font=font)
            y += head_h
            continue
        for i, sid in enumerate(content):
            with Image.open(stimulus_path(df, sid)) as im:
                tile = im.convert("L").resize((tw, th), Image.Resampling.LANCZOS)
            sheet.paste(tile, (5 + i * tw, y))
            draw.text((8 + i * tw, y + th), sid, fill=230, font=font)
        y += th + label_h
    out_png.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out_png, format="PNG", optimize=True)
    return out_png


def spectrogram_sheet(manifest_path: Path | None, out_png: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tasks.stimulus_factory.manifest import load_manifest, stimulus_path
    from tasks.stimulus_factory.normalise import read_wav

    df = load_manifest(manifest_path)
    audio = df[df["modality"] == "audio"]
    cries = audio[audio["category"] == "infant"].sort_values(["valence", "set", "id"])
    first = cries.iloc[0]["identity"] if len(cries) else None
    controls = audio[(audio["identity"] == first) & (audio["category"] != "infant")]
    show = list(cries["id"]) + list(controls["id"])
    ncol = 4
    nrow = int(np.ceil(len(show) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 2.3 * nrow), squeeze=False)
    dither = np.random.default_rng(0)
    for ax in axes.ravel():
        ax.set_visible(False)
    for ax, sid in zip(axes.ravel(), show):
        x, fs, _ = read_wav(stimulus_path(df, sid))
        x = x + 1e-6 * dither.standard_normal(x.size)  # display only: no log of exact zeros
        ax.set_visible(True)
        ax.specgram(x, NFFT=1024, Fs=fs, noverlap=768, cmap="magma", vmin=-130, vmax=-40)
        row = df[df["id"] == sid].iloc[0]
        ax.set_title(f"{sid} ({row['category']}, {row['valence']})", fontsize=8)
        ax.set_ylim(0, 10000)
        ax.set_yticks([0, 2000, 4000, 6000, 8000, 10000], ["0", "2", "4", "6", "8", "10"], fontsize=7)
        ax.tick_params(labelsize=7)
    for ax in axes[:, 0]:
        ax.set_ylabel("kHz", fontsize=8)
    for ax in axes[-1, :]:
        ax.set_xlabel("s", fontsize=8)
    fig.tight_layout()
    out_png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_png, dpi=90, metadata={"Software": None})
    plt.close(fig)
    return out_png


def main(argv: list[str] | None = None) -> int:
    from icb.errors import BadInput
    from tasks.stimulus_factory.manifest import default_stimuli_dir

    parser = argparse.ArgumentParser(prog="python -m tasks.stimulus_factory.sheets", description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=None)
    parser.add_argument("--out-dir", type=Path, default=default_stimuli_dir().parent / "docs")
    args = parser.parse_args(argv)
    try:
        print(contact_sheet(args.manifest, args.out_dir / "stimuli-contact-sheet.png"))
        print(spectrogram_sheet(args.manifest, args.out_dir / "cry-spectrograms.png"))
    except BadInput as exc:
        print(f"sheets: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
