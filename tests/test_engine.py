"""ICudaEngine on the test double: properties, tensor queries, profiles, recorder, serialize, pickling."""

from __future__ import annotations

import ctypes
import os
import pathlib
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import trt_runtime as trt
from conftest import DOUBLE_MAJOR, DOUBLE_VERSION, RecordingLogger, make_plan, other_double_version, since_10
from trt_runtime._engine import _unpickle_engine
from trt_runtime._ffi import lib

TENSORS = [
    ("images", 1, 0, (-1, 3, 8, 8)),
    ("scale", 1, 1, (4,)),
    ("logits", 2, 0, (-1, 10)),
    ("mask", 2, 4, (4,)),
]
PROFILE = {"images": ((1, 3, 8, 8), (2, 3, 8, 8), (8, 3, 8, 8))}


def engine_plan(**kwargs: object) -> bytes:
    kwargs.setdefault("profile_min", {"images": PROFILE["images"][0]})
    kwargs.setdefault("profile_opt", {"images": PROFILE["images"][1]})
    kwargs.setdefault("profile_max", {"images": PROFILE["images"][2]})
    return make_plan("classifier", TENSORS, device_memory_size=12345, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def plan() -> bytes:
    return engine_plan()


@pytest.fixture
def engine(runtime: trt.Runtime, plan: bytes) -> trt.ICudaEngine:
    e = runtime.deserialize(plan)
    yield e
    e.close()


#: The weight streaming V2 calls came in TensorRT 10.1 (every 11.x has them).
WEIGHT_STREAMING_V2 = since_10(1)


class FailingRecorder(trt.ErrorRecorder):
    def report_error(self, val: trt.ErrorCode, desc: str) -> bool:
        raise KeyError("recorder exploded")


# ------------------------------------------------------------------ engine-wide properties


def test_engine_wide_properties(engine: trt.ICudaEngine) -> None:
    assert engine.name == "classifier"
    assert engine.num_io_tensors == 4
    assert engine.num_layers == 1
    assert engine.num_optimization_profiles == 1
    assert engine.num_aux_streams == 0
    assert engine.refittable is False
    assert engine.engine_capability is trt.EngineCapability.STANDARD
    assert engine.hardware_compatibility_level is trt.HardwareCompatibilityLevel.NONE
    assert engine.profiling_verbosity is trt.ProfilingVerbosity.LAYER_NAMES_ONLY
    assert engine.tactic_sources == 0
    assert engine.device_memory_size_v2 == 12345
    assert engine.get_device_memory_size_for_profile_v2(0) == 12345
    assert engine.streamable_weights_size == 0
    if WEIGHT_STREAMING_V2:
        assert engine.weight_streaming_budget_v2 == 0
        assert engine.weight_streaming_automatic_budget == 0
        assert engine.weight_streaming_scratch_memory_size == 0
    else:  # 10.0: the V2 queries came in 10.1; the shim refuses them without calling the library
        for name in ("weight_streaming_budget_v2", "weight_streaming_automatic_budget",
                     "weight_streaming_scratch_memory_size"):
            with pytest.raises(trt.UnsupportedError) as info:
                getattr(engine, name)
            assert str(info.value) == ("weight streaming (the V2 budget queries) needs TensorRT 10.1 or later; "
                                       "the loaded library is 10.0")
    assert engine.runtime is not None
    assert engine.handle > 4096
    assert "classifier" in repr(engine)


def test_weight_streaming_budget_refused_with_tensorrts_reason(engine: trt.ICudaEngine,
                                                               logger: RecordingLogger) -> None:
    if not WEIGHT_STREAMING_V2:
        with pytest.raises(trt.UnsupportedError) as unsupported:
            engine.weight_streaming_budget_v2 = 1 << 20
        assert str(unsupported.value) == "setWeightStreamingBudgetV2 needs TensorRT 10.1 or later; the loaded library is 10.0"
        assert not unsupported.value.reports and not logger.errors()  # refused before the library
        with pytest.raises(TypeError):
            engine.weight_streaming_budget_v2 = 1.5  # type: ignore[assignment]
        return
    with pytest.raises(trt.InvalidArgumentError, match="does not implement setWeightStreamingBudgetV2") as info:
        engine.weight_streaming_budget_v2 = 1 << 20
    assert any(r.source == "logger" for r in info.value.reports)
    with pytest.raises(TypeError):
        engine.weight_streaming_budget_v2 = 1.5  # type: ignore[assignment]


def test_device_memory_for_profile_out_of_range(engine: trt.ICudaEngine) -> None:
    with pytest.raises(trt.InvalidArgumentError, match=r"profile 1 out of range \[0, 1\)"):
        engine.get_device_memory_size_for_profile_v2(1)
    with pytest.raises(TypeError):
        engine.get_device_memory_size_for_profile_v2("0")  # type: ignore[arg-type]


# ------------------------------------------------------------------ tensors


def test_tensor_names_in_io_order(engine: trt.ICudaEngine) -> None:
    names = [engine.get_tensor_name(i) for i in range(engine.num_io_tensors)]
    assert names == ["images", "scale", "logits", "mask"]
    assert engine.tensor_names == tuple(names)


@pytest.mark.parametrize("index", [-1, 4, 1 << 40])
def test_tensor_name_index_out_of_range(engine: trt.ICudaEngine, index: int) -> None:
    with pytest.raises(trt.InvalidArgumentError):
        engine.get_tensor_name(index)


def test_tensor_name_index_type(engine: trt.ICudaEngine) -> None:
    with pytest.raises(TypeError):
        engine.get_tensor_name("0")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        engine.get_tensor_name(True)
    assert engine.get_tensor_name(np.int64(2)) == "logits"  # type: ignore[arg-type]


def test_tensor_queries(engine: trt.ICudaEngine) -> None:
    assert engine.get_tensor_shape("images") == (-1, 3, 8, 8)
    assert isinstance(engine.get_tensor_shape("images"), trt.Dims)
    assert engine.get_tensor_shape("images").is_dynamic
    assert engine.get_tensor_shape("scale") == (4,)
    assert not engine.get_tensor_shape("scale").is_dynamic
    assert engine.get_tensor_dtype("images") is trt.DataType.FLOAT
    assert engine.get_tensor_dtype("scale") is trt.DataType.HALF
    assert engine.get_tensor_dtype("mask") is trt.DataType.BOOL
    assert engine.get_tensor_mode("images") is trt.TensorIOMode.INPUT
    assert engine.get_tensor_mode("logits") is trt.TensorIOMode.OUTPUT
    assert engine.get_tensor_location("logits") is trt.TensorLocation.DEVICE
    assert engine.get_tensor_format("images") is trt.TensorFormat.LINEAR
    assert engine.get_tensor_format("images", 0) is trt.TensorFormat.LINEAR
    assert engine.get_tensor_format_desc("images") == "row-major linear (fake_nvinfer)"
    assert engine.get_tensor_format_desc("images", 0) == "row-major linear (fake_nvinfer)"
    assert engine.get_tensor_bytes_per_component("images") == 4
    assert engine.get_tensor_bytes_per_component("scale", 0) == 2
    assert engine.get_tensor_components_per_element("images") == 1
    assert engine.get_tensor_vectorized_dim("images") == -1
    assert engine.is_shape_inference_io("images") is False
    assert engine.is_debug_tensor("images") is False


def test_tensor_info_in_one_call(engine: trt.ICudaEngine) -> None:
    info = engine.get_tensor_info("logits")
    assert info == trt.TensorInfo(
        name="logits", mode=trt.TensorIOMode.OUTPUT, dtype=trt.DataType.FLOAT, shape=trt.Dims((-1, 10)),
        location=trt.TensorLocation.DEVICE, format=trt.TensorFormat.LINEAR,
        format_desc="row-major linear (fake_nvinfer)", bytes_per_component=4, components_per_element=1,
        vectorized_dim=-1, is_shape_inference_io=False, is_debug_tensor=False)


@pytest.mark.parametrize("dtype", list(trt.DataType))
def test_every_data_type_round_trips(runtime: trt.Runtime, dtype: trt.DataType) -> None:
    engine = runtime.deserialize(make_plan("t", [("x", 1, int(dtype), (2,)), ("y", 2, int(dtype), (2,))]))
    assert engine.get_tensor_dtype("x") is dtype
    assert engine.get_tensor_bytes_per_component("x") == max(1, int(dtype.itemsize))


@pytest.mark.parametrize("method", ["get_tensor_shape", "get_tensor_dtype", "get_tensor_location",
                                    "get_tensor_format", "get_tensor_format_desc", "get_tensor_bytes_per_component",
                                    "get_tensor_components_per_element", "get_tensor_vectorized_dim",
                                    "is_shape_inference_io", "get_tensor_info"])
def test_unknown_tensor_name_raises_and_lists_the_tensors(engine: trt.ICudaEngine, method: str) -> None:
    with pytest.raises(trt.InvalidArgumentError, match=r"no I/O tensor named 'nope' \(it has 'images', 'scale'"):
        getattr(engine, method)("nope")
    with pytest.raises(TypeError, match="must be a str"):
        getattr(engine, method)(b"images")


def test_unknown_name_probe_gives_mode_none(engine: trt.ICudaEngine) -> None:
    assert engine.get_tensor_mode("nope") is trt.TensorIOMode.NONE
    with pytest.raises(TypeError):
        engine.get_tensor_mode(3)  # type: ignore[arg-type]


@pytest.mark.parametrize("profile", [1, -1])
def test_format_with_bad_profile(engine: trt.ICudaEngine, profile: int) -> None:
    with pytest.raises(trt.InvalidArgumentError, match="profile"):
        engine.get_tensor_format("images", profile)


def test_profile_shapes(engine: trt.ICudaEngine) -> None:
    shapes = engine.get_tensor_profile_shape("images", 0)
    assert shapes == [trt.Dims(s) for s in PROFILE["images"]]
    assert all(isinstance(s, trt.Dims) for s in shapes)
    # A static input's profile is its own shape.
    assert engine.get_tensor_profile_shape("scale", 0) == [(4,), (4,), (4,)]


def test_several_profiles(runtime: trt.Runtime) -> None:
    plan = make_plan("multi", [("x", 1, 0, (-1, 2)), ("y", 2, 0, (-1, 2))],
                     profiles=[{"x": ((1, 2), (2, 2), (4, 2))}, {"x": ((8, 2), (16, 2), (32, 2))}])
    engine = runtime.deserialize(plan)
    assert engine.num_optimization_profiles == 2
    assert engine.get_tensor_profile_shape("x", 1) == [(8, 2), (16, 2), (32, 2)]
    assert engine.get_device_memory_size_for_profile_v2(1) == 4096


def test_profile_shape_errors(engine: trt.ICudaEngine, logger: RecordingLogger) -> None:
    with pytest.raises(trt.InvalidArgumentError, match=r"profile 1 out of range \[0, 1\)"):
        engine.get_tensor_profile_shape("images", 1)
    with pytest.raises(trt.InvalidArgumentError, match="no I/O tensor named 'nope'"):
        engine.get_tensor_profile_shape("nope", 0)
    with pytest.raises(trt.InvalidArgumentError, match="logits"):
        engine.get_tensor_profile_shape("logits", 0)  # an output has no profile shapes
    with pytest.raises(TypeError):
        engine.get_tensor_profile_shape("images", "0")  # type: ignore[arg-type]


# ------------------------------------------------------------------ error recorder


class SwitchableAllocator(trt.IGpuAllocator):
    """Host memory as device memory until ``failing`` is set; then every allocation fails (0)."""

    def __init__(self) -> None:
        self.live: dict[int, ctypes.Array[ctypes.c_char]] = {}
        self.failing = False

    def allocate(self, size: int, alignment: int, flags: int) -> int:
        if self.failing:
            return 0
        buf = (ctypes.c_char * max(size, 1))()
        self.live[ctypes.addressof(buf)] = buf
        return ctypes.addressof(buf)

    def deallocate(self, memory: int) -> bool:
        return self.live.pop(memory, None) is not None


class Refusal:
    """A call on an engine that the double refuses, reporting one error to the engine's recorder
    (else its logger): setWeightStreamingBudgetV2 where the library has it (10.1 and later, 11.x);
    on 10.0, where the shim refuses that one itself, creating a context while the allocator the
    engine was made with fails."""

    def __init__(self, runtime: trt.Runtime, plan: bytes) -> None:
        self.allocator = None if WEIGHT_STREAMING_V2 else SwitchableAllocator()
        if self.allocator is not None:
            runtime.gpu_allocator = self.allocator
        self.engine = runtime.deserialize(plan)
        if self.allocator is not None:
            runtime.gpu_allocator = None  # the engine keeps the one it was made with
            self.allocator.failing = True
        if WEIGHT_STREAMING_V2:
            self.error, self.call = trt.InvalidArgumentError, "setWeightStreamingBudgetV2"
            self.report = (trt.ErrorCode.UNSUPPORTED_STATE, "fake_nvinfer does not implement setWeightStreamingBudgetV2")
        else:
            self.error, self.call = trt.TensorRTError, "createExecutionContext"
            self.report = (trt.ErrorCode.FAILED_ALLOCATION, "Requested amount of GPU memory could not be allocated")

    def __call__(self) -> None:
        if WEIGHT_STREAMING_V2:
            self.engine.weight_streaming_budget_v2 = 1
        else:
            self.engine.create_execution_context()


def test_engine_takes_the_runtimes_recorder(runtime: trt.Runtime, plan: bytes) -> None:
    recorder = trt.ErrorRecorder()
    runtime.error_recorder = recorder
    refusal = Refusal(runtime, plan)
    assert refusal.engine.error_recorder is recorder
    with pytest.raises(refusal.error) as info:
        refusal()
    assert recorder.errors[-1] == refusal.report
    assert info.value.reports[-1].source == "recorder"
    assert info.value.reports[-1].code == refusal.report[0]
    assert refusal.call in str(info.value)


def test_engine_recorder_set_and_cleared(runtime: trt.Runtime, plan: bytes, logger: RecordingLogger) -> None:
    refusal = Refusal(runtime, plan)
    engine = refusal.engine
    assert engine.error_recorder is None
    recorder = trt.ErrorRecorder()
    engine.error_recorder = recorder
    assert engine.error_recorder is recorder
    with pytest.raises(refusal.error):
        refusal()
    assert recorder.errors == [refusal.report]
    assert not logger.errors()
    engine.error_recorder = None
    assert engine.error_recorder is None
    with pytest.raises(refusal.error):
        refusal()
    assert len(recorder.errors) == 1
    assert any(refusal.report[1] in m for m in logger.errors())
    with pytest.raises(TypeError, match="IErrorRecorder"):
        engine.error_recorder = object()  # type: ignore[assignment]


def test_recorder_exception_comes_out_of_the_call(runtime: trt.Runtime, plan: bytes) -> None:
    refusal = Refusal(runtime, plan)
    refusal.engine.error_recorder = FailingRecorder()
    with pytest.raises(KeyError, match="recorder exploded") as info:
        refusal()
    assert any(refusal.report[1] in note for note in info.value.__notes__)


def test_recorder_outlives_the_engine(runtime: trt.Runtime, plan: bytes) -> None:
    recorder = trt.ErrorRecorder()
    engine = runtime.deserialize(plan)
    engine.error_recorder = recorder
    ctx = engine.create_execution_context()
    assert ctx.error_recorder is recorder
    del recorder
    engine.close()
    with pytest.raises(trt.TensorRTError):
        ctx.execute_async_v3(0)  # no addresses: reported to the (still alive) recorder
    assert ctx.error_recorder.errors  # type: ignore[union-attr]


# ------------------------------------------------------------------ serialize


def test_serialize_gives_the_plan_without_copy(engine: trt.ICudaEngine, plan: bytes) -> None:
    memory = engine.serialize()
    assert isinstance(memory, trt.IHostMemory)
    assert memory.nbytes == len(plan) == len(memory)
    assert memory.dtype is trt.DataType.UINT8
    view = memoryview(memory)
    assert view.nbytes == len(plan)
    assert bytes(memory) == plan
    array = np.frombuffer(memory, dtype=np.uint8)
    assert array.tobytes() == plan
    # Zero copy: two views of the object see the same bytes in place.
    assert array.ctypes.data == np.frombuffer(memory, dtype=np.uint8).ctypes.data
    assert "bytes" in repr(memory)


def test_serialized_memory_deserializes_and_writes_to_files(runtime: trt.Runtime, engine: trt.ICudaEngine,
                                                            tmp_path: pathlib.Path, plan: bytes) -> None:
    memory = engine.serialize()
    again = runtime.deserialize(memory)
    assert again.name == "classifier"
    with open(tmp_path / "x.plan", "wb") as f:
        f.write(memory)  # type: ignore[arg-type]
    assert (tmp_path / "x.plan").read_bytes() == plan


def test_padded_plan_serializes_to_full_size(runtime: trt.Runtime) -> None:
    plan = engine_plan(size=1 << 20)
    memory = runtime.deserialize(plan).serialize()
    assert memory.nbytes == 1 << 20
    assert bytes(memory) == plan


def test_host_memory_outlives_engine_and_runtime(fake_library: trt.Library, plan: bytes) -> None:
    rt = trt.Runtime(RecordingLogger(), library=fake_library)
    engine = rt.deserialize(plan)
    memory = engine.serialize()
    view = memoryview(memory)
    engine.close()
    rt.close()
    del memory
    assert bytes(view) == plan


def test_host_memory_close(engine: trt.ICudaEngine, plan: bytes) -> None:
    with engine.serialize() as memory:
        assert not memory.closed
        assert bytes(memory) == plan
    assert memory.closed
    assert "closed" in repr(memory)
    memory.close()  # idempotent


@pytest.mark.skipif(sys.version_info < (3, 12), reason="views are counted from Python 3.12 (PEP 688)")
def test_host_memory_close_refused_while_viewed(engine: trt.ICudaEngine, plan: bytes) -> None:
    memory = engine.serialize()
    view = memoryview(memory)
    array = np.frombuffer(memory, np.uint8)
    with pytest.raises(BufferError, match="2 views"):
        memory.close()
    view.release()
    del array
    memory.close()
    assert memory.closed
    with pytest.raises(trt.ClosedError):
        memoryview(memory)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="before Python 3.12 views cannot be counted")
