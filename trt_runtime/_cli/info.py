"""``python -m trt_runtime info``: the library found, its version and flavour, the GPU, a runtime's defaults."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .._callbacks import ILogger
from .._enums import Severity
from .._errors import LibraryError, NoDeviceError, TensorRTError
from .._library import candidates, load_library
from .._runtime import Runtime
from .._tempdir import check_temporary_directory
from .cuda import gpu_description
from .common import EXIT_FAILED, EXIT_LIBRARY, EXIT_OK, EXIT_USAGE, fail, library_summary

__all__ = ["add_command", "info_command"]


class _Collect(ILogger):
    """Keeps warnings and errors for the report instead of printing them as they come."""

    def __init__(self) -> None:
        self.messages: list[tuple[Severity, str]] = []

    def log(self, severity: Severity, msg: str) -> None:
        """Keep ``msg`` when it is a warning or an error."""
        if severity <= Severity.WARNING:
            self.messages.append((severity, msg))


def add_command(sub: Any) -> None:
    """Add ``info`` to the subparsers of ``python -m trt_runtime``."""
    info = sub.add_parser("info", help="the library found, its version and flavour, the GPU, defaults")
    info.add_argument("--library", help="path of the TensorRT library (default: the search order)")
    info.add_argument("--json", action="store_true", help="print JSON")
    info.set_defaults(func=info_command)


def _print_library(args: argparse.Namespace, report: dict[str, Any]) -> None:
    lib = report.get("library")
    if lib and not args.json:
        print(f"library:   {lib['path']}")
        print(f"version:   TensorRT {lib['version']} ({lib['flavour']})")


def info_command(args: argparse.Namespace) -> int:
    """Run ``info``; return the exit code."""
    report: dict[str, Any] = {}
    try:
        library = load_library(args.library)
    except LibraryError as exc:
        # Only what was tried: the path given, or the search order (which a "not found" message lists itself).
        hints = () if args.library or "Tried:" in str(exc) else (
            "searched:  " + ", ".join(p for _, p in candidates()),)
        return fail(args, str(exc), EXIT_LIBRARY, exc, report=report, hints=hints)
    report["library"] = library_summary(library)
    logger = _Collect()
    try:
        runtime = Runtime(logger, library=library)
    except NoDeviceError as exc:
        report["gpu"] = None
        _print_library(args, report)
        return fail(args, "no usable GPU: TensorRT could not initialise CUDA", EXIT_USAGE, exc, report=report)
    except TensorRTError as exc:
        _print_library(args, report)
        return fail(args, f"cannot create a runtime: {exc}", EXIT_FAILED, exc, report=report)
    report["gpu"] = gpu_description()
    report["num_DLA_cores"] = runtime.num_DLA_cores
    report["defaults"] = {
        "DLA_core": runtime.DLA_core,
        "max_threads": runtime.max_threads,
        "tempfile_control_flags": runtime.tempfile_control_flags,
        "temporary_directory": runtime.temporary_directory,
        "engine_host_code_allowed": runtime.engine_host_code_allowed,
    }
    check = check_temporary_directory(runtime)
    report["temporary_directory_check"] = {"path": check.path, "usable": bool(check), "problems": check.problems}
    runtime.close()
    if args.json:
        print(json.dumps(report, indent=2))
        return EXIT_OK
    _print_library(args, report)
    print(f"GPU:       {report['gpu']}")
    print(f"DLA cores: {report['num_DLA_cores']}")
    for key, value in report["defaults"].items():
        print(f"  {key} = {value!r}")
    tmp = report["temporary_directory_check"]
    print(f"temp dir:  {tmp['path']}: " + ("usable" if tmp["usable"] else "; ".join(tmp["problems"])))
    return EXIT_OK
