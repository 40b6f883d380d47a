"""One exception hierarchy for everything that goes wrong below Python."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any, NamedTuple, NoReturn, Protocol

from ._ffi import ffi, lib

__all__ = [
    "TensorRTError",
    "InvalidArgumentError",
    "TensorRTMemoryError",
    "LibraryError",
    "LibraryNotFoundError",
    "UnsupportedVersionError",
    "NoDeviceError",
    "DeserializationError",
    "UnsupportedError",
    "ClosedError",
    "Report",
    "check_int32",
    "check_bool",
    "is_numpy_bool",
    "PendingExceptions",
    "last_reports",
    "raise_status",
]


class Report(NamedTuple):
    """One message TensorRT logged or recorded during a failed call.

    ``source`` is ``"logger"`` (then ``code`` is a log severity) or
    ``"recorder"`` (then ``code`` is an :class:`ErrorCode`).
    """

    source: str
    code: int
    message: str

    def __str__(self) -> str:
        return f"[{self.source} {self.code}] {self.message}"


class TensorRTError(Exception):
    """Base of every error trt_runtime raises for TensorRT or its shim.

    Attributes
    ----------
    code : int
        The shim's status code (see ``trt_shim.h``).
    reports : tuple of Report
        What TensorRT's logger and error recorder reported during the call.
    """

    def __init__(self, message: str, code: int = 1, reports: Iterable[Report] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.reports = tuple(reports)

    def __str__(self) -> str:
        extra = [str(r) for r in self.reports if r.message not in self.message]
        return self.message if not extra else self.message + "\n  " + "\n  ".join(extra)


class InvalidArgumentError(TensorRTError, ValueError):
    """An argument was refused, by trt_runtime's checks or by TensorRT."""


class TensorRTMemoryError(TensorRTError, MemoryError):
    """Host or device memory ran out."""


class LibraryError(TensorRTError, OSError):
    """The TensorRT library could not be opened or used."""


class LibraryNotFoundError(LibraryError, FileNotFoundError):
    """No TensorRT library was found where trt_runtime looked."""


class UnsupportedVersionError(LibraryError):
    """The TensorRT library's major version has no ABI declarations here."""


class NoDeviceError(TensorRTError, RuntimeError):
    """TensorRT could not initialise CUDA: no GPU, or a driver too old."""


class DeserializationError(TensorRTError):
    """TensorRT could not deserialize an engine."""


class UnsupportedError(TensorRTError, NotImplementedError):
    """The loaded library lacks the feature."""


class ClosedError(TensorRTError, ValueError):
    """The object was closed."""


def check_int32(value: Any, name: str) -> int:
    """``value`` as a 32-bit int, or TypeError / InvalidArgumentError naming ``name``."""
    if type(value) is not int:
        if isinstance(value, bool):
            raise TypeError(f"{name} must be an int, not bool")
        try:
            value = value.__index__()
        except (AttributeError, TypeError):
            raise TypeError(f"{name} must be an int, not {type(value).__name__}") from None
    if not -0x80000000 <= value <= 0x7FFFFFFF:
        raise InvalidArgumentError(f"{name} must fit in 32 bits, got {value}", lib.TRT_E_INVALID_ARGUMENT)
    return value  # type: ignore[no-any-return]


def is_numpy_bool(value: Any) -> bool:
    """Whether ``value`` is a numpy bool (``numpy.bool_``, named ``bool`` since numpy 2), without importing numpy."""
    kind = type(value)
    return kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_")


def check_bool(value: Any, name: str) -> bool:
    """``value`` as a bool when it is a Python or numpy bool, or TypeError naming ``name``.

    Callers on hot paths test ``value is True or value is False`` themselves
    first and call this only for anything else.
    """
    if value is True or value is False:
        return value  # type: ignore[no-any-return]
    if is_numpy_bool(value):
        return bool(value)
    raise TypeError(f"{name} must be a bool, not {type(value).__name__}")


class PendingExceptions(Protocol):
    """What :func:`raise_status` asks of a callback's bridge: the exceptions it kept, by thread."""

    pending: dict[int, list[BaseException]]


_BY_STATUS: dict[int, type[TensorRTError]] = {
    lib.TRT_E_INVALID_ARGUMENT: InvalidArgumentError,
    lib.TRT_E_OUT_OF_MEMORY: TensorRTMemoryError,
    lib.TRT_E_LIBRARY: LibraryError,
    lib.TRT_E_UNSUPPORTED: UnsupportedError,
    lib.TRT_E_NO_DEVICE: NoDeviceError,
    lib.TRT_E_CLOSED: ClosedError,
}

_SOURCES = {lib.TRT_REPORT_LOGGER: "logger", lib.TRT_REPORT_RECORDER: "recorder"}


def last_reports() -> list[Report]:
    """What the shim captured during the last failing call on this thread."""
    out = []
    source = ffi.new("int32_t *")
    code = ffi.new("int32_t *")
    text = ffi.new("const char **")
    for i in range(lib.trt_last_report_count()):
        if lib.trt_last_report(i, source, code, text) == 0:
            out.append(Report(_SOURCES.get(source[0], "?"), code[0], ffi.string(text[0]).decode("utf-8", "replace")))
    return out


def raise_status(
    status: int,
    bridges: Iterable[PendingExceptions | None] = (),
    cls: type[TensorRTError] | None = None,
    prefix: str = "",
) -> NoReturn:
    """Raise the exception for a failed shim call.

    An exception raised by one of ``bridges``' callbacks on this thread during
    the call comes out first, unchanged, with TensorRT's reports as notes;
    otherwise a :class:`TensorRTError` of the class for ``status`` (or ``cls``
    when TensorRT itself refused) with the shim's text and the reports.
    """
    reports = last_reports()
    message = ffi.string(lib.trt_last_error()).decode("utf-8", "replace")
    pending: list[BaseException] = []
    ident = threading.get_ident()
    for bridge in bridges:
        if bridge is not None:
            pending.extend(bridge.pending.pop(ident, ()))
    if pending:
        first = pending[0]
        for other in pending[1:]:
            first.add_note(f"another callback also raised during the call: {other!r}")
        for report in reports:
            first.add_note(f"TensorRT reported during the call: {report}")
        raise first
    if status == lib.TRT_E_FAILED and cls is not None:
        kind = cls
    else:
        kind = _BY_STATUS.get(status, cls or TensorRTError)
    raise kind(prefix + message if prefix else message, status, reports)