def test_host_memory_close_keeps_views_valid(engine: trt.ICudaEngine, plan: bytes) -> None:
    memory = engine.serialize()
    view = memoryview(memory)
    memory.close()
    assert memory.closed
    del memory
    assert bytes(view) == plan  # the memory stays valid while any view exists


def test_host_memory_cannot_be_made_directly() -> None:
    with pytest.raises(TypeError):
        trt.IHostMemory()


def test_host_memory_pickles_as_bytes(engine: trt.ICudaEngine, plan: bytes) -> None:
    assert pickle.loads(pickle.dumps(engine.serialize())) == plan


# ------------------------------------------------------------------ contexts


@pytest.mark.parametrize("strategy", list(trt.ExecutionContextAllocationStrategy))
def test_create_execution_context_with_each_strategy(engine: trt.ICudaEngine,
                                                     strategy: trt.ExecutionContextAllocationStrategy) -> None:
    ctx = engine.create_execution_context(strategy)
    assert isinstance(ctx, trt.IExecutionContext)
    assert ctx.engine is engine
    assert ctx.allocation_strategy is strategy
    assert ctx.handle > 4096


def test_create_execution_context_default_and_without_device_memory(engine: trt.ICudaEngine) -> None:
    assert engine.create_execution_context().allocation_strategy is trt.ExecutionContextAllocationStrategy.STATIC
    ctx = engine.create_execution_context_without_device_memory()
    assert ctx.allocation_strategy is trt.ExecutionContextAllocationStrategy.USER_MANAGED


