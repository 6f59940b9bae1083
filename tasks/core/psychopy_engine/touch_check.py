"""What ``icb check`` and benchmarks/input_latency.py measure of touch input: the X
pointer devices (a touch screen is one), and injected taps (XTEST button-1 presses)
against the engine's own record of them.

For each tap: ``t_inject`` (the engine's clock right after the X server has the press,
``display.sync()``), ``t_stamp`` (when the engine read it: the tap's time stamp, what RT
is computed from) and ``t_flip`` (the first flip after it was read: the earliest frame
that can answer it).  Reported: the stamp error ``t_stamp - t_inject`` and the
tap-to-flip latency ``t_flip - t_inject`` (median, 95th percentile, n).
"""

from __future__ import annotations

import numpy as np

from tasks.core.touch import TouchTarget


def pointer_devices() -> dict:
    """The X input devices that move the pointer (XInput2); touch screens flagged."""
    try:
        from Xlib import display
        from Xlib.ext import xinput
        x = display.Display()
        try:
            info = x.xinput_query_device(xinput.AllDevices)
        finally:
            x.close()
    except Exception as exc:  # noqa: BLE001 - no XInput: reported, not fatal
        return {"Pointers": f"not listed ({type(exc).__name__}: {exc})", "Touch": None}
    touch_class = 8  # XIClass TouchClass
    pointers = [{"Name": str(d.name), "Touch": any(c.type == touch_class for c in d.classes)}
                for d in info.devices if d.use == xinput.SlavePointer]
    return {"Pointers": pointers, "Touch": any(p["Touch"] for p in pointers)}


def _summary(values_ms: list[float]) -> dict | None:
    if not values_ms:
        return None
    arr = np.asarray(values_ms)
    return {"median": float(np.median(arr)), "p95": float(np.percentile(arr, 95)),
            "max": float(arr.max()), "n": int(arr.size)}


def measure_taps(engine, n: int = 20, seed: int = 5, timeout_s: float = 1.0) -> dict:
    """``n`` taps injected on a button of the open engine (``station.input: touch``)."""
    from tasks.core.psychopy_engine.injector import KeyInjector
    rng = np.random.default_rng(seed)
    injector = KeyInjector()
    injector.clock = engine._core.getTime
    saved, engine.injector = engine.injector, injector
    target = TouchTarget("space", 0.0, 0.0, 6.0, 3.0, "+")
    errors, to_flip, missed = [], [], 0
    try:
        for _ in range(n):
            engine._draw((target,))
            engine._flip()
            engine._tapped(())
            before = len(injector.taps)
            engine._tap_at_later(0.0, 0.0, float(rng.uniform(0.03, 0.12)))
            start = engine._core.getTime()
            got = None
            while got is None and engine._core.getTime() - start < timeout_s:
                engine._draw((target,))
                engine._flip()
                hits = engine._tapped((target,))
                if hits:
                    got = hits[0][1]
            if got is None or len(injector.taps) <= before:
                missed += 1
                continue
            engine._draw((target,))
            engine._flip()  # the first flip that can answer the tap
            injected = injector.taps[before]
            errors.append((got - injected) * 1000.0)
            to_flip.append((engine._last_flip - injected) * 1000.0)
    finally:
        injector.close()
        engine.injector = saved
    return {"Injected": "XTEST button-1 taps (python-xlib), from a timer thread",
            "PointerBackend": engine.pointer_backend, "Taps": n, "Missed": missed,
            "StampErrorMs": _summary(errors), "TapToFlipMs": _summary(to_flip)}
