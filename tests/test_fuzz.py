"""Fuzzing the runtime with hypothesis: nothing crashes, every failure is a clear error.

What goes in:

- random bytes, and valid plans of the double truncated, bit-flipped, with
  header fields mutated, with their body edited or resized behind a matching
  checksum (so the body parser is reached), or with bytes appended, into
  ``Runtime.deserialize`` and ``Runtime.deserialize_cuda_engine``: from
  buffers, from an ``IStreamReaderV2`` that hands back random-sized chunks
  (``read`` and ``readinto``), from an old-style ``IStreamReader`` and from
  file objects whose reads come back short;
- random values of every type into every property setter;
- random arguments into ``deserialize`` and ``load_runtime``;
- random call orders (a hypothesis state machine) of creating runtimes and
  sub-runtimes, deserializing, closing, dropping, collecting and using
  closed objects.

What must come out: an engine, ``None`` (``deserialize_cuda_engine``), a
:class:`trt_runtime.TensorRTError`, or a builtin argument error (``TypeError``,
``ValueError``; ``OSError`` for file paths) naming the argument; never a crash
or another exception. Failures carry TensorRT's reports, and what the error
recorder received is exactly what the exception reports.

Each fuzz test runs ``FUZZ_EXAMPLES`` examples (200); its ``stress``-marked
twin runs ``STRESS_EXAMPLES`` (5,000). The bugs these fuzzers found (all fixed)
have a regression test each at the end of this file.
"""

from __future__ import annotations

import fractions
import gc
import io
import operator
import os
import pathlib
import struct
import weakref
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

import trt_runtime as trt
from conftest import RecordingLogger
from double.build import HEADER_SIZE
from reliability_support import (  # noqa: F401 - stress_only is an autouse fixture
    BASE_PLANS,
    HEADER_FIELDS,
    ChunkedReaderV2,
    DribblingPipe,
    DribblingRawFile,
    DribblingReader,
    body_size,
    header,
    live_objects,
    pinned_bridges,
    reseal,
    run_python,
    set_field,
    stress_only,
)

FUZZ_EXAMPLES = 200
STRESS_EXAMPLES = 5000

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                      HealthCheck.data_too_large])
FUZZ = settings(max_examples=FUZZ_EXAMPLES, **_COMMON)  # type: ignore[arg-type]


def stress(test: Any) -> Any:
    """The stress twin of a fuzz test: many more examples, marker ``stress``."""
    return pytest.mark.stress(settings(max_examples=STRESS_EXAMPLES, **_COMMON)(test))  # type: ignore[arg-type]


@pytest.fixture
def recorded(fake_library: trt.Library) -> Any:
    """A runtime on the double with an ErrorRecorder installed, and that recorder."""
    rt = trt.Runtime(RecordingLogger(), library=fake_library)
    rec = trt.ErrorRecorder(max_errors=1 << 16)
    rt.error_recorder = rec
    yield rt, rec
    rt.close()


# ------------------------------------------------------------------ outcomes


def deserialize_outcome(rt: trt.Runtime, rec: trt.ErrorRecorder, source: Any, again: Any = None) -> bool:
    """Deserialize ``source``; True for an engine (closed at once), False for a clean refusal.

    A refusal must be a DeserializationError that carries at least one
    report, and the recorder must have received exactly the recorder reports
    of the exception, no more, no fewer. ``again`` (a fresh copy of the same
    source) goes through ``deserialize_cuda_engine``, which must agree.
    """
    before = rec.num_errors()
    try:
        engine = rt.deserialize(source)
    except trt.DeserializationError as exc:
        assert exc.reports, f"a refusal without any report: {exc}"
        assert str(exc).startswith("cannot deserialize the engine"), str(exc)
        recorded = [(r.code, r.message) for r in exc.reports if r.source == "recorder"]
        assert rec.errors[before:] == recorded, "the recorder and the exception disagree"
        ok = False
    else:
        assert isinstance(engine, trt.ICudaEngine) and engine.runtime is rt
        assert rec.num_errors() == before, rec.errors[before:]
        engine.close()
        ok = True
    if again is not None:
        maybe = rt.deserialize_cuda_engine(again)
        assert (maybe is not None) == ok, "deserialize and deserialize_cuda_engine disagree"
        if maybe is not None:
            maybe.close()
    return ok


