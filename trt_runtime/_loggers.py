"""Ready-made loggers and error recorder."""

from __future__ import annotations

import sys
import threading
from collections import deque
from typing import TYPE_CHECKING, TextIO

from ._callbacks import IErrorRecorder, ILogger
from ._enums import ErrorCode, Severity

if TYPE_CHECKING:
    import logging

__all__ = ["Logger", "LoggingLogger", "ErrorRecorder"]

_PREFIX = {
    Severity.INTERNAL_ERROR: "[F]",
    Severity.ERROR: "[E]",
    Severity.WARNING: "[W]",
    Severity.INFO: "[I]",
    Severity.VERBOSE: "[V]",
}


class Logger(ILogger):
    """Prints messages at or above ``min_severity`` to standard error, like TensorRT's own.

    Parameters
    ----------
    min_severity : Severity
        The least severe message printed (``Logger.WARNING`` by default).
    stream : file, optional
        Where to print; ``sys.stderr`` at the time of each message by default.
    """

    def __init__(self, min_severity: Severity = Severity.WARNING, stream: TextIO | None = None) -> None:
        self._min_severity = Severity(min_severity)
        self._stream = stream
        self._lock = threading.Lock()

    @property
    def min_severity(self) -> Severity:
        """The least severe message printed; settable (``logger.min_severity = trt.Logger.ERROR``)."""
        return self._min_severity

    @min_severity.setter
    def min_severity(self, value: Severity) -> None:
        self._min_severity = Severity(value)

    def log(self, severity: Severity, msg: str) -> None:
        if severity <= self._min_severity:
            stream = self._stream or sys.stderr
            with self._lock:
                stream.write(f"{_PREFIX.get(severity, '[?]')} {msg}\n")
                stream.flush()


class LoggingLogger(ILogger):
    """Forwards TensorRT's messages to a :mod:`logging` logger (``"tensorrt"`` by default).

    Severities map to ``CRITICAL``, ``ERROR``, ``WARNING``, ``INFO`` and ``DEBUG``.
    """

    # logging's CRITICAL, ERROR, WARNING, INFO and DEBUG (logging itself is
    # imported only when such a logger is made: it is slow to import).
    LEVELS = {
        Severity.INTERNAL_ERROR: 50,
        Severity.ERROR: 40,
        Severity.WARNING: 30,
        Severity.INFO: 20,
        Severity.VERBOSE: 10,
    }

    def __init__(self, logger: logging.Logger | str = "tensorrt") -> None:
        import logging

        self.logger = logging.getLogger(logger) if isinstance(logger, str) else logger

    def log(self, severity: Severity, msg: str) -> None:
        self.logger.log(self.LEVELS.get(severity, 10), "%s", msg)


class ErrorRecorder(IErrorRecorder):
    """Keeps the last ``max_errors`` errors TensorRT reports; safe to use from many threads.

    Besides the interface, :attr:`errors` returns a snapshot of
    ``(ErrorCode, description)`` pairs, oldest first.
    """

    def __init__(self, max_errors: int = 256) -> None:
        if max_errors < 1:
            raise ValueError(f"max_errors must be at least 1, got {max_errors}")
        self._errors: deque[tuple[ErrorCode, str]] = deque(maxlen=max_errors)
        self._overflowed = False
        self._lock = threading.Lock()

    def report_error(self, val: ErrorCode, desc: str) -> bool:
        with self._lock:
            if len(self._errors) == self._errors.maxlen:
                self._overflowed = True
            self._errors.append((ErrorCode(val), desc))
        return False

    def num_errors(self) -> int:
        with self._lock:
            return len(self._errors)

    def get_error_code(self, error_idx: int) -> ErrorCode:
        with self._lock:
            return self._errors[error_idx][0] if 0 <= error_idx < len(self._errors) else ErrorCode.INVALID_ARGUMENT

    def get_error_desc(self, error_idx: int) -> str:
        with self._lock:
            return self._errors[error_idx][1] if 0 <= error_idx < len(self._errors) else ""

    def has_overflowed(self) -> bool:
        with self._lock:
            return self._overflowed

    def clear(self) -> None:
        with self._lock:
            self._errors.clear()
            self._overflowed = False

    @property
    def errors(self) -> list[tuple[ErrorCode, str]]:
        with self._lock:
            return list(self._errors)
