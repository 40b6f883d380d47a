"""A hostile caller: closes from callbacks and other threads, exits mid-call,
files that change or block, callbacks that keep what they were lent.

Every crash case runs in a fresh interpreter: a crash there fails the test
instead of ending the run. All on the test double (CPU).
"""

from __future__ import annotations

import gc
import os
import pathlib
import signal
import sys
import threading
import time

import pytest

import trt_runtime as trt
from trt_runtime._bridge import _PINNED
from trt_runtime._ffi import ffi, lib
from double.build import make_plan
from support import pinned_bridges, run_python

INPUT, OUTPUT = 1, 2
FLOAT = 0


def small_plan() -> bytes:
    return make_plan("hostile", [("in", INPUT, FLOAT, (4,)), ("out", OUTPUT, FLOAT, (4,))])


def survived(proc) -> None:  # type: ignore[no-untyped-def]
    assert proc.returncode == 0, f"exit status {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "terminate called" not in proc.stderr
    assert "Fatal Python error" not in proc.stderr


PRELUDE = """
import sys, threading, time, os
import trt_runtime as trt
from double.build import make_plan
lib = trt.load_library(sys.argv[1])
PLAN = make_plan("hostile", [("in", 1, 0, (4,)), ("out", 2, 0, (4,))])
class Quiet(trt.ILogger):
    def log(self, severity, msg):
        pass
"""


# ------------------------------------------------------------------ closing what a call uses


def test_logger_closing_the_runtime_during_deserialize_leaves_the_engine_usable(fake_lib_path: pathlib.Path) -> None:
    proc = run_python(PRELUDE + """
class Closer(trt.ILogger):
    runtime = None
    def log(self, severity, msg):
        if self.runtime is not None and "Loaded engine" in msg:
            self.runtime.close()
logger = Closer()
rt = trt.Runtime(logger, library=lib)
logger.runtime = rt
engine = rt.deserialize(PLAN)
assert rt.closed
# A new runtime must not reuse the old one's memory while the engine holds it.
other = trt.Runtime(Quiet(), library=lib)
assert engine.num_io_tensors == 2
ctx = engine.create_execution_context()
ctx.close()
engine.close()
other.close()
print("ok")
""", argv=[str(fake_lib_path)])
    survived(proc)
    assert proc.stdout.strip() == "ok"


def test_reader_closing_the_runtime_during_deserialize_is_survived(fake_lib_path: pathlib.Path) -> None:
    proc = run_python(PRELUDE + """
class Reader(trt.IStreamReaderV2):
    def __init__(self, data, rt):
        self.data, self.pos, self.rt = data, 0, rt
    def read(self, size, stream):
        self.rt.close()
        piece = self.data[self.pos:self.pos + size]
        self.pos += len(piece)
        return piece
    def seek(self, offset, where):
        self.pos = {0: 0, 1: self.pos, 2: len(self.data)}[int(where)] + offset
        return True
rt = trt.Runtime(Quiet(), library=lib)
engine = rt.deserialize(Reader(PLAN, rt))
assert rt.closed and engine.num_io_tensors == 2
engine.close()
print("ok")
""", argv=[str(fake_lib_path)])
    survived(proc)
    assert proc.stdout.strip() == "ok"


def test_allocator_closing_the_engine_during_create_execution_context_is_survived(
        fake_lib_path: pathlib.Path) -> None:
    proc = run_python(PRELUDE + """
import ctypes
class Allocator(trt.IGpuAllocator):
    engine = None
    def __init__(self):
        self.blocks = {}
    def allocate(self, size, alignment, flags):
        if self.engine is not None:
            self.engine.close()
        block = ctypes.create_string_buffer(max(size, 1))
        self.blocks[ctypes.addressof(block)] = block
        return ctypes.addressof(block)
    def deallocate(self, memory):
        return self.blocks.pop(memory, None) is not None
alloc = Allocator()
rt = trt.Runtime(Quiet(), library=lib)
rt.gpu_allocator = alloc
for _ in range(4):
    engine = rt.deserialize(PLAN)
    alloc.engine = engine
    ctx = engine.create_execution_context()
    alloc.engine = None
    assert engine.closed
    assert ctx.engine is engine
    ctx.close()
rt.close()
print("ok")
""", argv=[str(fake_lib_path)])
    survived(proc)
    assert proc.stdout.strip() == "ok"