def as_buffer(data: bytes, kind: str) -> Any:
    if kind == "bytes":
        return data
    if kind == "bytearray":
        return bytearray(data)
    if kind == "memoryview":
        return memoryview(bytearray(data))
    if kind == "numpy":
        return np.frombuffer(data, dtype=np.uint8)
    if kind == "numpy2d":  # a C-contiguous 2-D array of whole rows
        return np.frombuffer(data, dtype=np.uint8).reshape(1, -1)
    raise AssertionError(kind)


BUFFER_KINDS = st.sampled_from(["bytes", "bytearray", "memoryview", "numpy", "numpy2d"])
CHUNK_SIZES = st.lists(st.one_of(st.none(), st.integers(0, 70), st.integers(0, 1 << 21)), max_size=12)


# ------------------------------------------------------------------ random bytes


def check_random_bytes(recorded: Any, data: bytes, kind: str, sizes: list[int | None], readinto: bool,
                       seeks: list[bool]) -> None:
    rt, rec = recorded
    ok = deserialize_outcome(rt, rec, as_buffer(data, kind), as_buffer(data, kind))
    reader = ChunkedReaderV2(data, sizes, readinto, seeks)
    streamed = deserialize_outcome(rt, rec, reader)
    if streamed:
        assert not reader.short
    note(f"reads {reader.reads}")
    assert not (ok or streamed) or data[:4] == b"FTRT", "random bytes made an engine"


RANDOM_BYTES = dict(
    data=st.one_of(st.binary(max_size=4096), st.binary(min_size=28, max_size=300).map(lambda b: b"FTRT" + b),
                   st.binary(min_size=24, max_size=300).map(lambda b: b"FTRT\x01\0\0\0" + b)),
    kind=BUFFER_KINDS, sizes=CHUNK_SIZES, readinto=st.booleans(), seeks=st.lists(st.booleans(), max_size=3),
)


@FUZZ
@given(**RANDOM_BYTES)
def test_random_bytes_are_refused_cleanly(recorded: Any, data: bytes, kind: str, sizes: list[int | None],
                                          readinto: bool, seeks: list[bool]) -> None:
    check_random_bytes(recorded, data, kind, sizes, readinto, seeks)


@stress
@given(**RANDOM_BYTES)
def test_random_bytes_are_refused_cleanly_stress(recorded: Any, data: bytes, kind: str, sizes: list[int | None],
                                                 readinto: bool, seeks: list[bool]) -> None:
    check_random_bytes(recorded, data, kind, sizes, readinto, seeks)


# ------------------------------------------------------------------ mutated plans


def _field_values(name: str, fmt: str, plan: bytes) -> st.SearchStrategy[Any]:
    if fmt == "4s":
        return st.one_of(st.binary(min_size=4, max_size=4), st.sampled_from([b"FTRT", b"ftrt", b"FTR\0", b"\0" * 4]))
    bits = struct.calcsize(fmt) * 8
    near = [0, 1, 2, HEADER_SIZE - 1, HEADER_SIZE, HEADER_SIZE + 1, len(plan) - 1, len(plan), len(plan) + 1,
            body_size(plan), body_size(plan) + 1, (1 << bits) - 1, (1 << (bits - 1)) - 1, 1 << (bits - 1)]
    return st.one_of(st.integers(0, (1 << bits) - 1), st.sampled_from([v for v in near if 0 <= v < (1 << bits)]))


