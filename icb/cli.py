"""The ``icb`` command: one entry point, subcommands registered by their modules.

Each subcommand module exposes ``register(subparsers)``, which adds its parser
and sets ``func`` to a callable ``func(args) -> int``.  Modules are imported only
when needed, so ``icb score`` and ``icb validate`` never import PsychoPy.

Exit status: 0 success; 2 bad input (``icb.errors.BadInput``, or an operating-system
error the user can correct: a path that does not exist, is not a folder, may not be
read or written; a message naming the file, no traceback); 1 the machine's state (a
full or failing disk: a message naming the file) or a genuine bug (the traceback and a
line asking to report it).
"""

from __future__ import annotations

import argparse
import errno
import importlib
import sys
import traceback

from icb import __version__
from tasks.core.writer import DataWriteError
from icb.errors import BadInput

# operating-system errors about a path the user gave (exit 2); any other is the machine's
USER_ERRNOS = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.EACCES, errno.EPERM,
                         errno.ENAMETOOLONG, errno.ELOOP, errno.EEXIST, errno.ENXIO})

# subcommand name -> module that registers it
SUBCOMMAND_MODULES = {
    "run": "tasks.run",
    "simulate": "tasks.simulate_cohort",
    "validate": "tasks.validate",
    "score": "analysis.cli",
    "report": "analysis.cli",
    "plan": "analysis.cli",
    "stimuli": "tasks.stimulus_factory.cli",
    "check": "tasks.check",
    "lsl-device": "tasks.lsl.simulated_device",
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
    except DataWriteError as exc:  # a full disk, an I/O error (1), or a path the user gave (2)
        print(f"icb {args.command}: error: {exc}", file=sys.stderr)
        return 2 if exc.cause is not None and exc.cause.errno in USER_ERRNOS else 1
    except OSError as exc:
        # The environment or a path the user gave, never a traceback: the file named, the
        # reason, and 2 when the user can correct it, 1 for the machine's state.
        where = f"{exc.filename}: " if exc.filename else ""
        user = exc.errno in USER_ERRNOS
        print(f"icb {args.command}: error: {where}{exc.strerror or exc}"
              + ("; check the path and its permissions" if user else
                 "; nothing after it was written"), file=sys.stderr)
        return 2 if user else 1
    except KeyboardInterrupt:
        print(f"icb {args.command}: interrupted", file=sys.stderr)
        return 1
    except Exception:  # a genuine bug: the traceback, and where to report it
        traceback.print_exc()
        print(f"icb {args.command}: this is a bug in icb {__version__}, not in your input; "
              "please report it with the command line and the traceback above",
              file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
