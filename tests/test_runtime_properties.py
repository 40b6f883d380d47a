"""Every Runtime property: defaults, round trips, and refusals that raise.

Runs on the test double and, in the GPU tier, on the real lean and dispatch libraries.
"""

from __future__ import annotations

import pathlib
import warnings

import pytest

import trt_runtime as trt


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
    assert trt.TempfileControlFlag.ALLOW_IN_MEMORY_FILES == 0
    assert trt.TempfileControlFlag.ALLOW_TEMPORARY_FILES == 1


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


def test_engine_host_code_allowed_round_trip_and_type(any_runtime: trt.Runtime) -> None:
    any_runtime.engine_host_code_allowed = True
    assert any_runtime.engine_host_code_allowed is True
    any_runtime.engine_host_code_allowed = False
    assert any_runtime.engine_host_code_allowed is False
    with pytest.raises(TypeError, match="engine_host_code_allowed"):
        any_runtime.engine_host_code_allowed = 1  # type: ignore[assignment]


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


def test_dla_workspace_strategy_default_and_no_dla(any_runtime: trt.Runtime) -> None:
    assert any_runtime.dla_workspace_allocation_strategy == trt.DLAWorkspaceAllocationStrategy.DEFAULT
    with pytest.raises(trt.InvalidArgumentError):
        any_runtime.dla_workspace_allocation_strategy = 7  # type: ignore[assignment]


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
