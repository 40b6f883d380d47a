"""The execution context's callbacks: output allocators, profilers, debug listeners.

On the test double (tests/double/README.md): ``enqueueV3`` asks the output
allocator of an output whose address is not set for its memory
(``reallocateOutputAsync``) and then tells its shape (``notifyShape``); a
profiler gets one report per inference for the one fake layer (named after
the engine, 0.125 ms), at the enqueue or at ``reportToProfiler``; a debug
listener gets each tensor whose debug state is on (the double's debug
tensors are the I/O tensors whose name starts with "debug").

Per interface: end-to-end behaviour, an exception raised inside it comes out
of the call that triggered it with its own type, lifetimes (kept while set,
let go when replaced), and the ``*_nocheck`` twins.
"""

from __future__ import annotations

import ctypes
import gc
import weakref
from typing import Any

import numpy as np
import pytest

import trt_runtime as trt
from conftest import make_plan
from copy_engine import arrays, ctx, engine  # noqa: F401 - fixtures
from support import pinned_bridges, run_python

# ------------------------------------------------------------------ helpers


class Buffers(trt.IOutputAllocator):
    """Host memory for outputs (the double runs on the host); records what TensorRT asked and told."""

    def __init__(self) -> None:
        self.buffers: dict[str, np.ndarray] = {}
        self.asked: list[tuple[str, int, int, int, int]] = []
        self.shapes: dict[str, trt.Dims] = {}

    def reallocate_output_async(self, tensor_name: str, memory: int, size: int, alignment: int, stream: int) -> int:
        self.asked.append((tensor_name, memory, size, alignment, stream))
        buf = self.buffers.get(tensor_name)
        if buf is None or buf.nbytes < size:
            buf = self.buffers[tensor_name] = np.zeros(max(size, 1), np.uint8)
        return buf.ctypes.data

    def notify_shape(self, tensor_name: str, shape: trt.Dims) -> None:
        self.shapes[tensor_name] = shape


class LegacyBuffers(trt.IOutputAllocator):
    """Defines only the older reallocate_output: the default reallocate_output_async calls it."""

    def __init__(self) -> None:
        self.buffer = np.zeros(64, np.uint8)
        self.calls = 0

    def reallocate_output(self, tensor_name: str, memory: int, size: int, alignment: int) -> int:
        self.calls += 1
        return self.buffer.ctypes.data

    def notify_shape(self, tensor_name: str, shape: trt.Dims) -> None:
        pass


class Times(trt.IProfiler):
    def __init__(self) -> None:
        self.reports: list[tuple[str, float]] = []

    def report_layer_time(self, layer_name: str, ms: float) -> None:
        self.reports.append((layer_name, ms))


class Listener(trt.IDebugListener):
    def __init__(self) -> None:
        self.seen: list[tuple[Any, ...]] = []

    def process_debug_tensor(self, addr: int, location: trt.TensorLocation, type: trt.DataType, shape: trt.Dims,
                             name: str, stream: int) -> bool:
        values = list((ctypes.c_int32 * 3).from_address(addr))  # valid during the call only
        self.seen.append((name, location, type, shape, stream, values))
        return True


class Boom(Exception):
    pass


def pinned() -> int:
    """Pinned bridges once what earlier tests dropped is collected."""
    gc.collect()
    return pinned_bridges()


def wired(ctx: trt.IExecutionContext, data: dict[str, np.ndarray], skip: str = "") -> None:
    """Shapes and addresses of ``data``, except the address of ``skip``."""
    ctx.set_input_shape("x", data["x"].shape)
    for name, a in data.items():
        if name != skip:
            ctx.set_tensor_address(name, a.ctypes.data)


DEBUG_TENSORS = [
    ("x", 1, 0, (-1, 4)),
    ("debug_in", 1, 3, (3,)),
    ("y", 2, 0, (-1, 4)),
    ("debug_out", 2, 3, (3,)),
]


@pytest.fixture
def dctx(runtime: trt.Runtime) -> Any:
    """A context whose engine has two debug tensors, wired with x = 1..8 and debug_in = 7, 8, 9."""
    engine = runtime.deserialize(make_plan("dbg", DEBUG_TENSORS, profile_min={"x": (1, 4)},
                                           profile_opt={"x": (2, 4)}, profile_max={"x": (4, 4)}))
    c = engine.create_execution_context()
    data = {"x": np.arange(8, dtype=np.float32).reshape(2, 4), "debug_in": np.array([7, 8, 9], np.int32),
            "y": np.zeros((2, 4), np.float32), "debug_out": np.zeros(3, np.int32)}
    c.set_input_shape("x", (2, 4))
    for name, a in data.items():
        c.set_tensor_address(name, a.ctypes.data)
    yield c, data
    c.close()


