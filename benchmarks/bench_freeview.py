"""Benchmark of free-viewing scoring: 1,000 participants x 2 sessions x 60 displays x 6 s
of gaze at 60 Hz (about 43 million samples), scored by `icb score` with 5,000-split
reliability.

Run:  .venv/bin/python benchmarks/bench_freeview.py [--participants 1000] [--distinct 20]
                                                    [--keep DIR] [--json FILE]

1. Makes the data root (not timed): ``--distinct`` participants are simulated by
   ``icb simulate configs/freeview.yaml`` (the real writer: events, sidecars, gaze); the
   other participants are their files again under new labels (hard links for the gaze, the
   sidecar's Participant rewritten), so that 1,000 participants cost minutes, not hours.
   Every run still has its own files, and scoring reads each one.
2. Times the full scoring (``icb score``, default settings: 5,000 splits) in a child
   process: wall time and peak RSS (its own and its children's).
3. Measures, in this same run and on the same gaze (``--loop-runs`` runs), the scorer's
   vectorised dwell (``analysis.gaze.locate`` + ``trial_dwell``) against a plain per-trial
   loop (for each display: select its samples, test each AOI, count); the loop's time is
   scaled to all runs (said in the output).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "benchmarks"))

from analysis import gaze  # noqa: E402
from machine import describe, print_machine  # noqa: E402

ICB = [sys.executable, "-m", "icb.cli"]


def make_root(root: Path, participants: int, distinct: int) -> None:
    out = subprocess.run([*ICB, "simulate", str(HERE / "configs" / "freeview.yaml"),
                          "--participants", str(distinct), "--data-dir", str(root),
                          "--seed", "11"], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    groups = {}
    for number in range(1, participants + 1):
        label = f"{number:04d}"
        source = f"{(number - 1) % distinct + 1:03d}"
        groups[f"sub-{label}"] = "MORE" if number % 2 else "control"
        if number <= distinct:
            continue
        for src in sorted((root / f"sub-{source}").rglob("*")):
            if src.is_dir():
                continue
            dest = root / f"sub-{label}" / src.relative_to(root / f"sub-{source}").parent / \
                src.name.replace(f"sub-{source}", f"sub-{label}")
            dest.parent.mkdir(parents=True, exist_ok=True)
            if src.name.endswith("_events.json"):
                sidecar = json.loads(src.read_text())
                sidecar["Provenance"]["Participant"] = label
                dest.write_text(json.dumps(sidecar))
            else:
                os.link(src, dest)
    for number in range(1, distinct + 1):  # the simulated ones, renamed to 4 digits
        old, new = f"sub-{number:03d}", f"sub-{number:04d}"
        for src in sorted((root / old).rglob("*"), reverse=True):
            if src.is_file():
                src.rename(src.with_name(src.name.replace(old, new)))
        (root / old).rename(root / new)
    (root / "participants.tsv").write_text(
        "participant_id\tgroup\n" + "".join(f"{p}\t{g}\n" for p, g in groups.items()))


def score(root: Path, out: Path) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    run = subprocess.run([*ICB, "score", str(root), "--out", str(out), "--include-simulated"],
                         capture_output=True, text=True)
    wall = time.perf_counter() - start
    peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024.0
    if run.returncode != 0:
        raise SystemExit(run.stderr)
    return wall, peak_mb, run.stdout.strip()


def read_run(events: Path):
    trials = pd.read_csv(events, sep="\t", na_values="n/a")
    sidecar = json.loads(events.with_suffix(".json").read_text())["Provenance"]
    physio = events.with_name(events.name.replace("_events.tsv", "_recording-eye1_physio.tsv.gz"))
    with gzip.open(physio, "rt") as fh:
        samples = pd.read_csv(fh, sep="\t", header=None, na_values="n/a",
                              names=["timestamp", "x_coordinate", "y_coordinate", "pupil_size"])
    aois = pd.DataFrame(sidecar["AOIs"])
    cats = trials[[f"category_{n}" for n in aois["name"]]]
    cats.columns = list(aois["name"])
    target = trials["trial_type"].str.split("-").str[0]
    comparison = trials["trial_type"].str.split("-").str[1]
    return trials, samples, aois, gaze.aoi_roles(cats, target, comparison)


def loop_dwell(trials, samples, aois, roles, rate_hz: float) -> np.ndarray:
    """The plain per-trial loop: target and comparison dwell (ms) of each display."""
    t = samples["timestamp"].to_numpy()
    x, y = samples["x_coordinate"].to_numpy(), samples["y_coordinate"].to_numpy()
    out = np.zeros((len(trials), 2))
    table = roles.to_numpy()
    for i, (onset, duration) in enumerate(zip(trials["onset"], trials["duration"])):
        mask = (t >= onset) & (t < onset + duration) & np.isfinite(x) & np.isfinite(y)
        xs, ys = x[mask], y[mask]
        for k, a in enumerate(aois.itertuples()):
            inside = np.sum((np.abs(xs - a.x) <= a.width / 2) & (np.abs(ys - a.y) <= a.height / 2))
            if table[i, k] == gaze.TARGET:
                out[i, 0] += inside * 1000.0 / rate_hz
            elif table[i, k] == gaze.COMPARISON:
                out[i, 1] += inside * 1000.0 / rate_hz
    return out


def dwell_comparison(root: Path, n_runs: int, total_runs: int) -> dict:
    runs = [read_run(p) for p in sorted(root.rglob("*_events.tsv"))[:n_runs]]
    start = time.perf_counter()
    vectorised = []
    for trials, samples, aois, roles in runs:
        located = gaze.locate(samples, trials, aois, roles)
        vectorised.append(gaze.trial_dwell(located, n_trials=len(trials),
                                           sampling_frequency_hz=60.0))
    t_vec = time.perf_counter() - start
    start = time.perf_counter()
    looped = [loop_dwell(*run, 60.0) for run in runs]
    t_loop = time.perf_counter() - start
    same = all(np.allclose(v[["dwell_target_ms", "dwell_comparison_ms"]].to_numpy(), lp)
               for v, lp in zip(vectorised, looped))
    scale = total_runs / n_runs
    return {"RunsCompared": n_runs, "SamplesCompared": int(sum(len(r[1]) for r in runs)),
            "VectorisedS": t_vec, "LoopS": t_loop, "ScaledToAllRunsVectorisedS": t_vec * scale,
            "ScaledToAllRunsLoopS": t_loop * scale, "SameDwell": bool(same)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--participants", type=int, default=1000)
    ap.add_argument("--distinct", type=int, default=20)
    ap.add_argument("--loop-runs", type=int, default=40)
    ap.add_argument("--keep", type=Path)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="icb-bench-fv-")) if args.keep is None else args.keep
    root = folder / "data"
    print_machine(describe())
    t0 = time.perf_counter()
    make_root(root, args.participants, args.distinct)
    n_runs = len(list(root.rglob("*_events.tsv")))
    n_samples_est = n_runs * 60 * (6.0 + 0.7 + 0.5) * 60
    print(f"data root: {n_runs} runs ({args.participants} participants x 2 sessions), "
          f"~{n_samples_est / 1e6:.0f} million gaze samples (every sample from each cross to "
          f"the end of its display; {n_runs * 60 * 6 * 60 / 1e6:.1f} million inside the "
          f"displays); made in {time.perf_counter() - t0:.0f} s (not timed)")
    wall, peak_mb, said = score(root, folder / "scores")
    print(f"icb score: {wall:.1f} s wall, peak RSS {peak_mb:.0f} MB "
          f"(aim: 60 s and 2048 MB) -> {'met' if wall <= 60 and peak_mb <= 2048 else 'MISSED'}")
    print(f"  {said}")
    cmp_ = dwell_comparison(root, args.loop_runs, n_runs)
    print(f"dwell per display on {cmp_['RunsCompared']} runs ({cmp_['SamplesCompared']} "
          f"samples): vectorised {cmp_['VectorisedS']:.2f} s, per-trial loop "
          f"{cmp_['LoopS']:.2f} s (x{cmp_['LoopS'] / max(cmp_['VectorisedS'], 1e-9):.1f}); "
          f"scaled to {n_runs} runs: {cmp_['ScaledToAllRunsVectorisedS']:.0f} s vs "
          f"{cmp_['ScaledToAllRunsLoopS']:.0f} s; same dwell: {cmp_['SameDwell']}")
    if args.json:
        args.json.write_text(json.dumps({"Runs": n_runs, "ScoreWallS": wall,
                                         "ScorePeakMB": peak_mb, **cmp_}, indent=2))
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
