"""Lifetimes of runtime, engine, context, binding and host memory: every release order, random call orders.

Children keep their parents alive, in Python and in the shim; objects can be
closed or dropped in any order and stay usable while anything holds them; the
double's live-object counter shows nothing left behind. Random call orders run
as a hypothesis state machine (``FUZZ_EXAMPLES`` examples; the ``stress`` twin
``STRESS_EXAMPLES``). Memory over many cycles: test_leaks.py; the interpreter
exiting with objects alive: test_exit.py; contexts on threads: test_threads.py.
"""

from __future__ import annotations

import ctypes
import gc
import itertools
import pathlib
import weakref
from typing import Any

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

import trt_runtime as trt
from conftest import DOUBLE_MAJOR, RecordingLogger, since_10
from fuzzing import _COMMON, FUZZ_EXAMPLES, STRESS_EXAMPLES
from support import BASE_PLANS, live_objects, pinned_bridges
from support import life_plan as plan


@pytest.fixture(scope="module")
def live(fake_lib_path: pathlib.Path) -> ctypes._FuncPointer:
    # The same file: dlopen hands back the library the shim opened, so this
    # counts the objects the shim created.
    fn = ctypes.CDLL(str(fake_lib_path)).fake_trt_live_objects
    fn.restype = ctypes.c_int32
    return fn


def run_once(ctx: trt.IExecutionContext) -> None:
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    y = np.zeros_like(x)
    ctx.bind({"in": x, "out": y}).execute()
    np.testing.assert_array_equal(y, x)


def usable(name: str, objects: dict[str, object]) -> None:
    """Exercise the object still held under ``name``."""
    obj = objects[name]
    if name == "runtime":
        obj.deserialize(plan()).close()  # type: ignore[attr-defined]
    elif name == "engine":
        ctx = obj.create_execution_context()  # type: ignore[attr-defined]
        run_once(ctx)
        ctx.close()
    elif name == "context":
        run_once(obj)  # type: ignore[arg-type]
    elif name == "memory":
        assert bytes(obj) == plan()  # type: ignore[call-overload]


@pytest.mark.parametrize("how", ["close", "del"])
@pytest.mark.parametrize("order", list(itertools.permutations(["runtime", "engine", "context", "memory"])),
                         ids="-".join)
def test_every_release_order(fake_library: trt.Library, live: ctypes._FuncPointer, how: str,
                             order: tuple[str, ...]) -> None:
    gc.collect()
    baseline = live()
    logger = RecordingLogger()
    runtime = trt.Runtime(logger, library=fake_library)
    engine = runtime.deserialize(plan())
    objects: dict[str, object] = {
        "runtime": runtime, "engine": engine, "context": engine.create_execution_context(),
        "memory": engine.serialize(),
    }
    del runtime, engine
    assert live() == baseline + 4  # runtime, engine, context, host memory
    for i, name in enumerate(order):
        obj = objects.pop(name)
        if how == "close":
            obj.close()  # type: ignore[attr-defined]
            obj.close()  # type: ignore[attr-defined]
        del obj
        gc.collect()
        for other in order[i + 1:]:
            usable(other, objects)
    gc.collect()
    assert live() == baseline
    assert not [m for m in logger.errors() if "fake_nvinfer" in m], logger.errors()


def test_context_alone_keeps_everything_alive(fake_library: trt.Library, live: ctypes._FuncPointer) -> None:
    gc.collect()
    baseline = live()
    logger = RecordingLogger()
    runtime = trt.Runtime(logger, library=fake_library)
    engine = runtime.deserialize(plan())
    ctx = engine.create_execution_context()
    binding = ctx.bind({"in": np.ones((2, 4), np.float32), "out": np.zeros((2, 4), np.float32)})
    runtime.close()
    engine.close()
    assert live() == baseline + 3
    binding.execute()
    run_once(ctx)
    assert ctx.engine.closed  # the Python engine is closed; its shim object lives on for the context
    del runtime, engine
    gc.collect()
    binding.execute()
    ctx.close()
    assert live() == baseline
    with pytest.raises(trt.ClosedError):
        binding.execute()
    assert not [m for m in logger.errors() if "fake_nvinfer" in m]


def test_many_contexts_released_in_any_order(runtime: trt.Runtime, live: ctypes._FuncPointer) -> None:
    gc.collect()
    baseline = live()
    engine = runtime.deserialize(plan())
    contexts = [engine.create_execution_context() for _ in range(8)]
    engine.close()
    for ctx in contexts[::2] + contexts[1::2]:
        run_once(ctx)
        ctx.close()
    assert live() == baseline


# ------------------------------------------------------------------ random call orders


def _expect_closed(fn: Any, *args: Any) -> None:
    with pytest.raises(trt.ClosedError):
        fn(*args)


RUNTIME_GETTERS = ("DLA_core", "num_DLA_cores", "max_threads", "tempfile_control_flags", "engine_host_code_allowed",
                   "temporary_directory", "dla_workspace_allocation_strategy", "handle")