@pytest.mark.parametrize("bad", [3, -1, "STATIC"])
def test_create_execution_context_refuses_unknown_strategy(engine: trt.ICudaEngine, bad: object) -> None:
    with pytest.raises(trt.InvalidArgumentError, match="ExecutionContextAllocationStrategy"):
        engine.create_execution_context(bad)  # type: ignore[arg-type]


class ZeroAllocator(trt.IGpuAllocator):
    """Hands out host memory for the engine, then nothing."""

    def __init__(self) -> None:
        self.buffers: dict[int, ctypes.Array[ctypes.c_char]] = {}
        self.budget = 1

    def allocate(self, size: int, alignment: int, flags: int) -> int:
        if self.budget <= 0:
            return 0
        self.budget -= 1
        buf = ctypes.create_string_buffer(size)
        self.buffers[ctypes.addressof(buf)] = buf
        return ctypes.addressof(buf)

    def deallocate(self, memory: int) -> bool:
        return self.buffers.pop(memory, None) is not None


def test_context_creation_failure_reports_tensorrts_reason(runtime: trt.Runtime, plan: bytes) -> None:
    runtime.gpu_allocator = ZeroAllocator()
    engine = runtime.deserialize(plan)  # the one allocation the allocator grants
    with pytest.raises(trt.TensorRTError, match="could not be allocated") as info:
        engine.create_execution_context()
    assert info.value.reports
    # USER_MANAGED needs no allocation.
    engine.create_execution_context(trt.ExecutionContextAllocationStrategy.USER_MANAGED).close()


