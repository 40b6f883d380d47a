"""``python -m trt_runtime``: the command line.

- ``info`` (:mod:`.info`): the library found, its version and flavour, the GPU, defaults;
- ``inspect`` and ``run`` (:mod:`.engine`): an engine's tensors, and timed inferences.

Every command reports a failure the same way (:func:`.common.fail`): text on
standard error, or with ``--json`` a JSON object on standard output with the
keys ``error`` (the message) and ``reports`` (what TensorRT logged or
recorded), beside what the command found before it failed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from .engine import add_commands as add_engine_commands
from .info import add_command as add_info_command

__all__ = ["main", "build_parser", "EXIT_BROKEN_PIPE"]


def build_parser() -> tuple[argparse.ArgumentParser, Any]:
    """The parser of ``python -m trt_runtime`` and its subparsers."""
    parser = argparse.ArgumentParser(prog="python -m trt_runtime", description="TensorRT runtime from Python")
    sub = parser.add_subparsers(dest="command", required=True)
    add_info_command(sub)
    add_engine_commands(sub)
    return parser, sub


# The exit status when the reader of standard output went away (``... | head``):
# that of a Unix tool killed by SIGPIPE, as the shell reports it (128 + 13).
EXIT_BROKEN_PIPE = 141


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    A closed standard output (``python -m trt_runtime info --json | head -1``)
    ends the command quietly with :data:`EXIT_BROKEN_PIPE`, as ``head``'s
    other writers end: no traceback, no "Exception ignored" at exit.
    """
    parser, _ = build_parser()
    args = parser.parse_args(argv)
    try:
        code = int(args.func(args))
        sys.stdout.flush()  # here, not at exit, so that a closed pipe is caught
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    return code


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that the interpreter's flush at exit does not fail again."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by an object without a descriptor
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
