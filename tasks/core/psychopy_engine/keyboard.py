"""The window's keyboard: PsychoPy's keyboard backend (PTB, else the event fallback), key
polling with each press reported once, and the experimenter's abort chord."""

from __future__ import annotations

from icb.errors import BadInput

# The abort chord's modifiers (station.abort_modifiers): PsychoPy key names per side,
# and pyglet's names for the event-backend fallback.
_MODIFIERS = {"ctrl": ("lctrl", "rctrl"), "shift": ("lshift", "rshift"), "alt": ("lalt", "ralt")}
_PYGLET_MODIFIERS = {"ctrl": ("LCTRL", "RCTRL"), "shift": ("LSHIFT", "RSHIFT"),
                     "alt": ("LALT", "RALT")}


class KeyboardMixin:
    """Keyboard methods of :class:`~tasks.core.psychopy_engine.window.PsychoPyEngine`
    (uses its ``station``, ``kb``, ``log``, ``_keystate`` and ``_seen_keys``)."""

    def _open_keyboard(self) -> None:
        from psychopy.hardware import keyboard
        wanted = self.station["keyboard_backend"]
        try:
            self.kb = keyboard.Keyboard(backend=wanted)
            got = self.kb.getBackend()
        except Exception as exc:  # noqa: BLE001 - any backend failure means: fall back
            self.log(f"[icb] keyboard backend {wanted!r} failed to load ({exc!r})")
            got = None
        if got != wanted:
            if self.station["require_ptb_keyboard"] and wanted == "ptb":
                self.close()
                raise BadInput("station.require_ptb_keyboard: the PTB keyboard backend did not "
                               f"load (got {got!r}); install psychtoolbox or allow the fallback")
            self.keyboard_note = (f"keyboard backend {wanted!r} did not load; FALLING BACK to "
                                  f"{got or 'event'!r}: response times are then stamped by the "
                                  "event loop, once per frame")
            self.log("[icb] WARNING: " + self.keyboard_note)
            if self.kb is None:
                self.kb = keyboard.Keyboard(backend="event")
            got = self.kb.getBackend()
        self.keyboard_backend = got

    def _poll_keys(self, key_list: list[str]) -> list:
        """Key presses since the last poll, each once, in order of their time stamps.

        PsychoPy 2026's ``getKeys(waitRelease=False)`` returns only keys still held
        down; a short press already released is returned by ``waitRelease=True``.
        Both are polled and de-duplicated by key name and ``tDown``.
        """
        if self.keyboard_backend == "event":
            return self._poll_event_keys(key_list)
        held = self.kb.getKeys(keyList=key_list, waitRelease=False, clear=False)
        released = self.kb.getKeys(keyList=key_list, waitRelease=True, clear=True)
        fresh = []
        for key in list(held) + list(released):
            stamp = (key.name, round(float(key.tDown), 6))
            if stamp in self._seen_keys:
                continue
            self._seen_keys.add(stamp)
            fresh.append(key)
        if len(self._seen_keys) > 1000:
            self._seen_keys = set(list(self._seen_keys)[-100:])
        return sorted(fresh, key=lambda k: float(k.tDown))

    def _poll_event_keys(self, key_list: list[str]) -> list:
        """The fallback (``event``) backend.  PsychoPy 2026.2 stores such a key's name as
        ``[name, time]`` (from ``event.getKeys(timeStamped=True)``), so ``getKeys(keyList=...)``
        never matches it: take every key, repair the name, filter here.  Its ``rt`` is the
        time of the poll that found it (once per frame)."""
        fresh = []
        for key in self.kb.getKeys(waitRelease=False, clear=True):
            if isinstance(key.name, (list, tuple)):
                key.name = key.name[0]
            if key.name in key_list:
                fresh.append(key)
        return fresh

    def _abort_pressed(self) -> bool:
        return any(self._is_abort(k) for k in self._poll_keys([self.station["abort_key"]]))

    # -- the abort chord -----------------------------------------------------------
    def _modifier_down(self, modifier: str) -> bool:
        """Is ``ctrl``/``shift``/``alt`` (either side) held down right now?"""
        if self.keyboard_backend == "ptb":
            state = self.kb.getState(list(_MODIFIERS[modifier]))
            return any(state) if isinstance(state, list) else bool(state)
        if self._keystate is not None:
            from pyglet.window import key as pyglet_key
            return any(self._keystate[getattr(pyglet_key, n)]
                       for n in _PYGLET_MODIFIERS[modifier])
        return False

    def _is_abort(self, key) -> bool:
        """The abort key, with every ``station.abort_modifiers`` key held (the chord).

        A bare abort key (a participant's accident) is ignored when modifiers are set.
        """
        if key.name != self.station["abort_key"]:
            return False
        return all(self._modifier_down(m) for m in self.station.get("abort_modifiers") or ())

    def abort_chord_text(self) -> str:
        """How the experimenter aborts, e.g. ``Ctrl+Shift+Escape``."""
        parts = [m.capitalize() for m in self.station.get("abort_modifiers") or ()]
        return "+".join(parts + [self.station["abort_key"].capitalize()])
