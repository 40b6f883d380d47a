"""Threads: many threads share one runtime and lose, duplicate and mix up no report.

16 threads share one runtime with a Python ``logging`` logger and an
ErrorRecorder: every failing call reports exactly what it should, to the right
thread, and the recorder gets exactly the sum (on the double, and on the real
libraries in the GPU tier); 8 threads deserialize and set properties on one
runtime; contexts of one engine execute on 8 threads. Callback exceptions stay
on their own thread: test_callbacks.py.
"""

from __future__ import annotations

import collections
import logging
import pathlib
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import trt_runtime as trt
from conftest import RecordingLogger, make_plan, run_threads
from support import JUNK
from support import life_plan as plan


# ------------------------------------------------------------------ 16 threads, every report checked


THREADS = 16


class ThreadLog(logging.Handler):
    """Keeps (thread ident, level, message) of every record."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[int, int, str]] = []
        self._records_lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self._records_lock:
            self.records.append((record.thread or 0, record.levelno, record.getMessage()))


@pytest.fixture
def thread_logger() -> Iterator[tuple[trt.LoggingLogger, ThreadLog]]:
    log = logging.getLogger(f"trt_runtime.tests.threads.{uuid.uuid4().hex}")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    handler = ThreadLog()
    log.addHandler(handler)
    yield trt.LoggingLogger(log), handler
    log.removeHandler(handler)


def _markers(t: int) -> dict[str, str]:
    """Strings that only thread ``t``'s calls produce, and what they normalise to."""
    return {f"/nonexistent/thread-{t}/": "/nonexistent/thread-T/", f"DLA core {100 + t} ": "DLA core <T> ",
            f"holds {1000 + t} bytes, the header says {1100 + t}": "holds <T> bytes, the header says <T+100>"}


def _normal(text: str, t: int) -> str:
    for raw, norm in _markers(t).items():
        text = text.replace(raw, norm)
    return re.sub(r"required \d+ microseconds", "required N microseconds", text)


def thread_steps(rt: trt.Runtime, t: int, with_plans: bool) -> list[tuple[str, tuple[tuple[str, int, str], ...]]]:
    """One round of thread ``t``'s calls; per call, the reports of its exception (normalised).

    Valid plans (on the double), junk and empty buffers, a truncated plan of
    a size only this thread uses, property values this thread alone sets, a
    DLA core and a sub-runtime path naming the thread.
    """
    out: list[tuple[str, tuple[tuple[str, int, str], ...]]] = []

    def expect(name: str, exc_type: type[BaseException], call: Callable[[], Any]) -> None:
        try:
            call()
        except exc_type as exc:
            reports = getattr(exc, "reports", ())
            out.append((name, tuple((r.source, int(r.code), _normal(r.message, t)) for r in reports)))
        else:
            raise AssertionError(f"{name}: no {exc_type.__name__}")

    if with_plans:
        engine = rt.deserialize(make_thread_plan(t))
        assert engine.name == f"thread-{t}"
        engine.close()
        expect("truncated plan", trt.DeserializationError, lambda: rt.deserialize(make_thread_plan(t)[: 1000 + t]))
    assert rt.deserialize_cuda_engine(JUNK) is None
    expect("junk", trt.DeserializationError, lambda: rt.deserialize(b"\x02" * 4096))
    expect("empty", trt.DeserializationError, lambda: rt.deserialize(b""))
    rt.max_threads = 1 + t % THREADS
    assert 1 <= rt.max_threads <= THREADS
    expect("max_threads 0", trt.InvalidArgumentError, lambda: setattr(rt, "max_threads", 0))
    expect("tempfile flags 4", trt.InvalidArgumentError, lambda: setattr(rt, "tempfile_control_flags", 4))
    expect("DLA core", trt.InvalidArgumentError, lambda: setattr(rt, "DLA_core", 100 + t))
    rt.temporary_directory = f"/tmp/thread-{t}"
    assert rt.temporary_directory is None or rt.temporary_directory.startswith("/tmp/thread-")
    expect("sub-runtime", trt.TensorRTError,
           lambda: rt.open_lean_runtime(f"/nonexistent/thread-{t}/libnvinfer_lean.so.11"))
    assert rt.load_runtime(f"/nonexistent/thread-{t}/libnvinfer_lean.so.11") is None
    return out


