"""Exceptions that the ``icb`` command turns into exit statuses.

``BadInput`` (and its subclasses) is bad input from the user: a config, a data
file, an argument, a stimulus.  Its message names the file, the key or column,
the bad value and what is allowed; ``icb`` prints it without a traceback and
exits with status 2.  Anything else is a bug or a system failure (exit 1).
"""


class BadInput(ValueError):
    """Bad input from the user (exit status 2).

    ``problems`` holds every problem found, so that a config with three mistakes
    reports all three at once.
    """

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = list(problems) if problems else [message]
        super().__init__(message)


class ConfigError(BadInput):
    """A YAML config that does not match the task's declared parameters."""


class StimulusError(BadInput):
    """A stimulus file or manifest row that is missing, unreadable or inconsistent."""


class DataExistsError(BadInput):
    """A data file that already exists and would be overwritten."""


class Aborted(Exception):
    """The experimenter aborted the run (Escape or the abort chord)."""


class AbortRequested(Exception):
    """The abort key was pressed during a trial; the task asks for confirmation."""
