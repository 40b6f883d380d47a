"""Fuzzing deserialization with hypothesis: nothing crashes, every failure is a clear error.

What goes in: random bytes, and valid plans of the double truncated,
bit-flipped, with header fields mutated, with their body edited or resized
behind a matching checksum (so the body parser is reached), or with bytes
appended, into ``Runtime.deserialize`` and ``Runtime.deserialize_cuda_engine``:
from buffers, from an ``IStreamReaderV2`` that hands back random-sized chunks
(``read`` and ``readinto``), from an old-style ``IStreamReader`` and from file
objects whose reads come back short; and random arguments of every type.

What must come out: an engine, ``None`` (``deserialize_cuda_engine``), a
:class:`trt_runtime.DeserializationError` carrying TensorRT's reports (and what
the error recorder received is exactly what the exception reports), or a builtin
argument error (``TypeError``, ``ValueError``; ``OSError`` for file paths)
naming the argument; never a crash or another exception.

Each fuzz test runs ``FUZZ_EXAMPLES`` examples; its ``stress``-marked twin
``STRESS_EXAMPLES`` (see fuzzing.py). A bug these fuzzers found (fixed) has its
regression test at the end of this file.
"""

from __future__ import annotations

import io
import os
import pathlib
import struct
from typing import Any

import numpy as np
import pytest
from hypothesis import event, given, note
from hypothesis import strategies as st

import trt_runtime as trt
from conftest import RecordingLogger
from double.build import HEADER_SIZE
from fuzzing import ANY_VALUE, FUZZ, stress
from support import (
    BASE_PLANS,
    HEADER_FIELDS,
    ChunkedReaderV2,
    DribblingPipe,
    DribblingRawFile,
    DribblingReader,
    body_size,
    header,
    reseal,
    run_python,
    set_field,
)


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


# ------------------------------------------------------------------ any argument


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