# ------------------------------------------------------------------ closing


def test_closed_engine_raises_closed_error_everywhere(engine: trt.ICudaEngine) -> None:
    engine.close()
    engine.close()
    assert engine.closed
    assert "closed" in repr(engine)
    for action in (lambda: engine.name, lambda: engine.handle, lambda: engine.num_io_tensors,
                   lambda: engine.get_tensor_shape("images"), lambda: engine.get_tensor_mode("images"),
                   lambda: engine.get_tensor_profile_shape("images", 0), engine.serialize,
                   engine.create_execution_context, lambda: pickle.dumps(engine),
                   lambda: setattr(engine, "error_recorder", None)):
        with pytest.raises(trt.ClosedError):
            action()


def test_engine_context_manager_closes(runtime: trt.Runtime, plan: bytes) -> None:
    with runtime.deserialize(plan) as engine:
        assert not engine.closed
    assert engine.closed


def test_engine_cannot_be_made_directly() -> None:
    with pytest.raises(TypeError):
        trt.ICudaEngine()


# ------------------------------------------------------------------ pickling


@pytest.fixture
def default_on_double(fake_library: trt.Library) -> trt.Runtime:
    trt.load_library(fake_library.path)
    trt.set_default_runtime(None)
    yield trt.default_runtime()
    trt.set_default_runtime(None)


