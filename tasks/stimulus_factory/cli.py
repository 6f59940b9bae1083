"""``icb stimuli generate | import | check``: registered by tasks/cli.py."""

from __future__ import annotations

import argparse
from pathlib import Path

from icb import options


def register(subparsers) -> None:
    p = subparsers.add_parser("stimuli", help="build, import and check stimulus sets",
                              description="Build the default stimulus set, import a lab's licensed set, "
                                          "or verify a set against its manifest.")
    sub = p.add_subparsers(dest="stimuli_command", metavar="ACTION")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])

    g = sub.add_parser("generate", help="rebuild the default set (byte-identical for a given seed)")
    g.add_argument("--out", type=Path, default=None, help="output folder (default: the repository's stimuli/)")
    g.add_argument("--seed", type=options.seed, default=None, help="generator seed (default: the recorded seed)")
    g.set_defaults(func=_generate)

    i = sub.add_parser("import", help="normalise a lab's own images or sounds into a separate set",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Normalise a lab's licensed files (greyscale, oval, luminance and contrast; "
                                   "48 kHz, RMS, ramps) into a new folder with its own manifest.tsv.\n"
                                   "Describe the files with --table (TSV: file, category, valence; optional id, "
                                   "identity, set, baby_schema) or give one --category and --valence for all.")
    i.add_argument("dir", type=Path, help="folder holding the lab's files")
    i.add_argument("--licence", required=True, help="the terms under which the lab holds the files")
    i.add_argument("--set-name", required=True, help="name of the new set (letters, digits, _ and -)")
    i.add_argument("--out", type=Path, default=None, help="output folder (default: ./lab-stimuli/SET_NAME); "
                                                          "must not exist")
    i.add_argument("--table", type=Path, default=None, help="TSV describing each file")
    i.add_argument("--modality", choices=("image", "audio"), default=None, help="import only this modality")
    i.add_argument("--category", default=None, help="category of every file (without --table)")
    i.add_argument("--valence", default=None, help="valence of every file (without --table)")
    i.set_defaults(func=_import)

    c = sub.add_parser("check", help="verify checksums, formats, decoding and luminance/loudness equality")
    c.add_argument("--manifest", type=Path, default=None, help="manifest to check (default: stimuli/manifest.tsv)")
    c.add_argument("--acoustics", action="store_true", help="also measure each generated cry against its targets")
    c.set_defaults(func=_check)


def _generate(args) -> int:
    from tasks.stimulus_factory.generate import DEFAULT_SEED, generate

    out = generate(args.out, DEFAULT_SEED if args.seed is None else args.seed)
    print(f"icb stimuli generate: wrote {out}")
    return 0


def _import(args) -> int:
    from tasks.stimulus_factory.importer import import_set

    out = import_set(args.dir, licence=args.licence, set_name=args.set_name, out=args.out, table=args.table,
                     modality=args.modality, category=args.category, valence=args.valence)
    print(f"icb stimuli import: wrote {out} (point a task at {out / 'manifest.tsv'} with stimuli.manifest)")
    return 0


def _check(args) -> int:
    from icb.errors import StimulusError
    from tasks.stimulus_factory.check import check
    from tasks.stimulus_factory.manifest import default_manifest_path

    path = args.manifest or default_manifest_path()
    problems = check(path, acoustics=args.acoustics)
    if problems:
        raise StimulusError(f"{path}: {len(problems)} problem(s)", problems)
    print(f"icb stimuli check: {path} OK")
    return 0
