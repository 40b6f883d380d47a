"""Leaks: create/close cycles and failed deserializations keep memory bounded and leave nothing behind.

Resident memory stays within a stated bound (backed by malloc's and Python's
exact counts), and the double's live objects and the pinned Python callbacks
return to where they were: 5,000 cycles by default, 100,000 in the ``stress``
tier (``-m stress`` or TRT_RUNTIME_STRESS=1); on the real libraries in the
``gpu and stress`` tier. Durations, bounds and numbers measured are stated in
each test's docstring.
"""

from __future__ import annotations

import ctypes
import gc
import os
import pathlib
import sys
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest

import trt_runtime as trt
from support import JUNK, PLAN, ChunkedReaderV2, Quiet, live_objects, pinned_bridges, rss_bytes


MiB = 1 << 20


RSS_BOUND = 8 * MiB


HEAP_BOUND = 256 << 10


BLOCKS_BOUND = 1_000


WARM_UP = 2_000


CYCLES = 5_000


STRESS_CYCLES = 100_000


class HostAllocator(trt.IGpuAllocator):
    """Host memory stands in for device memory on the double."""

    def __init__(self) -> None:
        self.live: dict[int, Any] = {}

    def allocate(self, size: int, alignment: int, flags: int) -> int:
        buf = (ctypes.c_char * max(size, 1))()
        self.live[ctypes.addressof(buf)] = buf
        return ctypes.addressof(buf)

    def deallocate(self, memory: int) -> bool:
        return self.live.pop(memory, None) is not None


class Workbench:
    """What a leak workload needs: a library, a logger, a runtime with a recorder, a sub-runtime path."""

    def __init__(self, library: trt.Library, lean_path: pathlib.Path | None) -> None:
        self.library = library
        self.lean_path = lean_path
        self.logger = Quiet()
        self.runtime = trt.Runtime(self.logger, library=library)
        self.recorded = trt.Runtime(self.logger, library=library)
        self.recorded.error_recorder = trt.ErrorRecorder(max_errors=16)  # overflows: stays bounded

    def close(self) -> None:
        self.runtime.close()
        self.recorded.close()


def _raise_junk(rt: trt.Runtime) -> None:
    try:
        rt.deserialize(JUNK)
    except trt.DeserializationError:
        return
    raise AssertionError("junk was deserialized")


#: name -> one cycle. Each leaves nothing behind when nothing leaks.
WORKLOADS: dict[str, Callable[[Workbench], None]] = {
    "runtime create/close": lambda w: trt.Runtime(w.logger, library=w.library).close(),
    "runtime create/drop": lambda w: trt.Runtime(w.logger, library=w.library) and None,
    "failed deserialization, None": lambda w: w.runtime.deserialize_cuda_engine(JUNK) and None,
    "failed deserialization, raised": lambda w: _raise_junk(w.runtime),
    "failed deserialization, recorder": lambda w: _raise_junk(w.recorded),
    "failed deserialization, stream": lambda w: w.runtime.deserialize_cuda_engine(ChunkedReaderV2(JUNK)) and None,
    "failed deserialization, empty": lambda w: w.recorded.deserialize_cuda_engine(b"") and None,
    "engine deserialize/close": lambda w: w.runtime.deserialize(PLAN).close(),
    "sub-runtime open/close": lambda w: w.runtime.open_lean_runtime(w.lean_path).close(),
    "error recorder replaced": lambda w: setattr(w.runtime, "error_recorder", trt.ErrorRecorder(max_errors=4)),
}


REAL_WORKLOADS = ("runtime create/close", "runtime create/drop", "failed deserialization, None",
                  "failed deserialization, raised", "failed deserialization, recorder",
                  "failed deserialization, empty")


class Sample(NamedTuple):
    rss: int  # VmRSS, bytes
    heap: int | None  # bytes in use from malloc (glibc's mallinfo2), None where unavailable
    blocks: int  # memory blocks Python has allocated (sys.getallocatedblocks)


class Growth(NamedTuple):
    before: Sample
    after: Sample

    @property
    def rss(self) -> int:
        return self.after.rss - self.before.rss

    @property
    def heap(self) -> int | None:
        return None if self.before.heap is None else self.after.heap - self.before.heap  # type: ignore[operator]

    @property
    def blocks(self) -> int:
        return self.after.blocks - self.before.blocks

    def __str__(self) -> str:
        heap = "n/a" if self.heap is None else f"{self.heap:+d} B"
        return (f"VmRSS {self.before.rss / MiB:.1f} -> {self.after.rss / MiB:.1f} MiB ({self.rss / 1024:+.0f} KiB, "
                f"bound +{RSS_BOUND // MiB} MiB); malloc in use {heap}; Python blocks {self.blocks:+d}")

    def check(self, what: str) -> None:
        print(f"\n[leak] {what}: {self}")
        assert self.rss <= RSS_BOUND, f"{what}: VmRSS grew by {self.rss / MiB:.1f} MiB"
        assert self.heap is None or self.heap <= HEAP_BOUND, f"{what}: malloc in use grew by {self.heap} B"
        assert self.blocks <= BLOCKS_BOUND, f"{what}: Python holds {self.blocks} more blocks"


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                     "fsmblks", "uordblks", "fordblks", "keepcost")]


def _heap_in_use() -> int | None:
    mallinfo2 = getattr(ctypes.CDLL(None), "mallinfo2", None)
    if mallinfo2 is None:
        return None
    mallinfo2.restype = _MallInfo2
    info = mallinfo2()
    return int(info.uordblks + info.hblkhd)


