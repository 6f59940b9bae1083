"""The paradigms: one folder each (see ``tasks.core.paradigm`` and docs/architecture.md)."""
