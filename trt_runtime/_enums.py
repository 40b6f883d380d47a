"""TensorRT's enumerations of the runtime and of the application interfaces.

Official Python names and values.

Which file
----------
An enumeration goes here when it exists without any engine: it configures a
:class:`Runtime` (``TempfileControlFlag``, ``DLAWorkspaceAllocationStrategy``)
or travels through an interface the application implements (``Severity`` for
loggers, ``ErrorCode`` for error recorders, ``AllocatorFlag`` for allocators,
``SeekPosition`` for stream readers). This module holds ``IntEnum`` classes
only (on :class:`TrtEnum`) and imports nothing of trt_runtime.

What describes an engine, its tensors or its execution contexts (data types,
tensor modes and formats, shapes, allocation strategies of contexts) goes in
:mod:`trt_runtime._types`.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = [
    "TrtEnum",
    "Severity",
    "ErrorCode",
    "TempfileControlFlag",
    "AllocatorFlag",
    "SeekPosition",
    "DLAWorkspaceAllocationStrategy",
    "APILanguage",
]


class TrtEnum(IntEnum):
    """An ``IntEnum`` that prints as the official bindings print their enums: ``DataType.FLOAT``.

    ``str(x)``, ``print(x)`` and ``f"{x}"`` give ``Class.MEMBER`` on every
    Python (3.11 changed ``IntEnum``'s ``str`` and ``format`` to the number);
    a string format spec pads that text (``f"{x:>20}"``); an integer one
    formats the value (``f"{x:d}"``, ``f"{x:#x}"``). ``repr`` is ``IntEnum``'s.
    """

    def __str__(self) -> str:
        return f"{type(self).__name__}.{self._name_}"

    # Equal only to itself, as the official enums are: ``DataType.INT32 == 3``
    # is False there, so programs key one dict with several libraries' types
    # (Polygraphy maps ONNX's plain-int types and TensorRT's enums together).
    # The hash stays the number's, as there.
    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    __hash__ = IntEnum.__hash__

    def __format__(self, spec: str) -> str:
        try:
            return format(str(self), spec)
        except ValueError:  # an integer presentation type: d, x, b, n ...
            return format(int(self), spec)


class Severity(TrtEnum):
    """Severity of a log message; lower is more severe."""

    INTERNAL_ERROR = 0
    ERROR = 1
    WARNING = 2
    INFO = 3
    VERBOSE = 4


class ErrorCode(TrtEnum):
    """Error codes passed to an error recorder (``ErrorCodeTRT`` officially)."""

    SUCCESS = 0
    UNSPECIFIED_ERROR = 1
    INTERNAL_ERROR = 2
    INVALID_ARGUMENT = 3
    INVALID_CONFIG = 4
    FAILED_ALLOCATION = 5
    FAILED_INITIALIZATION = 6
    FAILED_EXECUTION = 7
    FAILED_COMPUTATION = 8
    INVALID_STATE = 9
    UNSUPPORTED_STATE = 10


class TempfileControlFlag(TrtEnum):
    """Bit offsets in ``Runtime.tempfile_control_flags``.

    Use them as ``1 << int(TempfileControlFlag.ALLOW_TEMPORARY_FILES)``.
    """

    ALLOW_IN_MEMORY_FILES = 0
    ALLOW_TEMPORARY_FILES = 1


class AllocatorFlag(TrtEnum):
    """Bit offsets of the flags passed to ``IGpuAllocator.allocate``."""

    RESIZABLE = 0


class SeekPosition(TrtEnum):
    """Origin of ``IStreamReaderV2.seek``, as for :func:`os.lseek`."""

    SET = 0
    CUR = 1
    END = 2


class DLAWorkspaceAllocationStrategy(TrtEnum):
    """How DLA engines of one runtime share workspace memory (TensorRT 11.4+)."""

    DEFAULT = 0
    SHARED_STATIC = 1


class APILanguage(TrtEnum):
    """The language an interface is implemented in (``IVersionedInterface.api_language``)."""

    CPP = 0
    PYTHON = 1