def sample() -> Sample:
    gc.collect()
    return Sample(rss_bytes(), _heap_in_use(), sys.getallocatedblocks())


def measure(work: Callable[[], None], cycles: int) -> Growth:
    """Memory after WARM_UP cycles and after ``cycles`` more, both after a full collection.

    VmRSS is the stated bound (+8 MiB); being coarse (freed heap is reused
    before RSS grows), it is backed by two exact counts: bytes in use from
    malloc (+256 KiB at most) and Python's allocated blocks (+1,000 at most,
    so a leak of one object in 100 cycles fails at 100,000 cycles).
    """
    for _ in range(WARM_UP):
        work()
    before = sample()
    for _ in range(cycles):
        work()
    return Growth(before, sample())


def _leak_check(fake_library: trt.Library, fake_lib_path: pathlib.Path, fake_lean_path: pathlib.Path,
                name: str, cycles: int) -> None:
    gc.collect()
    live0 = live_objects(fake_lib_path) + live_objects(fake_lean_path)
    pinned0 = pinned_bridges()
    bench = Workbench(fake_library, fake_lean_path)
    work = WORKLOADS[name]
    growth = measure(lambda: work(bench), cycles)
    bench.close()
    gc.collect()
    growth.check(f"{name}, {cycles} cycles after {WARM_UP} of warm-up")
    assert live_objects(fake_lib_path) + live_objects(fake_lean_path) == live0, "the double holds new objects"
    assert pinned_bridges() == pinned0, "Python callbacks are still pinned"


def test_the_leak_probe_sees_a_deliberate_leak() -> None:
    """The probe is not blind: 2 KiB kept a cycle for 5,000 cycles shows in malloc's count and in
    Python's blocks, and 16 KiB a cycle (80 MiB) in VmRSS."""
    kept: list[bytes] = []
    growth = measure(lambda: kept.append(os.urandom(2048)), CYCLES)
    assert growth.blocks > BLOCKS_BOUND and (growth.heap is None or growth.heap > HEAP_BOUND), str(growth)
    growth = measure(lambda: kept.append(os.urandom(16384)), CYCLES)
    assert growth.rss > RSS_BOUND, str(growth)


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_no_leak_in_cycles(fake_library: trt.Library, fake_lib_path: pathlib.Path, fake_lean_path: pathlib.Path,
                           name: str) -> None:
    """5,000 cycles (after 2,000 of warm-up): VmRSS within +8 MiB (malloc in use +256 KiB, Python
    blocks +1,000); the double's live objects and the pinned callbacks back to their starting values."""
    _leak_check(fake_library, fake_lib_path, fake_lean_path, name, CYCLES)


@pytest.mark.stress
@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_no_leak_in_cycles_stress(fake_library: trt.Library, fake_lib_path: pathlib.Path,
                                  fake_lean_path: pathlib.Path, name: str) -> None:
    """100,000 cycles after 2,000 of warm-up: VmRSS within +8 MiB (malloc in use +256 KiB: a leak
    of 3 bytes a cycle fails; Python blocks +1,000); live objects and pinned callbacks back to their
    starting values."""
    _leak_check(fake_library, fake_lib_path, fake_lean_path, name, STRESS_CYCLES)


def _no_gpu_cycle(library: trt.Library, logger: trt.ILogger) -> None:
    try:
        trt.Runtime(logger, library=library)
    except trt.NoDeviceError:
        return
    raise AssertionError("a runtime without a GPU")


@pytest.mark.parametrize("cycles", [pytest.param(CYCLES, id="5000"),
                                    pytest.param(STRESS_CYCLES, id="100000", marks=pytest.mark.stress)])
def test_no_leak_in_failed_runtime_creation_without_gpu(fake_library: trt.Library, fake_lib_path: pathlib.Path,
                                                        monkeypatch: pytest.MonkeyPatch, cycles: int) -> None:
    """NoDeviceError again and again (the double with FAKE_TRT_NO_GPU=1): memory within the bounds
    of the other leak tests, no live object in the double, no pinned logger left behind."""
    gc.collect()
    live0, pinned0 = live_objects(fake_lib_path), pinned_bridges()
    monkeypatch.setenv("FAKE_TRT_NO_GPU", "1")
    logger = Quiet()
    measure(lambda: _no_gpu_cycle(fake_library, logger), cycles).check(f"NoDeviceError, {cycles} cycles")
    assert live_objects(fake_lib_path) == live0 and pinned_bridges() == pinned0


@pytest.mark.gpu
@pytest.mark.stress
@pytest.mark.parametrize("name", REAL_WORKLOADS)
def test_no_leak_on_the_real_library_stress(real_lib_path: pathlib.Path, name: str) -> None:
    """The real lean/dispatch library: 100,000 runtime create/close cycles, or failed
    deserializations, after 2,000 of warm-up keep VmRSS within +8 MiB (malloc in use +256 KiB,
    Python blocks +1,000); pinned callbacks return."""
    gc.collect()
    pinned0 = pinned_bridges()
    bench = Workbench(trt.load_library(real_lib_path), None)
    work = WORKLOADS[name]
    growth = measure(lambda: work(bench), STRESS_CYCLES)
    bench.close()
    gc.collect()
    growth.check(f"real {real_lib_path.name} {name}, {STRESS_CYCLES} cycles")
    assert pinned_bridges() == pinned0