# ------------------------------------------------------------------ output allocator


def test_an_output_without_address_gets_its_memory_from_the_allocator_and_its_shape_told(ctx: Any) -> None:
    data = arrays()
    wired(ctx, data, skip="y")
    alloc = Buffers()
    assert ctx.set_output_allocator("y", alloc) is True
    assert ctx.get_output_allocator("y") is alloc
    assert ctx.get_output_allocator("flags_out") is None
    assert ctx.execute_async_v3(5) is True
    assert alloc.asked == [("y", 0, 32, 256, 5)]
    assert alloc.shapes == {"y": trt.Dims((2, 4))} and type(alloc.shapes["y"]) is trt.Dims
    np.testing.assert_array_equal(alloc.buffers["y"].view(np.float32).reshape(2, 4), data["x"])
    # The next inference is offered the memory given last time.
    ctx.execute_async_v3(0)
    assert alloc.asked[1] == ("y", alloc.buffers["y"].ctypes.data, 32, 256, 0)


def test_binding_execute_uses_the_output_allocator(ctx: Any) -> None:
    data = arrays()
    alloc = Buffers()
    ctx.set_output_allocator("y", alloc)
    binding = ctx.bind({k: v for k, v in data.items() if k != "y"}, shapes={"x": data["x"].shape})
    assert binding.execute(0) is True
    np.testing.assert_array_equal(alloc.buffers["y"].view(np.float32).reshape(2, 4), data["x"])


def test_an_allocator_with_only_the_older_method_is_called_through_it(ctx: Any) -> None:
    data = arrays()
    wired(ctx, data, skip="y")
    alloc = LegacyBuffers()
    ctx.set_output_allocator("y", alloc)
    ctx.execute_async_v3(0)
    assert alloc.calls == 1
    np.testing.assert_array_equal(alloc.buffer[:32].view(np.float32).reshape(2, 4), data["x"])


def test_max_output_size(ctx: Any) -> None:
    assert ctx.get_max_output_size("y") == -1  # the input shape is not set yet
    ctx.set_input_shape("x", (3, 4))
    assert ctx.get_max_output_size("y") == 48
    assert ctx.get_max_output_size("flags_out") == 12
    assert ctx.get_max_output_size("x") == -1 and ctx.get_max_output_size("nope") == -1
    with pytest.raises(TypeError):
        ctx.get_max_output_size(b"y")


def test_set_output_allocator_refusals_and_nocheck(ctx: Any) -> None:
    before = pinned()
    with pytest.raises(trt.InvalidArgumentError):
        ctx.set_output_allocator("x", Buffers())  # an input: TensorRT refuses
    with pytest.raises(trt.InvalidArgumentError):
        ctx.set_output_allocator("nope", Buffers())
    assert ctx.set_output_allocator_nocheck("x", Buffers()) is False
    assert ctx.set_output_allocator_nocheck("nope", Buffers()) is False
    assert ctx.set_output_allocator_nocheck("y", Buffers()) is True
    assert ctx.get_output_allocator("x") is None and ctx.get_output_allocator("nope") is None
    with pytest.raises(TypeError, match="IOutputAllocator"):
        ctx.set_output_allocator("y", object())
    assert pinned() == before + 1  # only the one accepted


@pytest.mark.parametrize("where", ["reallocate_output_async", "notify_shape"])
def test_an_exception_in_the_output_allocator_comes_out_of_the_enqueue(ctx: Any, where: str) -> None:
    class Failing(Buffers):
        def reallocate_output_async(self, *args: Any) -> int:
            if where == "reallocate_output_async":
                raise Boom("no memory today")
            return super().reallocate_output_async(*args)

        def notify_shape(self, tensor_name: str, shape: trt.Dims) -> None:
            raise Boom("shape refused")

    data = arrays()
    wired(ctx, data, skip="y")
    ctx.set_output_allocator("y", Failing())
    with pytest.raises(Boom):
        ctx.execute_async_v3(0)
    with pytest.raises(Boom):
        ctx.execute_async_v3_nocheck(0)  # a callback's failure is never a plain False
    binding = ctx.bind({k: v for k, v in data.items() if k != "y"}, shapes={"x": data["x"].shape})
    with pytest.raises(Boom):
        binding.execute(0)