@st.composite
def mutated_plans(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(BASE_PLANS)))
    plan = BASE_PLANS[name]
    body_end = HEADER_SIZE + body_size(plan)
    how = draw(st.sampled_from(["truncate", "bitflip", "header", "sizes", "body", "splice", "append", "none"]))
    if how == "truncate":
        data = plan[: draw(st.integers(0, len(plan) - 1))]
    elif how == "bitflip":
        out = bytearray(plan)
        for pos, bit in draw(st.lists(st.tuples(st.integers(0, len(plan) - 1), st.integers(0, 7)), min_size=1,
                                      max_size=8)):
            out[pos] ^= 1 << bit
        data = bytes(out)
    elif how == "header":
        field, _, fmt = draw(st.sampled_from(HEADER_FIELDS))
        data = set_field(plan, field, draw(_field_values(field, fmt, plan)))
        how = f"header {field}"
    elif how == "sizes":  # both sizes at once, inconsistent in every way
        data = set_field(set_field(plan, "total_size", draw(_field_values("total_size", "<Q", plan))),
                         "body_size", draw(_field_values("body_size", "<Q", plan)))
    elif how == "body":  # bytes of the body replaced; sizes and checksum made to match
        out = bytearray(plan)
        for pos, value in draw(st.lists(st.tuples(st.integers(HEADER_SIZE, body_end - 1), st.integers(0, 255)),
                                        min_size=1, max_size=6)):
            out[pos] = value
        data = reseal(plan, bytes(out[HEADER_SIZE:]), body_size=body_size(plan))
    elif how == "splice":  # bytes inserted into or cut from the body; sizes and checksum made to match
        body = bytearray(plan[HEADER_SIZE:body_end])
        at = draw(st.integers(0, len(body)))
        cut = draw(st.integers(0, min(16, len(body) - at)))
        insert = draw(st.binary(max_size=24))
        body[at : at + cut] = insert
        data = reseal(plan, bytes(body) + plan[body_end:], body_size=len(body))
    elif how == "append":
        data = plan + draw(st.binary(min_size=1, max_size=64))
    else:
        data = plan
    return f"{name}/{how}", data


def check_mutated_plan(recorded: Any, case: tuple[str, bytes], kind: str, sizes: list[int | None], readinto: bool,
                       pieces: list[int]) -> None:
    rt, rec = recorded
    how, data = case
    note(f"mutation {how}, {len(data)} bytes")
    from_buffer = deserialize_outcome(rt, rec, as_buffer(data, kind), as_buffer(data, kind))
    event(f"{how.split('/')[1].split()[0]}: {'engine' if from_buffer else 'refused'}")
    if how.endswith("/none"):
        assert from_buffer, "the unmutated plan was refused"
    whole = ChunkedReaderV2(data)
    from_stream = deserialize_outcome(rt, rec, whole)
    if from_buffer:
        assert from_stream, "a plan read from a buffer was refused from a stream"
    if from_stream:
        # A stream stops at the size the header gives; that prefix must deserialize.
        total = header(data)["total_size"]
        assert deserialize_outcome(rt, rec, data[:total])
    chunked = ChunkedReaderV2(data, sizes, readinto)
    from_chunks = deserialize_outcome(rt, rec, chunked)
    note(f"chunked reads {chunked.reads}")
    if from_chunks:
        assert from_stream and not chunked.short
    elif not chunked.short:
        assert not from_stream
    # Readers that may return less than asked: trt_runtime collects the
    # pieces itself, so the outcome is the buffer's (the prefix's for streams).
    for source in (DribblingReader(data, pieces), DribblingRawFile(data, pieces), DribblingPipe(data, pieces)):
        assert deserialize_outcome(rt, rec, source) == from_stream, type(source).__name__


MUTATED = dict(case=mutated_plans(), kind=BUFFER_KINDS, sizes=CHUNK_SIZES, readinto=st.booleans(),
               pieces=st.lists(st.integers(1, 200), min_size=1, max_size=8))


@FUZZ
@given(**MUTATED)
def test_mutated_plans_give_an_engine_or_a_clear_refusal(recorded: Any, case: tuple[str, bytes], kind: str,
                                                         sizes: list[int | None], readinto: bool,
                                                         pieces: list[int]) -> None:
    check_mutated_plan(recorded, case, kind, sizes, readinto, pieces)


@stress
@given(**MUTATED)
def test_mutated_plans_give_an_engine_or_a_clear_refusal_stress(recorded: Any, case: tuple[str, bytes], kind: str,
                                                                sizes: list[int | None], readinto: bool,
                                                                pieces: list[int]) -> None:
    check_mutated_plan(recorded, case, kind, sizes, readinto, pieces)


