#!/usr/bin/env bash
# headless.sh CMD [ARGS...]
#
# Runs CMD with an X display and a JACK audio server, starting whichever is missing:
#   - X: if $DISPLAY is unset or does not answer, start `Xvfb` on a free display number
#     (Xvfb picks it itself via -displayfd) and export DISPLAY.
#   - JACK: if no JACK server answers (honouring $JACK_DEFAULT_SERVER), start
#     `jackd --no-realtime -d dummy -r 48000 -p 256` under a private server name
#     (icb-<pid>, exported as JACK_DEFAULT_SERVER so concurrent runs never share or kill
#     each other's server) and wait until it answers.
# Whatever it started is stopped on exit; the exit status is CMD's.
# Works as root in a container without dbus, /dev/snd or realtime privileges.
#
# Environment knobs:
#   ICB_HEADLESS_FORCE_XVFB=1   start a private Xvfb even if $DISPLAY answers
#   ICB_HEADLESS_NO_JACK=1      do not start JACK
#   ICB_XVFB_SCREEN=WxHxD       default 1280x1024x24
#   ICB_JACK_RATE / ICB_JACK_PERIOD   default 48000 / 256
#   ICB_HEADLESS_LOG_DIR        where Xvfb/jackd logs go (default: a fresh temp dir, removed
#                               on success)
set -uo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

log() { echo "headless.sh: $*" >&2; }

LOG_DIR="${ICB_HEADLESS_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/icb-headless.XXXXXX")}"
mkdir -p "$LOG_DIR"
XVFB_PID=""
JACK_PID=""
KEEP_LOGS=0

cleanup() {
    if [ -n "$JACK_PID" ] && kill -0 "$JACK_PID" 2>/dev/null; then
        kill -TERM "$JACK_PID" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$JACK_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$JACK_PID" 2>/dev/null
        wait "$JACK_PID" 2>/dev/null
    fi
    if [ -n "$XVFB_PID" ] && kill -0 "$XVFB_PID" 2>/dev/null; then
        kill -TERM "$XVFB_PID" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$XVFB_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$XVFB_PID" 2>/dev/null
        wait "$XVFB_PID" 2>/dev/null
    fi
    if [ "$KEEP_LOGS" = 0 ] && [ -z "${ICB_HEADLESS_LOG_DIR:-}" ]; then
        rm -rf "$LOG_DIR"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

display_ok() {
    [ -n "${DISPLAY:-}" ] || return 1
    if command -v xdpyinfo >/dev/null 2>&1; then
        timeout 5 xdpyinfo >/dev/null 2>&1
    else
        timeout 5 xset q >/dev/null 2>&1
    fi
}

# ---------------------------------------------------------------- X display
if [ "${ICB_HEADLESS_FORCE_XVFB:-0}" != 1 ] && display_ok; then
    log "using existing display $DISPLAY"
else
    command -v Xvfb >/dev/null 2>&1 || { log "Xvfb not installed (apt-get install xvfb)"; exit 1; }
    FD_FILE="$LOG_DIR/displayfd"
    : > "$FD_FILE"
    # -displayfd: Xvfb chooses a free display number and writes it once it accepts connections.
    Xvfb -displayfd 3 -screen 0 "${ICB_XVFB_SCREEN:-1280x1024x24}" -nolisten tcp \
        +extension GLX +extension RANDR +render -noreset \
        3>"$FD_FILE" >"$LOG_DIR/xvfb.log" 2>&1 &
    XVFB_PID=$!
    for _ in $(seq 200); do
        [ -s "$FD_FILE" ] && break
        kill -0 "$XVFB_PID" 2>/dev/null || break
        sleep 0.05
    done
    NUM="$(tr -dc '0-9' < "$FD_FILE")"
    if [ -z "$NUM" ]; then
        KEEP_LOGS=1
        log "Xvfb did not start; log:"; cat "$LOG_DIR/xvfb.log" >&2
        exit 1
    fi
    export DISPLAY=":$NUM"
    for _ in $(seq 100); do display_ok && break; sleep 0.05; done
    if ! display_ok; then
        KEEP_LOGS=1
        log "Xvfb on $DISPLAY does not answer; log:"; cat "$LOG_DIR/xvfb.log" >&2
        exit 1
    fi
    log "started Xvfb on $DISPLAY (pid $XVFB_PID)"
fi

# ---------------------------------------------------------------- JACK
export JACK_NO_AUDIO_RESERVATION=1   # no dbus device reservation (no dbus in containers)
jack_ok() {
    # JACK_NO_START_SERVER: a client must never autostart a server behind our back.
    JACK_NO_START_SERVER=1 timeout 5 jack_lsp >/dev/null 2>&1
}
if [ "${ICB_HEADLESS_NO_JACK:-0}" = 1 ]; then
    log "JACK disabled (ICB_HEADLESS_NO_JACK=1)"
elif ! command -v jackd >/dev/null 2>&1; then
    log "jackd not installed (apt-get install jackd2); continuing without JACK"
elif jack_ok; then
    log "using running JACK server '${JACK_DEFAULT_SERVER:-default}'"
else
    export JACK_DEFAULT_SERVER="icb-$$"
    # --no-realtime: containers and CI have no RT privileges.  dummy backend: no sound card.
    JACK_NO_START_SERVER=1 jackd --no-realtime --name "$JACK_DEFAULT_SERVER" --silent \
        -d dummy -r "${ICB_JACK_RATE:-48000}" -p "${ICB_JACK_PERIOD:-256}" \
        -C 2 -P 2 \
        </dev/null >"$LOG_DIR/jackd.log" 2>&1 &
    JACK_PID=$!
    for _ in $(seq 100); do
        jack_ok && break
        kill -0 "$JACK_PID" 2>/dev/null || break
        sleep 0.1
    done
    if ! jack_ok; then
        KEEP_LOGS=1
        log "jackd did not start; log ($LOG_DIR/jackd.log):"; cat "$LOG_DIR/jackd.log" >&2
        exit 1
    fi
    log "started JACK dummy server '$JACK_DEFAULT_SERVER' (pid $JACK_PID)"
fi
export JACK_NO_START_SERVER=1

# ---------------------------------------------------------------- command
"$@" <&0 &
CMD_PID=$!
# Forward INT/TERM to the command, then keep waiting for it.
trap 'kill -INT "$CMD_PID" 2>/dev/null' INT
trap 'kill -TERM "$CMD_PID" 2>/dev/null' TERM
while :; do
    wait "$CMD_PID"
    STATUS=$?
    kill -0 "$CMD_PID" 2>/dev/null || break
done
exit "$STATUS"