def test_an_allocator_returning_nothing_usable(ctx: Any) -> None:
    class Bad(Buffers):
        def reallocate_output_async(self, *args: Any) -> Any:
            return self.answer

    data = arrays()
    wired(ctx, data, skip="y")
    bad = Bad()
    ctx.set_output_allocator("y", bad)
    bad.answer = None
    with pytest.raises(TypeError, match="reallocate_output_async"):
        ctx.execute_async_v3(0)
    bad.answer = -1
    with pytest.raises(ValueError, match="not a device address"):
        ctx.execute_async_v3(0)
    bad.answer = 0  # no memory: TensorRT's own refusal
    with pytest.raises(trt.TensorRTError, match="gave no memory"):
        ctx.execute_async_v3(0)
    assert ctx.execute_async_v3_nocheck(0) is False


def test_the_output_allocator_lives_while_set_and_is_let_go_when_replaced(ctx: Any) -> None:
    data = arrays()
    wired(ctx, data, skip="y")
    before = pinned()
    alloc = Buffers()
    gone = weakref.ref(alloc)
    ctx.set_output_allocator("y", alloc)
    del alloc
    gc.collect()
    assert gone() is not None and pinned_bridges() == before + 1
    ctx.execute_async_v3(0)
    assert gone().shapes == {"y": (2, 4)}
    ctx.set_output_allocator("y", Buffers())  # replaced: the old one is let go (no call runs)
    gc.collect()
    assert gone() is None and pinned_bridges() == before + 1
    ctx.set_output_allocator("y", None)
    assert ctx.get_output_allocator("y") is None
    assert pinned() == before


# ------------------------------------------------------------------ profiler


def test_the_profiler_gets_each_inference_s_layer_times(ctx: Any) -> None:
    wired(ctx, arrays())
    assert ctx.profiler is None and ctx.enqueue_emits_profile is True
    times = Times()
    ctx.profiler = times
    assert ctx.profiler is times
    ctx.execute_async_v3(0)
    ctx.execute_async_v3(0)
    assert times.reports == [("copy", 0.125), ("copy", 0.125)]


def test_report_to_profiler_when_the_enqueue_does_not(ctx: Any) -> None:
    wired(ctx, arrays())
    times = Times()
    ctx.profiler = times
    ctx.enqueue_emits_profile = False
    assert ctx.enqueue_emits_profile is False
    ctx.execute_async_v3(0)
    assert times.reports == []
    assert ctx.report_to_profiler() is True
    assert times.reports == [("copy", 0.125)]
    assert ctx.report_to_profiler_nocheck() is True  # nothing new to report
    assert times.reports == [("copy", 0.125)]
    with pytest.raises(TypeError):
        ctx.enqueue_emits_profile = "yes"


def test_report_to_profiler_without_a_profiler(ctx: Any) -> None:
    with pytest.raises(trt.TensorRTError, match="no profiler"):
        ctx.report_to_profiler()
    assert ctx.report_to_profiler_nocheck() is False
    with pytest.raises(TypeError, match="IProfiler"):
        ctx.profiler = lambda name, ms: None


def test_the_official_profiler_prints(ctx: Any, capsys: pytest.CaptureFixture[str]) -> None:
    wired(ctx, arrays())
    ctx.profiler = trt.Profiler()
    ctx.execute_async_v3(0)
    assert capsys.readouterr().out == "copy: 0.125ms\n"


def test_an_exception_in_the_profiler_comes_out_of_the_call(ctx: Any) -> None:
    class Failing(trt.IProfiler):
        def report_layer_time(self, layer_name: str, ms: float) -> None:
            raise Boom(layer_name)

    data = arrays()
    wired(ctx, data)
    ctx.profiler = Failing()
    with pytest.raises(Boom, match="copy"):
        ctx.execute_async_v3(0)
    binding = ctx.bind(data, shapes={"x": data["x"].shape})
    with pytest.raises(Boom):
        binding.execute(0)
    ctx.enqueue_emits_profile = False
    assert ctx.execute_async_v3(0) is True
    with pytest.raises(Boom):
        ctx.report_to_profiler()


def test_a_profiler_without_report_layer_time_says_so(ctx: Any) -> None:
    wired(ctx, arrays())
    ctx.profiler = trt.IProfiler()
    with pytest.raises(NotImplementedError, match="report_layer_time"):
        ctx.execute_async_v3(0)


