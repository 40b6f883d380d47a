"""Runtimes bound to one CUDA device: ``Runtime(logger, device=N)``.

CPU tier: the argument checks, and the clear error where no CUDA driver or
device exists. GPU tier (on the double, whose calls the shim wraps like the
real library's, and on the real libraries): the runtime, its engines and
contexts run every call in device N's primary context, observed from inside
callbacks (logger, profiler), and the calling thread's current context is
the same after each call as before it.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import trt_runtime as trt
from conftest import REAL_LIBS, RecordingLogger, make_plan
from copy_engine import PROFILES, TENSORS, arrays, wire
from support import current, primary


def _driver() -> Any:
    """libcuda through ctypes, initialised, or None (no driver, or no device)."""
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return None
    count = ctypes.c_int(0)
    if cuda.cuInit(0) != 0 or cuda.cuDeviceGetCount(ctypes.byref(count)) != 0 or count.value == 0:
        return None
    return cuda


def in_fresh_thread(work: Callable[[], None]) -> None:
    """Runs ``work`` in a thread that has no current CUDA context, re-raising what it raises."""
    failures: list[BaseException] = []

    def body() -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            failures.append(exc)

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


class ContextLogger(trt.ILogger):
    """Records the CUDA context current while each message is logged."""

    def __init__(self, cuda: Any) -> None:
        trt.ILogger.__init__(self)
        self.cuda = cuda
        self.seen: list[int] = []

    def log(self, severity: trt.Severity, msg: str) -> None:
        self.seen.append(current(self.cuda))


class ContextProfiler(trt.IProfiler):
    def __init__(self, cuda: Any) -> None:
        trt.IProfiler.__init__(self)
        self.cuda = cuda
        self.seen: list[int] = []

    def report_layer_time(self, layer_name: str, ms: float) -> None:
        self.seen.append(current(self.cuda))


# ------------------------------------------------------------------ every machine


@pytest.mark.parametrize("device", ["0", 0.0, True, [0]])
def test_device_must_be_an_int(fake_library: trt.Library, device: Any) -> None:
    with pytest.raises(TypeError, match="device must be an int"):
        trt.Runtime(RecordingLogger(), library=fake_library, device=device)


@pytest.mark.parametrize("device", [-1, -7, 2**31])
def test_device_must_be_an_ordinal(fake_library: trt.Library, device: int) -> None:
    with pytest.raises(trt.InvalidArgumentError, match="device must") as info:
        trt.Runtime(RecordingLogger(), library=fake_library, device=device)
    assert isinstance(info.value, ValueError)


def test_by_default_a_runtime_follows_the_caller_s_context(runtime: trt.Runtime, fake_lean_path: Any) -> None:
    assert runtime.device is None
    assert runtime.load_runtime(fake_lean_path).device is None


def test_a_device_without_a_cuda_driver_is_a_clear_error(fake_library: trt.Library) -> None:
    if _driver() is not None:
        pytest.skip("this machine has a CUDA device: tests/test_device.py's GPU tier covers it")
    logger = RecordingLogger()
    with pytest.raises(trt.NoDeviceError, match="device=0 was asked for, but the CUDA driver") as info:
        trt.Runtime(logger, library=fake_library, device=0)
    assert "libcuda.so.1" in str(info.value) or "cuInit" in str(info.value)
    # Nothing was created: the same library still makes runtimes.
    trt.Runtime(logger, library=fake_library).close()


# ------------------------------------------------------------------ GPU tier


@pytest.fixture
def cuda() -> Any:
    found = _driver()
    if found is None:
        pytest.skip("no CUDA device")
    return found


@pytest.mark.gpu
def test_a_device_that_does_not_exist_is_refused(fake_library: trt.Library, cuda: Any) -> None:
    count = ctypes.c_int()
    assert cuda.cuDeviceGetCount(ctypes.byref(count)) == 0
    with pytest.raises(trt.InvalidArgumentError, match=f"device={count.value} does not exist: this process sees "
                                                       f"{count.value} CUDA device"):
        trt.Runtime(RecordingLogger(), library=fake_library, device=count.value)


@pytest.mark.gpu
def test_every_call_runs_in_the_device_s_primary_context_and_restores_none(fake_library: trt.Library,
                                                                          cuda: Any) -> None:
    wanted = primary(cuda, 0)

    def work() -> None:
        assert current(cuda) == 0  # a fresh thread has no current context
        logger = ContextLogger(cuda)
        runtime = trt.Runtime(logger, library=fake_library, device=0)
        assert runtime.device == 0 and current(cuda) == 0
        engine = runtime.deserialize(make_plan("copy", TENSORS, profiles=PROFILES, device_memory_size=256))
        assert current(cuda) == 0
        assert logger.seen and set(logger.seen) == {wanted}  # "Loaded engine size ..." and friends
        ctx = engine.create_execution_context()
        profiler = ContextProfiler(cuda)
        ctx.profiler = profiler
        data = arrays()
        wire(ctx, data)
        assert ctx.execute_async_v3(0) is True
        assert current(cuda) == 0
        assert profiler.seen == [wanted]
        np.testing.assert_array_equal(data["y"], data["x"])
        ctx.close()
        engine.close()
        runtime.close()
        assert current(cuda) == 0

    in_fresh_thread(work)


@pytest.mark.gpu
def test_the_caller_s_own_context_is_current_again_after_each_call(fake_library: trt.Library, cuda: Any) -> None:
    wanted = primary(cuda, 0)

    def work() -> None:
        mine = ctypes.c_void_p()
        dev = ctypes.c_int()
        assert cuda.cuDeviceGet(ctypes.byref(dev), 0) == 0
        assert cuda.cuCtxCreate_v2(ctypes.byref(mine), 0, dev) == 0  # current from now on
        try:
            assert current(cuda) == mine.value != wanted
            logger = ContextLogger(cuda)
            runtime = trt.Runtime(logger, library=fake_library, device=0)
            engine = runtime.deserialize(make_plan("copy", TENSORS, profiles=PROFILES, device_memory_size=256))
            assert current(cuda) == mine.value
            ctx = engine.create_execution_context()
            profiler = ContextProfiler(cuda)
            ctx.profiler = profiler
            wire(ctx, arrays())
            ctx.execute_async_v3(0)
            assert current(cuda) == mine.value
            assert set(logger.seen) == {wanted} and profiler.seen == [wanted]
            # A failing call restores it too.
            with pytest.raises(trt.DeserializationError):
                runtime.deserialize(b"\0" * 64)
            assert current(cuda) == mine.value
            del ctx, engine, runtime
        finally:
            cuda.cuCtxDestroy_v2(mine)

    in_fresh_thread(work)


@pytest.mark.gpu
def test_without_a_device_calls_run_in_the_caller_s_context(fake_library: trt.Library, cuda: Any) -> None:
    def work() -> None:
        logger = ContextLogger(cuda)
        runtime = trt.Runtime(logger, library=fake_library)
        runtime.deserialize(make_plan("copy", TENSORS, profiles=PROFILES, device_memory_size=256))
        assert logger.seen and set(logger.seen) == {0}  # nothing made current behind the caller's back

    in_fresh_thread(work)


@pytest.mark.gpu
@pytest.mark.parametrize("kind", ["lean", "dispatch"])
def test_the_real_library_makes_its_runtime_on_the_device(cuda: Any, kind: str) -> None:
    path = REAL_LIBS[kind]
    if path is None:
        pytest.skip(f"the real {kind} library is not installed")
    wanted = primary(cuda, 0)

    def work() -> None:
        logger = ContextLogger(cuda)
        runtime = trt.Runtime(logger, library=trt.load_library(path), device=0)
        assert current(cuda) == 0
        with pytest.raises(trt.DeserializationError):
            runtime.deserialize(b"\0" * 64)
        assert current(cuda) == 0
        assert logger.seen and set(logger.seen) == {wanted}
        runtime.close()

    in_fresh_thread(work)


# ------------------------------------------------------------------ memory on the wrong device


class OnDevice:
    """Memory that says which CUDA device it is on, as DLPack producers (torch, CuPy) do."""

    def __init__(self, address: int, nbytes: int, ordinal: int) -> None:
        self.ordinal = ordinal
        self.__cuda_array_interface__ = {"data": (address, False), "shape": (nbytes // 4,), "typestr": "<f4",
                                         "version": 3}

    def __dlpack_device__(self) -> tuple[int, int]:
        return (2, self.ordinal)  # kDLCUDA


def test_where_memory_says_it_lives() -> None:
    class TorchLike:
        class device:  # noqa: N801 - torch's attribute name
            type, index = "cuda", 3

    assert trt.cuda_ordinal(OnDevice(4096, 64, 1)) == 1
    assert trt.cuda_ordinal(TorchLike()) == 3
    assert trt.cuda_ordinal(np.zeros(4)) is None  # host memory, says nothing of a device
    assert trt.cuda_ordinal(4096) is None


def test_a_runtime_without_a_device_takes_memory_of_any_device(runtime: trt.Runtime) -> None:
    ctx = runtime.deserialize(make_plan("copy", TENSORS, profiles=PROFILES)).create_execution_context()
    assert ctx.set_tensor_address("flags", OnDevice(4096, 64, 5)) is True


@pytest.mark.gpu
def test_memory_on_another_device_is_refused(fake_library: trt.Library, cuda: Any) -> None:
    runtime = trt.Runtime(RecordingLogger(), library=fake_library, device=0)
    ctx = runtime.deserialize(make_plan("copy", TENSORS, profiles=PROFILES)).create_execution_context()
    data = arrays()
    wire(ctx, data)
    wrong = OnDevice(data["flags"].ctypes.data, 12, 1)
    with pytest.raises(trt.InvalidArgumentError, match="'flags' is on CUDA device 1, but this context runs on device 0"):
        ctx.set_tensor_address("flags", wrong)
    assert ctx.get_tensor_address("flags") == data["flags"].ctypes.data  # unchanged
    with pytest.raises(trt.InvalidArgumentError, match="CUDA device 1"):
        ctx.bind({**data, "flags": wrong})
    assert ctx.set_tensor_address("flags", OnDevice(data["flags"].ctypes.data, 12, 0)) is True
