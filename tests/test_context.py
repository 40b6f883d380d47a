"""IExecutionContext on the test double: shapes, addresses, profiles, memory, execution, errors.

Binding (``ctx.bind``): test_binding.py; contexts created from an engine
(allocation strategies): test_engine.py; contexts on threads: test_threads.py.
"""

from __future__ import annotations

import ctypes
import weakref

import numpy as np
import pytest

import trt_runtime as trt
from conftest import RecordingLogger, make_plan, since_10
from copy_engine import PROFILES, TENSORS, arrays, ctx, engine, wire  # noqa: F401 - fixtures ctx, engine


class Explodes(RecordingLogger):
    def log(self, severity: trt.Severity, msg: str) -> None:
        super().log(severity, msg)
        if severity <= trt.Severity.ERROR:
            raise RuntimeError("logger exploded")


# ------------------------------------------------------------------ properties


def test_context_properties(ctx: trt.IExecutionContext, engine: trt.ICudaEngine) -> None:
    assert ctx.engine is engine
    assert ctx.name == ""
    ctx.name = "worker-1"
    assert ctx.name == "worker-1"
    assert "worker-1" in repr(ctx)
    with pytest.raises(TypeError):
        ctx.name = 3  # type: ignore[assignment]
    with pytest.raises(trt.InvalidArgumentError, match="NUL"):
        ctx.name = "a\0b"
    assert ctx.debug_sync is False
    ctx.debug_sync = True
    assert ctx.debug_sync is True
    assert ctx.persistent_cache_limit == 0
    ctx.persistent_cache_limit = 1 << 20
    assert ctx.persistent_cache_limit == 1 << 20
    with pytest.raises(trt.InvalidArgumentError):
        ctx.persistent_cache_limit = -1
    with pytest.raises(TypeError):
        ctx.persistent_cache_limit = 1.0  # type: ignore[assignment]
    assert ctx.active_optimization_profile == 0
    assert ctx.handle > 4096


def test_context_cannot_be_made_directly() -> None:
    with pytest.raises(TypeError):
        trt.IExecutionContext()


# ------------------------------------------------------------------ shapes


def test_shapes_and_shape_inference(ctx: trt.IExecutionContext) -> None:
    assert ctx.get_tensor_shape("x") == (-1, 4)
    assert ctx.all_input_dimensions_specified is False
    assert ctx.infer_shapes() == ["x"]
    assert ctx.set_input_shape("x", (3, 4)) is True
    assert isinstance(ctx.get_tensor_shape("x"), trt.Dims)
    assert ctx.get_tensor_shape("x") == (3, 4)
    assert ctx.get_tensor_shape("y") == (3, 4)  # the double's outputs follow their input
    assert ctx.get_tensor_shape("flags") == (3,)
    assert ctx.get_tensor_strides("x") == (4, 1)
    assert ctx.all_input_dimensions_specified is True
    assert ctx.infer_shapes() == []


@pytest.mark.parametrize("shape", [[2, 4], trt.Dims((2, 4)), np.array([2, 4]), (np.int64(2), 4), range(2, 6, 2)])
def test_set_input_shape_accepts_sequences(ctx: trt.IExecutionContext, shape: object) -> None:
    assert ctx.set_input_shape("x", shape) is True
    assert tuple(ctx.get_tensor_shape("x"))[0] == 2


@pytest.mark.parametrize(("name", "shape", "match"), [
    ("x", (5, 4), "out of the bounds of profile 0"),
    ("x", (2, 5), "static dimension mismatch"),
    ("x", (2, 4, 1), "has 3 dimensions"),
    ("y", (2, 4), "'y' is not an input tensor"),
    ("flags", (4,), "static dimension mismatch"),
])
def test_refused_shapes_raise_with_tensorrts_reason(ctx: trt.IExecutionContext, logger: RecordingLogger,
                                                    name: str, shape: tuple[int, ...], match: str) -> None:
    with pytest.raises(trt.InvalidArgumentError, match=match) as info:
        ctx.set_input_shape(name, shape)
    assert "setInputShape" in str(info.value)
    assert info.value.reports and info.value.reports[0].source == "logger"
    assert ctx.set_input_shape_nocheck(name, shape) is False


