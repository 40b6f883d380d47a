"""README.md, "Engines and execution contexts": tensors, a context, one inference, a binding."""

from __future__ import annotations

import numpy as np

import trt_runtime as trt


def infer(runtime: trt.Runtime, images: int, logits: int, stream: int) -> bool:
    engine = runtime.deserialize("model.plan")
    for name in engine.tensor_names:
        mode: trt.TensorIOMode = engine.get_tensor_mode(name)
        shape: trt.Dims = engine.get_tensor_shape(name)
        dtype: trt.DataType = engine.get_tensor_dtype(name)
        print(name, mode, shape, dtype, shape.is_dynamic, trt.volume(shape))
        if dtype in (trt.float32, trt.float16):
            print(np.dtype(trt.nptype(dtype)).itemsize)
    info: trt.TensorInfo = engine.get_tensor_info("images")
    print(info.location, info.format)
    profiles: list[trt.Dims] = engine.get_tensor_profile_shape("images", 0)
    print(profiles)

    with engine.create_execution_context(trt.ExecutionContextAllocationStrategy.STATIC) as context:
        context.set_input_shape("images", (8, 3, 224, 224))
        context.set_tensor_address("images", images)
        context.set_tensor_address("logits", logits)
        ok: bool = context.execute_async_v3(stream)
        if not context.execute_async_v3_nocheck(stream):
            return False

        binding: trt.Binding = context.bind({"images": images, "logits": logits})
        binding["images"] = images
        ok = ok and binding.execute(stream)

    memory: trt.IHostMemory = engine.serialize()
    with open("copy.plan", "wb") as out:
        out.write(memoryview(memory))
    engine.close()
    return ok
