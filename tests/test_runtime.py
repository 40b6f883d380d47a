"""Creating a Runtime, and every Runtime property: defaults, round trips, and refusals that raise.

Creation without a usable GPU raises NoDeviceError carrying TensorRT's messages
(the double with FAKE_TRT_NO_GPU=1; the real libraries on a machine without a
GPU), never touching the pointer TensorRT returns. The property tests run on the
test double and, in the GPU tier (``any_runtime``'s ``lean`` and ``dispatch``
parameters carry the ``gpu`` marker), on the real lean and dispatch libraries.
The setters are also fuzzed with values of every type (``stress`` twin: many
more examples). The temporary-directory check: test_temporary_directory.py.
"""

from __future__ import annotations

import enum

import operator
import os
import re
import pathlib
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

import trt_runtime as trt
from conftest import DOUBLE_MAJOR, DOUBLE_VERSION, REAL_LIBS, RecordingLogger, gpu_available
from double.build import build
from fuzzing import ANY_VALUE, FUZZ, FsPath, mentions, stress
from support import run_bare_python, run_python


# ------------------------------------------------------------------ creation without a GPU


def test_no_gpu_double_gives_no_device_error_without_touching_the_pointer(tmp_path: pathlib.Path) -> None:
    path = build(tmp_path, f"libnvinfer.so.{DOUBLE_MAJOR}", major=DOUBLE_MAJOR)
    proc = run_bare_python(f"""
        import trt_runtime as trt
        lib = trt.load_library({str(path)!r})
        class L(trt.ILogger):
            def __init__(self): self.seen = []
            def log(self, s, m): self.seen.append(m)
        log = L()
        try:
            trt.Runtime(log, library=lib)
        except trt.NoDeviceError as e:
            assert len(log.seen) == 2 and 'CUDA initialization failure' in log.seen[0]
            assert e.code == 6 and len(e.reports) == 2
            print('ok')
    """, env={"FAKE_TRT_NO_GPU": "1"})
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert proc.stdout.strip() == "ok"


def test_no_gpu_double_error_carries_tensorrts_messages_and_recovers(fake_lib_path: pathlib.Path) -> None:
    """FAKE_TRT_NO_GPU=1: NoDeviceError (a RuntimeError) whose text holds both of TensorRT's
    messages, three times over, no object left in the double; once a GPU "appears", a runtime
    works; the interpreter exits cleanly."""
    proc = run_python(f"""
        import ctypes, os, trt_runtime as trt
        from conftest import RecordingLogger
        lib = trt.load_library({str(fake_lib_path)!r})
        double = ctypes.CDLL({str(fake_lib_path)!r})
        for _ in range(3):
            log = RecordingLogger()
            try:
                trt.Runtime(log, library=lib)
            except trt.NoDeviceError as e:
                assert isinstance(e, RuntimeError) and e.code == 6
                text = str(e)
                assert text.startswith("no usable GPU"), text
                assert "CUDA initialization failure with error: 35" in text, text
                assert "CUDA driver version is insufficient for CUDA runtime version" in text, text
                assert [m for _, m in log.messages] == [r.message for r in e.reports]
            else:
                raise SystemExit("no NoDeviceError")
        assert double.fake_trt_live_objects() == 0
        del os.environ["FAKE_TRT_NO_GPU"]
        log = RecordingLogger()
        rt = trt.Runtime(log, library=lib)
        assert rt.deserialize_cuda_engine(b"") is None and log.errors()
        print("ok")
    """, env={"FAKE_TRT_NO_GPU": "1"})
    assert (proc.returncode, proc.stderr, proc.stdout.strip()) == (0, "", "ok")