_THREAD_PLANS: dict[int, bytes] = {}


def make_thread_plan(t: int) -> bytes:
    if t not in _THREAD_PLANS:
        from double.build import make_plan

        _THREAD_PLANS[t] = make_plan(f"thread-{t}", [("i", 1, 0, (2,)), ("o", 2, 0, (2,))], size=1100 + t)
    return _THREAD_PLANS[t]


def _threads_share_a_runtime(library: trt.Library, thread_logger: tuple[trt.LoggingLogger, ThreadLog],
                             with_plans: bool, rounds: int) -> dict[str, Any]:
    logger, handler = thread_logger
    rt = trt.Runtime(logger, library=library)
    rec = trt.ErrorRecorder(max_errors=1 << 20)
    rt.error_recorder = rec

    # One calibration round on this thread says what every round must report.
    calibration = 1000 + THREADS  # a thread number no worker uses
    handler.records.clear()
    expected_steps = thread_steps(rt, calibration, with_plans)
    me = threading.get_ident()
    expected_log = collections.Counter((lvl, _normal(m, calibration)) for tid, lvl, m in handler.records if tid == me)
    expected_recorded = collections.Counter(_normal(d, calibration) for _, d in rec.errors)
    # Refused before TensorRT, or (DLA core) silently by TensorRT: the shim says why, no report.
    checked_in_python = {"max_threads 0", "tempfile flags 4", "DLA core"}
    assert all(reports for name, reports in expected_steps if name not in checked_in_python), expected_steps
    handler.records.clear()
    rec.clear()

    results: dict[int, list[Any]] = {}
    idents: dict[int, int] = {}
    failures: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def work(t: int) -> None:
        try:
            idents[t] = threading.get_ident()
            barrier.wait()
            results[t] = [thread_steps(rt, t, with_plans) for _ in range(rounds)]
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(t,), name=f"worker-{t}") for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not failures, repr(failures[0])

    for t in range(THREADS):
        # Each failing call's exception holds exactly its own reports.
        for n, steps in enumerate(results[t]):
            assert steps == expected_steps, f"thread {t}, round {n}: {steps} != {expected_steps}"
        # The thread's logger messages: exactly its own, each as often as it made them.
        got = collections.Counter((lvl, _normal(m, t)) for tid, lvl, m in handler.records if tid == idents[t])
        want = collections.Counter({k: v * rounds for k, v in expected_log.items()})
        assert got == want, f"thread {t}: logger messages differ: {got - want} extra, {want - got} missing"
        others = [m for tid, _, m in handler.records if tid != idents[t] and f"thread-{t}/" in m]
        assert not others, f"thread {t}'s messages reached other threads: {others[:3]}"
    # The recorder: every error of every thread, once.
    got_recorded = collections.Counter(_normal(d, t) for _, d in rec.errors for t in [_thread_of(d)])
    want_recorded = collections.Counter({k: v * rounds * THREADS for k, v in expected_recorded.items()})
    assert not rec.has_overflowed()
    assert got_recorded == want_recorded, f"recorder: {got_recorded - want_recorded} extra, " \
                                          f"{want_recorded - got_recorded} missing"
    per_thread = collections.Counter(_thread_of(d) for _, d in rec.errors)
    rt.close()
    return {"steps": expected_steps, "log": expected_log, "recorded": expected_recorded, "per_thread": per_thread}


def _thread_of(text: str) -> int:
    for pattern in (r"thread-(\d+)/", r"DLA core (\d+) ", r"holds (\d+) bytes"):
        m = re.search(pattern, text)
        if m:
            value = int(m.group(1))
            return value - 100 if "DLA" in pattern else value - 1000 if "holds" in pattern else value
    return -1


