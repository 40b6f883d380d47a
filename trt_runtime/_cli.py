"""``python -m trt_runtime``: the command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from ._callbacks import ILogger
from ._cli_engine import add_commands as add_engine_commands
from ._enums import Severity
from ._errors import LibraryError, NoDeviceError, TensorRTError
from ._library import candidates, load_library
from ._runtime import Runtime
from ._tempdir import check_temporary_directory

__all__ = ["main"]


class _Collect(ILogger):
    """Keeps warnings and errors for the report instead of printing them as they come."""

    def __init__(self) -> None:
        self.messages: list[tuple[Severity, str]] = []

    def log(self, severity: Severity, msg: str) -> None:
        if severity <= Severity.WARNING:
            self.messages.append((severity, msg))


def _gpu_name() -> str | None:
    """The first CUDA device's name through cuda-python, if it is installed and a device answers."""
    try:
        from cuda.bindings import driver
    except ImportError:
        return None
    try:
        (err,) = driver.cuInit(0)
        if err != driver.CUresult.CUDA_SUCCESS:
            return None
        err, dev = driver.cuDeviceGet(0)
        if err != driver.CUresult.CUDA_SUCCESS:
            return None
        err, name = driver.cuDeviceGetName(256, dev)
        return name.split(b"\0", 1)[0].decode() if err == driver.CUresult.CUDA_SUCCESS else None
    except Exception:  # noqa: BLE001 - a missing driver shows up in many forms
        return None


def _info(args: argparse.Namespace) -> int:
    report: dict[str, Any] = {}
    try:
        library = load_library(args.library)
    except LibraryError as exc:
        report["error"] = str(exc)
        return _emit(args, report, 3)
    report["library"] = {"path": library.path, "flavour": library.flavour.value, "version": str(library.version)}
    logger = _Collect()
    try:
        runtime = Runtime(logger, library=library)
    except NoDeviceError as exc:
        report["gpu"] = None
        report["error"] = "no usable GPU: TensorRT could not initialise CUDA"
        report["tensorrt_said"] = [r.message for r in exc.reports]
        return _emit(args, report, 2)
    except TensorRTError as exc:
        report["error"] = f"cannot create a runtime: {exc}"
        return _emit(args, report, 1)
    report["gpu"] = _gpu_name() or "present (name unknown: cuda-python not installed)"
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
    return _emit(args, report, 0)


def _emit(args: argparse.Namespace, report: dict[str, Any], code: int) -> int:
    if args.json:
        print(json.dumps(report, indent=2))
        return code
    lib = report.get("library")
    if lib:
        print(f"library:   {lib['path']}")
        print(f"version:   TensorRT {lib['version']} ({lib['flavour']})")
    if "error" in report:
        print(f"error:     {report['error']}", file=sys.stderr)
        for line in report.get("tensorrt_said", []):
            print(f"  TensorRT: {line}", file=sys.stderr)
        if "library" not in report:
            print("searched:  " + ", ".join(p for _, p in candidates()), file=sys.stderr)
        return code
    print(f"GPU:       {report['gpu']}")
    print(f"DLA cores: {report['num_DLA_cores']}")
    for key, value in report["defaults"].items():
        print(f"  {key} = {value!r}")
    tmp = report["temporary_directory_check"]
    print(f"temp dir:  {tmp['path']}: " + ("usable" if tmp["usable"] else "; ".join(tmp["problems"])))
    return code


def build_parser() -> tuple[argparse.ArgumentParser, Any]:
    parser = argparse.ArgumentParser(prog="python -m trt_runtime", description="TensorRT runtime from Python")
    sub = parser.add_subparsers(dest="command", required=True)
    info = sub.add_parser("info", help="the library found, its version and flavour, the GPU, defaults")
    info.add_argument("--library", help="path of the TensorRT library (default: the search order)")
    info.add_argument("--json", action="store_true", help="print JSON")
    info.set_defaults(func=_info)
    add_engine_commands(sub)
    return parser, sub


def main(argv: Sequence[str] | None = None) -> int:
    parser, _ = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args))