def test_close_from_another_thread_during_a_long_deserialize_is_survived(fake_lib_path: pathlib.Path) -> None:
    proc = run_python(PRELUDE + """
big = make_plan("big", [("in", 1, 0, (4,)), ("out", 2, 0, (4,))], size=96 << 20)
for delay in (0.0, 0.005, 0.02):
    rt = trt.Runtime(Quiet(), library=lib)
    t = threading.Timer(delay, rt.close)
    t.start()
    try:
        engine = rt.deserialize(big)
    except trt.ClosedError:
        engine = None  # closed before the call began: refused cleanly
    t.join()
    other = trt.Runtime(Quiet(), library=lib)
    if engine is not None:
        assert engine.num_io_tensors == 2
        engine.create_execution_context().close()
        engine.close()
    other.close()
print("ok")
""", argv=[str(fake_lib_path)])
    survived(proc)
    assert proc.stdout.strip() == "ok"


def test_recorder_replaced_in_a_loop_while_threads_deserialize_is_survived(fake_lib_path: pathlib.Path) -> None:
    proc = run_python(PRELUDE + """
rt = trt.Runtime(Quiet(), library=lib)
stop = time.monotonic() + 1.5
def churn():
    while time.monotonic() < stop:
        rt.error_recorder = trt.ErrorRecorder()
def work():
    while time.monotonic() < stop:
        assert rt.deserialize_cuda_engine(b"x" * 64) is None
threads = [threading.Thread(target=churn)] + [threading.Thread(target=work) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
rt.close()
print("ok")
""", argv=[str(fake_lib_path)])
    survived(proc)
    assert proc.stdout.strip() == "ok"


# ------------------------------------------------------------------ what a callback is lent


