"""The cryrating task (see tasks/cryrating/task.py)."""
