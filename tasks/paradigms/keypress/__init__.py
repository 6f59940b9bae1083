"""The keypress task (see tasks/keypress/task.py)."""