def test_set_input_shape_argument_errors(ctx: trt.IExecutionContext) -> None:
    with pytest.raises(trt.InvalidArgumentError, match="no I/O tensor named 'nope'"):
        ctx.set_input_shape("nope", (2, 4))
    assert ctx.set_input_shape_nocheck("nope", (2, 4)) is False  # TensorRT's refusal, the official False
    with pytest.raises(TypeError):
        ctx.set_input_shape(b"x", (2, 4))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ctx.set_input_shape("x", (2.5, 4))
    with pytest.raises(TypeError):
        ctx.set_input_shape("x", 7)
    with pytest.raises(trt.InvalidArgumentError, match="0 to 8 extents"):
        ctx.set_input_shape("x", (1,) * 9)
    with pytest.raises(trt.InvalidArgumentError, match="64 bits"):
        ctx.set_input_shape("x", (1 << 70, 4))
    with pytest.raises(TypeError):
        ctx.set_input_shape_nocheck("x", ("a", 4))


def test_shape_queries_of_unknown_names(ctx: trt.IExecutionContext) -> None:
    for method in (ctx.get_tensor_shape, ctx.get_tensor_strides, ctx.get_tensor_address):
        with pytest.raises(trt.InvalidArgumentError, match="no I/O tensor named 'nope'"):
            method("nope")


# ------------------------------------------------------------------ profiles


def test_switching_profiles(ctx: trt.IExecutionContext) -> None:
    ctx.set_input_shape("x", (2, 4))
    assert ctx.set_optimization_profile_async(1, 0) is True
    assert ctx.active_optimization_profile == 1
    assert ctx.get_tensor_shape("x") == (-1, 4)  # shapes must be set again
    with pytest.raises(trt.InvalidArgumentError, match="out of the bounds of profile 1"):
        ctx.set_input_shape("x", (2, 4))
    assert ctx.set_input_shape("x", (12, 4)) is True
    assert ctx.set_optimization_profile_async_nocheck(0, None) is True
    assert ctx.active_optimization_profile == 0


