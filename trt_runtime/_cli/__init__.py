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
from collections.abc import Sequence
from typing import Any

from .engine import add_commands as add_engine_commands
from .info import add_command as add_info_command

__all__ = ["main", "build_parser"]


def build_parser() -> tuple[argparse.ArgumentParser, Any]:
    """The parser of ``python -m trt_runtime`` and its subparsers."""
    parser = argparse.ArgumentParser(prog="python -m trt_runtime", description="TensorRT runtime from Python")
    sub = parser.add_subparsers(dest="command", required=True)
    add_info_command(sub)
    add_engine_commands(sub)
    return parser, sub


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    parser, _ = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args))