def check_valid_plan_any_chunking(recorded: Any, name: str, sizes: list[int | None], readinto: bool,
                                  pieces: list[int]) -> None:
    rt, rec = recorded
    plan = BASE_PLANS[name]
    reader = ChunkedReaderV2(plan, sizes, readinto)
    assert deserialize_outcome(rt, rec, reader) == (not reader.short), reader.reads
    for source in (DribblingReader(plan, pieces), DribblingRawFile(plan, pieces), DribblingPipe(plan, pieces),
                   io.BufferedReader(DribblingRawFile(plan, pieces))):
        assert deserialize_outcome(rt, rec, source), type(source).__name__


VALID_CHUNKING = dict(name=st.sampled_from(sorted(BASE_PLANS)), sizes=CHUNK_SIZES, readinto=st.booleans(),
                      pieces=st.lists(st.integers(1, 300), min_size=1, max_size=8))


@FUZZ
@given(**VALID_CHUNKING)
def test_valid_plans_load_from_readers_of_any_chunking(recorded: Any, name: str, sizes: list[int | None],
                                                       readinto: bool, pieces: list[int]) -> None:
    check_valid_plan_any_chunking(recorded, name, sizes, readinto, pieces)


@stress
@given(**VALID_CHUNKING)
def test_valid_plans_load_from_readers_of_any_chunking_stress(recorded: Any, name: str, sizes: list[int | None],
                                                              readinto: bool, pieces: list[int]) -> None:
    check_valid_plan_any_chunking(recorded, name, sizes, readinto, pieces)


# ------------------------------------------------------------------ property setters