def test_sixteen_threads_lose_and_duplicate_no_report(fake_library: trt.Library,
                                                      thread_logger: tuple[trt.LoggingLogger, ThreadLog]) -> None:
    """16 threads, 40 rounds each, share one runtime (double) with a logging logger and an ErrorRecorder.

    Each round: a valid plan, a truncated plan of the thread's own size, junk,
    an empty buffer, max_threads set and refused, refused tempfile flags and
    DLA core, a missing sub-runtime of the thread's own path. Every exception
    holds exactly its call's reports; each thread's logger records are exactly
    its own; the recorder holds each thread's errors once.
    """
    rounds = 40
    seen = _threads_share_a_runtime(fake_library, thread_logger, True, rounds)
    # What the double is documented to say, so that the calibration is not vacuous.
    steps = dict(seen["steps"])
    assert steps["junk"] == (("recorder", 1, "Serialization assertion header.magicTag failed"),)
    assert steps["empty"] == (("recorder", 3, "Cannot deserialize with an empty memory buffer"),)
    truncated = "Fake plan is corrupt: the buffer holds <T> bytes, the header says <T+100>"
    assert steps["truncated plan"] == (("recorder", 4, truncated),)
    missing = "Unable to load library: /nonexistent/thread-T/libnvinfer_lean.so.11"
    assert steps["sub-runtime"] == (("logger", 1, missing),)
    assert seen["log"] == collections.Counter({
        (logging.INFO, "Loaded engine size: 0 MiB"): 1,
        (logging.DEBUG, "Deserialization required N microseconds."): 1,
        (logging.ERROR, missing): 2,
    })
    assert seen["per_thread"][-1] == THREADS * rounds * 3  # junk twice and empty, not attributable
    assert all(seen["per_thread"][t] == rounds for t in range(THREADS))  # the truncated plans


@pytest.mark.gpu
def test_sixteen_threads_on_the_real_library(real_lib_path: pathlib.Path,
                                             thread_logger: tuple[trt.LoggingLogger, ThreadLog]) -> None:
    """The same on the real lean/dispatch library (no valid plan there): 16 threads x 20 rounds;
    per-call reports, per-thread logger records and the recorder's total match a calibration round."""
    seen = _threads_share_a_runtime(trt.load_library(real_lib_path), thread_logger, False, 20)
    assert seen["recorded"], "the real library reported nothing to the recorder"


# ------------------------------------------------------------------ 8 threads


def test_eight_threads_share_a_runtime_and_lose_no_reports(fake_library: trt.Library) -> None:
    logger = RecordingLogger()
    rt = trt.Runtime(logger, library=fake_library)
    rec = trt.ErrorRecorder(max_errors=100_000)
    rt.error_recorder = rec
    plan = make_plan("t", [("i", 1, 0, (4,)), ("o", 2, 0, (4,))])
    per_thread = 200

    def work(i: int) -> None:
        for n in range(per_thread):
            assert rt.deserialize_cuda_engine(b"\x09" * 64) is None
            engine = rt.deserialize(plan)
            engine.close()
            rt.max_threads = 1 + (i + n) % 4
            assert 1 <= rt.max_threads <= 4
            with pytest.raises(trt.DeserializationError) as info:
                rt.deserialize(b"")
            assert [r.code for r in info.value.reports] == [trt.ErrorCode.INVALID_ARGUMENT]

    run_threads(8, work)
    assert rec.num_errors() == 8 * per_thread * 2
    assert not rec.has_overflowed()


@pytest.mark.gpu
def test_eight_threads_on_one_real_runtime(real_runtime: trt.Runtime) -> None:
    rec = trt.ErrorRecorder(max_errors=100_000)
    real_runtime.error_recorder = rec
    per_thread = 50

    def work(i: int) -> None:
        for n in range(per_thread):
            assert real_runtime.deserialize_cuda_engine(b"\x01" * 4096) is None
            real_runtime.max_threads = 1 + (i + n) % 4
            assert 1 <= real_runtime.max_threads <= 4
            with pytest.raises(trt.DeserializationError) as info:
                real_runtime.deserialize(b"")
            assert [r.code for r in info.value.reports] == [trt.ErrorCode.INVALID_ARGUMENT]

    run_threads(8, work)
    assert rec.num_errors() == 8 * per_thread * 2


def test_contexts_in_threads(runtime: trt.Runtime) -> None:
    engine = runtime.deserialize(plan())
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            ctx = engine.create_execution_context()
            x = np.full((3, 4), k, np.float32)
            y = np.zeros_like(x)
            binding = ctx.bind({"in": x, "out": y})
            for i in range(500):
                x[0, 0] = i
                binding.execute()
                assert y[0, 0] == i and y[1, 1] == k
            ctx.close()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