class KeepingReader(trt.IStreamReaderV2):
    """readinto() that keeps the buffer it was lent, and a numpy view of it."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0
        self.kept: list[memoryview] = []
        self.arrays: list[object] = []

    def readinto(self, buffer: memoryview, stream: int) -> int:
        import numpy as np

        piece = self.data[self.pos:self.pos + len(buffer)]
        buffer[:len(piece)] = piece
        self.pos += len(piece)
        self.kept.append(buffer)
        self.arrays.append(np.frombuffer(buffer, dtype=np.uint8))
        return len(piece)

    def seek(self, offset: int, where: trt.SeekPosition) -> bool:
        self.pos = {0: 0, 1: self.pos, 2: len(self.data)}[int(where)] + offset
        return True


def test_a_buffer_kept_by_readinto_is_released_and_views_of_it_stay_safe(runtime: trt.Runtime) -> None:
    reader = KeepingReader(small_plan())
    engine = runtime.deserialize(reader)
    assert engine.num_io_tensors == 2
    assert reader.kept
    for view in reader.kept:
        with pytest.raises(ValueError):
            view[0]  # released when read() returned
    # A numpy array made from the buffer outlives the call; it must point at
    # memory that stays valid (never at TensorRT's freed buffer).
    for array in reader.arrays:
        array.sum()
        if array.flags.writeable and array.size:
            array[0] = 1


def test_read_returning_a_non_contiguous_memoryview_works(runtime: trt.Runtime) -> None:
    import numpy as np

    plan = small_plan()

    class Strided(trt.IStreamReaderV2):
        pos = 0

        def read(self, size: int, stream: int) -> memoryview:
            piece = plan[self.pos:self.pos + size]
            self.pos += len(piece)
            doubled = np.zeros(2 * len(piece), dtype=np.uint8)
            doubled[::2] = np.frombuffer(piece, dtype=np.uint8)
            return memoryview(doubled[::2])  # valid, but not contiguous

        def seek(self, offset: int, where: trt.SeekPosition) -> bool:
            self.pos = {0: 0, 1: self.pos, 2: len(plan)}[int(where)] + offset
            return True

    assert runtime.deserialize(Strided()).num_io_tensors == 2


# ------------------------------------------------------------------ exceptions that belong to no call


def test_deallocate_raising_during_close_goes_to_unraisablehook_not_to_the_next_call(
        fake_library: trt.Library, monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes

    seen: list[BaseException] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda args: seen.append(args.exc_value))

    class Failing(trt.IGpuAllocator):
        def __init__(self) -> None:
            self.blocks: dict[int, object] = {}

        def allocate(self, size: int, alignment: int, flags: int) -> int:
            block = ctypes.create_string_buffer(max(size, 1))
            self.blocks[ctypes.addressof(block)] = block
            return ctypes.addressof(block)

        def deallocate(self, memory: int) -> bool:
            raise KeyError("refused to free")

    rt = trt.Runtime(trt.Logger(trt.Logger.ERROR), library=fake_library)
    rt.gpu_allocator = Failing()
    engine = rt.deserialize(small_plan())
    engine.close()
    assert any(isinstance(e, KeyError) for e in seen)
    with pytest.raises(trt.DeserializationError):
        rt.deserialize(b"junk" * 16)
    rt.close()


def test_replacing_the_allocator_frees_the_old_one(fake_library: trt.Library) -> None:
    class A(trt.IGpuAllocator):
        def allocate(self, size: int, alignment: int, flags: int) -> int:
            return 0

        def deallocate(self, memory: int) -> bool:
            return True

    rt = trt.Runtime(trt.Logger(trt.Logger.ERROR), library=fake_library)
    before = pinned_bridges()
    for _ in range(2000):
        rt.gpu_allocator = A()
    assert pinned_bridges() - before <= 2
    rt.gpu_allocator = None
    assert pinned_bridges() - before <= 1
    rt.close()
    assert pinned_bridges() <= before


def test_a_logger_failing_at_the_recursion_limit_never_makes_the_call_succeed(
        fake_library: trt.Library, monkeypatch: pytest.MonkeyPatch) -> None:
    import inspect

    # At the limit even the handler's own handler can fail; cffi then reports
    # that to sys.unraisablehook (a hook that itself needs no stack here),
    # and the call still fails.
    reported: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)

    class Deep(trt.ILogger):
        def log(self, severity: trt.Severity, msg: str) -> None:
            self.log(severity, msg)

    trt.Runtime(trt.Logger(trt.Logger.ERROR), library=fake_library).close()
    rt = trt.Runtime(Deep(), library=fake_library)
    outcomes: list[object] = []

    def at_depth(n: int) -> None:
        if n > 0:
            return at_depth(n - 1)
        try:
            outcomes.append(rt.deserialize_cuda_engine(b"x" * 64))
        except (RecursionError, trt.TensorRTError) as exc:
            outcomes.append(type(exc))
        return None

    base = len(inspect.stack())
    try:
        # Every depth up to the limit: the logger's exception, or the
        # handler's own, comes out; the call never returns None as if only
        # TensorRT had refused.
        for slack in range(40, 0, -1):
            try:
                at_depth(sys.getrecursionlimit() - base - slack)
            except RecursionError:
                continue  # too deep to even make the call
            assert outcomes and outcomes[-1] is not None, f"slack {slack}: {outcomes}"
        # Where even collecting failed, what the logger raised stayed behind,
        # its traceback holding the runtime; the next failing call drops it.
        with pytest.raises((RecursionError, trt.TensorRTError)):
            rt.deserialize_cuda_engine(b"x" * 64)
    finally:
        rt.close()
    reported.clear()  # their tracebacks hold the calls' frames
    gc.collect()
    assert not any(isinstance(b.target, Deep) for b in _PINNED.values()), "the runtime was never released"


# ------------------------------------------------------------------ interpreter exit


EXIT_SCRIPT = PRELUDE + """
import ctypes
kind = sys.argv[2]
busy = threading.Semaphore(0)
class Chatty(trt.ILogger):
    def log(self, severity, msg):
        busy.release()
