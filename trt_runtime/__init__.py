"""trt_runtime: TensorRT's runtime from Python, through cffi.

``import trt_runtime`` opens no TensorRT library and loads no native code:
the public names are resolved from the private modules on first use, so a
program pays only for what it touches. :func:`load_library` or the first
:class:`Runtime` opens TensorRT.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public name -> (private module, name there).
_EXPORTS: dict[str, tuple[str, str]] = {
    "IErrorRecorder": ("_callbacks", "IErrorRecorder"),
    "IGpuAllocator": ("_callbacks", "IGpuAllocator"),
    "IGpuAsyncAllocator": ("_callbacks", "IGpuAsyncAllocator"),
    "ILogger": ("_callbacks", "ILogger"),
    "IStreamReader": ("_readers", "IStreamReader"),
    "IStreamReaderV2": ("_readers", "IStreamReaderV2"),
    "Binding": ("_binding", "Binding"),
    "IExecutionContext": ("_context", "IExecutionContext"),
    "IDebugListener": ("_context_callbacks", "IDebugListener"),
    "IOutputAllocator": ("_context_callbacks", "IOutputAllocator"),
    "IProfiler": ("_context_callbacks", "IProfiler"),
    "Profiler": ("_context_callbacks", "Profiler"),
    "ICudaEngine": ("_engine", "ICudaEngine"),
    "TensorInfo": ("_engine", "TensorInfo"),
    "AllocatorFlag": ("_enums", "AllocatorFlag"),
    "DLAWorkspaceAllocationStrategy": ("_enums", "DLAWorkspaceAllocationStrategy"),
    "ErrorCode": ("_enums", "ErrorCode"),
    "ErrorCodeTRT": ("_enums", "ErrorCode"),
    "SeekPosition": ("_enums", "SeekPosition"),
    "Severity": ("_enums", "Severity"),
    "TempfileControlFlag": ("_enums", "TempfileControlFlag"),
    "ClosedError": ("_errors", "ClosedError"),
    "DeserializationError": ("_errors", "DeserializationError"),
    "InvalidArgumentError": ("_errors", "InvalidArgumentError"),
    "LibraryError": ("_errors", "LibraryError"),
    "LibraryNotFoundError": ("_errors", "LibraryNotFoundError"),
    "NoDeviceError": ("_errors", "NoDeviceError"),
    "Report": ("_errors", "Report"),
    "TensorRTError": ("_errors", "TensorRTError"),
    "TensorRTMemoryError": ("_errors", "TensorRTMemoryError"),
    "UnsupportedError": ("_errors", "UnsupportedError"),
    "UnsupportedVersionError": ("_errors", "UnsupportedVersionError"),
    "as_address": ("_interop", "as_address"),
    "as_stream": ("_interop", "as_stream"),
    "cuda_ordinal": ("_interop", "cuda_ordinal"),
    "adopt_context": ("_foreign", "adopt_context"),
    "adopt_engine": ("_foreign", "adopt_engine"),
    "adopt_runtime": ("_foreign", "adopt_runtime"),
    "ENV_VAR": ("_library", "ENV_VAR"),
    "Flavour": ("_library", "Flavour"),
    "Library": ("_library", "Library"),
    "Version": ("_library", "Version"),
    "load_library": ("_library", "load_library"),
    "loaded_library": ("_library", "loaded_library"),
    "IHostMemory": ("_host_memory", "IHostMemory"),
    "ErrorRecorder": ("_loggers", "ErrorRecorder"),
    "Logger": ("_loggers", "Logger"),
    "LoggingLogger": ("_loggers", "LoggingLogger"),
    "IPluginRegistry": ("_registry", "IPluginRegistry"),
    "PluginCreatorInfo": ("_registry", "PluginCreatorInfo"),
    "default_runtime": ("_pickling", "default_runtime"),
    "set_default_runtime": ("_pickling", "set_default_runtime"),
    "Runtime": ("_runtime", "Runtime"),
    "TempDirCheck": ("_tempdir", "TempDirCheck"),
    "check_temporary_directory": ("_tempdir", "check_temporary_directory"),
    "effective_temporary_directory": ("_tempdir", "effective_temporary_directory"),
    "DataType": ("_types", "DataType"),
    "Dims": ("_types", "Dims"),
    "EngineCapability": ("_types", "EngineCapability"),
    "ExecutionContextAllocationStrategy": ("_types", "ExecutionContextAllocationStrategy"),
    "HardwareCompatibilityLevel": ("_types", "HardwareCompatibilityLevel"),
    "OptProfileSelector": ("_types", "OptProfileSelector"),
    "ProfilingVerbosity": ("_types", "ProfilingVerbosity"),
    "TensorFormat": ("_types", "TensorFormat"),
    "TensorIOMode": ("_types", "TensorIOMode"),
    "TensorLocation": ("_types", "TensorLocation"),
    "bfloat16": ("_types", "bfloat16"),
    "bool": ("_types", "bool"),
    "e8m0": ("_types", "e8m0"),
    "float16": ("_types", "float16"),
    "float32": ("_types", "float32"),
    "fp4": ("_types", "fp4"),
    "fp8": ("_types", "fp8"),
    "int32": ("_types", "int32"),
    "int4": ("_types", "int4"),
    "int64": ("_types", "int64"),
    "int8": ("_types", "int8"),
    "nptype": ("_types", "nptype"),
    "uint8": ("_types", "uint8"),
    "volume": ("_types", "volume"),
    "APILanguage": ("_enums", "APILanguage"),
    "InterfaceInfo": ("_versioned", "InterfaceInfo"),
    "IVersionedInterface": ("_versioned", "IVersionedInterface"),
    "EngineStat": ("_types", "EngineStat"),
    "LayerInformationFormat": ("_types", "LayerInformationFormat"),
    "SerializationFlag": ("_types", "SerializationFlag"),
    "TacticSource": ("_types", "TacticSource"),
    "Dims2": ("_dims", "Dims2"),
    "Dims3": ("_dims", "Dims3"),
    "Dims4": ("_dims", "Dims4"),
    "DimsHW": ("_dims", "DimsHW"),
    "PluginCreator": ("_registry", "PluginCreator"),
    "EngineInspector": ("_runtime_config", "EngineInspector"),
    "IEngineInspector": ("_runtime_config", "IEngineInspector"),
    "IRuntimeConfig": ("_runtime_config", "IRuntimeConfig"),
    "ISerializationConfig": ("_runtime_config", "ISerializationConfig"),
    "get_plugin_registry": ("_plugins", "get_plugin_registry"),
    "init_libnvinfer_plugins": ("_plugins", "init_libnvinfer_plugins"),
    "init_libnvinfer_plugins_nocheck": ("_plugins", "init_libnvinfer_plugins_nocheck"),
}

# Literal, so that type checkers read it (mypy and pyright take a name listed
# here as re-exported); tests/test_typing.py checks that it equals _EXPORTS' keys.
__all__ = [
    "APILanguage",
    "AllocatorFlag",
    "Binding",
    "ClosedError",
    "DLAWorkspaceAllocationStrategy",
    "DataType",
    "DeserializationError",
    "Dims",
    "Dims2",
    "Dims3",
    "Dims4",
    "DimsHW",
    "ENV_VAR",
    "EngineCapability",
    "EngineInspector",
    "EngineStat",
    "ErrorCode",
    "ErrorCodeTRT",
    "ErrorRecorder",
    "ExecutionContextAllocationStrategy",
    "Flavour",
    "HardwareCompatibilityLevel",
    "ICudaEngine",
    "IDebugListener",
    "IEngineInspector",
    "IErrorRecorder",
    "IExecutionContext",
    "IGpuAllocator",
    "IGpuAsyncAllocator",
    "IHostMemory",
    "ILogger",
    "IOutputAllocator",
    "IPluginRegistry",
    "IProfiler",
    "IRuntimeConfig",
    "ISerializationConfig",
    "IStreamReader",
    "IStreamReaderV2",
    "IVersionedInterface",
    "InterfaceInfo",
    "InvalidArgumentError",
    "LayerInformationFormat",
    "Library",
    "LibraryError",
    "LibraryNotFoundError",
    "Logger",
    "LoggingLogger",
    "NoDeviceError",
    "OptProfileSelector",
    "PluginCreator",
    "PluginCreatorInfo",
    "Profiler",
    "ProfilingVerbosity",
    "Report",
    "Runtime",
    "SeekPosition",
    "SerializationFlag",
    "Severity",
    "TacticSource",
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
    "adopt_context",
    "adopt_engine",
    "adopt_runtime",
    "as_address",
    "as_stream",
    "bfloat16",
    "bool",
    "check_temporary_directory",
    "cuda_ordinal",
    "default_runtime",
    "e8m0",
    "effective_temporary_directory",
    "float16",
    "float32",
    "fp4",
    "fp8",
    "get_plugin_registry",
    "init_libnvinfer_plugins",
    "init_libnvinfer_plugins_nocheck",
    "int32",
    "int4",
    "int64",
    "int8",
    "load_library",
    "loaded_library",
    "nptype",
    "set_default_runtime",
    "uint8",
    "volume",
]


def _publish() -> None:
    """Give every public class of the private modules imported so far its public name.

    ``trt_runtime.NoDeviceError``, not ``trt_runtime._errors.NoDeviceError``,
    in tracebacks, reprs and pickles (which find the class through this
    module's ``__getattr__``). Imports nothing.
    """
    for module, attr in _EXPORTS.values():
        loaded = sys.modules.get(f"{__name__}.{module}")
        value = getattr(loaded, attr, None)
        if isinstance(value, type) and value.__module__.startswith(f"{__name__}._"):
            value.__module__ = __name__


def __getattr__(name: str) -> Any:
    try:
        module, attr = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'trt_runtime' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
    _publish()  # the module imported others: name their classes too
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:
    from ._foreign import adopt_context, adopt_engine, adopt_runtime
    from ._callbacks import (
        IErrorRecorder,
        IGpuAllocator,
        IGpuAsyncAllocator,
        ILogger,
    )
    from ._readers import (
        IStreamReader,
        IStreamReaderV2,
    )
    from ._binding import (
        Binding,
    )
    from ._context import (
        IExecutionContext,
    )
    from ._context_callbacks import (
        IDebugListener,
        IOutputAllocator,
        IProfiler,
        Profiler,
    )
    from ._engine import (
        ICudaEngine,
        TensorInfo,
    )
    from ._enums import (
        AllocatorFlag,
        DLAWorkspaceAllocationStrategy,
        ErrorCode,
        ErrorCode as ErrorCodeTRT,
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
    from ._host_memory import (
        IHostMemory,
    )
    from ._interop import (
        as_address,
        as_stream,
        cuda_ordinal,
    )
    from ._library import (
        ENV_VAR,
        Flavour,
        Library,
        Version,
        load_library,
        loaded_library,
    )
    from ._loggers import (
        ErrorRecorder,
        Logger,
        LoggingLogger,
    )
    from ._pickling import (
        default_runtime,
        set_default_runtime,
    )
    from ._registry import (
        IPluginRegistry,
        PluginCreatorInfo,
    )
    from ._runtime import (
        Runtime,
    )
    from ._tempdir import (
        TempDirCheck,
        check_temporary_directory,
        effective_temporary_directory,
    )
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
        bool,  # noqa: A004 - the official alias trt.bool
        e8m0,
        float16,
        float32,
        fp4,
        fp8,
        int32,
        int4,
        int64,
        int8,
        nptype,
        uint8,
        volume,
    )
    from ._dims import Dims2, Dims3, Dims4, DimsHW
    from ._enums import APILanguage
    from ._plugins import get_plugin_registry, init_libnvinfer_plugins, init_libnvinfer_plugins_nocheck
    from ._runtime_config import EngineInspector, IEngineInspector, IRuntimeConfig, ISerializationConfig
    from ._registry import PluginCreator
    from ._types import EngineStat, LayerInformationFormat, SerializationFlag, TacticSource
    from ._versioned import InterfaceInfo, IVersionedInterface
