"""Runtimes made with one logger share its bridge and the shim's log target.

The second and later runtimes of a logger neither pin a new bridge nor call
back into Python when they go; the logger is released (unpinned) once the last
of them is gone, and a runtime made after that gets a fresh one. Exceptions in
the shared logger still come out of the call that triggered them, a target no
runtime took is given back when creation fails, and the last release racing a
new creation on other threads loses nothing and leaks nothing.
"""

from __future__ import annotations

import gc
import threading

import pytest

import trt_runtime as trt
from conftest import RecordingLogger, make_plan
from support import live_objects, pinned_bridges

PLAN = make_plan("share", [("x", 1, 0, (2,)), ("y", 2, 0, (2,))])


class Boom(Exception):
    pass


@pytest.fixture
def baseline() -> int:
    gc.collect()  # runtimes of earlier tests release their loggers' bridges
    return pinned_bridges()


def test_runtimes_of_one_logger_pin_one_bridge(fake_library: trt.Library, baseline: int) -> None:
    log = RecordingLogger()
    runtimes = [trt.Runtime(log, library=fake_library) for _ in range(5)]
    assert pinned_bridges() == baseline + 1
    assert len({id(rt._log_bridge) for rt in runtimes}) == 1
    other = trt.Runtime(RecordingLogger(), library=fake_library)
    assert pinned_bridges() == baseline + 2, "another logger gets its own bridge"
    for i, rt in enumerate(runtimes):
        rt.deserialize_cuda_engine(b"\x07" * 64)
        assert len(log.errors()) == i + 1, "each runtime's messages reach the logger once"
    del other


def test_shared_logger_is_released_after_its_last_runtime(fake_library: trt.Library, baseline: int) -> None:
    log = RecordingLogger()
    first, second = trt.Runtime(log, library=fake_library), trt.Runtime(log, library=fake_library)
    engine = second.deserialize(PLAN)
    first.close()
    second.close()
    assert pinned_bridges() == baseline + 1, "the engine keeps its runtime, and so the logger"
    engine.close()
    assert pinned_bridges() == baseline
    again = trt.Runtime(log, library=fake_library)  # a fresh bridge
    assert pinned_bridges() == baseline + 1
    again.deserialize_cuda_engine(b"")
    assert len(log.errors()) == 1
    again.close()
    assert pinned_bridges() == baseline


def test_dropped_runtimes_release_the_shared_logger(fake_library: trt.Library, baseline: int) -> None:
    log = RecordingLogger()
    runtimes = [trt.Runtime(log, library=fake_library) for _ in range(3)]
    del runtimes
    gc.collect()
    assert pinned_bridges() == baseline


def test_exception_of_a_shared_logger_comes_out_of_each_runtime(fake_library: trt.Library) -> None:
    class Raising(trt.ILogger):
        def log(self, severity: trt.Severity, msg: str) -> None:
            if "magicTag" in msg:
                raise Boom(msg)

    log = Raising()
    first, second = trt.Runtime(log, library=fake_library), trt.Runtime(log, library=fake_library)
    for rt in (second, first, second):
        with pytest.raises(Boom, match="magicTag"):
            rt.deserialize_cuda_engine(b"\x03" * 64)


def test_failed_creation_of_a_new_logger_unpins_it(fake_library: trt.Library, baseline: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_TRT_NO_GPU", "1")
    log = RecordingLogger()
    with pytest.raises(trt.NoDeviceError):
        trt.Runtime(log, library=fake_library)
    assert pinned_bridges() == baseline
    assert log.errors(), "TensorRT's messages of the failed creation reached the logger"


def test_failed_creation_keeps_a_shared_logger_for_its_runtimes(fake_library: trt.Library, baseline: int,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    log = RecordingLogger()
    alive = trt.Runtime(log, library=fake_library)
    with monkeypatch.context() as env:
        env.setenv("FAKE_TRT_NO_GPU", "1")
        with pytest.raises(trt.NoDeviceError):
            trt.Runtime(log, library=fake_library)
    assert pinned_bridges() == baseline + 1
    seen = len(log.errors())
    alive.deserialize_cuda_engine(b"")
    assert len(log.errors()) == seen + 1, "the runtime alive still logs to it"
    del alive
    gc.collect()
    assert pinned_bridges() == baseline


def test_creation_racing_the_last_release_loses_nothing(fake_library: trt.Library, fake_lib_path: str,
                                                        baseline: int) -> None:
    # One logger, eight threads each making and dropping runtimes as fast as
    # they can: a creation that meets a target released meanwhile retries with
    # a fresh one, and every runtime logs to the logger.
    log = RecordingLogger()
    live_before = live_objects(fake_lib_path)
    errors: list[BaseException] = []
    made = [0]
    lock = threading.Lock()

    def churn() -> None:
        try:
            for _ in range(200):
                rt = trt.Runtime(log, library=fake_library)
                rt.deserialize_cuda_engine(b"")
                rt.close()
                with lock:
                    made[0] += 1
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=churn) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert made[0] == 1600
    assert len(log.errors()) == 1600, "every runtime's message reached the logger exactly once"
    gc.collect()
    assert pinned_bridges() == baseline
    assert live_objects(fake_lib_path) == live_before


def test_a_released_target_refuses_new_runtimes(fake_library: trt.Library, baseline: int) -> None:
    from trt_runtime._bridge import new_log_bridge
    from trt_runtime._ffi import ffi, lib

    log = RecordingLogger()
    bridge = new_log_bridge(log, fake_library)
    assert pinned_bridges() == baseline + 1
    lib.trt_log_target_give(bridge.log_target)  # the creator's hold, and no runtime took it: released
    assert pinned_bridges() == baseline
    out = ffi.new("trt_runtime **")
    assert lib.trt_runtime_create_for(fake_library._h, -1, bridge.log_target, out) == lib.TRT_E_CLOSED
    assert out[0] == ffi.NULL
    lib.trt_log_target_give(bridge.log_target)  # given twice: nothing happens
    rt = trt.Runtime(log, library=fake_library)  # not found any more: a fresh one
    assert rt._log_bridge is not bridge
    rt.deserialize_cuda_engine(b"")
    assert len(log.errors()) == 1


def test_a_new_target_outlives_runtimes_until_its_creator_gives_it_back(fake_library: trt.Library,
                                                                       baseline: int) -> None:
    from trt_runtime._bridge import new_log_bridge
    from trt_runtime._ffi import ffi, lib

    log = RecordingLogger()
    bridge = new_log_bridge(log, fake_library)
    out = ffi.new("trt_runtime **")
    assert lib.trt_runtime_create_for(fake_library._h, -1, bridge.log_target, out) == lib.TRT_OK
    lib.trt_runtime_release(out[0])
    assert pinned_bridges() == baseline + 1, "the creator still holds it"
    lib.trt_log_target_give(bridge.log_target)
    assert pinned_bridges() == baseline


def test_loggers_are_shared_per_library(fake_library: trt.Library, fake_lean_path: str, baseline: int) -> None:
    other = trt.load_library(fake_lean_path)
    log = RecordingLogger()
    a, b = trt.Runtime(log, library=fake_library), trt.Runtime(log, library=other)
    assert a._log_bridge is not b._log_bridge
    assert pinned_bridges() == baseline + 2
    fake_library.broadcast(trt.Severity.WARNING, "once")
    assert log.messages.count((trt.Severity.WARNING, "once")) == 1
