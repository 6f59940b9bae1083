"""YAML read with limits before work: a config is a page of settings, never megabytes,
thousands of levels deep or an alias bomb.  ``yaml.SafeLoader`` underneath (nothing but
plain data); the limits are checked while composing, before anything is built."""

from __future__ import annotations

import yaml

MAX_CONFIG_BYTES = 1_000_000
MAX_DEPTH = 20
MAX_ALIASES = 200
MAX_NODES = 100_000  # values after aliases are expanded


class _BoundedLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` (nothing but plain data) that refuses deep nesting and many
    aliases while it composes, before anything is built."""

    depth = 0
    aliases = 0
    error = ValueError

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise self.error(f"more than {MAX_ALIASES} aliases (*name); allowed: at "
                                 f"most {MAX_ALIASES}")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"nested more than {MAX_DEPTH} levels deep; allowed: at "
                             f"most {MAX_DEPTH}")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _expanded_size(data, limit: int) -> int:
    """How many values ``data`` holds with every alias expanded, counting up to ``limit``."""
    count, todo = 0, [data]
    while todo and count <= limit:
        item = todo.pop()
        count += 1
        if isinstance(item, dict):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return count


def bounded_safe_load(text: str, error=ValueError):
    """``yaml.safe_load`` within the limits above; past one, ``error(message)`` is raised
    (the caller's error class, which adds the file)."""
    loader = _BoundedLoader(text)
    loader.error = error
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    if _expanded_size(data, MAX_NODES) > MAX_NODES:
        raise error(f"more than {MAX_NODES} values once its aliases are expanded; "
                    f"allowed: at most {MAX_NODES}")
    return data
