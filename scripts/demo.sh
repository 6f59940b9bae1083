#!/usr/bin/env bash
# scripts/demo.sh: the end-to-end demo, run by `make demo` under scripts/headless.sh
# (so DISPLAY points at a reachable X server and a JACK dummy server is running).
#
# TODO(lead): replace this placeholder with the real `.venv/bin/icb ...` commands, e.g.
#   .venv/bin/icb validate configs/...
#   .venv/bin/icb run configs/... --participant DEMO01 --session pre --data-dir demo-data --simulate --windowed
#   .venv/bin/icb simulate configs/... --participants 40 --data-dir demo-data/sim
#   .venv/bin/icb score demo-data --out demo-output
#   .venv/bin/icb report demo-output --out demo-output/report.html
set -euo pipefail
cd "$(dirname "$0")/.."
ICB=.venv/bin/icb
echo "demo.sh (placeholder, TODO for the lead): would run, with DISPLAY=${DISPLAY:-unset}" \
     "JACK_DEFAULT_SERVER=${JACK_DEFAULT_SERVER:-default}:"
echo "  $ICB validate CONFIG..."
echo "  $ICB run CONFIG --participant DEMO01 --session pre --data-dir demo-data --simulate --windowed"
echo "  $ICB simulate CONFIG --participants N --data-dir demo-data/sim"
echo "  $ICB score demo-data --out demo-output"
echo "  $ICB report demo-output --out demo-output/report.html"
exit 0
