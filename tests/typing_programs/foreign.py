"""Pointers made elsewhere (ctypes, another binding) adopted."""

from __future__ import annotations

import trt_runtime as trt


def adopt(runtime_ptr: int, engine_ptr: int, context_ptr: int) -> trt.IExecutionContext:
    runtime: trt.Runtime = trt.adopt_runtime(runtime_ptr, trt.Logger(), owned=False)
    engine: trt.ICudaEngine = trt.adopt_engine(engine_ptr, runtime)
    return trt.adopt_context(context_ptr, engine)
