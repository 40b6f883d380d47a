"""TensorRT's enumerations of the runtime and of the application interfaces.

Official Python names and values.

Which file
----------
An enumeration goes here when it exists without any engine: it configures a
:class:`Runtime` (``TempfileControlFlag``, ``DLAWorkspaceAllocationStrategy``)
or travels through an interface the application implements (``Severity`` for
loggers, ``ErrorCode`` for error recorders, ``AllocatorFlag`` for allocators,
``SeekPosition`` for stream readers). This module holds plain ``IntEnum``
classes only and imports nothing of trt_runtime.

What describes an engine, its tensors or its execution contexts (data types,
tensor modes and formats, shapes, allocation strategies of contexts) goes in
:mod:`trt_runtime._types`.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = [
    "Severity",
    "ErrorCode",
    "TempfileControlFlag",
    "AllocatorFlag",
    "SeekPosition",
    "DLAWorkspaceAllocationStrategy",
]


class Severity(IntEnum):
    """Severity of a log message; lower is more severe."""

    INTERNAL_ERROR = 0
    ERROR = 1
    WARNING = 2
    INFO = 3
    VERBOSE = 4


class ErrorCode(IntEnum):
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


class TempfileControlFlag(IntEnum):
    """Bit offsets in ``Runtime.tempfile_control_flags``.

    Use them as ``1 << int(TempfileControlFlag.ALLOW_TEMPORARY_FILES)``.
    """

    ALLOW_IN_MEMORY_FILES = 0
    ALLOW_TEMPORARY_FILES = 1


class AllocatorFlag(IntEnum):
    """Bit offsets of the flags passed to ``IGpuAllocator.allocate``."""

    RESIZABLE = 0


class SeekPosition(IntEnum):
    """Origin of ``IStreamReaderV2.seek``, as for :func:`os.lseek`."""

    SET = 0
    CUR = 1
    END = 2


class DLAWorkspaceAllocationStrategy(IntEnum):
    """How DLA engines of one runtime share workspace memory (TensorRT 11.4+)."""

    DEFAULT = 0
    SHARED_STATIC = 1
