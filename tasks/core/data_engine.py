"""The data-only engine: the same calls as the PsychoPy engine, no window.

Used by ``icb simulate`` (whole cohorts, no display): time advances by whole
frames at a nominal refresh rate, and the simulated participant's planned
response is taken as it is.  Nothing here imports PsychoPy.
"""

from __future__ import annotations

import math
from pathlib import Path

from tasks.core.screens import PlannedResponse, ResponseSpec, Screen, SequenceResult


class DataEngine:
    """Virtual clock at ``refresh_hz``; no drawing, no waiting."""

    kind = "data-only"

    def __init__(self, refresh_hz: float = 60.0):
        self.refresh_hz = float(refresh_hz)
        self.frame_ms = 1000.0 / self.refresh_hz
        self.keyboard_backend = "none (data-only simulation)"
        self.audio_backend = "none (data-only simulation)"
        self.now_s = 0.0

    def info(self) -> dict:
        return {"Engine": self.kind, "MeasuredRefreshHz": self.refresh_hz,
                "FramePacing": "virtual"}

    def presentation_info(self) -> dict:
        return {}

    def open(self) -> None:
        self.now_s = 0.0

    def close(self) -> None:
        pass

    def preload_images(self, paths: dict[str, Path], size_deg: tuple[float, float]) -> None:
        missing = [str(p) for p in paths.values() if not Path(p).is_file()]
        if missing:
            from tasks.errors import StimulusError
            raise StimulusError(f"stimulus file not found: {missing[0]}", missing)

    def frames_for(self, duration_ms: float) -> int:
        return max(1, int(round(duration_ms / self.frame_ms)))

    def show_message(self, text: str, *, keys: tuple[str, ...] = ("space",),
                     min_s: float = 0.0, planned: PlannedResponse | None = None) -> str | None:
        wait_ms = max(min_s * 1000.0, (planned.rt_ms or 0.0) if planned else 500.0)
        self.now_s += self.frames_for(wait_ms) * self.frame_ms / 1000.0
        return planned.key if planned else keys[0]

    def run_sequence(self, screens: list[Screen], response: ResponseSpec | None = None,
                     planned: PlannedResponse | None = None) -> SequenceResult:
        result = SequenceResult()
        for screen in screens:
            result.onsets_s[screen.name] = self.now_s
            if screen.duration_ms is not None:
                n = self.frames_for(screen.duration_ms)
                result.frames[screen.name] = n
                self.now_s += n * self.frame_ms / 1000.0
                continue
            timeout_ms = response.timeout_ms if response else 0.0
            if planned and planned.key is not None and planned.rt_ms is not None \
                    and planned.rt_ms <= timeout_ms:
                result.key, result.rt_ms = planned.key, float(planned.rt_ms)
                elapsed_ms = planned.rt_ms
            else:
                elapsed_ms = timeout_ms
            # The screen ends at the first flip after the response.
            n = max(1, math.ceil(elapsed_ms / self.frame_ms))
            result.frames[screen.name] = n
            result.end_s = self.now_s + elapsed_ms / 1000.0
            self.now_s += n * self.frame_ms / 1000.0
        return result

    def confirm_abort(self, planned: PlannedResponse | None = None) -> bool:
        return True
