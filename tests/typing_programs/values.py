"""Enums, shapes, libraries and the helpers around them."""

from __future__ import annotations

import os

import trt_runtime as trt

dims = trt.Dims((1, -1, 224, 224))
first: int = dims[0]
print(dims.is_dynamic, trt.volume(trt.Dims((2, 3))), trt.Dims.MAX_DIMS)
dtype: trt.DataType = trt.DataType.HALF
print(dtype.name, int(dtype), f"{dtype:d}", trt.bool, trt.int64, trt.fp8, trt.ErrorCodeTRT.SUCCESS)
modes = [trt.TensorIOMode.INPUT, trt.TensorIOMode.OUTPUT]
print(modes, trt.TensorLocation.DEVICE, trt.TensorFormat.LINEAR, trt.EngineCapability.STANDARD)
print(trt.OptProfileSelector.MAX, trt.ProfilingVerbosity.DETAILED, trt.HardwareCompatibilityLevel.NONE)
print(trt.AllocatorFlag.RESIZABLE, trt.DLAWorkspaceAllocationStrategy.SHARED_STATIC, trt.ErrorCode.INTERNAL_ERROR)

loaded: trt.Library | None = trt.loaded_library()
if loaded is not None:
    version: trt.Version = loaded.version
    flavour: trt.Flavour = loaded.flavour
    print(version.major, flavour is trt.Flavour.LEAN, loaded.path)
print(os.environ.get(trt.ENV_VAR), trt.effective_temporary_directory())

runtime = trt.default_runtime()
trt.set_default_runtime(runtime)
stream: int = trt.as_stream(0)
address: int = trt.as_address(0x1000)
print(stream, address, trt.__version__)
