"""The machine a benchmark ran on: one dict, printed with every figure."""

from __future__ import annotations

import os
import platform
import subprocess
import sys


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def x_server() -> str:
    """The X server's vendor string (``xdpyinfo``), or what $DISPLAY is."""
    display = os.environ.get("DISPLAY", "")
    try:
        out = subprocess.run(["xdpyinfo"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return f"DISPLAY={display}"
    vendor = release = ""
    for line in out.splitlines():
        if line.startswith("vendor string:"):
            vendor = line.split(":", 1)[1].strip()
        elif line.startswith("vendor release number:"):
            release = line.split(":", 1)[1].strip()
    xvfb = subprocess.run(["pgrep", "-x", "Xvfb"], capture_output=True).returncode == 0
    kind = "Xvfb running" if xvfb else "no Xvfb process"
    return f"DISPLAY={display} ({vendor} {release}; {kind})"


def describe(extra: dict | None = None) -> dict:
    info = {
        "cpu": cpu_model(),
        "nproc": os.cpu_count(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "load_average_1min_at_start": round(os.getloadavg()[0], 2),
    }
    for name in ("psychopy", "psychtoolbox", "pyglet", "numpy", "pandas"):
        try:
            module = __import__(name)
            info[name] = str(getattr(module, "__version__", None) or getattr(module, "version", "?"))
        except Exception:  # noqa: BLE001 - a missing module is just not listed
            pass
    info.update(extra or {})
    return info


def print_machine(info: dict, file=sys.stdout) -> None:
    print("machine: " + "; ".join(f"{k}={v}" for k, v in info.items()), file=file)