@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip(engine: trt.ICudaEngine, plan: bytes, default_on_double: trt.Runtime,
                           protocol: int) -> None:
    data = pickle.dumps(engine, protocol=protocol)
    again = pickle.loads(data)
    assert isinstance(again, trt.ICudaEngine)
    assert again is not engine
    assert again.runtime is default_on_double
    assert again.name == engine.name
    assert again.tensor_names == engine.tensor_names
    assert bytes(again.serialize()) == plan


def test_pickle_out_of_band(engine: trt.ICudaEngine, plan: bytes, default_on_double: trt.Runtime) -> None:
    buffers: list[pickle.PickleBuffer] = []
    data = pickle.dumps(engine, protocol=5, buffer_callback=buffers.append)
    assert len(data) < len(plan)  # the plan travelled out of band
    assert len(buffers) == 1 and buffers[0].raw().nbytes == len(plan)
    again = pickle.loads(data, buffers=buffers)
    assert again.name == "classifier"


def test_pickle_metadata(engine: trt.ICudaEngine, fake_library: trt.Library) -> None:
    func, (data, meta) = engine.__reduce_ex__(4)
    assert func is _unpickle_engine
    assert meta == {"format": 1, "tensorrt_version": str(fake_library.version),
                    "flavour": fake_library.flavour.value, "name": "classifier"}
    assert bytes(data) == bytes(engine.serialize())


