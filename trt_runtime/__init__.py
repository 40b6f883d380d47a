"""trt_runtime: TensorRT's runtime from Python, through cffi.

``import trt_runtime`` opens no TensorRT library; :func:`load_library` or the
first :class:`Runtime` does.
"""

from __future__ import annotations

import atexit

from ._callbacks import IErrorRecorder, IGpuAllocator, IGpuAsyncAllocator, ILogger, IStreamReader, IStreamReaderV2
from ._engine import ICudaEngine
from ._enums import (
    AllocatorFlag,
    DLAWorkspaceAllocationStrategy,
    ErrorCode,
    SeekPosition,
    Severity,
    TempfileControlFlag,
)
from ._errors import (
    ClosedError,
    DeserializationError,
    InvalidArgumentError,
    LibraryError,
    LibraryNotFoundError,
    NoDeviceError,
    Report,
    TensorRTError,
    TensorRTMemoryError,
    UnsupportedError,
    UnsupportedVersionError,
)
from ._ffi import lib as _lib
from ._library import ENV_VAR, Flavour, Library, Version, load_library, loaded_library
from ._loggers import ErrorRecorder, Logger, LoggingLogger
from ._registry import IPluginRegistry, PluginCreatorInfo
from ._runtime import Runtime
from ._tempdir import TempDirCheck, check_temporary_directory, effective_temporary_directory

__version__ = "0.1.0"

ErrorCodeTRT = ErrorCode  # the official name

# From interpreter exit on, the shim neither calls into TensorRT to release
# objects nor back into Python: CUDA and the interpreter may be gone.
atexit.register(_lib.trt_shutdown)

__all__ = [
    "AllocatorFlag",
    "ClosedError",
    "DLAWorkspaceAllocationStrategy",
    "DeserializationError",
    "ENV_VAR",
    "ErrorCode",
    "ErrorCodeTRT",
    "ErrorRecorder",
    "Flavour",
    "ICudaEngine",
    "IErrorRecorder",
    "IGpuAllocator",
    "IGpuAsyncAllocator",
    "ILogger",
    "IPluginRegistry",
    "IStreamReader",
    "IStreamReaderV2",
    "InvalidArgumentError",
    "Library",
    "LibraryError",
    "LibraryNotFoundError",
    "Logger",
    "LoggingLogger",
    "NoDeviceError",
    "PluginCreatorInfo",
    "Report",
    "Runtime",
    "SeekPosition",
    "Severity",
    "TempDirCheck",
    "TempfileControlFlag",
    "TensorRTError",
    "TensorRTMemoryError",
    "UnsupportedError",
    "UnsupportedVersionError",
    "Version",
    "check_temporary_directory",
    "effective_temporary_directory",
    "load_library",
    "loaded_library",
]
