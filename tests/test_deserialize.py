"""Deserialization from every source, None vs DeserializationError, and junk handling.

On the test double; the junk and stream-reader tests also on the real libraries
(marker ``gpu``). Fuzzed (random bytes, mutated plans, readers of any chunking,
random arguments) in test_deserialize_fuzz.py; exceptions raised in readers,
loggers, recorders and allocators during deserialization: test_callbacks.py.
"""

from __future__ import annotations

import io
import mmap
import os
import pathlib
import threading

import numpy as np
import pytest

import trt_runtime as trt
from conftest import RecordingLogger, make_plan, since_10
from support import CountingReader


PLAN_TENSORS = [("input", 1, 0, (1, 4)), ("output", 2, 0, (1, 4))]

#: deserializeCudaEngineV2 (IStreamReaderV2, with seeking) came in TensorRT 10.7; before it the
#: shim hands readers to 10.x's deserializeCudaEngine(IStreamReader&), which reads in order.
READER_V2 = since_10(7)


@pytest.fixture(scope="module")
def plan() -> bytes:
    return make_plan("tiny", PLAN_TENSORS)


@pytest.fixture
def plan_file(tmp_path: pathlib.Path, plan: bytes) -> pathlib.Path:
    path = tmp_path / "tiny.plan"
    path.write_bytes(plan)
    return path


def _sources(plan: bytes, plan_file: pathlib.Path) -> dict[str, object]:
    mm_file = open(plan_file, "rb")
    return {
        "bytes": plan,
        "bytearray": bytearray(plan),
        "memoryview": memoryview(plan),
        "numpy": np.frombuffer(plan, dtype=np.uint8),
        "mmap": mmap.mmap(mm_file.fileno(), 0, access=mmap.ACCESS_READ),
        "str path": str(plan_file),
        "pathlike": plan_file,
        "file object": open(plan_file, "rb"),
        "BytesIO": io.BytesIO(plan),
    }


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "memoryview", "numpy", "mmap", "str path", "pathlike",
                                  "file object", "BytesIO"])
def test_every_source_deserializes(runtime: trt.Runtime, plan: bytes, plan_file: pathlib.Path, kind: str) -> None:
    source = _sources(plan, plan_file)[kind]
    engine = runtime.deserialize_cuda_engine(source)
    assert isinstance(engine, trt.ICudaEngine)
    assert engine.runtime is runtime
    engine.close()
    # The caller's buffer is released again: a bytearray can be resized.
    if isinstance(source, bytearray):
        source.extend(b"\0")


def test_pipe_is_streamed(runtime: trt.Runtime, plan: bytes) -> None:
    r, w = os.pipe()
    writer = threading.Thread(target=lambda: (os.write(w, plan), os.close(w)))
    writer.start()
    with os.fdopen(r, "rb") as f:
        engine = runtime.deserialize(f)
    writer.join()
    assert isinstance(engine, trt.ICudaEngine)


class ChunkReader(trt.IStreamReaderV2):
    def __init__(self, data: bytes, use_readinto: bool = False) -> None:
        self.data, self.pos, self.reads, self.seeks = data, 0, 0, 0
        if use_readinto:
            self.readinto = self._readinto  # type: ignore[method-assign]

    def read(self, size: int, stream: int) -> bytes:
        self.reads += 1
        out = self.data[self.pos : self.pos + size]
        self.pos += len(out)
        return out

    def _readinto(self, buffer: memoryview, stream: int) -> int:
        out = self.read(len(buffer), stream)
        buffer[: len(out)] = out
        return len(out)

    def seek(self, offset: int, where: trt.SeekPosition) -> bool:
        self.seeks += 1
        base = {trt.SeekPosition.SET: 0, trt.SeekPosition.CUR: self.pos, trt.SeekPosition.END: len(self.data)}
        self.pos = base[where] + offset
        return True


@pytest.mark.parametrize("use_readinto", [False, True])
def test_stream_reader_v2(runtime: trt.Runtime, plan: bytes, use_readinto: bool) -> None:
    reader = ChunkReader(plan, use_readinto)
    engine = runtime.deserialize(reader)
    assert isinstance(engine, trt.ICudaEngine)
    assert reader.reads >= 1


def test_old_style_stream_reader_is_adapted(runtime: trt.Runtime, plan: bytes) -> None:
    class Old(trt.IStreamReader):
        def __init__(self) -> None:
            self.f = io.BytesIO(plan)

        def read(self, size: int) -> bytes:
            return self.f.read(size)

    assert isinstance(runtime.deserialize(Old()), trt.ICudaEngine)


def test_junk_stream_reads_the_header_then_fails(runtime: trt.Runtime) -> None:
    reader = ChunkReader(os.urandom(4096))
    assert runtime.deserialize_cuda_engine(reader) is None
    if READER_V2:
        assert reader.reads == 1 and reader.seeks == 2  # the header, then seek (0, SET) and (32, CUR)
    else:
        assert reader.reads == 1 and reader.seeks == 0  # the old reader: the header only, no seeking


