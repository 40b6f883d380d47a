"""Python callbacks: loggers, error recorders, GPU allocators and stream readers.

Each runtime's messages reach its own logger (and messages from outside any call
every live logger, once); the printing and ``logging`` loggers. An exception
raised in a callback comes out of the call that triggered it, with its own type
and traceback: one group of tests per callback kind, on the double and (marker
``gpu``) on the real libraries; outside any call it goes to sys.unraisablehook;
on threads it stays on its own thread. Callback bridges are released when
nothing uses them. sys.exit inside a callback: test_exit.py.
"""

from __future__ import annotations

import gc
import sys
import threading
from pathlib import Path
import traceback

import pytest

import trt_runtime as trt
from conftest import RecordingLogger, make_plan, since_10
from support import CountingReader, run_python


PLAN = make_plan("cb", [("x", 1, 0, (2,)), ("y", 2, 0, (2,))])


class Boom(Exception):
    pass


class RaisingLogger(trt.ILogger):
    def __init__(self, when: str = "magicTag") -> None:
        self.when = when

    def log(self, severity: trt.Severity, msg: str) -> None:
        if self.when in msg:
            raise Boom(f"logger saw: {msg}")


# ------------------------------------------------------------------ loggers: routing and the ready-made ones


def test_each_runtime_gets_its_own_logger(fake_library: trt.Library) -> None:
    a, b = RecordingLogger(), RecordingLogger()
    ra = trt.Runtime(a, library=fake_library)
    rb = trt.Runtime(b, library=fake_library)
    ra.deserialize_cuda_engine(b"\x07" * 64)
    assert len(a.errors()) == 1 and not b.errors()
    rb.deserialize_cuda_engine(b"")
    assert len(b.errors()) == 1 and len(a.errors()) == 1
    assert not any("differs from one already registered" in m for _, m in a.messages + b.messages)


def test_messages_outside_calls_reach_every_live_logger_once(fake_library: trt.Library) -> None:
    a, b = RecordingLogger(), RecordingLogger()
    ra, rb, rb2 = (trt.Runtime(a, library=fake_library), trt.Runtime(b, library=fake_library),
                   trt.Runtime(b, library=fake_library))
    fake_library.broadcast(trt.Severity.WARNING, "from a TensorRT thread")
    assert a.messages.count((trt.Severity.WARNING, "from a TensorRT thread")) == 1
    assert b.messages.count((trt.Severity.WARNING, "from a TensorRT thread")) == 1
    del ra, rb, rb2


def test_python_logging_logger(fake_library: trt.Library, caplog: pytest.LogCaptureFixture) -> None:
    rt = trt.Runtime(trt.LoggingLogger("trt.test"), library=fake_library)
    with caplog.at_level("DEBUG", logger="trt.test"):
        rt.deserialize_cuda_engine(b"\x08" * 64)
    assert any(r.levelname == "ERROR" and "magicTag" in r.getMessage() for r in caplog.records)


def test_printing_logger_honours_min_severity(fake_library: trt.Library) -> None:
    import io

    out = io.StringIO()
    assert trt.Logger.WARNING == trt.Severity.WARNING and int(trt.Logger.ERROR) == 1
    rt = trt.Runtime(trt.Logger(trt.Logger.INTERNAL_ERROR, stream=out), library=fake_library)
    rt.deserialize_cuda_engine(b"\x08" * 64)
    assert out.getvalue() == ""
    rt2 = trt.Runtime(trt.Logger(stream=out), library=fake_library)
    rt2.deserialize_cuda_engine(b"\x08" * 64)
    assert out.getvalue().startswith("[E] ") and "magicTag" in out.getvalue()


def test_logger_subclass_need_not_call_init(fake_library: trt.Library) -> None:
    class Minimal(trt.ILogger):
        def __init__(self) -> None:
            self.n = 0

        def log(self, severity: trt.Severity, msg: str) -> None:
            self.n += 1

    log = Minimal()
    trt.Runtime(log, library=fake_library).deserialize_cuda_engine(b"")
    assert log.n == 1


# ------------------------------------------------------------------ logger exceptions


def test_logger_exception_comes_out_of_deserialize(fake_library: trt.Library) -> None:
    rt = trt.Runtime(RaisingLogger(), library=fake_library)
    with pytest.raises(Boom, match="logger saw") as info:
        rt.deserialize_cuda_engine(b"\x03" * 64)
    frames = [f.name for f in traceback.extract_tb(info.value.__traceback__)]
    assert "log" in frames, "the original traceback of the callback is kept"
    assert any("magicTag" in note for note in getattr(info.value, "__notes__", []))


