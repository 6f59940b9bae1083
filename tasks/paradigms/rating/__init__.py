"""The rating task (see tasks/rating/task.py)."""
