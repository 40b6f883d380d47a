"""The test double's CUDA mode and its data-dependent ("dds") outputs.

CUDA mode (``FAKE_TRT_CUDA=1``, tests/double/README.md "CUDA mode"): enqueue
copies input k to output k with the CUDA driver (``cuMemcpyAsync`` on the
enqueue's stream; ``executeV2``: the legacy default stream, then
``cuStreamSynchronize``), so tensor addresses may be device pointers. On the
CPU it runs against the host stand-in for CUDA (tests/double/fake_libcuda.cpp,
named by ``FAKE_TRT_CUDA_LIBRARY``), whose counters show every copy went
through the driver; without a driver the enqueue fails with the reason, and
with the mode off the driver is never called. The ``gpu`` tests run it on a
real GPU with torch's device memory and streams.

"dds" outputs (an output whose name starts with "dds"): their dynamic extents
are -1 in ``get_tensor_shape`` until an enqueue has run with the shapes set
now, ``get_max_output_size`` is the profile's upper bound, and the enqueue
gives the output allocator the real size, then the real shape.
"""

from __future__ import annotations

import ctypes
import pathlib
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import trt_runtime as trt
from conftest import make_plan
from copy_engine import arrays, ctx, engine, wire  # noqa: F401 - fixtures
from double.build import build_fake_cuda

# ------------------------------------------------------------------ helpers


@pytest.fixture(scope="module")
def fake_cuda(tmp_path_factory: pytest.TempPathFactory) -> tuple[pathlib.Path, Any]:
    """The host stand-in for CUDA, and a ctypes handle on it (the same mapping the double opens: one set of counters)."""
    path = build_fake_cuda(tmp_path_factory.mktemp("fake_cuda"))
    dll = ctypes.CDLL(str(path))
    dll.fake_cuda_last_stream.restype = ctypes.c_uint64
    return path, dll