def test_bad_profile(ctx: trt.IExecutionContext) -> None:
    with pytest.raises(trt.InvalidArgumentError, match="profileIndex"):
        ctx.set_optimization_profile_async(2, 0)
    assert ctx.set_optimization_profile_async_nocheck(-1, 0) is False
    assert ctx.active_optimization_profile == 0
    with pytest.raises(TypeError):
        ctx.set_optimization_profile_async("1", 0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ctx.set_optimization_profile_async(1, 1.5)


# ------------------------------------------------------------------ addresses, execution


def test_execute_copies_input_to_output(ctx: trt.IExecutionContext) -> None:
    data = arrays()
    wire(ctx, data)
    assert ctx.get_tensor_address("x") == data["x"].ctypes.data
    assert ctx.execute_async_v3(0) is True
    np.testing.assert_array_equal(data["y"], data["x"])
    np.testing.assert_array_equal(data["flags_out"], [7, 8, 9])


def test_addresses_given_as_objects(ctx: trt.IExecutionContext) -> None:
    data = arrays()
    ctx.set_input_shape("x", (2, 4))
    ctx.set_tensor_address("x", data["x"])  # numpy: __array_interface__
    ctx.set_tensor_address("flags", ctypes.c_void_p(data["flags"].ctypes.data))
    ctx.set_tensor_address("y", data["y"].ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
    ctx.set_tensor_address_nocheck("flags_out", data["flags_out"])
    assert ctx.get_tensor_address("x") == data["x"].ctypes.data
    assert ctx.get_tensor_address("flags") == data["flags"].ctypes.data
    ctx.execute_async_v3(ctypes.c_void_p(0))
    np.testing.assert_array_equal(data["y"], data["x"])
    np.testing.assert_array_equal(data["flags_out"], data["flags"])


def test_context_keeps_array_objects_alive(ctx: trt.IExecutionContext) -> None:
    class Buffer:
        def __init__(self) -> None:
            self.array = np.zeros(4, np.float32)
            self.__array_interface__ = self.array.__array_interface__

    buf = Buffer()
    ref = weakref.ref(buf)
    ctx.set_tensor_address("y", buf)
    del buf
    assert ref() is not None
    ctx.set_tensor_address("y", 0)  # an int does not replace what is kept ...
    ctx.close()  # ... closing does
    assert ref() is None


def test_address_errors(ctx: trt.IExecutionContext) -> None:
    with pytest.raises(trt.InvalidArgumentError, match="no I/O tensor named 'nope'"):
        ctx.set_tensor_address("nope", 1024)
    assert ctx.set_tensor_address_nocheck("nope", 1024) is False
    with pytest.raises(TypeError):
        ctx.set_tensor_address("x", 1.5)
    with pytest.raises(TypeError):
        ctx.set_tensor_address("x", "0x1000")
    with pytest.raises(TypeError):
        ctx.set_tensor_address(3, 1024)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        ctx.set_tensor_address("x", -1)
    with pytest.raises(ValueError):
        ctx.set_tensor_address("x", 1 << 64)
    readonly = np.zeros(4, np.float32)
    readonly.flags.writeable = False
    with pytest.raises(trt.InvalidArgumentError, match="read-only"):
        ctx.set_tensor_address("y", readonly)
    assert ctx.set_tensor_address("x", readonly) is True  # inputs may be read-only


def test_enqueue_failure_raises_with_tensorrts_reason(ctx: trt.IExecutionContext, logger: RecordingLogger) -> None:
    with pytest.raises(trt.TensorRTError, match="enqueueV3 failed: enqueueV3: the shape of input 'x' is not set"):
        ctx.execute_async_v3(0)
    assert ctx.execute_async_v3_nocheck(0) is False
    ctx.set_input_shape("x", (2, 4))
    with pytest.raises(trt.TensorRTError, match="the address of input 'x' is not set") as info:
        ctx.execute_async_v3(0)
    assert info.value.reports[0].message.startswith("enqueueV3: the address")


def test_execute_nocheck_succeeds(ctx: trt.IExecutionContext) -> None:
    data = arrays()
    wire(ctx, data)
    assert ctx.execute_async_v3_nocheck(0) is True
    np.testing.assert_array_equal(data["y"], data["x"])


@pytest.mark.parametrize("stream", [-1, 1 << 64, 1.0, "0", True])
def test_bad_streams(ctx: trt.IExecutionContext, stream: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        ctx.execute_async_v3(stream)
    with pytest.raises((TypeError, ValueError)):
        ctx.execute_async_v3_nocheck(stream)


def test_logger_exception_during_a_failing_call_comes_out(fake_library: trt.Library) -> None:
    rt = trt.Runtime(Explodes(), library=fake_library)
    ctx = rt.deserialize(make_plan("copy", TENSORS, profiles=PROFILES)).create_execution_context()
    with pytest.raises(RuntimeError, match="logger exploded"):
        ctx.execute_async_v3(0)
    with pytest.raises(RuntimeError, match="logger exploded"):
        ctx.execute_async_v3_nocheck(0)  # not TensorRT's refusal: still raised
    with pytest.raises(RuntimeError, match="logger exploded"):
        ctx.set_input_shape_nocheck("x", (99, 4))
    with pytest.raises(RuntimeError, match="logger exploded"):
        ctx.bind({"x": 0}).execute_nocheck()


# ------------------------------------------------------------------ device memory


def test_user_managed_device_memory(engine: trt.ICudaEngine) -> None:
    ctx = engine.create_execution_context(trt.ExecutionContextAllocationStrategy.USER_MANAGED)
    data = arrays()
    wire(ctx, data)
    with pytest.raises(trt.TensorRTError, match="setDeviceMemory was not called"):
        ctx.execute_async_v3(0)
    scratch = np.zeros(256, np.uint8)
    # setDeviceMemoryV2 checks the size (10.1 and later); 10.0's setDeviceMemory takes none: the
    # shim checks it against the engine's getDeviceMemorySize itself.
    too_small = "size >= getDeviceMemorySizeV2" if since_10(1) else r"^setDeviceMemory \(10.0: the size is checked by trt_runtime\): 128 bytes given, the engine needs 256$"
    with pytest.raises(trt.InvalidArgumentError, match=too_small):
        ctx.set_device_memory(scratch, 128)
    ctx.set_device_memory(scratch, 256)
    assert ctx.device_memory == scratch.ctypes.data
    ctx.execute_async_v3(0)
    np.testing.assert_array_equal(data["y"], data["x"])
    other = np.zeros(512, np.uint8)
    ctx.device_memory = other
    assert ctx.device_memory == other.ctypes.data
    with pytest.raises(trt.InvalidArgumentError):
        ctx.set_device_memory(other, -1)
    with pytest.raises(TypeError):
        ctx.set_device_memory(other, 1.0)  # type: ignore[arg-type]


def test_device_memory_refused_for_static_context(ctx: trt.IExecutionContext) -> None:
    assert ctx.device_memory == 0
    with pytest.raises(trt.InvalidArgumentError, match="kUSER_MANAGED"):
        ctx.device_memory = 4096
    assert ctx.device_memory == 0
    assert ctx.update_device_memory_size_for_shapes() == 256


# ------------------------------------------------------------------ error recorder


def test_context_recorder(engine: trt.ICudaEngine, logger: RecordingLogger) -> None:
    engine_recorder = trt.ErrorRecorder()
    engine.error_recorder = engine_recorder
    ctx = engine.create_execution_context()
    assert ctx.error_recorder is engine_recorder  # inherited at creation
    own = trt.ErrorRecorder()
    ctx.error_recorder = own
    assert ctx.error_recorder is own
    with pytest.raises(trt.InvalidArgumentError) as info:
        ctx.set_input_shape("x", (99, 4))
    assert own.errors and own.errors[-1][0] is trt.ErrorCode.INVALID_ARGUMENT
    assert not engine_recorder.errors
    assert info.value.reports[-1].source == "recorder"
    ctx.error_recorder = None
    assert ctx.error_recorder is None
    with pytest.raises(trt.InvalidArgumentError):
        ctx.set_input_shape("x", (99, 4))
    assert len(own.errors) == 1
    assert logger.errors()
    with pytest.raises(TypeError):
        ctx.error_recorder = 5  # type: ignore[assignment]


# ------------------------------------------------------------------ closing


def test_closed_context_raises_everywhere(ctx: trt.IExecutionContext) -> None:
    binding = ctx.bind({"x": 0})
    ctx.close()
    ctx.close()
    assert ctx.closed
    assert "closed" in repr(ctx)
    for action in (lambda: ctx.execute_async_v3(0), lambda: ctx.execute_async_v3_nocheck(0),
                   lambda: ctx.set_tensor_address("x", 0), lambda: ctx.set_tensor_address_nocheck("x", 0),
                   lambda: ctx.set_tensor_address("x", np.zeros(1)), lambda: ctx.set_input_shape("x", (2, 4)),
                   lambda: ctx.set_input_shape_nocheck("x", (2, 4)), lambda: ctx.get_tensor_shape("x"),
                   lambda: ctx.name, lambda: ctx.handle, lambda: ctx.infer_shapes(),
                   lambda: ctx.all_input_dimensions_specified, lambda: ctx.active_optimization_profile,
                   lambda: ctx.set_optimization_profile_async(0, 0), lambda: ctx.device_memory,
                   binding.execute, binding.execute_nocheck, lambda: ctx.bind({"x": 0})):
        with pytest.raises(trt.ClosedError):
            action()


def test_context_manager(engine: trt.ICudaEngine) -> None:
    with engine.create_execution_context() as ctx:
        assert not ctx.closed
    assert ctx.closed
