"""What every command of ``python -m trt_runtime`` shares: exit codes, the one error path, the logger."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .._callbacks import ILogger
from .._enums import Severity
from .._errors import LibraryError, NoDeviceError, TensorRTError
from .._library import Library

__all__ = [
    "EXIT_OK",
    "EXIT_FAILED",
    "EXIT_USAGE",
    "EXIT_LIBRARY",
    "UsageError",
    "WarningsLogger",
    "fail",
    "guarded",
    "library_summary",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LIBRARY = 0, 1, 2, 3


class UsageError(Exception):
    """A problem with the command line or the input files."""


class WarningsLogger(ILogger):
    """Prints TensorRT's warnings to standard error; errors come out with the exception that follows them."""

    def log(self, severity: Severity, msg: str) -> None:
        """Print ``msg`` when it is a warning."""
        if severity == Severity.WARNING:
            print(f"[W] {msg}", file=sys.stderr)


def library_summary(library: Library) -> dict[str, str]:
    """The ``library`` entry of a JSON report."""
    return {"path": library.path, "flavour": library.flavour.value, "version": str(library.version)}


def fail(
    args: argparse.Namespace,
    message: str,
    code: int,
    exc: BaseException | None = None,
    *,
    report: dict[str, Any] | None = None,
    hints: Sequence[str] = (),
) -> int:
    """Report a failure, the same way for every command, and return its exit code.

    Parameters
    ----------
    args : argparse.Namespace
        The command's arguments; ``args.json`` chooses JSON on standard output.
    message : str
        What went wrong.
    code : int
        The exit code.
    exc : BaseException, optional
        The exception, whose ``reports`` (what TensorRT logged or recorded)
        go under the key ``reports``, or after the message in text.
    report : dict, optional
        What the command found before it failed, kept in the JSON report.
    hints : sequence of str
        Further lines for the text output.

    Returns
    -------
    int
        ``code``.
    """
    reports = tuple(getattr(exc, "reports", ()))
    if getattr(args, "json", False):
        print(json.dumps({**(report or {}), "error": message, "reports": [str(r) for r in reports]}, indent=2))
        return code
    print(f"error: {message}", file=sys.stderr)
    for r in reports:
        if r.message not in message:
            print(f"  TensorRT: {r.message}", file=sys.stderr)
    for line in hints:
        print(line, file=sys.stderr)
    return code


def guarded(body: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command's ``body``, turning the errors it expects into :func:`fail`'s report and exit code."""
    try:
        return int(body(args))
    except UsageError as exc:
        return fail(args, str(exc), EXIT_USAGE, exc)
    except LibraryError as exc:
        return fail(args, str(exc), EXIT_LIBRARY, exc)
    except NoDeviceError as exc:
        message = str(exc.message)
        return fail(args, message if message.startswith("no usable GPU") else f"no usable GPU: {message}",
                    EXIT_USAGE, exc)
    except TensorRTError as exc:
        return fail(args, str(exc), EXIT_FAILED, exc)
