"""Sub-runtimes: Runtime.load_runtime (None on failure) and open_lean_runtime (raises).

A child keeps its parent alive and works after the parent is closed or deleted;
a missing or non-lean library is refused with TensorRT's reason; bad arguments
are TypeError/ValueError naming the path, and random ones never crash. On the
double's lean copy, and in the GPU tier on the real lean library.
"""

from __future__ import annotations

import gc
import os
import pathlib
import weakref
from typing import Any

import pytest
from hypothesis import given

import trt_runtime as trt
from conftest import REAL_LIBS, RecordingLogger, make_plan
from fuzzing import ANY_VALUE, FUZZ


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


@pytest.mark.parametrize("method", ["load_runtime", "open_lean_runtime"])
def test_sub_runtime_path_encoding_errors_name_the_argument(runtime: trt.Runtime, method: str) -> None:
    """Was: a path with a lone surrogate gave a bare UnicodeEncodeError not naming the path."""
    with pytest.raises(ValueError, match="path"):
        getattr(runtime, method)("/tmp/\ud800/libnvinfer_lean.so.11")


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


# ------------------------------------------------------------------ the real lean library


@pytest.mark.gpu
def test_load_runtime_of_the_lean_library_and_parent_deleted_first(logger: RecordingLogger) -> None:
    lean = REAL_LIBS["lean"]
    if lean is None:
        pytest.skip("the lean library is not installed")
    parent = trt.Runtime(logger, library=trt.load_library(lean))
    child = parent.load_runtime(lean)
    assert isinstance(child, trt.Runtime) and child.parent is parent
    del parent
    gc.collect()
    child.parent.close()  # type: ignore[union-attr]
    assert child.max_threads == 1
    child.max_threads = 3
    assert child.max_threads == 3
    assert child.deserialize_cuda_engine(b"\x01" * 64) is None
    child.close()


@pytest.mark.gpu
def test_load_runtime_failures(real_runtime: trt.Runtime, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert real_runtime.load_runtime(tmp_path / "missing.so") is None
    with pytest.raises(trt.TensorRTError, match="Unable to load library"):
        real_runtime.open_lean_runtime(tmp_path / "missing.so")
    dispatch = REAL_LIBS["dispatch"]
    if dispatch is not None and real_runtime.library.flavour is trt.Flavour.DISPATCH:
        with pytest.raises(trt.TensorRTError, match="getForwardCompatibilityHelper"):
            real_runtime.open_lean_runtime(dispatch)
