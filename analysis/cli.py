"""``icb score``, ``icb report`` and ``icb plan`` (registered by ``icb.cli``).

Heavy imports happen inside the command functions so that ``icb`` starts fast.
Bad input (missing data root, no runs, bad scoring config, an output that
exists) raises ``icb.errors.BadInput``: exit status 2 with a message.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from icb import options
from icb.files import atomic_write_text
from icb.errors import BadInput, DataExistsError


def register(subparsers) -> None:
    p = subparsers.add_parser("score", help="score every run under a data root",
                              description="Score every run under DATA_ROOT into --out DIR.")
    p.add_argument("data_root", metavar="DATA_ROOT")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="output folder (created; may exist only if empty)")
    p.add_argument("--scoring", metavar="FILE", help="scoring config (default: built-in "
                   "defaults, the same as configs/scoring.yaml)")
    p.add_argument("--include-simulated", action="store_true",
                   help="score simulated runs too (left out by default)")
    p.add_argument("--seed", type=options.seed, metavar="N", help="seed of the split-half reliability")
    p.set_defaults(func=run_score)
    r = subparsers.add_parser("report", help="HTML report with plots",
                              description="Write one self-contained HTML report from a data "
                              "root (scored first) or from a folder of score files.")
    r.add_argument("source", metavar="DATA_ROOT_OR_SCORES")
    r.add_argument("--out", required=True, metavar="FILE.html")
    r.add_argument("--scoring", metavar="FILE")
    r.add_argument("--include-simulated", action="store_true")
    r.add_argument("--seed", type=options.seed, metavar="N")
    r.add_argument("--force", action="store_true", help="replace an existing report file")
    r.set_defaults(func=run_report)
    # --- issue 14: icb plan (analysis/plan.py)
    pl = subparsers.add_parser(
        "plan", help="trials and participants a target reliability and effect need",
        description="From a scored pilot (the folder icb score wrote): per task x condition "
        "x measure, the trials per side and per condition that reach the target reliability "
        "and the participants per group that a group-by-time effect of size d needs "
        "(two-sample t-test on change scores, the effect attenuated by their reliability; "
        "docs/analysis.md).")
    pl.add_argument("scores_dir", metavar="SCORES_DIR")
    pl.add_argument("--target-reliability", default="0.7", metavar="R",
                    help="between 0 and 1 (default 0.7)")
    pl.add_argument("--effect-d", default="0.5", metavar="D",
                    help="group-by-time effect in SDs of the true change (default 0.5)")
    pl.add_argument("--alpha", default="0.05", metavar="A", help="two-sided (default 0.05)")
    pl.add_argument("--power", default="0.8", metavar="P", help="default 0.8")
    pl.add_argument("--out", metavar="FILE.tsv", help="also write the table (a new file)")
    pl.set_defaults(func=run_plan)
    # --- end issue 14


def run_plan(args) -> int:  # issue 14
    from analysis import plan

    return plan.run(args)


def _prepare_out_dir(out: Path) -> None:
    if out.exists():
        if not out.is_dir():
            raise DataExistsError(f"--out {out}: exists and is not a folder; nothing was "
                                  "overwritten (choose a new or empty folder)")
        if any(out.iterdir()):
            raise DataExistsError(f"--out {out}: folder is not empty; nothing was overwritten "
                                  "(choose a new or empty folder)")
    else:
        out.mkdir(parents=True)


def _settings(args):
    from analysis import settings as settings_mod

    settings = settings_mod.load(args.scoring)
    if args.seed is not None:
        settings["reliability"]["seed"] = args.seed
    return settings


def run_score(args) -> int:
    from analysis import score

    settings = _settings(args)
    root = Path(args.data_root)
    if not root.is_dir():
        raise BadInput(f"{root}: data root not found (DATA_ROOT must be a folder)")
    out = Path(args.out)
    _prepare_out_dir(out)
    prov = score.score(root, out, settings=settings, include_simulated=args.include_simulated,
                       settings_source=args.scoring, show_progress=True)
    n_warn = len(prov["Warnings"])
    print(f"scores written to {out} ({prov['Counts']['runs_scored']} runs scored, "
          f"{prov['Counts']['exclusions']} exclusions, {n_warn} warnings in provenance.json)")
    return 0


def is_scores_dir(path: Path) -> bool:
    return (path / "scores.tsv").is_file() and (path / "provenance.json").is_file()


def run_report(args) -> int:
    from analysis import report, score

    source = Path(args.source)
    out = Path(args.out)
    if not source.exists():
        raise BadInput(f"{source}: not found (give a data root or a folder of score files)")
    if out.exists() and not args.force:
        raise DataExistsError(f"--out {out}: exists already; nothing was overwritten "
                              "(pass --force to replace it)")
    if out.suffix.lower() not in (".html", ".htm"):
        raise BadInput(f"--out {out}: the report is an HTML file; allowed: a name ending in .html")
    if is_scores_dir(source):
        scores_dir = source
        if args.scoring or args.include_simulated or args.seed is not None:
            print("icb report: reading existing score files; --scoring, --include-simulated "
                  "and --seed apply only when scoring a data root", file=sys.stderr)
    else:
        settings = _settings(args)
        scores_dir = Path(tempfile.mkdtemp(prefix="icb-scores-"))
        score.score(source, scores_dir, settings=settings,
                    include_simulated=args.include_simulated, settings_source=args.scoring)
        print(f"scored {source} into {scores_dir}", file=sys.stderr)
    out.parent.mkdir(parents=True, exist_ok=True)
    html = report.build(scores_dir)
    atomic_write_text(out, html)  # a random O_EXCL temporary name: no planted link is followed
    print(out)
    return 0