def test_unpickle_with_another_version_is_a_clear_error(engine: trt.ICudaEngine,
                                                         default_on_double: trt.Runtime) -> None:
    _, (data, meta) = engine.__reduce_ex__(4)
    other = "10.16.1.11" if DOUBLE_MAJOR == 11 else "11.4.0.106"  # the other major's double
    meta = dict(meta, tensorrt_version=other, flavour="lean")
    with pytest.raises(trt.DeserializationError) as info:
        _unpickle_engine(data, meta)
    assert f"serialized with TensorRT {other} (lean), but this process uses TensorRT {DOUBLE_VERSION} (full, " \
        in str(info.value)
    assert info.value.code == lib.TRT_E_UNSUPPORTED


def test_unpickle_unknown_format(engine: trt.ICudaEngine, default_on_double: trt.Runtime) -> None:
    with pytest.raises(trt.DeserializationError, match="unknown pickle format"):
        _unpickle_engine(b"", {"format": 99})
    with pytest.raises(trt.DeserializationError, match="unknown pickle format"):
        _unpickle_engine(b"", None)


def test_unpickle_corrupt_plan_names_the_engine(engine: trt.ICudaEngine, default_on_double: trt.Runtime) -> None:
    _, (data, meta) = engine.__reduce_ex__(4)
    broken = bytearray(bytes(data))
    broken[-1] ^= 0xFF
    with pytest.raises(trt.DeserializationError, match="checksum") as info:
        _unpickle_engine(bytes(broken), meta)
    assert any("classifier" in note for note in info.value.__notes__)


