"""`icb score` on one very large dot-probe events file (issue 12, hostile input).

Run:  .venv/bin/python benchmarks/bench_large_events.py [--mb 340] [--keep DIR] [--json FILE]
                                                 [--variants clean,bad,badvalue] [--timeout S]

1. ``icb simulate configs/dotprobe.yaml --participants 1 --sessions pre`` writes one real
   events file and its sidecar (not timed): the data root holds one events file.
2. That file is grown to about ``--mb`` MB by repeating its data rows; each copy shifts
   ``trial_index`` (by the number of rows) and ``onset`` (by the last onset + 5 s) and
   jitters the measured times (:func:`grow`), so the file stays valid -- one header,
   increasing unique trial_index, the sidecar unchanged -- and its number columns hold
   distinct values as a real run's do.
   Variant ``bad`` is the same file with a few bad lines sprinkled in (a text RT, a row cut
   short, a duplicate trial_index), variant ``badvalue`` with one text RT only (every line
   well formed: the slowest way to a refusal): scoring must list the file with its reason
   (the first bad line), not hang.
3. ``icb score ROOT --out OUT --include-simulated`` (the run is simulated) runs as a child
   process; wall time and peak RSS (``wait4`` of the child: the largest resident set of it
   and of any process it waited for; with psutil, also the sum over the live process tree,
   sampled every 0.1 s -- the larger figure is reported) are measured, and its CPU time
   (user + system): on a shared machine the wall time includes waiting for a core.

Targets: a result in under 60 s and under 2 GB peak RSS.  A missed target is reported
clearly; the exit status is 0 unless the benchmark itself fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import machine  # noqa: E402

ICB = [sys.executable, "-m", "icb.cli"]
TARGET_S = 60.0
TARGET_MB = 2048.0
EVENTS = "sub-001/ses-pre/beh/sub-001_ses-pre_task-dotprobe_run-1_events.tsv"


def simulate(root: Path) -> Path:
    """A one-participant simulated data root holding only the pre-session events file."""
    subprocess.run([*ICB, "simulate", "configs/dotprobe.yaml", "--participants", "1",
                    "--sessions", "pre", "--data-dir", str(root)],
                   cwd=REPO, check=True, capture_output=True, text=True)
    found = sorted(root.rglob("*_events.tsv"))
    if [p.relative_to(root).as_posix() for p in found] != [EVENTS]:
        raise SystemExit(f"icb simulate wrote {found}, expected only {EVENTS}")
    return root / EVENTS


def grow(path: Path, mb: float, bad: str = "") -> int:
    """Rewrite ``path`` as about ``mb`` MB of repeated data rows, with the bad lines of
    variant ``bad`` (``bad`` or ``badvalue``, else none); the number of data rows.

    Copy k > 0 of the rows shifts ``trial_index`` and ``onset`` and jitters the measured
    times (rt_ms and duration by the same U(-5, 5) ms, the achieved cue duration by
    U(-0.05, 0.05) ms; seeded), so that, as in a real run, those columns hold distinct
    values with all their digits and not a few hundred values repeated.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], [ln.split("\t") for ln in lines[1:]]
    cols = header.split("\t")
    at = {name: cols.index(name) for name in
          ("onset", "duration", "trial_index", "rt_ms", "cue_duration_actual_ms")}
    rng = random.Random(12)
    shift_t = float(rows[-1][at["onset"]]) + 5.0

    def copy(k: int) -> list[list[str]]:
        out = []
        for fields in rows:
            f = list(fields)
            f[at["onset"]] = repr(float(f[at["onset"]]) + k * shift_t)
            f[at["trial_index"]] = str(int(f[at["trial_index"]]) + k * len(rows))
            if k:
                jitter = rng.uniform(-5.0, 5.0)
                if f[at["rt_ms"]] != "n/a":
                    f[at["rt_ms"]] = repr(float(f[at["rt_ms"]]) + jitter)
                f[at["duration"]] = repr(max(0.0, float(f[at["duration"]]) + jitter / 1000))
                f[at["cue_duration_actual_ms"]] = repr(
                    float(f[at["cue_duration_actual_ms"]]) + rng.uniform(-0.05, 0.05))
            out.append(f)
        return out

    copy_bytes = sum(len("\t".join(f)) + 1 for f in copy(1))
    copies = max(1, round(mb * 1e6 / copy_bytes))
    n_rows = copies * len(rows)
    bad_at = {"bad": {n_rows // 3: "rt", n_rows // 2: "cut", (2 * n_rows) // 3: "dup"},
              "badvalue": {n_rows // 3: "rt"}}.get(bad, {})
    written = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(header + "\n")
        for k in range(copies):
            block = []
            for f in copy(k):
                what = bad_at.get(written)
                if what == "rt":
                    f[at["rt_ms"]] = "fast"
                elif what == "cut":
                    f = f[:-3]
                elif what == "dup":
                    f[at["trial_index"]] = str(int(f[at["trial_index"]]) - 1)
                block.append("\t".join(f))
                written += 1
            fh.write("\n".join(block) + "\n")
    return written


def tree_rss_mb(pid: int) -> float:
    """Resident set of a process and its live descendants (MB), 0 when psutil is missing."""
    try:
        import psutil
    except ImportError:
        return 0.0
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def run_score(root: Path, out: Path, log: Path, timeout_s: float) -> dict:
    """Time ``icb score`` in a child process; wall seconds, peak MB, exit status."""
    with open(log, "w", encoding="utf-8") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen([*ICB, "score", str(root), "--out", str(out),
                                 "--include-simulated"], cwd=REPO, stdout=fh, stderr=fh,
                                start_new_session=True)
        sampled, timed_out = 0.0, False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > timeout_s:
                os.killpg(proc.pid, signal.SIGKILL)  # the child's own session
                timed_out = True
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            sampled = max(sampled, tree_rss_mb(proc.pid))
            time.sleep(0.1)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    peak = max(usage.ru_maxrss / 1024, sampled)
    return {"wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mb": round(peak, 1),
            "peak_rss_wait4_mb": round(usage.ru_maxrss / 1024, 1),
            "peak_rss_sampled_mb": round(sampled, 1), "exit_status": proc.returncode,
            "timed_out": timed_out}


def outcome(out: Path) -> dict:
    """What the scoring said about the file: scored or not, rows, the exclusion reason."""
    if not (out / "runs.tsv").is_file():
        return {"result": "no result"}
    runs = pd.read_csv(out / "runs.tsv", sep="\t", keep_default_na=False)
    excl = pd.read_csv(out / "exclusions.tsv", sep="\t", keep_default_na=False)
    scores = pd.read_csv(out / "scores.tsv", sep="\t", keep_default_na=False)
    run = runs.iloc[0]
    bias = scores[scores["measure"] == "bias_ms"]
    return {"result": "scored" if int(run["scored"]) else "listed in exclusions",
            "n_rows_read": int(run["n_rows"]),
            "reasons": sorted(set(excl["reason"].astype(str))),
            "bias_ms": {r.condition: r.value for r in bias.itertuples()}}


def bench(variant: str, base: Path, mb: float, timeout_s: float) -> dict:
    root = base / variant / "data"
    if not root.exists():
        t0 = time.perf_counter()
        events = simulate(root)
        rows = grow(events, mb, bad=variant)
        print(f"[{variant}] data root written in {time.perf_counter() - t0:.1f} s "
              "(not timed)", flush=True)
    else:
        print(f"[{variant}] reusing the data root {root} (--keep)", flush=True)
        events = root / EVENTS
        with open(events, "rb") as fh:
            rows = sum(1 for _ in fh) - 1
    out = base / variant / f"scores-{time.strftime('%H%M%S')}"
    log = base / variant / f"{out.name}.log"
    fig = run_score(root, out, log, timeout_s)
    size_mb = events.stat().st_size / 1e6
    finished = fig["exit_status"] == 0 and not fig["timed_out"]
    if not finished:
        print(f"[{variant}] icb score's last lines:\n" + "\n".join(
            log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]))
    res = {"variant": variant, "file_mb": round(size_mb, 1), "rows": rows, **fig,
           **(outcome(out) if finished else {"result": "no result"})}
    res["within_60_s"] = not fig["timed_out"] and fig["wall_s"] < TARGET_S
    res["within_2_gb"] = fig["peak_rss_mb"] < TARGET_MB
    return res


def report(res: dict) -> None:
    ok = res["within_60_s"] and res["within_2_gb"] and res["exit_status"] == 0
    print(f"[{res['variant']}] events file {res['file_mb']:.1f} MB, {res['rows']:,} data rows")
    print(f"[{res['variant']}] icb score: exit {res['exit_status']}"
          f"{' (killed after the timeout)' if res['timed_out'] else ''}, wall "
          f"{res['wall_s']:.1f} s (CPU {res['cpu_s']:.1f} s), peak RSS "
          f"{res['peak_rss_mb']:.0f} MB (wait4 {res['peak_rss_wait4_mb']:.0f}, sampled tree "
          f"{res['peak_rss_sampled_mb']:.0f})")
    print(f"[{res['variant']}] result: {res['result']}"
          + (f", {res['n_rows_read']:,} rows read" if "n_rows_read" in res else ""))
    for reason in res.get("reasons", []):
        print(f"[{res['variant']}]   exclusion: {reason}")
    for cond, value in res.get("bias_ms", {}).items():
        print(f"[{res['variant']}]   bias_ms {cond}: {value}")
    print(f"[{res['variant']}] targets: wall < {TARGET_S:.0f} s "
          f"{'MET' if res['within_60_s'] else 'MISSED'}; peak RSS < {TARGET_MB:.0f} MB "
          f"{'MET' if res['within_2_gb'] else 'MISSED'}"
          + ("" if ok else "  <-- TARGET MISSED or no result"), flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--mb", type=float, default=340.0, help="size of the events file (MB)")
    ap.add_argument("--variants", default="clean,bad,badvalue",
                    help="comma-separated: clean (a valid file), bad (a few bad lines), "
                         "badvalue (one bad value)")
    ap.add_argument("--timeout", type=float, default=900.0,
                    help="kill `icb score` after this many seconds (reported as no result)")
    ap.add_argument("--keep", type=Path, help="build / reuse the data roots in this folder")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = ap.parse_args()
    variants = [v for v in args.variants.split(",") if v]
    unknown = set(variants) - {"clean", "bad", "badvalue"}
    if unknown:
        ap.error(f"unknown variant(s) {', '.join(sorted(unknown))}")
    info = machine.describe()
    machine.print_machine(info)
    base = args.keep or Path(tempfile.mkdtemp(prefix="icb-bench-large-"))
    base.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for variant in variants:
            res = bench(variant, base, args.mb, args.timeout)
            report(res)
            results.append(res)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "targets": {
            "wall_s": TARGET_S, "peak_rss_mb": TARGET_MB}, "results": results}, indent=2)
            + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
