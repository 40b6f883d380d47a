"""Binding (IExecutionContext.bind) on the test double: addresses and shapes set and enqueued in one call.

Shapes inferred from the arrays bound, addresses and shapes updated, the C
array of addresses written directly, validation and refusals, streams, and the
memory a binding keeps alive. The plain context calls: test_context.py.
"""

from __future__ import annotations

import ctypes
import sys
import weakref

import numpy as np
import pytest

import trt_runtime as trt
from copy_engine import arrays, ctx, engine, wire  # noqa: F401 - fixtures ctx, engine


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