@pytest.mark.parametrize("flavour", ["lean", "dispatch"])
def test_real_runtime_without_gpu_raises_cleanly_in_a_subprocess(flavour: str) -> None:
    path = REAL_LIBS[flavour]
    if path is None:
        pytest.skip(f"tensorrt-{flavour}-cu13-libs is not installed")
    if gpu_available():
        pytest.skip("this machine has a GPU")
    proc = run_bare_python(f"""
        import trt_runtime as trt
        lib = trt.load_library({str(path)!r})
        class Quiet(trt.ILogger):
            def log(self, s, m): pass
        for _ in range(3):
            try:
                trt.Runtime(Quiet(), library=lib)
            except trt.NoDeviceError as e:
                assert isinstance(e, RuntimeError)
                assert any('CUDA' in r.message for r in e.reports), e.reports
        print('survived')
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "survived"


@pytest.mark.parametrize("flavour", ["lean", "dispatch"])
def test_real_library_without_gpu_gives_tensorrts_messages_and_exits_cleanly(flavour: str) -> None:
    """The real lean/dispatch library on a machine without a usable GPU: NoDeviceError whose text
    holds every message TensorRT logged (CUDA initialization failure ...), then a clean exit:
    status 0 and nothing on stderr (the official bindings crash here)."""
    path = REAL_LIBS[flavour]
    if path is None:
        pytest.skip(f"the real {flavour} library is not installed")
    if gpu_available():
        pytest.skip("this machine has a usable GPU")
    proc = run_python(f"""
        import trt_runtime as trt
        from conftest import RecordingLogger
        lib = trt.load_library({str(path)!r})
        for _ in range(3):
            log = RecordingLogger()
            try:
                trt.Runtime(log, library=lib)
            except trt.NoDeviceError as e:
                text = str(e)
                assert "CUDA initialization failure" in text, text
                assert e.reports and all(r.message in text for r in e.reports), text
                assert [m for _, m in log.messages] == [r.message for r in e.reports]
            else:
                raise SystemExit("a runtime without a GPU")
        print("ok")
    """)
    assert (proc.returncode, proc.stderr, proc.stdout.strip()) == (0, "", "ok")


# ------------------------------------------------------------------ creation on a GPU


@pytest.mark.gpu
def test_many_runtimes_are_cheap_after_the_first(real_lib_path) -> None:  # type: ignore[no-untyped-def]
    library = trt.load_library(real_lib_path)
    runtimes = [trt.Runtime(RecordingLogger(), library=library) for _ in range(100)]
    assert all(r.max_threads == 1 for r in runtimes)
    for r in runtimes:
        r.close()


# ------------------------------------------------------------------ properties


def test_defaults_match_tensorrt(any_runtime: trt.Runtime) -> None:
    rt = any_runtime
    assert rt.DLA_core == -1
    assert rt.num_DLA_cores == 0
    assert rt.max_threads == 1
    assert rt.temporary_directory is None
    assert rt.tempfile_control_flags == 3
    assert rt.engine_host_code_allowed is False
    assert rt.error_recorder is None
    assert rt.gpu_allocator is None


def test_max_threads_round_trip(any_runtime: trt.Runtime) -> None:
    any_runtime.max_threads = 4
    assert any_runtime.max_threads == 4


@pytest.mark.parametrize("bad", [0, -1, -(2**31)])
def test_max_threads_below_one_raises_and_keeps_value(any_runtime: trt.Runtime, bad: int) -> None:
    any_runtime.max_threads = 3
    with pytest.raises(trt.InvalidArgumentError, match="max_threads"):
        any_runtime.max_threads = bad
    assert any_runtime.max_threads == 3


@pytest.mark.parametrize("bad", ["2", 2.0, None, True])
def test_max_threads_wrong_type_is_type_error(any_runtime: trt.Runtime, bad: object) -> None:
    with pytest.raises(TypeError, match="max_threads"):
        any_runtime.max_threads = bad  # type: ignore[assignment]


def test_max_threads_beyond_int32_raises(any_runtime: trt.Runtime) -> None:
    with pytest.raises(trt.InvalidArgumentError, match="32 bits"):
        any_runtime.max_threads = 2**31


def test_tempfile_flags_work_as_official_docs_show(any_runtime: trt.Runtime) -> None:
    rt = any_runtime
    rt.tempfile_control_flags = 0
    rt.tempfile_control_flags |= 1 << int(trt.TempfileControlFlag.ALLOW_IN_MEMORY_FILES)
    assert rt.tempfile_control_flags == 1
    rt.tempfile_control_flags |= 1 << int(trt.TempfileControlFlag.ALLOW_TEMPORARY_FILES)
    assert rt.tempfile_control_flags == 3
    assert int(trt.TempfileControlFlag.ALLOW_IN_MEMORY_FILES) == 0
    assert int(trt.TempfileControlFlag.ALLOW_TEMPORARY_FILES) == 1
    # As the official enums: equal to no plain int (a dict may hold both as keys).
    assert trt.TempfileControlFlag.ALLOW_TEMPORARY_FILES != 1


@pytest.mark.parametrize("bad", [1 << 5, 4, -1])
def test_tempfile_flags_outside_two_bits_raise(any_runtime: trt.Runtime, bad: int) -> None:
    with pytest.raises(trt.InvalidArgumentError, match="tempfile_control_flags"):
        any_runtime.tempfile_control_flags = bad
    assert any_runtime.tempfile_control_flags == 3


def test_dla_core_that_does_not_exist_raises(any_runtime: trt.Runtime) -> None:
    assert any_runtime.num_DLA_cores == 0
    with pytest.raises(trt.InvalidArgumentError, match="DLA"):
        any_runtime.DLA_core = 3
    assert any_runtime.DLA_core == -1


def test_dla_core_minus_one_is_accepted(any_runtime: trt.Runtime) -> None:
    any_runtime.DLA_core = -1
    assert any_runtime.DLA_core == -1


def test_num_dla_cores_is_read_only(any_runtime: trt.Runtime) -> None:
    with pytest.raises(AttributeError):
        any_runtime.num_DLA_cores = 1  # type: ignore[misc]


@pytest.mark.parametrize("value", ["/nonexistent/dir", pathlib.Path("/tmp"), "relative/dir", "ünïcode"])
def test_temporary_directory_round_trip(any_runtime: trt.Runtime, value: object) -> None:
    any_runtime.temporary_directory = value  # type: ignore[assignment]
    assert any_runtime.temporary_directory == str(value)
    any_runtime.temporary_directory = None
    assert any_runtime.temporary_directory is None


def test_temporary_directory_rejects_nul_and_non_paths(any_runtime: trt.Runtime) -> None:
    with pytest.raises(trt.InvalidArgumentError, match="NUL"):
        any_runtime.temporary_directory = "/tmp/a\0b"
    with pytest.raises(TypeError, match="temporary_directory"):
        any_runtime.temporary_directory = 5  # type: ignore[assignment]
    assert any_runtime.temporary_directory is None


@pytest.mark.parametrize("value", ["/tmp/\ud800", pathlib.PurePosixPath("/tmp/\udbff"), FsPath(5)],
                         ids=["surrogate-str", "surrogate-path", "fspath-int"])
def test_temporary_directory_encoding_errors_name_the_argument(runtime: trt.Runtime, value: Any) -> None:
    """Was: os.fsencode unguarded; a lone surrogate gave a bare UnicodeEncodeError, a __fspath__
    returning an int a bare TypeError, neither naming temporary_directory."""
    with pytest.raises((TypeError, ValueError)) as info:
        runtime.temporary_directory = value
    assert "temporary_directory" in str(info.value)
    assert runtime.temporary_directory is None


def test_engine_host_code_allowed_round_trip_and_type(any_runtime: trt.Runtime) -> None:
    any_runtime.engine_host_code_allowed = True
    assert any_runtime.engine_host_code_allowed is True
    any_runtime.engine_host_code_allowed = False
    assert any_runtime.engine_host_code_allowed is False
    with pytest.raises(TypeError, match="engine_host_code_allowed"):
        any_runtime.engine_host_code_allowed = 1  # type: ignore[assignment]


def test_engine_host_code_allowed_takes_numpy_bools(runtime: trt.Runtime) -> None:
    """Was: numpy bools were recognised by the type name 'bool_', which is 'bool' in numpy 2, so
    numpy.True_ was refused with 'engine_host_code_allowed must be a bool, not bool'."""
    runtime.engine_host_code_allowed = np.True_
    assert runtime.engine_host_code_allowed is True
    runtime.engine_host_code_allowed = np.False_
    assert runtime.engine_host_code_allowed is False


def test_logger_is_the_object_given(any_runtime: trt.Runtime, logger: trt.ILogger) -> None:
    assert any_runtime.logger is logger
    with pytest.raises(AttributeError):
        any_runtime.logger = logger  # type: ignore[misc]


def test_error_recorder_is_kept_and_returned(any_runtime: trt.Runtime) -> None:
    rec = trt.ErrorRecorder()
    any_runtime.error_recorder = rec
    assert any_runtime.error_recorder is rec
    any_runtime.error_recorder = None
    assert any_runtime.error_recorder is None
    with pytest.raises(TypeError, match="error_recorder"):
        any_runtime.error_recorder = object()  # type: ignore[assignment]


def test_refusal_with_a_recorder_set_goes_to_the_recorder_and_raises(any_runtime: trt.Runtime) -> None:
    rec = trt.ErrorRecorder()
    any_runtime.error_recorder = rec
    with pytest.raises(trt.InvalidArgumentError) as info:
        any_runtime.DLA_core = 1
    assert "DLA" in str(info.value)


def test_gpu_allocator_is_readable(any_runtime: trt.Runtime) -> None:
    class Alloc(trt.IGpuAllocator):
        def allocate(self, size: int, alignment: int, flags: int) -> int:
            return 0

        def deallocate(self, memory: int) -> bool:
            return True

    a = Alloc()
    any_runtime.gpu_allocator = a
    assert any_runtime.gpu_allocator is a
    any_runtime.gpu_allocator = None
    assert any_runtime.gpu_allocator is None
    with pytest.raises(TypeError, match="gpu_allocator"):
        any_runtime.gpu_allocator = "cudaMalloc"  # type: ignore[assignment]


#: The refusal of the DLA workspace strategy on 10.x (it came in TensorRT 11.4).
DLA_STRATEGY_NEEDS_11_4 = (r"^the DLA workspace allocation strategy needs TensorRT 11\.4 or later; the loaded library "
                           r"is 10\.\d+$")


def expect_no_dla_strategy(rt: trt.Runtime) -> None:
    """On 10.x: reading it, and setting any valid value, raise UnsupportedError naming 11.4 and the
    loaded minor; an invalid value is still an InvalidArgumentError (checked before the library)."""
    with pytest.raises(trt.UnsupportedError, match=DLA_STRATEGY_NEEDS_11_4) as info:
        _ = rt.dla_workspace_allocation_strategy
    assert isinstance(info.value, NotImplementedError)
    assert f"is {rt.library.version.major}.{rt.library.version.minor}" in str(info.value)
    for value in trt.DLAWorkspaceAllocationStrategy:
        with pytest.raises(trt.UnsupportedError, match=DLA_STRATEGY_NEEDS_11_4):
            rt.dla_workspace_allocation_strategy = value
    with pytest.raises(trt.InvalidArgumentError):
        rt.dla_workspace_allocation_strategy = 7  # type: ignore[assignment]


def test_dla_workspace_strategy_default_and_no_dla(any_runtime: trt.Runtime) -> None:
    if DOUBLE_MAJOR == 10:
        expect_no_dla_strategy(any_runtime)
        return
    assert any_runtime.dla_workspace_allocation_strategy == trt.DLAWorkspaceAllocationStrategy.DEFAULT
    with pytest.raises(trt.InvalidArgumentError):
        any_runtime.dla_workspace_allocation_strategy = 7  # type: ignore[assignment]


@pytest.mark.gpu
def test_dla_workspace_strategy_round_trip_or_refusal(real_runtime: trt.Runtime) -> None:
    if DOUBLE_MAJOR == 10:
        expect_no_dla_strategy(real_runtime)
        return
    assert real_runtime.dla_workspace_allocation_strategy == trt.DLAWorkspaceAllocationStrategy.DEFAULT
    try:
        real_runtime.dla_workspace_allocation_strategy = trt.DLAWorkspaceAllocationStrategy.SHARED_STATIC
    except trt.InvalidArgumentError:
        assert real_runtime.dla_workspace_allocation_strategy == trt.DLAWorkspaceAllocationStrategy.DEFAULT
    else:
        assert real_runtime.dla_workspace_allocation_strategy == trt.DLAWorkspaceAllocationStrategy.SHARED_STATIC


def test_context_manager_is_a_deprecated_no_op(any_runtime: trt.Runtime) -> None:
    with pytest.warns(DeprecationWarning):
        with any_runtime as rt:
            assert rt is any_runtime
    assert not any_runtime.closed
    assert any_runtime.max_threads == 1


def test_close_is_idempotent_and_later_use_raises(any_runtime: trt.Runtime) -> None:
    any_runtime.close()
    any_runtime.close()
    assert any_runtime.closed
    with pytest.raises(trt.ClosedError):
        _ = any_runtime.max_threads
    with pytest.raises(trt.ClosedError):
        any_runtime.max_threads = 2
    with pytest.raises(trt.ClosedError):
        any_runtime.deserialize(b"x" * 64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        repr(any_runtime)


def test_handle_is_an_int(any_runtime: trt.Runtime) -> None:
    assert isinstance(any_runtime.handle, int) and any_runtime.handle > 4096


# ------------------------------------------------------------------ every setter fuzzed


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


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001
        return False


def check_setter(rt: trt.Runtime, name: str, value: Any) -> None:
    if name == "dla_workspace_allocation_strategy" and DOUBLE_MAJOR == 10:
        # 10.x has no such strategy: a value that is one raises UnsupportedError naming 11.4, any
        # other the InvalidArgumentError (a ValueError naming the property) of 11.x.
        note(f"{name} = {value!r} on {DOUBLE_VERSION}")
        try:
            setattr(rt, name, value)
        except trt.UnsupportedError as exc:
            assert re.match(DLA_STRATEGY_NEEDS_11_4, str(exc)), exc
            assert isinstance(value, int) and not isinstance(value, bool)
            assert int(value) in {int(v) for v in trt.DLAWorkspaceAllocationStrategy}
        except (TypeError, ValueError) as exc:
            assert mentions(exc, name), f"{type(exc).__name__} without the argument's name: {exc}"
        else:
            raise AssertionError(f"{name} = {value!r} accepted on TensorRT {DOUBLE_VERSION}")
        with pytest.raises(trt.UnsupportedError, match=DLA_STRATEGY_NEEDS_11_4):
            getattr(rt, name)
        return
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
        # An enumerated setting reads back as its member; the number given is its value.
        assert after == expected or (isinstance(after, enum.Enum) and int(after) == expected), \
            f"{name} = {value!r} reads back {after!r}"


SETTER = dict(name=st.sampled_from(sorted(READ_BACK)), value=ANY_VALUE)


@FUZZ
@given(**SETTER)
def test_property_setters_accept_or_refuse_clearly(runtime: trt.Runtime, name: str, value: Any) -> None:
    check_setter(runtime, name, value)


@stress
@given(**SETTER)
def test_property_setters_accept_or_refuse_clearly_stress(runtime: trt.Runtime, name: str, value: Any) -> None:
    check_setter(runtime, name, value)
