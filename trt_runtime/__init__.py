"""trt_runtime: TensorRT's runtime from Python, through cffi.

``import trt_runtime`` opens no TensorRT library; :func:`load_library` or the
first :class:`Runtime` does.
"""

from __future__ import annotations

import atexit

from ._callbacks import IErrorRecorder, IGpuAllocator, IGpuAsyncAllocator, ILogger, IStreamReader, IStreamReaderV2
from ._context import Binding, IExecutionContext
from ._engine import ICudaEngine, IHostMemory, TensorInfo, default_runtime, set_default_runtime
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
from ._interop import as_address, as_stream
from ._library import ENV_VAR, Flavour, Library, Version, load_library, loaded_library
from ._loggers import ErrorRecorder, Logger, LoggingLogger
from ._registry import IPluginRegistry, PluginCreatorInfo
from ._runtime import Runtime
from ._tempdir import TempDirCheck, check_temporary_directory, effective_temporary_directory
from ._types import (
    DataType,
    Dims,
    EngineCapability,
    ExecutionContextAllocationStrategy,
    HardwareCompatibilityLevel,
    OptProfileSelector,
    ProfilingVerbosity,
    TensorFormat,
    TensorIOMode,
    TensorLocation,
    bfloat16,
    e8m0,
    float16,
    float32,
    fp4,
    fp8,
    int4,
    int8,
    int32,
    int64,
    nptype,
    uint8,
    volume,
)
from ._types import bool  # noqa: A004 - the official alias trt.bool

__version__ = "0.1.0"

ErrorCodeTRT = ErrorCode  # the official name

# From interpreter exit on, the shim neither calls into TensorRT to release
# objects nor back into Python: CUDA and the interpreter may be gone.
atexit.register(_lib.trt_shutdown)

__all__ = [
    "AllocatorFlag",
    "Binding",
    "ClosedError",
    "DLAWorkspaceAllocationStrategy",
    "DataType",
    "DeserializationError",
    "Dims",
    "ENV_VAR",
    "EngineCapability",
    "ErrorCode",
    "ErrorCodeTRT",
    "ErrorRecorder",
    "ExecutionContextAllocationStrategy",
    "Flavour",
    "HardwareCompatibilityLevel",
    "ICudaEngine",
    "IErrorRecorder",
    "IExecutionContext",
    "IGpuAllocator",
    "IGpuAsyncAllocator",
    "IHostMemory",
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
    "OptProfileSelector",
    "PluginCreatorInfo",
    "ProfilingVerbosity",
    "Report",
    "Runtime",
    "SeekPosition",
    "Severity",
    "TempDirCheck",
    "TempfileControlFlag",
    "TensorFormat",
    "TensorIOMode",
    "TensorInfo",
    "TensorLocation",
    "TensorRTError",
    "TensorRTMemoryError",
    "UnsupportedError",
    "UnsupportedVersionError",
    "Version",
    "as_address",
    "as_stream",
    "check_temporary_directory",
    "default_runtime",
    "effective_temporary_directory",
    "load_library",
    "loaded_library",
    "nptype",
    "set_default_runtime",
    "volume",
]
