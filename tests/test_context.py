"""IExecutionContext and Binding on the test double: shapes, addresses, profiles, memory, execution, errors."""

from __future__ import annotations

import ctypes
import sys
import weakref

import numpy as np
import pytest

import trt_runtime as trt
from conftest import RecordingLogger, make_plan

# Two inputs (one dynamic), two outputs: the double copies input k to output k.
TENSORS = [
    ("x", 1, 0, (-1, 4)),
    ("flags", 1, 3, (3,)),
    ("y", 2, 0, (-1, 4)),
    ("flags_out", 2, 3, (3,)),
]
PROFILES = [{"x": ((1, 4), (2, 4), (4, 4))}, {"x": ((8, 4), (8, 4), (16, 4))}]


@pytest.fixture
def engine(runtime: trt.Runtime) -> trt.ICudaEngine:
    return runtime.deserialize(make_plan("copy", TENSORS, profiles=PROFILES, device_memory_size=256))


@pytest.fixture
def ctx(engine: trt.ICudaEngine) -> trt.IExecutionContext:
    c = engine.create_execution_context()
    yield c
    c.close()


def arrays(batch: int = 2) -> dict[str, np.ndarray]:
    return {
        "x": np.arange(batch * 4, dtype=np.float32).reshape(batch, 4) + 1,
        "flags": np.array([7, 8, 9], dtype=np.int32),
        "y": np.zeros((batch, 4), np.float32),
        "flags_out": np.zeros(3, np.int32),
    }


def wire(ctx: trt.IExecutionContext, data: dict[str, np.ndarray]) -> None:
    ctx.set_input_shape("x", data["x"].shape)
    for name, a in data.items():
        assert ctx.set_tensor_address(name, a.ctypes.data) is True


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
    with pytest.raises(trt.InvalidArgumentError, match="size >= getDeviceMemorySizeV2"):
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


# ------------------------------------------------------------------ binding


def test_binding_executes_in_one_call_and_infers_dynamic_shapes(ctx: trt.IExecutionContext) -> None:
    data = arrays(batch=3)
    binding = ctx.bind(data)
    assert binding.shapes == {"x": (3, 4)}  # from the array bound to the dynamic input
    assert binding.names == ("x", "flags", "y", "flags_out")
    assert len(binding) == 4 and list(binding) == list(binding.names)
    assert binding.execute() is True
    np.testing.assert_array_equal(data["y"], data["x"])
    np.testing.assert_array_equal(data["flags_out"], data["flags"])
    assert ctx.get_tensor_shape("x") == (3, 4)
    assert binding.context is ctx
    assert "x, flags, y, flags_out" in repr(binding)


def test_binding_updates_addresses_and_shapes(ctx: trt.IExecutionContext) -> None:
    data = arrays()
    binding = ctx.bind(data, shapes={"x": (2, 4)})
    binding.execute(0)
    bigger = np.full((4, 4), 5.0, np.float32)
    out = np.zeros((4, 4), np.float32)
    binding["x"] = bigger
    binding.set_address("y", out)
    binding.set_shape("x", (4, 4))
    assert binding["x"] == bigger.ctypes.data
    assert binding.shapes["x"] == (4, 4)
    binding.execute(0)
    np.testing.assert_array_equal(out, bigger)
    # The hot-loop way: write ints into the C array.
    third = np.full((4, 4), 7.0, np.float32)
    binding.addresses[binding.slot("x")] = third.ctypes.data
    binding.execute_nocheck(0)
    np.testing.assert_array_equal(out, third)


def test_binding_adds_a_shape_later(ctx: trt.IExecutionContext) -> None:
    binding = ctx.bind({"x": 0, "y": 0})  # ints: no shape can be inferred
    assert binding.shapes == {}
    binding.set_shape("x", (2, 4))
    data = arrays()
    binding["x"], binding["y"] = data["x"], data["y"]
    ctx.set_tensor_address("flags", data["flags"])
    ctx.set_tensor_address("flags_out", data["flags_out"])
    binding.execute()
    np.testing.assert_array_equal(data["y"], data["x"])


def test_binding_of_some_tensors_leaves_the_others(ctx: trt.IExecutionContext) -> None:
    data = arrays()
    wire(ctx, data)
    x2 = data["x"] * 10
    ctx.bind({"x": x2}).execute()
    np.testing.assert_array_equal(data["y"], x2)