class Reader(trt.IStreamReaderV2):
    def read(self, size, stream):
        busy.release()
        return b"x" * min(size, 64)
    def seek(self, offset, where):
        return True
class Allocator(trt.IGpuAllocator):
    def __init__(self):
        self.blocks = {}
    def allocate(self, size, alignment, flags):
        busy.release()
        block = ctypes.create_string_buffer(max(size, 1))
        self.blocks[ctypes.addressof(block)] = block
        return ctypes.addressof(block)
    def deallocate(self, memory):
        return self.blocks.pop(memory, None) is not None
def body():
    # Calls that keep entering Python from inside TensorRT, as fast as they can.
    rt = trt.Runtime(Chatty() if kind == "logger" else Quiet(), library=lib)
    if kind == "allocator":
        rt.gpu_allocator = Allocator()
    while True:
        if kind == "logger":
            rt.deserialize_cuda_engine(b"x" * 64)
        elif kind == "reader":
            rt.deserialize_cuda_engine(Reader())
        else:
            rt.deserialize(PLAN).close()
for _ in range(4):
    threading.Thread(target=body, daemon=True).start()
for _ in range(200):
    busy.acquire(timeout=10)
print("exiting")
"""


@pytest.mark.parametrize("kind", ["logger", "reader", "allocator"])
def test_exit_while_daemon_threads_are_inside_callbacks_does_not_abort(fake_lib_path: pathlib.Path,
                                                                        kind: str) -> None:
    # The interpreter ends threads that ask for it while it finalizes; one
    # asking from inside TensorRT must be parked, not unwound through
    # TensorRT's frames (std::terminate). Several runs: the timing varies.
    for _ in range(4):
        proc = run_python(EXIT_SCRIPT, argv=[str(fake_lib_path), kind])
        survived(proc)
        assert proc.stdout.strip() == "exiting"


# ------------------------------------------------------------------ files


def test_a_plan_file_truncated_while_mapped_fails_cleanly(runtime: trt.Runtime, tmp_path: pathlib.Path) -> None:
    path = tmp_path / "plan.bin"
    path.write_bytes(make_plan("cut", [("in", INPUT, FLOAT, (4,)), ("out", OUTPUT, FLOAT, (4,))], size=1 << 20))
    fd = os.open(path, os.O_RDONLY)
    mapping = ffi.new("trt_mapping **")
    try:
        assert lib.trt_mapping_open(fd, 0, mapping) == 0
    finally:
        os.close(fd)
    try:
        os.truncate(path, 4096)  # another process rewriting the plan in place
        out = ffi.new("trt_engine **")
        status = lib.trt_runtime_deserialize_mapping(runtime._h, mapping[0], out)
        assert status == lib.TRT_E_DESERIALIZE
        assert b"truncated" in ffi.string(lib.trt_last_error())
    finally:
        lib.trt_mapping_release(mapping[0])


def test_deserialize_of_a_path_truncated_during_the_call_never_faults(fake_lib_path: pathlib.Path,
                                                                       tmp_path: pathlib.Path) -> None:
    path = tmp_path / "plan.bin"
    proc = run_python(PRELUDE + """
path = sys.argv[2]
big = make_plan("big", [("in", 1, 0, (4,)), ("out", 2, 0, (4,))], size=128 << 20)
rt = trt.Runtime(Quiet(), library=lib)
outcomes = set()
for delay in (0.0, 0.002, 0.01, 0.03):
    with open(path, "wb") as f:
        f.write(big)
    t = threading.Timer(delay, os.truncate, (path, 4096))
    t.start()
    try:
        rt.deserialize(path).close()
        outcomes.add("engine")
    except trt.DeserializationError as exc:
        outcomes.add("refused")
    t.join()
