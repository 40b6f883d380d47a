"""One exception hierarchy for everything that goes wrong below Python."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

from ._enums import ErrorCode, Severity
from ._ffi import ffi, lib

if TYPE_CHECKING:
    from collections.abc import Iterable

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
    "check_int64",
    "check_bool",
    "is_numpy_bool",
    "InternalError",
    "last_reports",
    "raise_status",
    "keep_for_call",
]


class Report(NamedTuple):
    """One message TensorRT logged or recorded during a failed call.

    ``source`` is ``"logger"`` (then ``code`` is a :class:`Severity`) or
    ``"recorder"`` (then ``code`` is an :class:`ErrorCode`); a number
    neither enumeration knows stays a plain int.
    """

    source: str
    code: int
    message: str

    def __str__(self) -> str:
        return f"[{self.source} {int(self.code)}] {self.message}"


class TensorRTError(Exception):
    """Base of every error trt_runtime raises for TensorRT or its shim.

    Examples
    --------
    >>> import trt_runtime as trt
    >>> runtime = trt.Runtime(trt.Logger(trt.Logger.ERROR))
    >>> try:
    ...     runtime.deserialize(b"not a plan")
    ... except trt.DeserializationError as exc:
    ...     print(isinstance(exc, trt.TensorRTError), len(exc.reports) > 0)
    True True

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


class UnsupportedError(TensorRTError, NotImplementedError, AttributeError):
    """The loaded library lacks the feature.

    Also an ``AttributeError``: with the official bindings of an older
    TensorRT the method does not exist at all, and programs written for
    several versions catch that (Polygraphy probes newer engine methods so).
    """


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


def check_int64(value: Any, name: str) -> int:
    """``value`` as a 64-bit signed int, or TypeError / InvalidArgumentError naming ``name``.

    Parameters
    ----------
    value : int
        An int, or an object with ``__index__`` (numpy integers); not a bool.
    name : str
        The argument's name, for the messages.

    Returns
    -------
    int
        ``value`` as a plain int.

    Raises
    ------
    TypeError
        ``value`` is a bool, or not an int.
    InvalidArgumentError
        ``value`` does not fit in 64 bits.
    """
    if type(value) is not int:
        if isinstance(value, bool) or is_numpy_bool(value):
            raise TypeError(f"{name} must be an int, not bool")
        try:
            value = value.__index__()
        except (AttributeError, TypeError):
            raise TypeError(f"{name} must be an int, not {type(value).__name__}") from None
    if not -0x8000000000000000 <= value <= 0x7FFFFFFFFFFFFFFF:
        raise InvalidArgumentError(f"{name} must fit in 64 bits (signed), got {value}", lib.TRT_E_INVALID_ARGUMENT)
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
        return value
    if is_numpy_bool(value):
        return bool(value)
    raise TypeError(f"{name} must be a bool, not {type(value).__name__}")


class InternalError(TensorRTError, RuntimeError):
    """Something unexpected failed inside trt_runtime's shim (a bug: please report it)."""


# The one table from the shim's status to the exception class; no caller
# picks a class. TRT_E_CALLBACK re-raises what the callback raised instead.
_BY_STATUS: dict[int, type[TensorRTError]] = {
    lib.TRT_E_FAILED: TensorRTError,
    lib.TRT_E_INVALID_ARGUMENT: InvalidArgumentError,
    lib.TRT_E_OUT_OF_MEMORY: TensorRTMemoryError,
    lib.TRT_E_LIBRARY: LibraryError,
    lib.TRT_E_UNSUPPORTED: UnsupportedError,
    lib.TRT_E_NO_DEVICE: NoDeviceError,
    lib.TRT_E_CALLBACK: TensorRTError,
    lib.TRT_E_CLOSED: ClosedError,
    lib.TRT_E_INTERNAL: InternalError,
    lib.TRT_E_DESERIALIZE: DeserializationError,
    lib.TRT_E_UNSUPPORTED_VERSION: UnsupportedVersionError,
}

_SOURCES = {lib.TRT_REPORT_LOGGER: "logger", lib.TRT_REPORT_RECORDER: "recorder"}