HAS_DLA_STRATEGY = DOUBLE_MAJOR >= 11  # the DLA workspace strategy came in TensorRT 11.4
RECURSIVE_LISTING = since_10(10)  # getAllCreatorsRecursive came in TensorRT 10.10


SETTABLE = {"DLA_core": -1, "max_threads": 2, "tempfile_control_flags": 1, "engine_host_code_allowed": True,
            "temporary_directory": "/tmp", "dla_workspace_allocation_strategy": 0, "error_recorder": None,
            "gpu_allocator": None}


ENGINE_GETTERS = ("handle", "name", "num_io_tensors", "num_optimization_profiles", "device_memory_size_v2")


FIRST_TENSOR = {"static": "x", "dynamic": "in", "profiles": "a", "padded": "i"}  # of each of BASE_PLANS


class LifecycleMachine(RuleBasedStateMachine):
    """Runtimes, sub-runtimes, engines and registries created, used, closed and dropped in any order.

    After every step, each object answers if open and raises ClosedError if
    closed. After ``gc.collect()`` the double holds exactly the runtimes and
    engines that are still reachable and open, or kept by a child (an open
    engine keeps its runtime, a sub-runtime its parent). At the end,
    everything is released: the double's live objects and the pinned Python
    callbacks are back where they started.
    """

    def __init__(self, library: trt.Library, lean_path: pathlib.Path, lib_path: pathlib.Path) -> None:
        super().__init__()
        self.library, self.lean_path, self.lib_path = library, lean_path, lib_path
        # Freeze whatever exists now (hypothesis' growing state included): the
        # many collections of this example then scan only its own objects.
        gc.collect()
        gc.freeze()
        self.base_live = live_objects(lib_path) + live_objects(lean_path)
        self.base_pinned = pinned_bridges()
        self.logger = RecordingLogger()
        self.runtimes: list[trt.Runtime] = []
        self.engines: list[trt.ICudaEngine] = []
        self.registries: list[trt.IPluginRegistry] = []
        self.every_runtime: list[weakref.ref[trt.Runtime]] = []
        self.every_engine: list[weakref.ref[trt.ICudaEngine]] = []
        self.plan_of: weakref.WeakKeyDictionary[trt.ICudaEngine, str] = weakref.WeakKeyDictionary()

    def _live_now(self) -> int:
        return live_objects(self.lib_path) + live_objects(self.lean_path) - self.base_live

    def _expected_live(self) -> int:
        runtimes = [r for r in (w() for w in self.every_runtime) if r is not None]
        engines = [e for e in (w() for w in self.every_engine) if e is not None and not e.closed]

        def held(rt: trt.Runtime) -> bool:
            return (not rt.closed or any(e.runtime is rt for e in engines)
                    or any(c.parent is rt and held(c) for c in runtimes))

        return sum(held(r) for r in runtimes) + len(engines)

    # ---------------------------------------------------------- rules

    @rule()
    def create_runtime(self) -> None:
        rt = trt.Runtime(self.logger, library=self.library)
        self.runtimes.append(rt)
        self.every_runtime.append(weakref.ref(rt))

    @precondition(lambda self: self.runtimes)
    @rule(i=st.integers(0, 99), official=st.booleans())
    def load_sub_runtime(self, i: int, official: bool) -> None:
        parent = self.runtimes[i % len(self.runtimes)]
        call = parent.load_runtime if official else parent.open_lean_runtime
        if parent.closed:
            _expect_closed(lambda: call(self.lean_path))
            return
        child = call(self.lean_path)
        assert isinstance(child, trt.Runtime) and child.parent is parent and child.logger is parent.logger
        self.runtimes.append(child)
        self.every_runtime.append(weakref.ref(child))

    @precondition(lambda self: self.runtimes)
    @rule(i=st.integers(0, 99), plan=st.sampled_from(sorted(BASE_PLANS)), official=st.booleans())
    def deserialize_plan(self, i: int, plan: str, official: bool) -> None:
        rt = self.runtimes[i % len(self.runtimes)]
        call = rt.deserialize_cuda_engine if official else rt.deserialize
        if rt.closed:
            _expect_closed(lambda: call(BASE_PLANS[plan]))
            return
        engine = call(BASE_PLANS[plan])
        assert engine is not None and engine.runtime is rt and engine.name == plan
        self.engines.append(engine)
        self.every_engine.append(weakref.ref(engine))
        self.plan_of[engine] = plan

    @precondition(lambda self: self.runtimes)
    @rule(i=st.integers(0, 99), junk=st.binary(max_size=80))
    def deserialize_junk(self, i: int, junk: bytes) -> None:
        rt = self.runtimes[i % len(self.runtimes)]
        if rt.closed:
            _expect_closed(lambda: rt.deserialize_cuda_engine(junk))
            _expect_closed(lambda: rt.deserialize(junk))
            return
        assert rt.deserialize_cuda_engine(junk) is None
        with pytest.raises(trt.DeserializationError):
            rt.deserialize(junk)

    @precondition(lambda self: self.runtimes)
    @rule(i=st.integers(0, 99))
    def get_registry(self, i: int) -> None:
        rt = self.runtimes[i % len(self.runtimes)]
        if rt.closed:
            _expect_closed(rt.get_plugin_registry)
            return
        self.registries.append(rt.get_plugin_registry())

    @precondition(lambda self: self.runtimes)
    @rule(i=st.integers(0, 99), name=st.sampled_from(sorted(SETTABLE)), recorder=st.booleans())
    def set_property(self, i: int, name: str, recorder: bool) -> None:
        rt = self.runtimes[i % len(self.runtimes)]
        value = trt.ErrorRecorder() if name == "error_recorder" and recorder else SETTABLE[name]
        if rt.closed:
            _expect_closed(lambda: setattr(rt, name, value))
        elif name == "dla_workspace_allocation_strategy" and not HAS_DLA_STRATEGY:
            with pytest.raises(trt.UnsupportedError, match=r"needs TensorRT 11\.4 or later; the loaded library is 10\."):
                setattr(rt, name, value)
        else:
            setattr(rt, name, value)

    @precondition(lambda self: self.runtimes)
    @rule(i=st.integers(0, 99), twice=st.booleans())
    def close_runtime(self, i: int, twice: bool) -> None:
        rt = self.runtimes[i % len(self.runtimes)]
        rt.close()
        if twice:
            rt.close()
        assert rt.closed

    @precondition(lambda self: self.engines)
    @rule(i=st.integers(0, 99), twice=st.booleans())
    def close_engine(self, i: int, twice: bool) -> None:
        engine = self.engines[i % len(self.engines)]
        engine.close()
        if twice:
            engine.close()
        assert engine.closed

    @precondition(lambda self: self.runtimes or self.engines or self.registries)
    @rule(kind=st.sampled_from(["runtimes", "engines", "registries"]), i=st.integers(0, 99))
    def drop(self, kind: str, i: int) -> None:
        objects = getattr(self, kind)
        if objects:
            del objects[i % len(objects)]

    @rule()
    def collect(self) -> None:
        gc.collect()
        assert self._live_now() == self._expected_live()

    # ---------------------------------------------------------- invariants

    @invariant()
    def open_objects_answer_and_closed_ones_raise(self) -> None:
        for rt in self.runtimes:
            repr(rt)
            if rt.closed:
                for name in RUNTIME_GETTERS:
                    _expect_closed(getattr, rt, name)
            else:
                assert rt.max_threads >= 1 and rt.handle > 4096
        for engine in self.engines:
            repr(engine)
            if engine.closed:
                for name in ENGINE_GETTERS:
                    _expect_closed(getattr, engine, name)
                _expect_closed(engine.get_tensor_shape, FIRST_TENSOR[self.plan_of[engine]])
            else:
                assert engine.num_io_tensors >= 2 and engine.handle > 4096
                assert len(engine.get_tensor_shape(FIRST_TENSOR[engine.name])) >= 1  # caches the I/O table
        for registry in self.registries:
            repr(registry)
            if registry.runtime.closed:
                _expect_closed(getattr, registry, "all_creators_recursive")
                _expect_closed(getattr, registry, "parent_search_enabled")
            elif RECURSIVE_LISTING:
                assert {"FakeV1Plugin", "FakeV3Plugin"} <= {c.name for c in registry.all_creators_recursive}
            else:
                with pytest.raises(trt.UnsupportedError, match=r"getAllCreatorsRecursive needs TensorRT 10\.10"):
                    registry.all_creators_recursive  # noqa: B018
                assert registry.all_creators == []  # a runtime's own registry: empty, on every minor

    def teardown(self) -> None:
        # (no loop variable may outlive the loop: it would keep its object alive)
        while self.engines:
            self.engines.pop().close()
        while self.runtimes:
            self.runtimes.pop().close()
        self.engines.clear()
        self.registries.clear()
        gc.collect()
        assert self._live_now() == 0, "the double still holds objects after everything was released"
        assert pinned_bridges() == self.base_pinned, "callback bridges are still pinned"


def _lifecycle(fake_library: trt.Library, fake_lean_path: pathlib.Path, fake_lib_path: pathlib.Path,
               examples: int) -> None:
    # The machine collects often; it freezes the heap at each example's start
    # so that a collection costs microseconds, not ~20 ms (see __init__).
    try:
        run_state_machine_as_test(
            lambda: LifecycleMachine(fake_library, fake_lean_path, fake_lib_path),
            settings=settings(max_examples=examples, stateful_step_count=30, **_COMMON),  # type: ignore[arg-type]
        )
    finally:
        gc.unfreeze()


def test_random_call_orders_never_crash(fake_library: trt.Library, fake_lean_path: pathlib.Path,
                                        fake_lib_path: pathlib.Path) -> None:
    _lifecycle(fake_library, fake_lean_path, fake_lib_path, FUZZ_EXAMPLES)


@pytest.mark.stress
def test_random_call_orders_never_crash_stress(fake_library: trt.Library, fake_lean_path: pathlib.Path,
                                               fake_lib_path: pathlib.Path) -> None:
    _lifecycle(fake_library, fake_lean_path, fake_lib_path, STRESS_EXAMPLES)
