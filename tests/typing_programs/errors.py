"""Errors caught by class, with what TensorRT reported."""

from __future__ import annotations

import trt_runtime as trt


def open_runtime() -> trt.Runtime | None:
    try:
        return trt.Runtime(trt.Logger(trt.Severity.ERROR))
    except trt.NoDeviceError as exc:
        for report in exc.reports:
            print(report.source, report.code, report.message)
        return None
    except trt.LibraryNotFoundError as exc:
        print(exc.filename, exc.code)
        return None
    except trt.UnsupportedVersionError:
        return None
    except trt.LibraryError as exc:
        print(exc.errno)
        return None


def load(runtime: trt.Runtime, path: str) -> trt.ICudaEngine | None:
    try:
        return runtime.deserialize(path)
    except trt.DeserializationError as exc:
        reports: tuple[trt.Report, ...] = exc.reports
        print(len(reports), exc.code)
    except (trt.InvalidArgumentError, trt.UnsupportedError, trt.TensorRTMemoryError) as exc:
        print(type(exc).__name__)
    except trt.ClosedError:
        print("closed")
    except trt.TensorRTError as exc:
        print(exc.code)
    return None


def refused(runtime: trt.Runtime) -> str:
    try:
        runtime.max_threads = 0
    except ValueError as exc:  # InvalidArgumentError is also a ValueError
        return str(exc)
    return ""
