"""Objects made elsewhere in the process: adopting raw TensorRT pointers, and
the shim's C API driven through ctypes alone (on the test double)."""

from __future__ import annotations

import ctypes
import pathlib

import numpy as np
import pytest

import trt_runtime as trt
from double.build import make_plan
from support import live_objects

PLAN_TENSORS = [("in", 1, 0, (2, 3)), ("out", 2, 0, (2, 3))]


def _engine(runtime: trt.Runtime) -> trt.ICudaEngine:
    return runtime.deserialize(make_plan("foreign", PLAN_TENSORS))


def test_a_borrowed_engine_is_never_deleted_by_its_wrapper(runtime: trt.Runtime, fake_lib_path: pathlib.Path) -> None:
    engine = _engine(runtime)
    before = live_objects(fake_lib_path)
    borrowed = trt.adopt_engine(engine.handle, runtime)
    assert borrowed.handle == engine.handle and borrowed.tensor_names == ("in", "out")
    ctx = borrowed.create_execution_context()
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    y = np.zeros_like(x)
    ctx.bind({"in": x, "out": y}).execute()
    assert (y == x).all()
    ctx.close()
    borrowed.close()
    assert live_objects(fake_lib_path) == before  # the TensorRT engine is still there
    assert engine.num_io_tensors == 2  # and its owner still uses it
    raw_ctx = engine.create_execution_context()
    wrapped = trt.adopt_context(raw_ctx.handle, engine)
    assert wrapped.engine is engine and wrapped.name == raw_ctx.name
    wrapped.close()
    raw_ctx.close()
    engine.close()


def test_an_owned_runtime_is_deleted_with_its_wrapper(fake_library: trt.Library, fake_lib_path: pathlib.Path) -> None:
    # A runtime made by "C code": the library's own entry point, with a logger
    # of its own (TensorRT keeps the one registered first and ignores it).
    trt.Runtime(trt.Logger(), library=fake_library).close()  # registers trt_runtime's logger first
    so = ctypes.CDLL(str(fake_lib_path))
    so.createInferRuntime_INTERNAL.restype = ctypes.c_void_p
    so.createInferRuntime_INTERNAL.argtypes = [ctypes.c_void_p, ctypes.c_int32]
    foreign_logger = ctypes.create_string_buffer(64)
    before = live_objects(fake_lib_path)
    native = so.createInferRuntime_INTERNAL(ctypes.addressof(foreign_logger), so.getInferLibVersion())
    assert native and live_objects(fake_lib_path) == before + 1
    rt = trt.adopt_runtime(ctypes.c_void_p(native), trt.Logger(), library=fake_library, owned=True)
    assert rt.handle == native and rt.max_threads == 1
    engine = rt.deserialize(make_plan("owned", PLAN_TENSORS))
    rt.close()
    assert engine.num_io_tensors == 2  # the engine keeps the adopted runtime alive
    engine.close()
    assert live_objects(fake_lib_path) == before


@pytest.mark.parametrize("bad, error", [(0, trt.InvalidArgumentError), (16, trt.InvalidArgumentError),
                                        (True, TypeError), ("0x1000", TypeError), (None, TypeError)])
def test_adopting_something_that_is_no_pointer_is_refused(runtime: trt.Runtime, bad: object,
                                                          error: type[Exception]) -> None:
    with pytest.raises(error):
        trt.adopt_engine(bad, runtime)
    with pytest.raises(TypeError, match="runtime must be"):
        trt.adopt_engine(0x10000, object())  # type: ignore[arg-type]


def test_the_shim_c_api_works_through_ctypes_alone(fake_lib_path: pathlib.Path) -> None:
    import trt_runtime._native as native_module

    shim = ctypes.CDLL(native_module.__file__)
    vp = ctypes.c_void_p
    shim.trt_library_open.argtypes = [ctypes.c_char_p, ctypes.POINTER(vp)]
    log_fn = ctypes.CFUNCTYPE(ctypes.c_int32, vp, ctypes.c_int32, ctypes.c_char_p)
    release_fn = ctypes.CFUNCTYPE(None, vp)
    shim.trt_runtime_create.argtypes = [vp, ctypes.c_int32, log_fn, release_fn, vp, ctypes.POINTER(vp)]
    shim.trt_runtime_get_max_threads.argtypes = [vp]
    shim.trt_runtime_set_max_threads.argtypes = [vp, ctypes.c_int32]
    shim.trt_runtime_deserialize.argtypes = [vp, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(vp)]
    shim.trt_runtime_release.argtypes = [vp]
    shim.trt_last_error.restype = ctypes.c_char_p
    messages: list[tuple[int, bytes]] = []
    on_log = log_fn(lambda ctx, severity, message: messages.append((severity, message)) or 0)
    on_release = release_fn(lambda ctx: None)

    library = vp()
    assert shim.trt_library_open(str(fake_lib_path).encode(), ctypes.byref(library)) == 0
    rt = vp()
    assert shim.trt_runtime_create(library, -1, on_log, on_release, None, ctypes.byref(rt)) == 0
    assert shim.trt_runtime_get_max_threads(rt) == 1
    assert shim.trt_runtime_set_max_threads(rt, 0) == 2  # TRT_E_INVALID_ARGUMENT
    assert b"setMaxThreads" in shim.trt_last_error()
    engine = vp()
    junk = b"junk" * 16
    assert shim.trt_runtime_deserialize(rt, junk, len(junk), ctypes.byref(engine)) == 10  # TRT_E_DESERIALIZE
    assert b"magicTag" in shim.trt_last_error() and not engine.value
    assert any(b"magicTag" in m for _, m in messages)
    shim.trt_runtime_release(rt)
