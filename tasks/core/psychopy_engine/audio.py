"""Sounds through PsychoPy's PTB audio backend, their onsets locked to screen flips.

One ``SpeakerDevice`` (Psychtoolbox/PortAudio; on a headless machine the JACK
dummy driver) is opened on first use with the station's latency class
(``station.audio_latency_mode`` is PsychPortAudio's ``reqlatencyclass``: 0 = no
low-latency request, 1 = low latency shared, 2 = exclusive, 3 = aggressive,
4 = critical; the value is passed through unchanged).  Every ``Sound`` is created
before the block (preloaded).  A sound's start is scheduled with
``play(when=T)``, T being the time of a flip ``lead_frames`` ahead; the
backend's reported ``StartTime`` (same clock) is the onset recorded.
"""

from __future__ import annotations

from pathlib import Path

from tasks.core.markers import SOUND
from tasks.core.results import SoundResult, count_dropped
from icb.errors import AbortRequested, BadInput


class Speaker:
    def __init__(self, station: dict, log=print):
        self.station = station
        self.log = log
        self.device = None
        self.sounds: dict = {}
        self.backend = "not used"
        self.info: dict = {}

    def open(self) -> None:
        if self.device is not None:
            return
        from psychopy import prefs
        prefs.hardware["audioLib"] = ["ptb"]
        from psychopy import sound  # noqa: F401  (selects the PTB backend)
        from psychopy.hardware.speaker import SpeakerDevice
        backend = SpeakerDevice.resolveBackend()
        devices = backend.getAvailableDevices()
        outputs = [d for d in devices if d.get("deviceName")]
        wanted = self.station.get("audio_device")
        if not outputs:
            raise BadInput("station.audio_device: no audio output device found (headless: run "
                           "under scripts/headless.sh, which starts a JACK dummy server)")
        names = [d["deviceName"] for d in outputs]
        if wanted is not None and wanted not in names:
            raise BadInput(f"station.audio_device: no output device named {wanted!r}; "
                           f"available: {', '.join(names)}")
        name = wanted or names[0]
        latency = int(self.station.get("audio_latency_mode", 1))
        self.device = SpeakerDevice(name=name, latencyClass=latency)
        status = {}
        try:
            from psychtoolbox import audio
            status = dict(self.device.stream.status) if hasattr(self.device, "stream") else {}
            host = {int(d["DeviceIndex"]): d for d in audio.get_devices()}
            dev = host.get(int(status.get("OutDeviceIndex", -1)), {})
        except (ImportError, AttributeError, KeyError, TypeError, ValueError):
            dev = {}
        self.backend = "ptb"
        self.info = {"Backend": "ptb", "Library": None,
                     "Device": name, "HostAPI": dev.get("HostAudioAPIName"),
                     "LatencyClass": latency,
                     "SampleRateHz": status.get("SampleRate"),
                     "PredictedLatencyMs": (status["PredictedLatency"] * 1000.0
                                            if "PredictedLatency" in status else None)}

    def preload(self, paths: dict[str, Path]) -> None:
        from psychopy import sound
        self.open()
        for stim_id, path in paths.items():
            if stim_id in self.sounds:
                continue
            if not Path(path).is_file():
                from icb.errors import StimulusError
                raise StimulusError(f"{path}: sound {stim_id} not found (deleted after "
                                    "validation?)")
            self.sounds[stim_id] = sound.Sound(str(path), speaker=self.device)
            self.info["Library"] = type(self.sounds[stim_id]).__module__

    def close(self) -> None:
        for snd in self.sounds.values():
            try:
                snd.stop()
            except (AttributeError, RuntimeError):
                pass
        self.sounds.clear()
        if self.device is not None:
            try:
                self.device.close()
            except (AttributeError, RuntimeError):
                pass
            self.device = None


def play_on_flip(engine, speaker: Speaker, stim_id: str, items: tuple, duration_ms: float,
                 lead_frames: int) -> SoundResult:
    """Show ``items``; start the sound on the flip ``lead_frames`` after the screen's first
    flip; keep the screen for ``duration_ms`` from the sound's onset."""
    from psychopy import logging as plog
    snd = speaker.sounds[stim_id]
    abort_key = engine.station["abort_key"]
    frame_s = engine.frame_ms / 1000.0
    engine._draw(items)
    stamps = [engine._flip()]
    # The run's clock: flip stamps are on logging.defaultClock; t0 + that clock's reset
    # time is the absolute (ptb.GetSecs) time of the run's first flip.
    t0_abs = engine._t0 + plog.defaultClock.getLastResetTime()
    requested_s = stamps[0] + lead_frames * frame_s
    snd.play(when=t0_abs + requested_s)
    engine._mark(SOUND, requested_s, stim_id)  # stamped with the flip it is scheduled on
    reported_s = None
    # the screen stays until ``duration_ms`` after the requested sound onset, by the clock
    until_ms = lead_frames * engine.frame_ms + duration_ms
    while not engine._screen_over(stamps[0], stamps, until_ms):
        engine._draw(items)
        stamps.append(engine._flip())
        if reported_s is None:
            start = float(snd.track.status.get("StartTime", 0.0) or 0.0)
            if start > 0:
                reported_s = start - t0_abs
        if any(engine._is_abort(k) for k in engine._poll_keys([abort_key])):
            snd.stop()
            raise AbortRequested()
    if reported_s is None:
        start = float(snd.track.status.get("StartTime", 0.0) or 0.0)
        reported_s = start - t0_abs if start > 0 else None
    snd.stop()
    return SoundResult(stamps[0], requested_s, reported_s, stamps[-1],
                       count_dropped(stamps, engine.frame_ms))