@pytest.mark.gpu
def test_exception_in_the_logger_comes_out_of_deserialize(real_lib_path) -> None:  # type: ignore[no-untyped-def]
    class Raising(trt.ILogger):
        def log(self, severity: trt.Severity, msg: str) -> None:
            if severity <= trt.Severity.ERROR:
                raise LookupError(msg)

    rt = trt.Runtime(Raising(), library=trt.load_library(real_lib_path))
    with pytest.raises(LookupError, match="magicTag"):
        rt.deserialize_cuda_engine(b"\x01" * 4096)


def test_logger_exception_during_creation_comes_out_of_the_constructor(fake_library: trt.Library,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_TRT_NO_GPU", "1")
    with pytest.raises(Boom):
        trt.Runtime(RaisingLogger("CUDA"), library=fake_library)


def test_logger_base_exception_is_not_swallowed(fake_library: trt.Library) -> None:
    class Exiting(trt.ILogger):
        def log(self, severity: trt.Severity, msg: str) -> None:
            raise KeyboardInterrupt

    rt = trt.Runtime(Exiting(), library=fake_library)
    with pytest.raises(KeyboardInterrupt):
        rt.deserialize(b"\x03" * 64)


def test_logger_without_log_method_raises_not_implemented(fake_library: trt.Library) -> None:
    class Empty(trt.ILogger):
        pass

    rt = trt.Runtime(Empty(), library=fake_library)
    with pytest.raises(NotImplementedError, match="log"):
        rt.deserialize(b"\x03" * 64)


# ------------------------------------------------------------------ error recorders


def test_recorder_exception_comes_out_of_the_setter(runtime: trt.Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    class Bad(trt.ErrorRecorder):
        def report_error(self, val: trt.ErrorCode, desc: str) -> bool:
            raise Boom(desc)

    monkeypatch.setenv("FAKE_TRT_DLA_CORES", "2")  # the double then checks the core and reports
    runtime.error_recorder = Bad()
    with pytest.raises(Boom, match="dlaCore"):
        runtime.DLA_core = 5
    runtime.DLA_core = 1
    assert runtime.DLA_core == 1


def test_recorder_exception_comes_out_of_deserialize(runtime: trt.Runtime) -> None:
    class Bad(trt.ErrorRecorder):
        def report_error(self, val: trt.ErrorCode, desc: str) -> bool:
            raise Boom(val.name)

    runtime.error_recorder = Bad()
    with pytest.raises(Boom, match="UNSPECIFIED_ERROR"):
        runtime.deserialize_cuda_engine(b"\x04" * 64)


@pytest.mark.gpu
def test_exception_in_the_recorder_comes_out_of_deserialize(real_runtime: trt.Runtime) -> None:
    class Raising(trt.ErrorRecorder):
        def report_error(self, val: trt.ErrorCode, desc: str) -> bool:
            raise ArithmeticError(desc)

    real_runtime.error_recorder = Raising()
    with pytest.raises(ArithmeticError, match="empty memory buffer"):
        real_runtime.deserialize_cuda_engine(b"")


def test_recorder_is_released_when_nothing_uses_it(fake_library: trt.Library) -> None:
    from trt_runtime._callbacks import _PINNED

    gc.collect()  # runtimes of earlier tests release their loggers' bridges
    before = len(_PINNED)
    rt = trt.Runtime(RecordingLogger(), library=fake_library)
    rt.error_recorder = trt.ErrorRecorder()
    engine = rt.deserialize(PLAN)
    rt.error_recorder = trt.ErrorRecorder()  # the engine still holds the first one
    assert len(_PINNED) == before + 3  # the logger's bridge and two recorders
    engine.close()
    rt.close()
    gc.collect()
    assert len(_PINNED) == before


# ------------------------------------------------------------------ GPU allocators


class HostAllocator(trt.IGpuAllocator):
    """Host memory stands in for device memory on the double."""

    def __init__(self) -> None:
        self.live: dict[int, bytearray] = {}
        self.calls: list[str] = []

    def allocate(self, size: int, alignment: int, flags: int) -> int:
        import ctypes

        buf = (ctypes.c_char * max(size, 1))()
        address = ctypes.addressof(buf)
        self.live[address] = buf  # type: ignore[assignment]
        self.calls.append("allocate")
        return address

    def deallocate(self, memory: int) -> bool:
        self.calls.append("deallocate")
        return self.live.pop(memory, None) is not None


def test_allocator_is_called_for_engine_memory_and_frees_it(runtime: trt.Runtime) -> None:
    alloc = HostAllocator()
    runtime.gpu_allocator = alloc
    engine = runtime.deserialize(PLAN)
    assert alloc.calls == ["allocate"] and len(alloc.live) == 1
    engine.close()
    assert alloc.calls == ["allocate", "deallocate"] and not alloc.live


@pytest.mark.parametrize("returned,error", [(None, TypeError), ("0x10", TypeError), (-5, ValueError),
                                            (True, TypeError)])
def test_allocator_bad_return_surfaces_from_deserialize(runtime: trt.Runtime, returned: object,
                                                        error: type[Exception]) -> None:
    class Bad(trt.IGpuAsyncAllocator):
        def allocate_async(self, size: int, alignment: int, flags: int, stream: int) -> int:
            return returned  # type: ignore[return-value]

        def deallocate_async(self, memory: int, stream: int) -> bool:
            return True

    runtime.gpu_allocator = Bad()
    with pytest.raises(error, match="allocate"):
        runtime.deserialize_cuda_engine(PLAN)


def test_allocator_exception_comes_out_of_deserialize(runtime: trt.Runtime) -> None:
    class Bad(trt.IGpuAllocator):
        def allocate(self, size: int, alignment: int, flags: int) -> int:
            raise MemoryError("pool exhausted")

        def deallocate(self, memory: int) -> bool:
            return True

    runtime.gpu_allocator = Bad()
    with pytest.raises(MemoryError, match="pool exhausted"):
        runtime.deserialize_cuda_engine(PLAN)


def test_allocator_returning_zero_is_tensorrts_allocation_failure(runtime: trt.Runtime) -> None:
    class Empty(trt.IGpuAllocator):
        def allocate(self, size: int, alignment: int, flags: int) -> int:
            return 0

        def deallocate(self, memory: int) -> bool:
            return True

    runtime.gpu_allocator = Empty()
    assert runtime.deserialize_cuda_engine(PLAN) is None
    with pytest.raises(trt.DeserializationError) as info:
        runtime.deserialize(PLAN)
    assert any("memory" in r.message for r in info.value.reports)


# ------------------------------------------------------------------ stream readers


def test_stream_reader_exception_comes_out_of_deserialize(runtime: trt.Runtime) -> None:
    class Bad(trt.IStreamReaderV2):
        def read(self, size: int, stream: int) -> bytes:
            raise OSError("disk on fire")

        def seek(self, offset: int, where: trt.SeekPosition) -> bool:
            return True

    with pytest.raises(OSError, match="disk on fire"):
        runtime.deserialize_cuda_engine(Bad())


@pytest.mark.gpu
def test_exception_in_the_reader_comes_out_of_deserialize(real_runtime: trt.Runtime) -> None:
    class Broken(CountingReader):
        def read(self, size: int, stream: int) -> bytes:
            raise OSError("device unplugged")

    with pytest.raises(OSError, match="device unplugged"):
        real_runtime.deserialize_cuda_engine(Broken(b""))


def test_stream_reader_seek_exception_comes_out(runtime: trt.Runtime) -> None:
    class Bad(trt.IStreamReaderV2):
        seeks = 0

        def read(self, size: int, stream: int) -> bytes:
            return b"\0" * size

        def seek(self, offset: int, where: trt.SeekPosition) -> bool:
            Bad.seeks += 1
            raise ValueError("no seeking")

    if since_10(7):
        with pytest.raises(ValueError, match="no seeking"):
            runtime.deserialize(Bad())
    else:
        # Before 10.7 (the old reader interface) nothing seeks: the zeros fail TensorRT's header check.
        with pytest.raises(trt.DeserializationError, match="magicTag"):
            runtime.deserialize(Bad())
        assert Bad.seeks == 0


def test_stream_reader_returning_too_much_or_none(runtime: trt.Runtime) -> None:
    class TooMuch(trt.IStreamReaderV2):
        def read(self, size: int, stream: int) -> bytes:
            return b"\0" * (size + 1)

        def seek(self, offset: int, where: trt.SeekPosition) -> bool:
            return True

    class Nothing(TooMuch):
        def read(self, size: int, stream: int) -> bytes:
            return None  # type: ignore[return-value]

    with pytest.raises(ValueError, match="returned"):
        runtime.deserialize(TooMuch())
    with pytest.raises(TypeError, match="None"):
        runtime.deserialize(Nothing())


# ------------------------------------------------------------------ outside any call, and on threads


def test_callback_failure_outside_any_call_goes_to_unraisablehook(fake_library: trt.Library,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda args: seen.append(args.exc_value))
    rt = trt.Runtime(RaisingLogger("hello"), library=fake_library)
    from trt_runtime._ffi import lib

    # What TensorRT's own threads do: log with no trt_runtime call running.
    lib._trt_py_broadcast_log(fake_library._bridge.handle, 1, b"hello from a TensorRT thread")
    assert len(seen) == 1 and isinstance(seen[0], Boom)
    rt.close()


def test_outside_any_call_the_interpreter_s_own_hook_prints_the_exception(fake_lib_path: Path) -> None:
    # No hook of the program's: what the interpreter's default one prints, with the traceback.
    out = run_python(f"""
        import sys
        import trt_runtime as trt
        from trt_runtime._ffi import lib
        assert sys.unraisablehook is sys.__unraisablehook__
        class Loud(trt.ILogger):
            def log(self, severity, msg):
                raise LookupError("raised by the logger: " + msg)
        library = trt.load_library({str(fake_lib_path)!r})
        rt = trt.Runtime(Loud(), library=library)
        lib._trt_py_broadcast_log(library._bridge.handle, 1, b"hello from a TensorRT thread")
        print("still running")
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "still running\n"
    assert "Exception ignored in a logger receiving a TensorRT message outside any call:" in out.stderr
    assert "Traceback (most recent call last)" in out.stderr
    assert "LookupError: raised by the logger: hello from a TensorRT thread" in out.stderr
    assert "argument type must be UnraisableHookArgs" not in out.stderr


def test_exceptions_stay_on_their_thread(fake_library: trt.Library) -> None:
    class PerThread(trt.ILogger):
        def log(self, severity: trt.Severity, msg: str) -> None:
            raise Boom(threading.current_thread().name)

    rt = trt.Runtime(PerThread(), library=fake_library)
    results: dict[str, str] = {}

    def work() -> None:
        for _ in range(50):
            try:
                rt.deserialize(b"\x05" * 64)
            except Boom as exc:
                if str(exc) != threading.current_thread().name:
                    results[threading.current_thread().name] = f"got {exc}"
                    return
        results[threading.current_thread().name] = "ok"

    threads = [threading.Thread(target=work, name=f"t{i}") for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {f"t{i}": "ok" for i in range(8)}


def test_notes_are_added_also_where_python_has_no_add_note() -> None:
    from trt_runtime._errors import add_note

    class Old(Exception):
        add_note = None  # as on Python 3.10, where BaseException.add_note does not exist

    exc = Old("callback")
    add_note(exc, "first")
    add_note(exc, "second")
    assert exc.__notes__ == ["first", "second"]  # type: ignore[attr-defined]
    modern = ValueError("x")
    add_note(modern, "note")
    assert modern.__notes__ == ["note"]


# ------------------------------------------------------------------ kept exceptions, nested and stale


def test_a_failing_call_made_inside_a_callback_leaves_the_outer_call_its_exception(fake_library: trt.Library) -> None:
    inner = trt.Runtime(RaisingLogger(when=""), library=fake_library)
    # Text only: an exception's traceback would hold the outer runtime, and
    # the logger (which the shim holds for it) would then keep it forever.
    seen: list[str] = []

    class FailingReader(CountingReader):
        def read(self, size: int, stream: int) -> bytes:
            raise Boom("outer")  # kept for the outer call, which goes on to log

    class Nesting(trt.ILogger):
        def log(self, severity: trt.Severity, msg: str) -> None:
            # A failing call of its own, while the outer call holds the reader's exception.
            try:
                inner.deserialize_cuda_engine(b"\x04" * 64)
            except Boom as exc:
                seen.append(str(exc))

    outer = trt.Runtime(Nesting(), library=fake_library)
    with pytest.raises(Boom, match="^outer"):
        outer.deserialize_cuda_engine(FailingReader(b"\x04" * 64))
    assert seen and all(text.startswith("logger saw") for text in seen)
    from trt_runtime._errors import _kept

    assert not getattr(_kept, "stack", None), "nothing is left behind"


def test_an_exception_its_call_never_collected_is_dropped_by_the_next_failure(fake_library: trt.Library) -> None:
    from trt_runtime._errors import _kept, keep_for_call

    class Leaving(trt.ILogger):
        def log(self, severity: trt.Severity, msg: str) -> None:
            # As when the method that made the call could not even collect
            # (a RecursionError before it ran): kept, never taken.
            keep_for_call(Boom("stale"))
            raise Boom("current")

    rt = trt.Runtime(Leaving(), library=fake_library)
    with pytest.raises(Boom, match="^current"):
        rt.deserialize_cuda_engine(b"\x04" * 64)
    assert not getattr(_kept, "stack", None), "the stale one was dropped with the call's own"