# What callbacks raised during the shim calls running on each thread, in the
# order they raised, each with the depth of the call it belongs to. The shim
# counts the failures of each call (trt_last_callback_failures), so the method
# that made the call takes exactly its own from the top, also when calls nest
# through callbacks. This is the Python half of the shim's thread-local error
# state.
_kept = threading.local()


def keep_for_call(exc: BaseException) -> bool:
    """Keep ``exc``, raised by a callback, for the shim call running on this thread.

    The call then fails with TRT_E_CALLBACK and :func:`raise_status` raises
    ``exc``.

    Returns
    -------
    bool
        False, keeping nothing, where no call collects it (outside any call,
        or in a release): the caller reports it instead.
    """
    depth = lib.trt_thread_in_call()
    if depth <= 0:
        return False
    try:
        stack = _kept.stack
    except AttributeError:
        stack = _kept.stack = []
    stack.append((depth, exc))
    return True


def _take_kept(count: int) -> list[BaseException]:
    """The last ``count`` exceptions kept by the call that just returned on this thread.

    Anything else kept at that depth or deeper is dropped: a call whose
    method could not collect (a RecursionError before :func:`raise_status`
    ran) left it, and its traceback would keep that call's objects alive.
    """
    stack: list[tuple[int, BaseException]] | None = getattr(_kept, "stack", None)
    if not stack:
        return []
    outer = abs(lib.trt_thread_in_call())  # the depth of the calls still running here
    if stack[-1][0] <= outer:
        return []
    mine = [exc for depth, exc in stack if depth > outer]
    stack[:] = [item for item in stack if item[0] <= outer]
    return mine[-count:] if count > 0 else []


def last_reports() -> list[Report]:
    """What the shim captured during the last failing call on this thread."""
    out = []
    source = ffi.new("int32_t *")
    code = ffi.new("int32_t *")
    text = ffi.new("const char **")
    for i in range(lib.trt_last_report_count()):
        if lib.trt_last_report(i, source, code, text) == 0:
            out.append(Report(_SOURCES.get(source[0], "?"), _code(source[0], code[0]),
                              ffi.string(text[0]).decode("utf-8", "replace")))
    return out


def _code(source: int, code: int) -> int:
    """``code`` as its source's enumeration member (they compare only among themselves), else as it is."""
    kind = {lib.TRT_REPORT_RECORDER: ErrorCode, lib.TRT_REPORT_LOGGER: Severity}.get(source)
    try:
        return kind(code) if kind is not None else code
    except ValueError:
        return code


def add_note(exc: BaseException, note: str) -> None:
    """``exc.add_note(note)``; on Python 3.10, which lacks it, the same ``__notes__`` list by hand."""
    adder = getattr(exc, "add_note", None)
    if adder is not None:
        adder(note)
        return
    notes = getattr(exc, "__notes__", None)
    if not isinstance(notes, list):
        notes = []
        try:
            exc.__notes__ = notes
        except AttributeError:  # an exception type with __slots__ and no __dict__
            return
    notes.append(note)


def raise_status(status: int, prefix: str = "") -> NoReturn:
    """Raise the exception for a failed shim call, from the status alone.

    For TRT_E_CALLBACK, what the call's callbacks raised comes out, unchanged,
    with TensorRT's reports as notes. Otherwise an exception of the class the
    status maps to, with ``prefix`` + the shim's text and the reports.
    """
    # First, while the stack has room: what the call's callbacks raised.
    raised = _take_kept(lib.trt_last_callback_failures() if status == lib.TRT_E_CALLBACK else 0)
    reports = last_reports()
    message = ffi.string(lib.trt_last_error()).decode("utf-8", "replace")
    if status == lib.TRT_E_CALLBACK:
        if raised:
            first = raised[0]
            for other in raised[1:]:
                if other is not first:
                    add_note(first, f"another callback also raised during the call: {other!r}")
            for report in reports:
                add_note(first, f"TensorRT reported during the call: {report}")
            raise first
        # The callback failed but left no exception: it was not run (the
        # interpreter is shutting down) or could not even record one (at the
        # recursion limit). Never lose the failure.
        message += " (its exception could not be kept: the interpreter is exiting, or the stack was at its limit)"
    kind = _BY_STATUS.get(status, TensorRTError)
    raise kind(prefix + message if prefix else message, status, reports)