class Index:
    """An object that is an integer only through ``__index__``."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value

    def __repr__(self) -> str:
        return f"Index({self.value})"


class FsPath(os.PathLike):  # type: ignore[type-arg]
    def __init__(self, value: Any) -> None:
        self.value = value

    def __fspath__(self) -> Any:
        return self.value

    def __repr__(self) -> str:
        return f"FsPath({self.value!r})"


class MyInt(int):
    pass


class MyStr(str):
    pass


class NullAllocator(trt.IGpuAllocator):
    def allocate(self, size: int, alignment: int, flags: int) -> int:
        return 0

    def deallocate(self, memory: int) -> bool:
        return True


_INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
_BOUNDARY_INTS = [0, 1, -1, 2, 3, 4, 7, (1 << 31) - 1, 1 << 31, -(1 << 31), -(1 << 31) - 1, (1 << 32) - 1, 1 << 32,
                  1 << 63, (1 << 64) - 1, 1 << 64, -(1 << 64), 10**100, -(10**100)]


def _numpy_ints() -> st.SearchStrategy[Any]:
    return st.sampled_from(_INT_DTYPES).flatmap(
        lambda t: st.integers(int(np.iinfo(t).min), int(np.iinfo(t).max)).map(t))


#: Values of every type a setter may be handed.
ANY_VALUE = st.one_of(
    st.integers(), st.sampled_from(_BOUNDARY_INTS), st.integers(-3, 20),
    st.floats(), st.sampled_from([0.0, 1.0, 2.0, -1.0, 1.5, float("inf"), float("nan")]),
    st.none(), st.booleans(),
    st.text(), st.text().map(lambda s: s + "\0" + s), st.text(st.characters(categories=["Cs"]), min_size=1),
    st.binary(), st.binary().map(bytearray),
    st.builds(pathlib.Path, st.text()), st.builds(pathlib.PurePosixPath, st.text()),
    st.builds(FsPath, st.one_of(st.text(), st.binary(), st.integers(), st.none())),
    st.builds(MyStr, st.text()), st.builds(MyInt, st.integers()), st.builds(Index, st.integers()),
    _numpy_ints(), st.floats(width=32).map(np.float32), st.floats().map(np.float64), st.booleans().map(np.bool_),
    st.integers(-5, 5).map(np.array), st.text(max_size=8).map(np.str_),
    st.sampled_from([*trt.TempfileControlFlag, *trt.DLAWorkspaceAllocationStrategy, *trt.Severity,
                     *trt.ErrorCode, trt.SeekPosition.END]),
    st.complex_numbers(), st.builds(fractions.Fraction, st.integers(-9, 9), st.integers(1, 9)),
    st.decimals(allow_nan=False), st.lists(st.integers(), max_size=3), st.tuples(st.integers()),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2), st.just(object()),
    st.builds(trt.ErrorRecorder), st.builds(NullAllocator), st.builds(RecordingLogger),
)


def _as_int(value: Any) -> int:
    return operator.index(value)


#: property -> how an accepted value reads back.
READ_BACK = {
    "DLA_core": _as_int,
    "max_threads": _as_int,
    "tempfile_control_flags": _as_int,
    "engine_host_code_allowed": bool,
    "temporary_directory": lambda v: None if v is None else os.fsdecode(os.fsencode(v)),
    "dla_workspace_allocation_strategy": lambda v: v,
    "error_recorder": lambda v: v,
    "gpu_allocator": lambda v: v,
}


def mentions(exc: BaseException, name: str) -> bool:
    text = str(exc).lower()
    return name.lower() in text or name.replace("_", " ").lower() in text


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001
        return False


def check_setter(rt: trt.Runtime, name: str, value: Any) -> None:
    before = getattr(rt, name)
    note(f"{name} = {value!r} (was {before!r})")
    try:
        setattr(rt, name, value)
    except (TypeError, ValueError) as exc:
        assert mentions(exc, name), f"{type(exc).__name__} without the argument's name: {exc}"
        assert not isinstance(exc, trt.ClosedError)
        after = getattr(rt, name)
        assert _same(after, before), f"a refused value changed {name}: {before!r} -> {after!r}"
        return
    expected = READ_BACK[name](value)
    after = getattr(rt, name)
    if name in ("error_recorder", "gpu_allocator"):
        assert after is expected
    else:
        assert after == expected, f"{name} = {value!r} reads back {after!r}"


SETTER = dict(name=st.sampled_from(sorted(READ_BACK)), value=ANY_VALUE)


@FUZZ
@given(**SETTER)
def test_property_setters_accept_or_refuse_clearly(runtime: trt.Runtime, name: str, value: Any) -> None:
    check_setter(runtime, name, value)


@stress
@given(**SETTER)
def test_property_setters_accept_or_refuse_clearly_stress(runtime: trt.Runtime, name: str, value: Any) -> None:
    check_setter(runtime, name, value)


@FUZZ
@given(value=ANY_VALUE)
def test_registry_parent_search_enabled_accepts_or_refuses_clearly(runtime: trt.Runtime, value: Any) -> None:
    registry = runtime.get_plugin_registry()
    before = registry.parent_search_enabled
    try:
        registry.parent_search_enabled = value
    except (TypeError, ValueError) as exc:
        assert mentions(exc, "parent_search_enabled"), str(exc)
        assert registry.parent_search_enabled is before
    else:
        assert registry.parent_search_enabled is bool(value)


# ------------------------------------------------------------------ other arguments


def check_deserialize_argument(recorded: Any, tmp_dir: pathlib.Path, value: Any) -> None:
    rt, _ = recorded
    path_like = isinstance(value, (str, os.PathLike))
    try:
        engine = rt.deserialize(value)
    except trt.DeserializationError as exc:
        assert exc.reports
    except (TypeError, ValueError) as exc:
        assert "serialized_engine" in str(exc) or path_like, repr(exc)
    except OSError as exc:
        assert path_like, f"{type(exc).__name__} for a non-path {value!r}"
    else:
        engine.close()


@FUZZ
@given(value=ANY_VALUE)
def test_deserialize_takes_any_argument_without_crashing(recorded: Any, tmp_path: pathlib.Path, value: Any) -> None:
    check_deserialize_argument(recorded, tmp_path, value)


@stress
@given(value=ANY_VALUE)
def test_deserialize_takes_any_argument_without_crashing_stress(recorded: Any, tmp_path: pathlib.Path,
                                                                value: Any) -> None:
    check_deserialize_argument(recorded, tmp_path, value)


@FUZZ
@given(value=ANY_VALUE)
def test_load_runtime_takes_any_argument_without_crashing(runtime: trt.Runtime, value: Any) -> None:
    # The double's loadRuntime never opens the file: no risk in random paths.
    for call in (runtime.load_runtime, runtime.open_lean_runtime):
        try:
            child = call(value)
        except trt.TensorRTError as exc:
            assert exc.reports or isinstance(exc, trt.InvalidArgumentError), str(exc)
        except (TypeError, ValueError) as exc:
            assert "path" in str(exc) or isinstance(value, (str, os.PathLike)), repr(exc)
        else:
            if child is not None:
                assert child.parent is runtime
                child.close()


# ------------------------------------------------------------------ call orders


def _expect_closed(fn: Any, *args: Any) -> None:
    with pytest.raises(trt.ClosedError):
        fn(*args)


RUNTIME_GETTERS = ("DLA_core", "num_DLA_cores", "max_threads", "tempfile_control_flags", "engine_host_code_allowed",
                   "temporary_directory", "dla_workspace_allocation_strategy", "handle")
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
            else:
                assert {"FakeV1Plugin", "FakeV3Plugin"} <= {c.name for c in registry.all_creators_recursive}

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


# ------------------------------------------------------------------ regressions (bugs found here, fixed)


def test_double_stream_header_with_a_huge_body_size_does_not_abort(fake_lib_path: pathlib.Path) -> None:
    """Was: the double's deserializeCudaEngineV2 reserved 32 + bodySize bytes first; a body size of
    2**63 - 32 or more made std::vector::reserve throw std::length_error out of a noexcept function
    (std::terminate, the interpreter aborted). Now a clean refusal (in a subprocess, in case)."""
    plan = set_field(set_field(BASE_PLANS["static"], "total_size", (1 << 64) - 1), "body_size", 1 << 63)
    proc = run_python(f"""
        import io, trt_runtime as trt
        from conftest import RecordingLogger
        rt = trt.Runtime(RecordingLogger(), library=trt.load_library({str(fake_lib_path)!r}))
        data = {plan!r}
        assert rt.deserialize_cuda_engine(io.BufferedReader(io.BytesIO(data))) is None
        print('refused')
    """)
    assert proc.returncode == 0 and proc.stdout.strip() == "refused", (proc.returncode, proc.stderr[-2000:])


def test_engine_host_code_allowed_takes_numpy_bools(runtime: trt.Runtime) -> None:
    """Was: numpy bools were recognised by the type name 'bool_', which is 'bool' in numpy 2, so
    numpy.True_ was refused with 'engine_host_code_allowed must be a bool, not bool'."""
    runtime.engine_host_code_allowed = np.True_
    assert runtime.engine_host_code_allowed is True
    runtime.engine_host_code_allowed = np.False_
    assert runtime.engine_host_code_allowed is False


@pytest.mark.parametrize("value", ["/tmp/\ud800", pathlib.PurePosixPath("/tmp/\udbff"), FsPath(5)],
                         ids=["surrogate-str", "surrogate-path", "fspath-int"])
def test_temporary_directory_encoding_errors_name_the_argument(runtime: trt.Runtime, value: Any) -> None:
    """Was: os.fsencode unguarded; a lone surrogate gave a bare UnicodeEncodeError, a __fspath__
    returning an int a bare TypeError, neither naming temporary_directory."""
    with pytest.raises((TypeError, ValueError)) as info:
        runtime.temporary_directory = value
    assert "temporary_directory" in str(info.value)
    assert runtime.temporary_directory is None


@pytest.mark.parametrize("method", ["load_runtime", "open_lean_runtime"])
def test_sub_runtime_path_encoding_errors_name_the_argument(runtime: trt.Runtime, method: str) -> None:
    """Was: a path with a lone surrogate gave a bare UnicodeEncodeError not naming the path."""
    with pytest.raises(ValueError, match="path"):
        getattr(runtime, method)("/tmp/\ud800/libnvinfer_lean.so.11")