def test_the_profiler_lives_while_set_and_is_let_go_when_replaced(ctx: Any) -> None:
    wired(ctx, arrays())
    before = pinned()
    times = Times()
    gone = weakref.ref(times)
    ctx.profiler = times
    del times
    gc.collect()
    assert gone() is not None and pinned_bridges() == before + 1
    ctx.execute_async_v3(0)
    assert gone().reports == [("copy", 0.125)]
    ctx.profiler = Times()
    gc.collect()
    assert gone() is None and pinned_bridges() == before + 1
    ctx.profiler = None
    assert ctx.profiler is None and pinned() == before


# ------------------------------------------------------------------ debug listener


def test_debug_states(dctx: Any) -> None:
    c, _ = dctx
    assert c.engine.is_debug_tensor("debug_in") is True and c.engine.is_debug_tensor("x") is False
    assert c.get_debug_state("debug_in") is False
    assert c.set_tensor_debug_state("debug_in", True) is True
    assert c.get_debug_state("debug_in") is True and c.get_debug_state("debug_out") is False
    with pytest.raises(trt.InvalidArgumentError, match="not a debug tensor"):
        c.set_tensor_debug_state("x", True)
    assert c.set_tensor_debug_state_nocheck("x", True) is False
    assert c.set_tensor_debug_state_nocheck("nope", True) is False
    assert c.set_all_tensors_debug_state(True) is True
    assert c.get_debug_state("debug_out") is True
    assert c.set_all_tensors_debug_state_nocheck(False) is True
    assert not c.get_debug_state("debug_in") and not c.get_debug_state("debug_out")
    with pytest.raises(TypeError):
        c.set_tensor_debug_state("debug_in", "yes")
    with pytest.raises(TypeError):
        c.get_debug_state(1)


def test_the_debug_listener_gets_the_tensors_whose_state_is_on(dctx: Any) -> None:
    c, data = dctx
    listener = Listener()
    assert c.get_debug_listener() is None
    assert c.set_debug_listener(listener) is True
    assert c.get_debug_listener() is listener
    c.execute_async_v3(3)
    assert listener.seen == []  # no debug state on yet
    c.set_tensor_debug_state("debug_in", True)
    c.execute_async_v3(3)
    assert listener.seen == [("debug_in", trt.TensorLocation.DEVICE, trt.DataType.INT32, (3,), 3, [7, 8, 9])]
    name, location, dtype, shape, _, _ = listener.seen[0]
    assert type(location) is trt.TensorLocation and type(dtype) is trt.DataType and type(shape) is trt.Dims
    listener.seen.clear()
    c.set_all_tensors_debug_state(True)
    c.execute_async_v3(0)
    assert [s[0] for s in listener.seen] == ["debug_in", "debug_out"]
    assert listener.seen[1][5] == [7, 8, 9]  # the output after the inference
    assert c.set_debug_listener_nocheck(None) is True
    assert c.get_debug_listener() is None


def test_a_listener_returning_none_is_fine(dctx: Any) -> None:
    class Quiet(trt.IDebugListener):
        def process_debug_tensor(self, *args: Any) -> None:
            return None

    c, _ = dctx
    c.set_debug_listener(Quiet())
    c.set_all_tensors_debug_state(True)
    assert c.execute_async_v3(0) is True


def test_an_exception_in_the_debug_listener_comes_out_of_the_call(dctx: Any) -> None:
    class Failing(trt.IDebugListener):
        def process_debug_tensor(self, addr: int, location: Any, type: Any, shape: Any, name: str,
                                 stream: int) -> bool:
            raise Boom(name)

    c, data = dctx
    c.set_debug_listener(Failing())
    c.set_tensor_debug_state("debug_out", True)
    with pytest.raises(Boom, match="debug_out"):
        c.execute_async_v3(0)
    binding = c.bind(data, shapes={"x": (2, 4)})
    with pytest.raises(Boom):
        binding.execute(0)
    with pytest.raises(TypeError, match="IDebugListener"):
        c.set_debug_listener(object())


def test_the_debug_listener_lives_while_set_and_is_let_go_when_replaced(dctx: Any) -> None:
    c, _ = dctx
    c.set_all_tensors_debug_state(True)
    before = pinned()
    listener = Listener()
    gone = weakref.ref(listener)
    c.set_debug_listener(listener)
    del listener
    gc.collect()
    assert gone() is not None and pinned_bridges() == before + 1
    c.execute_async_v3(0)
    assert len(gone().seen) == 2
    c.set_debug_listener(Listener())
    gc.collect()
    assert gone() is None and pinned_bridges() == before + 1
    c.set_debug_listener(None)
    assert pinned() == before


