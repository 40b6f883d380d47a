"""The GPU tier on the real lean and dispatch 11.4 libraries (marker ``gpu``).

What works without a GPU is tested on the real libraries elsewhere; these
need TensorRT to create a runtime.
"""

from __future__ import annotations

import gc
import os

import pytest

import trt_runtime as trt
from conftest import REAL_LIBS, RecordingLogger, run_threads

pytestmark = pytest.mark.gpu


@pytest.fixture
def real_runtime(real_lib_path, logger: RecordingLogger):  # type: ignore[no-untyped-def]
    rt = trt.Runtime(logger, library=trt.load_library(real_lib_path))
    yield rt
    rt.close()


@pytest.mark.parametrize("size,code,text", [
    (0, trt.ErrorCode.INVALID_ARGUMENT, "empty memory buffer"),
    (16, trt.ErrorCode.INTERNAL_ERROR, "bufferSize >= minBufferSize"),
    (4096, trt.ErrorCode.UNSPECIFIED_ERROR, "magicTag"),
    (64 << 20, trt.ErrorCode.UNSPECIFIED_ERROR, "magicTag"),
])
def test_junk_buffers_give_none_and_tensorrts_codes(real_runtime: trt.Runtime, size: int, code: trt.ErrorCode,
                                                    text: str) -> None:
    junk = os.urandom(size)
    assert real_runtime.deserialize_cuda_engine(junk) is None
    rec = trt.ErrorRecorder()
    real_runtime.error_recorder = rec
    with pytest.raises(trt.DeserializationError) as info:
        real_runtime.deserialize(junk)
    recorded = [r for r in info.value.reports if r.source == "recorder"]
    assert recorded and recorded[0].code == code and text in recorded[0].message
    assert rec.errors[0][0] == code


def test_logger_receives_the_failure_without_a_recorder(real_runtime: trt.Runtime, logger: RecordingLogger) -> None:
    assert real_runtime.deserialize_cuda_engine(b"\x01" * 4096) is None
    assert any("magicTag" in m for m in logger.errors())


class CountingReader(trt.IStreamReaderV2):
    def __init__(self, data: bytes) -> None:
        self.data, self.pos, self.reads, self.seeks = data, 0, [], []

    def read(self, size: int, stream: int) -> bytes:
        self.reads.append(size)
        out = self.data[self.pos : self.pos + size]
        self.pos += len(out)
        return out

    def seek(self, offset: int, where: trt.SeekPosition) -> bool:
        self.seeks.append((offset, where))
        base = {trt.SeekPosition.SET: 0, trt.SeekPosition.CUR: self.pos, trt.SeekPosition.END: len(self.data)}
        self.pos = base[where] + offset
        return True


def test_stream_reader_is_called_on_junk(real_runtime: trt.Runtime) -> None:
    reader = CountingReader(os.urandom(4096))
    assert real_runtime.deserialize_cuda_engine(reader) is None
    assert reader.reads and reader.reads[0] == 32
    assert len(reader.seeks) >= 1


def test_exception_in_the_reader_comes_out_of_deserialize(real_runtime: trt.Runtime) -> None:
    class Broken(CountingReader):
        def read(self, size: int, stream: int) -> bytes:
            raise OSError("device unplugged")

    with pytest.raises(OSError, match="device unplugged"):
        real_runtime.deserialize_cuda_engine(Broken(b""))


def test_exception_in_the_logger_comes_out_of_deserialize(real_lib_path) -> None:  # type: ignore[no-untyped-def]
    class Raising(trt.ILogger):
        def log(self, severity: trt.Severity, msg: str) -> None:
            if severity <= trt.Severity.ERROR:
                raise LookupError(msg)

    rt = trt.Runtime(Raising(), library=trt.load_library(real_lib_path))
    with pytest.raises(LookupError, match="magicTag"):
        rt.deserialize_cuda_engine(b"\x01" * 4096)


def test_exception_in_the_recorder_comes_out_of_deserialize(real_runtime: trt.Runtime) -> None:
    class Raising(trt.ErrorRecorder):
        def report_error(self, val: trt.ErrorCode, desc: str) -> bool:
            raise ArithmeticError(desc)

    real_runtime.error_recorder = Raising()
    with pytest.raises(ArithmeticError, match="empty memory buffer"):
        real_runtime.deserialize_cuda_engine(b"")


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


def test_load_runtime_failures(real_runtime: trt.Runtime, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert real_runtime.load_runtime(tmp_path / "missing.so") is None
    with pytest.raises(trt.TensorRTError, match="Unable to load library"):
        real_runtime.open_lean_runtime(tmp_path / "missing.so")
    dispatch = REAL_LIBS["dispatch"]
    if dispatch is not None and real_runtime.library.flavour is trt.Flavour.DISPATCH:
        with pytest.raises(trt.TensorRTError, match="getForwardCompatibilityHelper"):
            real_runtime.open_lean_runtime(dispatch)


def test_plugin_registry_lists_creators(real_runtime: trt.Runtime) -> None:
    registry = real_runtime.get_plugin_registry()
    creators = registry.all_creators
    assert isinstance(creators, list)
    for c in creators + registry.all_creators_recursive:
        assert c.kind and c.kind.startswith("PLUGIN CREATOR")
    assert isinstance(registry.parent_search_enabled, bool)


def test_dla_workspace_strategy_round_trip_or_refusal(real_runtime: trt.Runtime) -> None:
    assert real_runtime.dla_workspace_allocation_strategy == trt.DLAWorkspaceAllocationStrategy.DEFAULT
    try:
        real_runtime.dla_workspace_allocation_strategy = trt.DLAWorkspaceAllocationStrategy.SHARED_STATIC
    except trt.InvalidArgumentError:
        assert real_runtime.dla_workspace_allocation_strategy == trt.DLAWorkspaceAllocationStrategy.DEFAULT
    else:
        assert real_runtime.dla_workspace_allocation_strategy == trt.DLAWorkspaceAllocationStrategy.SHARED_STATIC


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


def test_many_runtimes_are_cheap_after_the_first(real_lib_path) -> None:  # type: ignore[no-untyped-def]
    library = trt.load_library(real_lib_path)
    runtimes = [trt.Runtime(RecordingLogger(), library=library) for _ in range(100)]
    assert all(r.max_threads == 1 for r in runtimes)
    for r in runtimes:
        r.close()