def test_binding_validation(ctx: trt.IExecutionContext) -> None:
    data = arrays()
    with pytest.raises(trt.InvalidArgumentError, match="no I/O tensor named 'nope'"):
        ctx.bind({"nope": 0})
    with pytest.raises(trt.InvalidArgumentError, match="only inputs have shapes"):
        ctx.bind(data, shapes={"y": (2, 4)})
    with pytest.raises(trt.InvalidArgumentError, match="has 3 extents"):
        ctx.bind(data, shapes={"x": (2, 4, 1)})
    with pytest.raises(trt.InvalidArgumentError, match="no I/O tensor named 'zz'"):
        ctx.bind(data, shapes={"zz": (2, 4)})
    readonly = np.zeros((2, 4), np.float32)
    readonly.flags.writeable = False
    with pytest.raises(trt.InvalidArgumentError, match="read-only"):
        ctx.bind({"y": readonly})
    with pytest.raises(TypeError):
        ctx.bind([("x", 0)])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ctx.bind({"x": 0}, shapes=[(2, 4)])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ctx.bind({"x": 1.5})
    with pytest.raises(TypeError):
        trt.Binding(object(), {})  # type: ignore[arg-type]
    binding = ctx.bind({"x": 0})
    with pytest.raises(trt.InvalidArgumentError, match="'y' is not bound"):
        binding["y"] = 0
    with pytest.raises(trt.InvalidArgumentError, match="not bound"):
        _ = binding["y"]
    with pytest.raises(trt.InvalidArgumentError, match="64-bit"):
        binding["x"] = 1 << 64
    with pytest.raises(TypeError):
        binding.set_shape("x", "2x4")


def test_binding_refusals(ctx: trt.IExecutionContext) -> None:
    data = arrays()
    binding = ctx.bind(data, shapes={"x": (2, 4)})
    binding.set_shape("x", (99, 4))  # out of the profile: refused when executed
    with pytest.raises(trt.InvalidArgumentError, match=r"setInputShape\('x'\) failed: .*out of the bounds"):
        binding.execute()
    assert binding.execute_nocheck() is False
    binding.set_shape("x", (2, 4))
    assert binding.execute_nocheck() is True
    # Enqueue refused (an input without address): TensorRTError, not InvalidArgumentError.
    partial = ctx.bind({"x": data["x"]})
    ctx.set_tensor_address("flags", 0)
    with pytest.raises(trt.TensorRTError, match="enqueueV3 failed") as info:
        partial.execute()
    assert type(info.value) is trt.TensorRTError


def test_empty_binding_just_enqueues(ctx: trt.IExecutionContext) -> None:
    data = arrays()
    wire(ctx, data)
    binding = ctx.bind({})
    assert binding.execute() is True
    np.testing.assert_array_equal(data["y"], data["x"])


def test_binding_keeps_memory_alive(ctx: trt.IExecutionContext) -> None:
    class Buffer:
        def __init__(self, shape: tuple[int, ...]) -> None:
            self.array = np.zeros(shape, np.float32)
            self.__array_interface__ = self.array.__array_interface__

    buf = Buffer((2, 4))
    ref = weakref.ref(buf)
    binding = ctx.bind({"y": buf})
    del buf
    assert ref() is not None
    binding["y"] = 0
    assert ref() is None


def test_binding_streams(ctx: trt.IExecutionContext) -> None:
    data = arrays()
    binding = ctx.bind(data)

    class CudaStream:
        def __cuda_stream__(self) -> tuple[int, int]:
            return (0, 0)

    for stream in (0, None, ctypes.c_void_p(None), CudaStream(), np.uint64(0)):
        assert binding.execute(stream) is True
    with pytest.raises(ValueError):
        binding.execute(-5)
    with pytest.raises(TypeError):
        binding.execute("stream")


def test_many_executions_are_stable(ctx: trt.IExecutionContext) -> None:
    data = arrays()
    binding = ctx.bind(data)
    for i in range(2000):
        data["x"][0, 0] = i
        binding.execute()
    assert data["y"][0, 0] == 1999
    assert sys.getrefcount(binding) == 2