class SequentialReader(trt.IStreamReaderV2):
    """Serves ``data`` in order and cannot seek (``seek`` says False, and counts the attempts)."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos, self.reads, self.seeks = data, 0, [], 0

    def read(self, size: int, stream: int) -> bytes:
        self.reads.append((self.pos, size))
        out = self.data[self.pos : self.pos + size]
        self.pos += len(out)
        return out

    def seek(self, offset: int, where: trt.SeekPosition) -> bool:
        self.seeks += 1
        return False


def test_a_reader_that_cannot_seek_before_and_after_10_7(runtime: trt.Runtime) -> None:
    """Before 10.7 the shim uses 10.x's old reader interface, which has no seek: a reader is read
    in order (the 32-byte header, then the rest in reads of at most 1 MiB) and never asked to seek,
    so one that cannot seek still works. From 10.7 (and in 11.x) TensorRT seeks after the header:
    such a reader fails with TensorRT's "Stream seek failed" (None, or DeserializationError)."""
    big = make_plan("big", PLAN_TENSORS, size=(5 << 19) + 77)  # 2.5 MiB and a bit
    if READER_V2:
        reader = SequentialReader(big)
        assert runtime.deserialize_cuda_engine(reader) is None
        assert reader.seeks == 1 and reader.reads == [(0, 32)]
        with pytest.raises(trt.DeserializationError, match="Stream seek failed"):
            runtime.deserialize(SequentialReader(big))
        return
    reader = SequentialReader(big)
    engine = runtime.deserialize(reader)
    assert isinstance(engine, trt.ICudaEngine) and engine.name == "big"
    assert reader.seeks == 0
    sizes = [size for _, size in reader.reads]
    assert sizes == [32, 1 << 20, 1 << 20, len(big) - 32 - (2 << 20)]
    assert [pos for pos, _ in reader.reads] == [0, 32, 32 + (1 << 20), 32 + (2 << 20)]  # in order, no rereading
    assert bytes(engine.serialize()) == big


@pytest.mark.gpu
def test_stream_reader_is_called_on_junk(real_runtime: trt.Runtime) -> None:
    reader = CountingReader(os.urandom(4096))
    assert real_runtime.deserialize_cuda_engine(reader) is None
    assert reader.reads and reader.reads[0] == 32
    assert len(reader.seeks) >= 1


@pytest.mark.parametrize("size,code,text", [
    (0, trt.ErrorCode.INVALID_ARGUMENT, "empty memory buffer"),
    (16, trt.ErrorCode.INTERNAL_ERROR, "bufferSize >= minBufferSize"),
    (4096, trt.ErrorCode.UNSPECIFIED_ERROR, "magicTag"),
    (64 << 20, trt.ErrorCode.UNSPECIFIED_ERROR, "magicTag"),
])
def test_junk_gives_none_or_error_with_tensorrts_code(runtime: trt.Runtime, size: int, code: trt.ErrorCode,
                                                      text: str) -> None:
    junk = b"\x01" * size
    assert runtime.deserialize_cuda_engine(junk) is None
    rec = trt.ErrorRecorder()
    runtime.error_recorder = rec
    with pytest.raises(trt.DeserializationError) as info:
        runtime.deserialize(junk)
    assert text in str(info.value)
    assert [r.code for r in info.value.reports if r.source == "recorder"] == [code]
    assert rec.errors == [(code, pytest.approx(rec.errors[0][1]))] and text in rec.errors[0][1]


@pytest.mark.gpu
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


def test_failure_without_recorder_is_reported_through_the_logger(runtime: trt.Runtime,
                                                                  logger: RecordingLogger) -> None:
    with pytest.raises(trt.DeserializationError) as info:
        runtime.deserialize(b"\x02" * 64)
    assert any("magicTag" in m for m in logger.errors())
    assert info.value.reports[0].source == "logger"


@pytest.mark.gpu
def test_logger_receives_the_failure_without_a_recorder(real_runtime: trt.Runtime, logger: RecordingLogger) -> None:
    assert real_runtime.deserialize_cuda_engine(b"\x01" * 4096) is None
    assert any("magicTag" in m for m in logger.errors())


def test_corrupt_plan_is_refused(runtime: trt.Runtime, plan: bytes) -> None:
    bad = bytearray(plan)
    bad[-1] ^= 0xFF
    with pytest.raises(trt.DeserializationError):
        runtime.deserialize(bad)


@pytest.mark.parametrize("bad", [None, 5, 3.0, object()])
def test_non_buffers_are_type_errors(runtime: trt.Runtime, bad: object) -> None:
    with pytest.raises(TypeError, match="serialized_engine"):
        runtime.deserialize_cuda_engine(bad)


def test_non_contiguous_buffer_is_a_value_error(runtime: trt.Runtime, plan: bytes) -> None:
    strided = memoryview(bytearray(plan * 2))[::2]
    with pytest.raises(ValueError, match="contiguous"):
        runtime.deserialize_cuda_engine(strided)
    with pytest.raises(ValueError, match="contiguous"):
        runtime.deserialize_cuda_engine(np.frombuffer(plan * 2, dtype=np.uint8)[::2])


def test_text_file_object_is_refused(runtime: trt.Runtime, plan_file: pathlib.Path) -> None:
    with open(plan_file, encoding="latin-1") as f, pytest.raises(TypeError, match="binary"):
        runtime.deserialize(f)


def test_missing_path_is_file_not_found(runtime: trt.Runtime, tmp_path: pathlib.Path) -> None:
    with pytest.raises(FileNotFoundError):
        runtime.deserialize(tmp_path / "missing.plan")


def test_engine_keeps_runtime_alive_and_closes_in_any_order(fake_library: trt.Library, plan: bytes) -> None:
    rt = trt.Runtime(RecordingLogger(), library=fake_library)
    engine = rt.deserialize(plan)
    rt.close()
    assert engine.handle > 4096
    engine.close()
    engine.close()
    with pytest.raises(trt.ClosedError):
        _ = engine.handle
