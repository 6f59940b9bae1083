#!/usr/bin/env bash
# scripts/demo.sh: the end-to-end demo, run by `make demo` under scripts/headless.sh
# (DISPLAY points at a reachable X server, a JACK dummy server is running).
#
#   1. validate every demo config (no window)
#   2. simulated participants through the real tasks in a real PsychoPy window
#      (keys through the X server and PsychoPy's keyboard; sounds through PTB audio; gaze
#      through ioHub's MouseGaze tracker, the simulated eyes moving the X pointer; LSL
#      markers for every flip-locked event, ECG and EDA recorded from the simulated device
#      `icb lsl-device`, which plants a heart-rate deceleration after each cry)
#   3. a simulated cohort, pre and post, MORE and control, in data-only mode
#   4. score everything and write the HTML report
#
# Everything goes into a new folder demo-output/<time stamp>/: nothing is overwritten.
set -euo pipefail
cd "$(dirname "$0")/.."
ICB=.venv/bin/icb
OUT="demo-output/$(date +%Y%m%d-%H%M%S)"
DATA="$OUT/data"
if [ -e "$OUT" ]; then echo "demo: $OUT exists already; try again in a second" >&2; exit 1; fi
mkdir -p "$OUT"

echo "== 1. validate the configs (no window)"
$ICB validate configs/battery_pre.yaml configs/battery_post.yaml \
    configs/battery_pre_eyetracking.yaml configs/battery_post_eyetracking.yaml configs/demo/*.yaml

# the simulated ECG/EDA device on Lab Streaming Layer (loopback), stopped when the demo ends
.venv/bin/icb lsl-device --types ECG,EDA --seed 1 &
DEVICE=$!
trap 'kill "$DEVICE" 2>/dev/null || true' EXIT

echo "== 2. a simulated participant through the demo battery in a real window"
# keys travel the real path (X server -> PsychoPy's PTB keyboard); cries play through PTB audio;
# free viewing reads the gaze from ioHub's MouseGaze tracker (the X pointer is the gaze);
# markers go out on LSL and the device's ECG and EDA are written beside each task's events
$ICB run configs/demo/battery_pre_physio.yaml --participant DEMO01 --session pre --group MORE \
    --simulate --windowed --data-dir "$DATA"

kill "$DEVICE" 2>/dev/null || true

echo "== 3. a simulated cohort (data-only), pre and post, MORE and control"
$ICB simulate configs/battery_pre_eyetracking.yaml --participants 40 --first 101 --sessions pre,post \
    --groups MORE,control --data-dir "$DATA" --seed 1

echo "== 4. score and report"
$ICB score "$DATA" --out "$OUT/scores" --include-simulated
$ICB report "$OUT/scores" --out "$OUT/report.html"

echo
echo "demo data:   $DATA"
echo "score files: $OUT/scores"
echo "report:      $OUT/report.html"
