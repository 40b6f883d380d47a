"""README.md, "Use": a runtime, its properties, both ways to deserialize."""

from __future__ import annotations

import trt_runtime as trt

runtime = trt.Runtime(trt.Logger(trt.Logger.WARNING))
runtime.max_threads = 4
runtime.tempfile_control_flags |= 1 << int(trt.TempfileControlFlag.ALLOW_IN_MEMORY_FILES)

engine: trt.ICudaEngine = runtime.deserialize("model.plan")
with open("model.plan", "rb") as f:
    data = f.read()
maybe: trt.ICudaEngine | None = runtime.deserialize_cuda_engine(data)
if maybe is not None:
    print(maybe.name, maybe.num_io_tensors)

lean: trt.Runtime | None = runtime.load_runtime("libnvinfer_lean.so.11")
registry: trt.IPluginRegistry = runtime.get_plugin_registry()
for creator in registry.all_creators:
    print(creator)
handle: int = runtime.handle

library: trt.Library = trt.load_library()
print(library.path, library.flavour, library.version.major)
check: trt.TempDirCheck = trt.check_temporary_directory(runtime)
if not check:
    print(check.problems)