def test_default_runtime(fake_library: trt.Library, runtime: trt.Runtime) -> None:
    trt.load_library(fake_library.path)
    trt.set_default_runtime(None)
    first = trt.default_runtime()
    assert first is trt.default_runtime()
    assert isinstance(first.logger, trt.Logger)
    first.close()
    second = trt.default_runtime()  # a closed default is replaced
    assert second is not first and not second.closed
    trt.set_default_runtime(runtime)
    assert trt.default_runtime() is runtime
    with pytest.raises(TypeError):
        trt.set_default_runtime(object())  # type: ignore[arg-type]
    trt.set_default_runtime(None)


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_pickle_across_processes_and_versions(engine: trt.ICudaEngine, fake_lib_path: pathlib.Path,
                                              tmp_path: pathlib.Path) -> None:
    (tmp_path / "engine.pkl").write_bytes(pickle.dumps(engine))
    code = f"""
        import pickle, sys
        import trt_runtime as trt
        trt.load_library({str(fake_lib_path)!r})
        try:
            engine = pickle.loads(open({str(tmp_path / 'engine.pkl')!r}, 'rb').read())
        except trt.DeserializationError as exc:
            print("MISMATCH", exc)
            sys.exit(3)
        print("OK", engine.name, engine.tensor_names)
    """
    same = _run(code, {})
    assert same.returncode == 0, same.stderr
    assert "OK classifier ('images', 'scale', 'logits', 'mask')" in same.stdout
    # Another minor of the double's major (11.3 beside 11.4; 10.15 beside 10.16, 10.1 beside 10.0).
    code_other, text_other = other_double_version()
    other = _run(code, {"FAKE_TRT_VERSION": code_other})
    assert other.returncode == 3, other.stderr
    assert f"serialized with TensorRT {DOUBLE_VERSION} (full), but this process uses TensorRT {text_other}" in other.stdout
