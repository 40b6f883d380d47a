"""load_runtime, the plugin registry, temporary directories, logger routing and threads."""

from __future__ import annotations

import gc
import os
import pathlib
import stat
import subprocess
import sys
import textwrap
import weakref

import pytest

import trt_runtime as trt
from conftest import RecordingLogger, make_plan, run_threads


# ------------------------------------------------------------------ load_runtime


def test_load_runtime_returns_a_runtime_that_keeps_its_parent(fake_library: trt.Library,
                                                              fake_lean_path: pathlib.Path) -> None:
    logger = RecordingLogger()
    parent = trt.Runtime(logger, library=fake_library)
    child = parent.load_runtime(fake_lean_path)
    assert isinstance(child, trt.Runtime)
    assert child.parent is parent and child.logger is logger
    assert child.max_threads == 1
    ref = weakref.ref(parent)
    del parent
    gc.collect()
    assert ref() is not None, "the child keeps its parent alive"
    child.max_threads = 2
    assert child.max_threads == 2


def test_deleting_the_parent_first_is_safe(fake_library: trt.Library, fake_lean_path: pathlib.Path) -> None:
    parent = trt.Runtime(RecordingLogger(), library=fake_library)
    child = parent.open_lean_runtime(fake_lean_path)
    parent.close()
    assert child.max_threads == 1
    engine = child.deserialize(make_plan("c", [("i", 1, 0, (1,)), ("o", 2, 0, (1,))]))
    child.close()
    engine.close()


def test_load_runtime_of_a_missing_path(runtime: trt.Runtime, tmp_path: pathlib.Path,
                                        logger: RecordingLogger) -> None:
    missing = tmp_path / "libnvinfer_lean.so.11"
    assert runtime.load_runtime(missing) is None
    with pytest.raises(trt.TensorRTError, match="Unable to load library"):
        runtime.open_lean_runtime(missing)
    assert any("Unable to load library" in m for m in logger.errors())


def test_load_runtime_of_a_non_lean_library(runtime: trt.Runtime, fake_lib_path: pathlib.Path) -> None:
    assert runtime.load_runtime(fake_lib_path) is None
    with pytest.raises(trt.TensorRTError, match="getForwardCompatibilityHelper"):
        runtime.open_lean_runtime(fake_lib_path)


def test_load_runtime_argument_checks(runtime: trt.Runtime) -> None:
    with pytest.raises(TypeError, match="path"):
        runtime.load_runtime(5)  # type: ignore[arg-type]
    with pytest.raises(trt.InvalidArgumentError, match="NUL"):
        runtime.load_runtime("/tmp/a\0b")


# ------------------------------------------------------------------ plugin registry


def test_plugin_registry_lists_creators_and_keeps_runtime(fake_library: trt.Library) -> None:
    rt = trt.Runtime(RecordingLogger(), library=fake_library)
    registry = rt.get_plugin_registry()
    ref = weakref.ref(rt)
    del rt
    gc.collect()
    assert ref() is not None
    names = {(c.name, c.version, c.plugin_namespace, c.kind) for c in registry.all_creators_recursive}
    assert ("FakeV1Plugin", "1", "", "PLUGIN CREATOR_V1") in names
    assert ("FakeV3Plugin", "2", "fake", "PLUGIN CREATOR_V3ONE") in names
    registry.parent_search_enabled = False
    assert registry.parent_search_enabled is False
    with pytest.raises(TypeError):
        registry.parent_search_enabled = "yes"  # type: ignore[assignment]


def test_registry_of_a_closed_runtime_raises(runtime: trt.Runtime) -> None:
    registry = runtime.get_plugin_registry()
    runtime.close()
    with pytest.raises(trt.ClosedError):
        registry.all_creators  # noqa: B018


def test_registry_cannot_be_constructed_directly() -> None:
    with pytest.raises(TypeError):
        trt.IPluginRegistry()


# ------------------------------------------------------------------ temporary directory


def test_effective_directory_follows_tensorrts_rule(monkeypatch: pytest.MonkeyPatch, runtime: trt.Runtime,
                                                    tmp_path: pathlib.Path) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert trt.effective_temporary_directory() == str(tmp_path)
    monkeypatch.delenv("TMPDIR")
    assert trt.effective_temporary_directory() == "/tmp"
    runtime.temporary_directory = tmp_path / "x"
    assert trt.check_temporary_directory(runtime).path == str(tmp_path / "x")


def test_check_reports_usable_and_unusable_directories(tmp_path: pathlib.Path) -> None:
    assert trt.check_temporary_directory(tmp_path)
    missing = trt.check_temporary_directory(tmp_path / "missing")
    assert not missing and "No such file" in str(missing)
    afile = tmp_path / "file"
    afile.write_text("")
    assert "not a directory" in str(trt.check_temporary_directory(afile))
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    assert "sticky" in str(trt.check_temporary_directory(shared))
    shared.chmod(0o777 | stat.S_ISVTX)
    assert trt.check_temporary_directory(shared)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_check_reports_read_only_directory(tmp_path: pathlib.Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    assert "not writable" in str(trt.check_temporary_directory(ro))


# ------------------------------------------------------------------ logger routing


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
    assert trt.Logger.WARNING == trt.Severity.WARNING and trt.Logger.ERROR == 1
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


# ------------------------------------------------------------------ threads


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


def test_interpreter_exit_with_live_objects_is_clean(fake_lib_path: pathlib.Path,
                                                     fake_lean_path: pathlib.Path) -> None:
    plan = make_plan("x", [("i", 1, 0, (1,)), ("o", 2, 0, (1,))])
    code = textwrap.dedent(f"""
        import trt_runtime as trt
        class L(trt.ILogger):
            def log(self, s, m): print('log', m)
        lib = trt.load_library({str(fake_lib_path)!r})
        rt = trt.Runtime(L(), library=lib)
        rt.error_recorder = trt.ErrorRecorder()
        child = rt.load_runtime({str(fake_lean_path)!r})
        reg = rt.get_plugin_registry()
        engine = rt.deserialize({plan!r})
        engine2 = child.deserialize({plan!r})
        keep = [rt, child, reg, engine, engine2]
        print('done')
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("done") and proc.stderr == ""


def test_sys_exit_inside_a_logger_exits_cleanly(fake_lib_path: pathlib.Path) -> None:
    code = textwrap.dedent(f"""
        import sys, trt_runtime as trt
        class L(trt.ILogger):
            def log(self, s, m): sys.exit(7)
        rt = trt.Runtime(L(), library=trt.load_library({str(fake_lib_path)!r}))
        rt.deserialize_cuda_engine(b'')
        print('not reached')
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 7, proc.stderr
    assert "not reached" not in proc.stdout
