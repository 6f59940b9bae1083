# icb: build, test and demo entry points.
#
#   make bootstrap   system packages (apt, only what is missing) + .venv with the package installed
#   make test        bootstrap, then the whole pytest suite under a virtual display + JACK dummy audio
#   make demo        bootstrap, then scripts/demo.sh under the same headless wrapper
#   make clean       build/test litter (keeps .venv; `make distclean` removes it too)
#
# Works on a fresh Debian 12 as root with only python3.11, git and make; no TTY, no stdin (CI=true).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
VENV_PY := $(VENV)/bin/python
STAMP := $(VENV)/.icb-install-stamp
HEADLESS := scripts/headless.sh

# Runtime libraries PsychoPy/pyglet/psychtoolbox/PyQt need, plus the headless display and audio.
APT_PACKAGES := xvfb xdotool x11-utils xauth jackd2 libjack-jackd2-0 libportaudio2 libasound2 \
	libusb-1.0-0 libsndfile1 libxkbcommon-x11-0 libgl1 libgl1-mesa-dri libglu1-mesa libegl1 \
	libxcb-xinerama0 ca-certificates \
	libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 \
	libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxrender1 \
	libxi6 libsm6 libice6

# Per-test hang guard without extra dependencies: pytest's faulthandler dumps every thread's
# stack after this many seconds; the whole run is killed after PYTEST_WALL seconds (CI allows 90 min).
PYTEST_FAULT_TIMEOUT ?= 300
PYTEST_WALL ?= 4800
PYTEST_ARGS ?=
PYTEST_OPTS := -q -p no:cacheprovider -o faulthandler_timeout=$(PYTEST_FAULT_TIMEOUT) -r fEs

export DEBIAN_FRONTEND := noninteractive
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_NO_INPUT := 1
export PYTHONUNBUFFERED := 1

# The BIDS validator is the schema-based one BIDS maintains (PyPI bids-validator-deno, with its
# Deno runtime from PyPI's deno wheel): pinned in setup.cfg's `test` extra, so `venv` installs it
# as .venv/bin/bids-validator-deno (about 120 MB, no Node.js, runs offline).

.PHONY: bootstrap system-deps venv test demo clean distclean

bootstrap: system-deps venv

system-deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  if [ "$$(dpkg-query -W -f='$${db:Status-Status}' "$$p" 2>/dev/null)" != installed ]; then \
	    missing="$$missing $$p"; fi; \
	done; \
	if [ -n "$(PYTHON)" ] && ! "$(PYTHON)" -c 'import ensurepip, venv' >/dev/null 2>&1; then \
	  missing="$$missing python3-venv"; fi; \
	if [ -z "$$missing" ]; then echo "system packages: all present"; exit 0; fi; \
	echo "system packages missing:$$missing"; \
	if [ "$$(id -u)" -eq 0 ]; then SUDO=""; \
	elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; \
	else echo "error: not root and no sudo; install as root: apt-get install$$missing" >&2; exit 1; fi; \
	$$SUDO apt-get update -q; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $$missing </dev/null

venv:
	@if [ -z "$(PYTHON)" ]; then echo "error: python3.11 or python3 not found" >&2; exit 1; fi
	@want="$$(cat setup.cfg pyproject.toml 2>/dev/null | sha256sum | cut -d' ' -f1)"; \
	if [ -x "$(VENV_PY)" ] && [ -f "$(STAMP)" ] && [ "$$(cat "$(STAMP)")" = "$$want" ]; then \
	  echo "venv: up to date ($(VENV))"; exit 0; fi; \
	if [ ! -x "$(VENV_PY)" ]; then \
	  echo "venv: creating $(VENV) with $(PYTHON)"; "$(PYTHON)" -m venv "$(VENV)"; \
	  "$(VENV_PY)" -m pip install -q --upgrade pip setuptools wheel </dev/null; fi; \
	echo "venv: pip install -e '.[run,test]' (takes a few minutes on a fresh machine)"; \
	"$(VENV_PY)" -m pip install -q -e '.[run,test]' </dev/null; \
	echo "$$want" > "$(STAMP)"

test: bootstrap
	timeout --signal=TERM --kill-after=60 $(PYTEST_WALL) \
	  $(HEADLESS) $(VENV_PY) -m pytest $(PYTEST_OPTS) $(PYTEST_ARGS) </dev/null

demo: bootstrap
	$(HEADLESS) scripts/demo.sh </dev/null

clean:
	rm -rf build dist *.egg-info .pytest_cache .hypothesis demo-data demo-output .stamps
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -print0 | xargs -0r rm -rf

distclean: clean
	rm -rf $(VENV)