@pytest.fixture
def cuda_mode(fake_cuda: tuple[pathlib.Path, Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    """CUDA mode on, over the stand-in; gives the counters' handle."""
    monkeypatch.setenv("FAKE_TRT_CUDA", "1")
    monkeypatch.setenv("FAKE_TRT_CUDA_LIBRARY", str(fake_cuda[0]))
    monkeypatch.delenv("FAKE_CUDA_FAIL", raising=False)
    return fake_cuda[1]


def counts(dll: Any) -> tuple[int, int]:
    return dll.fake_cuda_memcpy_calls(), dll.fake_cuda_sync_calls()


def enqueue_error(call: Any, *args: Any) -> str:
    with pytest.raises(trt.TensorRTError) as info:
        call(*args)
    return str(info.value)


class Buffers(trt.IOutputAllocator):
    """Host memory for outputs (the stand-in's "device" memory is host memory); records what it was asked and told."""

    def __init__(self) -> None:
        self.buffers: dict[str, np.ndarray] = {}
        self.asked: list[tuple[str, int, int, int, int]] = []
        self.shapes: dict[str, tuple[int, ...]] = {}

    def reallocate_output_async(self, tensor_name: str, memory: int, size: int, alignment: int, stream: int) -> int:
        self.asked.append((tensor_name, memory, size, alignment, stream))
        buf = self.buffers.get(tensor_name)
        if buf is None or buf.nbytes < size:
            buf = self.buffers[tensor_name] = np.zeros(max(size, 1), np.uint8)
        return buf.ctypes.data

    def notify_shape(self, tensor_name: str, shape: trt.Dims) -> None:
        self.shapes[tensor_name] = tuple(shape)


class Listener(trt.IDebugListener):
    def __init__(self) -> None:
        self.seen: list[tuple[str, int, int, tuple[int, ...]]] = []

    def process_debug_tensor(self, addr: int, location: trt.TensorLocation, type: trt.DataType, shape: trt.Dims,
                             name: str, stream: int) -> bool:
        self.seen.append((name, addr, stream, tuple(shape)))
        return True


class Times(trt.IProfiler):
    def __init__(self) -> None:
        self.reports: list[tuple[str, float]] = []

    def report_layer_time(self, layer_name: str, ms: float) -> None:
        self.reports.append((layer_name, ms))


# ------------------------------------------------------------------ the mode off, or no driver


@pytest.mark.parametrize("value", [None, "0"])
def test_mode_off_never_calls_the_driver(ctx: trt.IExecutionContext, fake_cuda: tuple[pathlib.Path, Any],
                                         monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("FAKE_TRT_CUDA", raising=False)
    else:
        monkeypatch.setenv("FAKE_TRT_CUDA", value)
    monkeypatch.setenv("FAKE_TRT_CUDA_LIBRARY", str(fake_cuda[0]))
    before = counts(fake_cuda[1])
    data = arrays()
    wire(ctx, data)
    assert ctx.execute_async_v3(0) is True
    assert ctx.execute_v2([a.ctypes.data for a in data.values()]) is True
    assert counts(fake_cuda[1]) == before
    assert np.array_equal(data["y"], data["x"]) and np.array_equal(data["flags_out"], data["flags"])


@pytest.mark.parametrize("library, reason", [
    ("/nonexistent/libcuda.so.1", "cannot open the CUDA driver library '/nonexistent/libcuda.so.1': "),
    ("DOUBLE", "lacks cuInit"),  # a library that is not a driver: the double itself
])
def test_mode_on_without_a_driver_fails_the_enqueue_with_the_reason(
        ctx: trt.IExecutionContext, fake_lib_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch,
        library: str, reason: str) -> None:
    monkeypatch.setenv("FAKE_TRT_CUDA", "1")
    monkeypatch.setenv("FAKE_TRT_CUDA_LIBRARY", str(fake_lib_path) if library == "DOUBLE" else library)
    data = arrays()
    ctx.set_input_shape("x", data["x"].shape)
    for name, a in data.items():
        if name != "y":
            ctx.set_tensor_address(name, a.ctypes.data)
    alloc = Buffers()
    ctx.set_output_allocator("y", alloc)
    message = enqueue_error(ctx.execute_async_v3, 0)
    assert "FAKE_TRT_CUDA=1 but " in message and reason in message
    assert ctx.execute_async_v3_nocheck(0) is False
    assert "FAKE_TRT_CUDA=1 but " in enqueue_error(ctx.execute_v2, [a.ctypes.data for a in data.values()])
    assert alloc.asked == [] and alloc.shapes == {}  # failed before any callback
    assert not data["flags_out"].any()
    monkeypatch.setenv("FAKE_TRT_CUDA", "0")  # nothing left behind: the host mode still works
    assert ctx.execute_async_v3(0) is True
    assert np.array_equal(data["flags_out"], data["flags"])


def test_a_failed_cuinit_is_reported_and_not_kept(ctx: trt.IExecutionContext, tmp_path: pathlib.Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = build_fake_cuda(tmp_path)  # a driver of its own: the knob's name is new to the double
    monkeypatch.setenv("FAKE_TRT_CUDA", "1")
    monkeypatch.setenv("FAKE_TRT_CUDA_LIBRARY", str(path))
    monkeypatch.setenv("FAKE_CUDA_FAIL", "init")
    data = arrays()
    wire(ctx, data)
    assert f"cuInit of '{path}' failed: CUDA_ERROR_NO_DEVICE (100)" in enqueue_error(ctx.execute_async_v3, 0)
    monkeypatch.delenv("FAKE_CUDA_FAIL")
    assert ctx.execute_async_v3(0) is True
    assert np.array_equal(data["y"], data["x"])


# ------------------------------------------------------------------ the mode on, over the host stand-in


def test_enqueue_copies_through_the_driver_on_its_stream(ctx: trt.IExecutionContext, cuda_mode: Any) -> None:
    data = arrays()
    wire(ctx, data)
    memcpys, syncs = counts(cuda_mode)
    assert ctx.execute_async_v3(0x1234) is True
    assert counts(cuda_mode) == (memcpys + 2, syncs)  # one per input/output pair; asynchronous: no wait
    assert cuda_mode.fake_cuda_last_stream() == 0x1234
    assert np.array_equal(data["y"], data["x"]) and np.array_equal(data["flags_out"], data["flags"])


def test_execute_v2_copies_on_the_legacy_stream_and_waits(ctx: trt.IExecutionContext, cuda_mode: Any) -> None:
    data = arrays()
    ctx.set_input_shape("x", data["x"].shape)
    memcpys, syncs = counts(cuda_mode)
    assert ctx.execute_v2([a.ctypes.data for a in data.values()]) is True
    assert counts(cuda_mode) == (memcpys + 2, syncs + 1)
    assert cuda_mode.fake_cuda_last_stream() == 0
    assert np.array_equal(data["y"], data["x"])


def test_callbacks_get_the_enqueues_stream_and_the_copy_goes_to_the_allocators_memory(
        runtime: trt.Runtime, cuda_mode: Any) -> None:
    plan = make_plan("cb", [("x", 1, 0, (-1, 4)), ("debug_in", 1, 3, (3,)), ("y", 2, 0, (-1, 4)),
                            ("debug_out", 2, 3, (3,))], profile_min={"x": (1, 4)}, profile_opt={"x": (2, 4)},
                     profile_max={"x": (4, 4)})
    c = runtime.deserialize(plan).create_execution_context()
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    d_in, d_out = np.array([7, 8, 9], np.int32), np.zeros(3, np.int32)
    c.set_input_shape("x", x.shape)
    for name, a in (("x", x), ("debug_in", d_in), ("debug_out", d_out)):
        c.set_tensor_address(name, a.ctypes.data)
    alloc, listener, times = Buffers(), Listener(), Times()
    c.set_output_allocator("y", alloc)
    c.set_debug_listener(listener)
    c.set_all_tensors_debug_state(True)
    c.profiler = times
    assert c.execute_async_v3(55) is True
    assert alloc.asked == [("y", 0, 32, 256, 55)] and alloc.shapes == {"y": (2, 4)}
    assert np.array_equal(alloc.buffers["y"].view(np.float32).reshape(2, 4), x)
    assert listener.seen == [("debug_in", d_in.ctypes.data, 55, (3,)), ("debug_out", d_out.ctypes.data, 55, (3,))]
    assert times.reports == [("cb", 0.125)]
    assert np.array_equal(d_out, d_in)
    c.close()


def test_a_refused_copy_is_reported_and_nothing_after_it_runs(ctx: trt.IExecutionContext, cuda_mode: Any,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    data = arrays()
    wire(ctx, data)
    times = Times()
    ctx.profiler = times
    monkeypatch.setenv("FAKE_CUDA_FAIL", "memcpy")
    message = enqueue_error(ctx.execute_async_v3, 0)
    assert "cuMemcpyAsync from input 'x' to output 'y' (32 bytes) failed: CUDA_ERROR_INVALID_VALUE (1)" in message
    assert times.reports == []
    monkeypatch.setenv("FAKE_CUDA_FAIL", "sync")
    message = enqueue_error(ctx.execute_v2, [a.ctypes.data for a in data.values()])
    assert "executeV2: cuStreamSynchronize failed: CUDA_ERROR_LAUNCH_FAILED (719)" in message
    monkeypatch.delenv("FAKE_CUDA_FAIL")
    assert ctx.execute_async_v3(0) is True and times.reports == [("copy", 0.125)]


def test_a_thread_without_a_context_gets_the_primary_one(engine: trt.ICudaEngine, cuda_mode: Any) -> None:
    # The stand-in starts every thread with no current context, as CUDA does:
    # the double makes device 0's primary context current (retained once).
    failures: list[BaseException] = []

    def work() -> None:
        try:
            c = engine.create_execution_context()
            data = arrays()
            wire(c, data)
            assert c.execute_async_v3(0) is True
            assert np.array_equal(data["y"], data["x"])
            c.close()
        except BaseException as exc:  # noqa: BLE001 - re-raised on the main thread
            failures.append(exc)

    for _ in range(3):
        t = threading.Thread(target=work)
        t.start()
        t.join()
    assert not failures, failures
    assert cuda_mode.fake_cuda_primary_retains() == 1


# ------------------------------------------------------------------ "dds" outputs (data-dependent shapes)

DDS = [("x", 1, 0, (-1, 4)), ("flags", 1, 3, (3,)), ("dds_y", 2, 0, (-1, 4)), ("dds_flags", 2, 3, (3,)),
       ("dds_extra", 2, 0, (-1, 2))]


@pytest.fixture(params=["host", "cuda"])
def dds(request: pytest.FixtureRequest, runtime: trt.Runtime) -> Iterator[trt.IExecutionContext]:
    """A context with "dds" outputs (the last one has no matching input), in host mode and over the stand-in."""
    if request.param == "cuda":
        request.getfixturevalue("cuda_mode")
    engine = runtime.deserialize(make_plan("dds", DDS, profile_min={"x": (1, 4)}, profile_opt={"x": (2, 4)},
                                           profile_max={"x": (8, 4)}))
    c = engine.create_execution_context()
    yield c
    c.close()


def test_a_dds_shape_is_unknown_until_an_enqueue_and_the_allocator_gets_the_real_size(
        dds: trt.IExecutionContext) -> None:
    engine = dds.engine
    assert tuple(dds.get_tensor_shape("dds_y")) == (-1, 4)
    assert dds.get_max_output_size("dds_y") == -1  # input shapes not set
    x, flags = np.arange(12, dtype=np.float32).reshape(3, 4) + 1, np.array([4, 5, 6], np.int32)
    dds.set_input_shape("x", x.shape)
    dds.set_tensor_address("x", x.ctypes.data)
    dds.set_tensor_address("flags", flags.ctypes.data)
    assert tuple(dds.get_tensor_shape("dds_y")) == (-1, 4)  # unlike an output of known shape
    assert tuple(dds.get_tensor_shape("dds_flags")) == (3,)  # static extents are known
    assert dds.get_max_output_size("dds_y") == 8 * 4 * 4  # the profile's max
    assert dds.get_max_output_size("dds_extra") == 0  # no matching input: an empty result
    alloc = Buffers()
    for name in ("dds_y", "dds_flags", "dds_extra"):
        dds.set_output_allocator(name, alloc)
    assert dds.execute_async_v3(9) is True
    assert alloc.asked == [("dds_y", 0, 48, 256, 9), ("dds_flags", 0, 12, 256, 9), ("dds_extra", 0, 0, 256, 9)]
    assert alloc.shapes == {"dds_y": (3, 4), "dds_flags": (3,), "dds_extra": (0, 2)}
    assert np.array_equal(alloc.buffers["dds_y"][:48].view(np.float32).reshape(3, 4), x)
    assert np.array_equal(alloc.buffers["dds_flags"][:12].view(np.int32), flags)
    assert tuple(dds.get_tensor_shape("dds_y")) == (3, 4) and tuple(dds.get_tensor_shape("dds_extra")) == (0, 2)
    assert tuple(engine.get_tensor_shape("dds_y")) == (-1, 4)  # the engine's shape stays dynamic

    # Other input shapes: unknown again until the next enqueue, which reuses the allocator's memory.
    dds.set_input_shape("x", (5, 4))
    assert tuple(dds.get_tensor_shape("dds_y")) == (-1, 4)
    dds.set_input_shape("x", (3, 4))
    assert tuple(dds.get_tensor_shape("dds_y")) == (3, 4)  # the shapes the last enqueue ran with
    x5 = np.arange(20, dtype=np.float32).reshape(5, 4)
    dds.set_input_shape("x", x5.shape)
    dds.set_tensor_address("x", x5.ctypes.data)
    first = alloc.buffers["dds_y"].ctypes.data
    assert dds.execute_async_v3(9) is True
    assert alloc.asked[3] == ("dds_y", first, 80, 256, 9)
    assert alloc.shapes["dds_y"] == (5, 4) == tuple(dds.get_tensor_shape("dds_y"))
    assert np.array_equal(alloc.buffers["dds_y"][:80].view(np.float32).reshape(5, 4), x5)


def test_a_dds_output_may_be_given_memory_of_its_upper_bound(dds: trt.IExecutionContext) -> None:
    x, flags = np.arange(8, dtype=np.float32).reshape(2, 4), np.array([1, 2, 3], np.int32)
    dds.set_input_shape("x", x.shape)
    out = {name: np.zeros(max(dds.get_max_output_size(name), 1), np.uint8) for name in ("dds_y", "dds_flags",
                                                                                          "dds_extra")}
    assert out["dds_y"].nbytes == 128
    for name, a in (("x", x), ("flags", flags), *out.items()):
        dds.set_tensor_address(name, a.ctypes.data)
    assert dds.execute_v2([a.ctypes.data for a in (x, flags, *out.values())]) is True
    assert tuple(dds.get_tensor_shape("dds_y")) == (2, 4)
    assert np.array_equal(out["dds_y"][:32].view(np.float32).reshape(2, 4), x)
    assert not out["dds_y"][32:].any()


def test_a_dds_shape_is_forgotten_when_the_profile_changes(runtime: trt.Runtime) -> None:
    plan = make_plan("dds2", [("x", 1, 0, (-1, 4)), ("dds_y", 2, 0, (-1, 4))],
                     profiles=[{"x": ((1, 4), (2, 4), (4, 4))}, {"x": ((1, 4), (2, 4), (16, 4))}])
    c = runtime.deserialize(plan).create_execution_context()
    x, y = np.ones((2, 4), np.float32), np.zeros((16, 4), np.float32)
    c.set_input_shape("x", x.shape)
    c.set_tensor_address("x", x.ctypes.data)
    c.set_tensor_address("dds_y", y.ctypes.data)
    assert c.get_max_output_size("dds_y") == 64
    assert c.execute_async_v3(0) is True and tuple(c.get_tensor_shape("dds_y")) == (2, 4)
    assert c.set_optimization_profile_async(1, 0) is True
    c.set_input_shape("x", x.shape)
    assert tuple(c.get_tensor_shape("dds_y")) == (-1, 4)
    assert c.get_max_output_size("dds_y") == 256
    c.close()


# ------------------------------------------------------------------ on a GPU (real driver, torch's memory)


@pytest.fixture
def torch_cuda(monkeypatch: pytest.MonkeyPatch) -> Any:
    """torch with a CUDA device, and CUDA mode on over the real driver (libcuda.so.1)."""
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("torch sees no CUDA device")
    monkeypatch.setenv("FAKE_TRT_CUDA", "1")
    monkeypatch.delenv("FAKE_TRT_CUDA_LIBRARY", raising=False)
    return torch


def device_arrays(torch: Any, batch: int = 2) -> dict[str, Any]:
    return {name: torch.from_numpy(a).cuda() for name, a in arrays(batch).items()}


@pytest.mark.gpu
def test_gpu_enqueue_copies_device_memory_on_a_stream(ctx: trt.IExecutionContext, torch_cuda: Any) -> None:
    torch = torch_cuda
    data = device_arrays(torch, 3)
    ctx.set_input_shape("x", tuple(data["x"].shape))
    for name, t in data.items():
        ctx.set_tensor_address(name, t.data_ptr())
    stream = torch.cuda.Stream()
    torch.cuda.synchronize()
    assert ctx.execute_async_v3(stream.cuda_stream) is True
    stream.synchronize()
    assert torch.equal(data["y"], data["x"]) and torch.equal(data["flags_out"], data["flags"])


@pytest.mark.gpu
def test_gpu_execute_v2_with_device_pointers(ctx: trt.IExecutionContext, torch_cuda: Any) -> None:
    data = device_arrays(torch_cuda)
    ctx.set_input_shape("x", tuple(data["x"].shape))
    torch_cuda.cuda.synchronize()
    assert ctx.execute_v2([t.data_ptr() for t in data.values()]) is True  # synchronous: no wait needed
    assert torch_cuda.equal(data["y"], data["x"])


@pytest.mark.gpu
def test_gpu_callbacks_and_a_dds_output_in_device_memory(runtime: trt.Runtime, torch_cuda: Any) -> None:
    torch = torch_cuda

    class DeviceBuffers(trt.IOutputAllocator):
        def __init__(self) -> None:
            self.buffers: dict[str, Any] = {}
            self.asked: list[tuple[str, int, int]] = []
            self.shapes: dict[str, tuple[int, ...]] = {}

        def reallocate_output_async(self, tensor_name: str, memory: int, size: int, alignment: int,
                                    stream: int) -> int:
            self.asked.append((tensor_name, size, stream))
            self.buffers[tensor_name] = torch.empty(max(size, 1), dtype=torch.uint8, device="cuda")
            return self.buffers[tensor_name].data_ptr()  # type: ignore[no-any-return]

        def notify_shape(self, tensor_name: str, shape: trt.Dims) -> None:
            self.shapes[tensor_name] = tuple(shape)

    engine = runtime.deserialize(make_plan("gdds", [("x", 1, 0, (-1, 4)), ("debug_in", 1, 3, (3,)),
                                                    ("dds_y", 2, 0, (-1, 4)), ("debug_out", 2, 3, (3,))],
                                           profile_min={"x": (1, 4)}, profile_opt={"x": (2, 4)},
                                           profile_max={"x": (8, 4)}))
    c = engine.create_execution_context()
    x = torch.arange(12, dtype=torch.float32, device="cuda").reshape(3, 4)
    d_in = torch.tensor([7, 8, 9], dtype=torch.int32, device="cuda")
    d_out = torch.zeros(3, dtype=torch.int32, device="cuda")
    c.set_input_shape("x", (3, 4))
    for name, t in (("x", x), ("debug_in", d_in), ("debug_out", d_out)):
        c.set_tensor_address(name, t.data_ptr())
    alloc, listener, times = DeviceBuffers(), Listener(), Times()
    c.set_output_allocator("dds_y", alloc)
    c.set_debug_listener(listener)
    c.set_all_tensors_debug_state(True)
    c.profiler = times
    assert tuple(c.get_tensor_shape("dds_y")) == (-1, 4) and c.get_max_output_size("dds_y") == 128
    stream = torch.cuda.Stream()
    torch.cuda.synchronize()
    assert c.execute_async_v3(stream.cuda_stream) is True
    stream.synchronize()
    assert alloc.asked == [("dds_y", 48, stream.cuda_stream)] and alloc.shapes == {"dds_y": (3, 4)}
    assert torch.equal(alloc.buffers["dds_y"][:48].view(torch.float32).reshape(3, 4), x)
    assert listener.seen == [("debug_in", d_in.data_ptr(), stream.cuda_stream, (3,)),
                             ("debug_out", d_out.data_ptr(), stream.cuda_stream, (3,))]
    assert torch.equal(d_out, d_in) and times.reports == [("gdds", 0.125)]
    c.close()


@pytest.mark.gpu
def test_gpu_enqueue_from_a_thread_that_never_used_cuda(engine: trt.ICudaEngine, torch_cuda: Any) -> None:
    data = device_arrays(torch_cuda)
    torch_cuda.cuda.synchronize()
    results: list[bool] = []

    def work() -> None:
        c = engine.create_execution_context()
        c.set_input_shape("x", tuple(data["x"].shape))
        results.append(c.execute_v2([t.data_ptr() for t in data.values()]))
        c.close()

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert results == [True] and torch_cuda.equal(data["y"], data["x"])