print("ok", sorted(outcomes))
""", argv=[str(fake_lib_path), str(path)])
    survived(proc)
    assert proc.stdout.startswith("ok")


def test_a_fifo_never_blocks_loading_or_deserializing(fake_lib_path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    proc = run_python(PRELUDE + """
fifo = sys.argv[2]
try:
    trt.load_library(fifo)
except trt.LibraryError as exc:
    assert "not a regular file" in str(exc), exc
    print("library refused")
rt = trt.Runtime(Quiet(), library=lib)
try:
    rt.deserialize(fifo)
except trt.DeserializationError:
    print("no plan")
""", argv=[str(fake_lib_path), str(fifo)], timeout=30)
    survived(proc)
    assert proc.stdout.split("\n")[:2] == ["library refused", "no plan"]


def test_a_plan_piped_to_stdin_deserializes_from_dev_stdin(fake_lib_path: pathlib.Path,
                                                           tmp_path: pathlib.Path) -> None:
    import subprocess

    plan = tmp_path / "plan.bin"
    plan.write_bytes(small_plan())
    code = PRELUDE + """
rt = trt.Runtime(Quiet(), library=lib)
print(rt.deserialize("/dev/stdin").num_io_tensors)
"""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(pathlib.Path(__file__).parent),
                                                         os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(["bash", "-c", 'cat "$1" | "$2" -c "$3" "$4"', "_", str(plan), sys.executable, code,
                           str(fake_lib_path)], capture_output=True, text=True, env=env, timeout=60)
    survived(proc)
    assert proc.stdout.strip() == "2"


# ------------------------------------------------------------------ clear messages about libraries


def test_a_library_for_another_machine_says_so(tmp_path: pathlib.Path, fake_lib_path: pathlib.Path) -> None:
    data = bytearray(fake_lib_path.read_bytes())
    data[18:20] = (183).to_bytes(2, "little")  # EM_AARCH64
    other = tmp_path / "libnvinfer.so.11"
    other.write_bytes(bytes(data))
    with pytest.raises(trt.LibraryError, match="aarch64"):
        trt.load_library(other)


def test_a_symlink_loop_and_a_long_path_say_what_is_wrong(tmp_path: pathlib.Path) -> None:
    loop = tmp_path / "loop.so"
    os.symlink(loop, loop)
    with pytest.raises(trt.LibraryError, match="(?i)symbolic links"):
        trt.load_library(loop)
    with pytest.raises(trt.LibraryError, match="(?i)too long"):
        trt.load_library("/" + "x" * 100_000)


def test_a_renamed_library_keeps_its_flavour(tmp_path: pathlib.Path) -> None:
    from conftest import DOUBLE_MAJOR
    from double.build import build

    lean = build(tmp_path / "lean", f"libnvinfer_lean.so.{DOUBLE_MAJOR}", major=DOUBLE_MAJOR)
    renamed = tmp_path / f"libnvinfer.so.{DOUBLE_MAJOR}"
    os.rename(lean, renamed)
    assert trt.load_library(renamed).flavour == "lean"


# ------------------------------------------------------------------ the same on the real libraries


REAL_PRELUDE = """
import sys, threading, time, os
import trt_runtime as trt
lib = trt.load_library(sys.argv[1])
JUNK = b"\\x00" * 4096  # TensorRT refuses it, logging and recording errors
class Quiet(trt.ILogger):
    def log(self, severity, msg):
        pass
"""


@pytest.mark.gpu
def test_real_logger_and_reader_closing_the_runtime_mid_call_are_survived(real_lib_path: pathlib.Path) -> None:
    proc = run_python(REAL_PRELUDE + """
class Closer(trt.ILogger):
    runtime = None
    def log(self, severity, msg):
        if self.runtime is not None:
            self.runtime.close()