def test_a_listener_unset_from_inside_its_own_call_lives_until_the_call_ends(dctx: Any) -> None:
    c, _ = dctx
    c.set_all_tensors_debug_state(True)
    before = pinned()

    class Unsetter(Listener):
        def process_debug_tensor(self, *args: Any) -> bool:
            c.set_debug_listener(None)  # drops every Python reference to this object
            gc.collect()
            return super().process_debug_tensor(*args)

    listener = Unsetter()
    gone = weakref.ref(listener)
    c.set_debug_listener(listener)
    del listener
    c.execute_async_v3(0)  # TensorRT took the listener before the enqueue: it calls it for both tensors
    assert gone() is not None and [s[0] for s in gone().seen] == ["debug_in", "debug_out"]
    gc.collect()
    assert gone() is None and pinned_bridges() == before


def test_unfused_tensors_debug_state(dctx: Any, fake_library: trt.Library) -> None:
    c, _ = dctx
    v = fake_library.version
    if v.major == 10 and v.minor < 12:
        with pytest.raises(trt.UnsupportedError, match="needs TensorRT 10.12"):
            c.unfused_tensors_debug_state = True
        return
    assert c.unfused_tensors_debug_state is False
    c.unfused_tensors_debug_state = True
    assert c.unfused_tensors_debug_state is True
    with pytest.raises(TypeError):
        c.unfused_tensors_debug_state = 1.5


# ------------------------------------------------------------------ closing, and the other major


def test_everything_set_is_let_go_when_the_context_goes(runtime: trt.Runtime) -> None:
    engine = runtime.deserialize(make_plan("dbg", DEBUG_TENSORS, profile_min={"x": (1, 4)},
                                           profile_opt={"x": (2, 4)}, profile_max={"x": (4, 4)}))
    before = pinned()
    c = engine.create_execution_context()
    c.set_output_allocator("y", Buffers())
    c.profiler = Times()
    c.set_debug_listener(Listener())
    assert pinned_bridges() == before + 3
    c.close()
    with pytest.raises(trt.ClosedError):
        c.get_debug_listener()
    with pytest.raises(trt.ClosedError):
        c.profiler = None
    assert pinned() == before


_OTHER_MAJOR = """
import sys, ctypes
import numpy as np
import trt_runtime as trt
from conftest import make_plan
from test_context_callbacks import DEBUG_TENSORS, Buffers, Listener, Times

trt.load_library(sys.argv[1])
runtime = trt.Runtime(trt.Logger(trt.Logger.ERROR))
engine = runtime.deserialize(make_plan("dbg", DEBUG_TENSORS, profile_min={"x": (1, 4)},
                                       profile_opt={"x": (2, 4)}, profile_max={"x": (4, 4)}))
c = engine.create_execution_context()
x = np.arange(8, dtype=np.float32).reshape(2, 4)
d = np.array([7, 8, 9], np.int32)
out = np.zeros(3, np.int32)
c.set_input_shape("x", (2, 4))
for name, a in (("x", x), ("debug_in", d), ("debug_out", out)):
    c.set_tensor_address(name, a.ctypes.data)
alloc, times, listener = Buffers(), Times(), Listener()
c.set_output_allocator("y", alloc)
c.profiler = times
c.set_debug_listener(listener)
c.set_tensor_debug_state("debug_in", True)
c.execute_async_v3(0)
assert alloc.shapes == {"y": (2, 4)}, alloc.shapes
assert (alloc.buffers["y"].view(np.float32).reshape(2, 4) == x).all()
assert times.reports == [("dbg", 0.125)], times.reports
assert [s[0] for s in listener.seen] == ["debug_in"], listener.seen
try:
    c.unfused_tensors_debug_state = True
    print("unfused", c.unfused_tensors_debug_state)
except trt.UnsupportedError as e:
    print("unsupported:", e)
print("ok", trt.loaded_library().version)
"""


@pytest.mark.parametrize("version, unfused", [("101601", "unfused True"), ("100600", "needs TensorRT 10.12"),
                                              ("110400", "unfused True")])
def test_both_majors_and_the_10x_gating(tmp_path: Any, version: str, unfused: str) -> None:
    from double.build import build

    major = int(version) // 10000
    lib = build(tmp_path, major=major)
    result = run_python(_OTHER_MAJOR, env={"FAKE_TRT_VERSION": version}, argv=[str(lib)])
    assert result.returncode == 0, result.stderr
    assert unfused in result.stdout and "ok" in result.stdout
