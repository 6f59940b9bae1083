"""Benchmark of `icb score`: 1,000 participants x 2 sessions x 256 dot-probe test trials.

Run:  .venv/bin/python benchmarks/bench_analysis.py [--participants N] [--keep DIR]

1. Writes the data set with the project's EventsWriter (fsync off; not timed).
2. Times the full scoring (`icb score`, default settings: 5,000 splits for each
   of 4 conditions x 2 sessions, change, RCI, mixed model) in a child process
   and reports its wall time and peak RSS.
3. Measures, in this same run and on the same data (session pre, one condition,
   all participants), the vectorised split-half against a straightforward loop
   (for each split, for each participant: shuffle, cut, half means; then Pearson
   r and Spearman-Brown).  The loop runs on a subset of the splits and its time
   is scaled to 5,000 splits (said in the output).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "tests"))

from analysis import reliability  # noqa: E402
from analysis_data import make_cohort  # noqa: E402


def loop_split_half(data: pd.DataFrame, n_splits: int, seed: int) -> float:
    """The plain per-split, per-participant loop (mean SB)."""
    rng = np.random.default_rng(seed)
    units = sorted(data["unit"].unique())
    cells = {u: (d[d["side"] == 1]["value"].to_numpy(), d[d["side"] == 0]["value"].to_numpy())
             for u, d in data.groupby("unit")}
    sbs = []
    for _ in range(n_splits):
        h1, h2 = [], []
        for u in units:
            plus, minus = cells[u]
            p, m = rng.permutation(plus), rng.permutation(minus)
            hp, hm = len(p) // 2, len(m) // 2
            h1.append(p[:hp].mean() - m[:hm].mean())
            h2.append(p[hp:].mean() - m[hm:].mean())
        r = np.corrcoef(h1, h2)[0, 1]
        sbs.append(2 * r / (1 + abs(r)))
    return float(np.mean(sbs))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--participants", type=int, default=1000)
    ap.add_argument("--loop-splits", type=int, default=20)
    ap.add_argument("--keep", type=Path, help="reuse / keep the data set in this folder")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="icb-bench-"))
    root = args.keep or work / "data"
    if not (root / "participants.tsv").exists():
        t0 = time.perf_counter()
        make_cohort(root, n_per_group=args.participants // 2, tasks=("dotprobe",), seed=1)
        print(f"data set written in {time.perf_counter() - t0:.1f} s (not part of the timing)")
    n_files = len(list(root.rglob("*_events.tsv")))
    out = work / "scores"
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", "import sys; from icb.cli import main; "
                           "sys.exit(main(sys.argv[1:]))", "score", str(root), "--out", str(out)],
                          cwd=HERE, capture_output=True, text=True)
    wall_s = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stderr)
        return 1
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    trials = pd.read_csv(out / "trials.tsv", sep="\t", na_values=["n/a"],
                         keep_default_na=False, low_memory=False)
    rel = pd.read_csv(out / "reliability.tsv", sep="\t")
    cond = sorted(rel["condition"].unique())[0]
    d = trials[(trials["session"] == "pre") & (trials["condition"] == cond)
               & (trials["excluded"] == 0)]
    frame = pd.DataFrame({"unit": d["participant_id"], "side": 1 - d["congruent"].astype(int),
                          "value": d["rt_ms"].astype(float), "order": d["trial_index"]})
    t0 = time.perf_counter()
    vec = reliability.split_half(frame, order="order", n_splits=5000, seed=1)
    vec_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    loop_sb = loop_split_half(frame, args.loop_splits, seed=1)
    loop_s = (time.perf_counter() - t0) * 5000 / args.loop_splits
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.processor() or '?'}"
          f", Python {platform.python_version()}, numpy {np.__version__}")
    print(f"data: {args.participants} participants x 2 sessions x 256 dot-probe test trials "
          f"({n_files} files)")
    print(f"full `icb score` (5000 splits x {len(rel)} session x condition): "
          f"wall {wall_s:.1f} s, peak RSS {peak_mb:.0f} MB")
    print(f"split-half of {cond} (pre, {vec['n_participants']} participants), 5000 splits: "
          f"vectorised {vec_s:.2f} s (SB {vec['sb']:.3f}); plain loop {loop_s:.1f} s "
          f"(timed on {args.loop_splits} splits and scaled x{5000 // args.loop_splits}; "
          f"SB {loop_sb:.3f}) -> speed-up x{loop_s / vec_s:.0f}")
    if not args.keep:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