logger = Closer()
rt = trt.Runtime(logger, library=lib)
logger.runtime = rt
assert rt.deserialize_cuda_engine(JUNK) is None
assert rt.closed
class Reader(trt.IStreamReaderV2):
    def __init__(self, rt):
        self.rt, self.pos = rt, 0
    def read(self, size, stream):
        self.rt.close()
        piece = JUNK[self.pos:self.pos + size]
        self.pos += len(piece)
        return piece
    def seek(self, offset, where):
        self.pos = {0: 0, 1: self.pos, 2: len(JUNK)}[int(where)] + offset
        return True
rt = trt.Runtime(Quiet(), library=lib)
assert rt.deserialize_cuda_engine(Reader(rt)) is None and rt.closed
other = trt.Runtime(Quiet(), library=lib)
assert other.max_threads == 1
other.close()
print("ok")
""", argv=[str(real_lib_path)])
    survived(proc)
    assert proc.stdout.strip() == "ok"


@pytest.mark.gpu
def test_real_recorder_replaced_while_threads_deserialize_is_survived(real_lib_path: pathlib.Path) -> None:
    proc = run_python(REAL_PRELUDE + """
rt = trt.Runtime(Quiet(), library=lib)
stop = time.monotonic() + 1.5
def churn():
    while time.monotonic() < stop:
        rt.error_recorder = trt.ErrorRecorder()
def work():
    while time.monotonic() < stop:
        assert rt.deserialize_cuda_engine(JUNK) is None
threads = [threading.Thread(target=churn)] + [threading.Thread(target=work) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
rt.close()
print("ok")
""", argv=[str(real_lib_path)])
    survived(proc)
    assert proc.stdout.strip() == "ok"


@pytest.mark.gpu
@pytest.mark.parametrize("kind", ["logger", "reader"])
def test_real_exit_while_daemon_threads_are_inside_callbacks_does_not_abort(real_lib_path: pathlib.Path,
                                                                             kind: str) -> None:
    for _ in range(4):
        proc = run_python(EXIT_SCRIPT, argv=[str(real_lib_path), kind])
        survived(proc)
        assert proc.stdout.strip() == "exiting"


@pytest.mark.gpu
def test_real_fifo_and_truncated_plan_files_are_refused_cleanly(real_lib_path: pathlib.Path,
                                                                tmp_path: pathlib.Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    cut = tmp_path / "cut.plan"
    proc = run_python(REAL_PRELUDE + """
fifo, cut = sys.argv[2], sys.argv[3]
try:
    trt.load_library(fifo)
except trt.LibraryError as exc:
    assert "not a regular file" in str(exc), exc
rt = trt.Runtime(Quiet(), library=lib)
try:
    rt.deserialize(fifo)
except trt.DeserializationError:
    pass
for delay in (0.0, 0.001, 0.005):
    with open(cut, "wb") as f:
        f.write(b"\\x01" * (64 << 20))
    t = threading.Timer(delay, os.truncate, (cut, 4096))
    t.start()
    try:
        rt.deserialize(cut)
    except trt.DeserializationError:
        pass
    t.join()
print("ok")
""", argv=[str(real_lib_path), str(fifo), str(cut)], timeout=60)
    survived(proc)
    assert proc.stdout.strip() == "ok"


def test_info_with_a_fifo_as_library_answers_at_once(tmp_path: pathlib.Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    proc = run_python("from trt_runtime._cli import main; raise SystemExit(main(['info', '--library', "
                      f"{str(fifo)!r}]))", timeout=30)
    assert proc.returncode not in (0, -9) and "not a regular file" in proc.stderr, proc


@pytest.mark.parametrize("value", ["no", 1, 0.0, None])
def test_debug_sync_takes_only_bools(runtime: trt.Runtime, value: object) -> None:
    engine = runtime.deserialize(small_plan())
    ctx = engine.create_execution_context()
    with pytest.raises(TypeError, match="debug_sync must be a bool"):
        ctx.debug_sync = value  # type: ignore[assignment]
    assert ctx.debug_sync is False
    ctx.debug_sync = True
    assert ctx.debug_sync is True
