"""The ``icb`` command: one entry point, subcommands registered by their modules.

Each subcommand module exposes ``register(subparsers)``, which adds its parser
and sets ``func`` to a callable ``func(args) -> int``.  Modules are imported only
when needed, so ``icb score`` and ``icb validate`` never import PsychoPy.

Exit status: 0 success, 2 bad input (``icb.errors.BadInput``; a message, no
traceback), 1 anything else.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import sys

from icb import __version__
from tasks.core.writer import DataWriteError
from icb.errors import BadInput

# subcommand name -> module that registers it
SUBCOMMAND_MODULES = {
    "run": "tasks.run",
    "simulate": "tasks.simulate_cohort",
    "validate": "tasks.validate",
    "score": "analysis.cli",
    "report": "analysis.cli",
    "stimuli": "tasks.stimulus_factory.cli",
    "check": "tasks.check",
}


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on bad arguments already; keep its message short."""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = _Parser(prog="icb", description="Infant-cue salience battery")
    parser.add_argument("--version", action="version", version=f"icb {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    seen = set()
    for name, module_name in SUBCOMMAND_MODULES.items():
        if only is not None and name != only:
            continue
        if module_name in seen:
            continue
        seen.add(module_name)
        module = importlib.import_module(module_name)
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Import only the module the chosen subcommand needs (fast start, no PsychoPy for scoring).
    only = argv[0] if argv and argv[0] in SUBCOMMAND_MODULES else None
    parser = build_parser(only)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except BadInput as exc:
        lines = exc.problems or [str(exc)]
        if len(lines) > 1:
            print(f"icb {args.command}: {str(exc)}", file=sys.stderr)
            for line in lines:
                print(f"  - {line}", file=sys.stderr)
        else:
            print(f"icb {args.command}: error: {lines[0]}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head or similar
        return 0
    except DataWriteError as exc:  # a full disk or an I/O error: a system failure
        print(f"icb {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        # A full, read-only or failing disk elsewhere (sessions.tsv, score files): still a
        # message naming the file, no traceback; anything else is a bug and shows one.
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS):
            raise
        print(f"icb {args.command}: error: {exc.filename or ''}: could not write "
              f"({exc.strerror}); nothing after it was written", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"icb {args.command}: interrupted", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
