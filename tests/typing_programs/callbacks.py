"""Callbacks subclassed: a logger, an error recorder, GPU allocators, stream readers."""

from __future__ import annotations

import io
import threading

import trt_runtime as trt


class ListLogger(trt.ILogger):
    def __init__(self) -> None:
        self.lines: list[str] = []

    def log(self, severity: trt.Severity, msg: str) -> None:
        if severity <= trt.Severity.WARNING:
            self.lines.append(f"{severity.name}: {msg}")


class Recorder(trt.IErrorRecorder):
    def __init__(self) -> None:
        self._errors: list[tuple[trt.ErrorCode, str]] = []
        self._lock = threading.Lock()

    def report_error(self, val: trt.ErrorCode, desc: str) -> bool:
        with self._lock:
            self._errors.append((val, desc))
        return False

    def num_errors(self) -> int:
        return len(self._errors)

    def get_error_code(self, error_idx: int) -> trt.ErrorCode:
        return self._errors[error_idx][0]

    def get_error_desc(self, error_idx: int) -> str:
        return self._errors[error_idx][1]

    def has_overflowed(self) -> bool:
        return False

    def clear(self) -> None:
        self._errors.clear()


class CountingAllocator(trt.IGpuAsyncAllocator):
    def __init__(self) -> None:
        self.live: dict[int, int] = {}

    def allocate_async(self, size: int, alignment: int, flags: int, stream: int) -> int:
        address = 0x1000 * (len(self.live) + 1)
        self.live[address] = size
        return address

    def deallocate_async(self, memory: int, stream: int) -> bool:
        return self.live.pop(memory, None) is not None


class BytesReader(trt.IStreamReaderV2):
    def __init__(self, data: bytes) -> None:
        self._file = io.BytesIO(data)

    def read(self, size: int, stream: int) -> bytes:
        return self._file.read(size)

    def seek(self, offset: int, where: trt.SeekPosition) -> bool:
        self._file.seek(offset, int(where))
        return True


class OldReader(trt.IStreamReader):
    def __init__(self, data: bytes) -> None:
        self._file = io.BytesIO(data)

    def read(self, size: int) -> bytes:
        return self._file.read(size)


def use(data: bytes) -> list[str]:
    logger = ListLogger()
    runtime = trt.Runtime(logger)
    runtime.error_recorder = Recorder()
    runtime.gpu_allocator = CountingAllocator()
    ready: trt.ErrorRecorder = trt.ErrorRecorder(max_errors=16)
    runtime.error_recorder = ready
    engine = runtime.deserialize(BytesReader(data))
    engine.error_recorder = ready
    again = runtime.deserialize_cuda_engine(OldReader(data))
    for code, desc in ready.errors:
        print(code, desc)
    other = trt.Runtime(trt.LoggingLogger("my.app"))
    other.close()
    print(engine.name, again)
    return logger.lines
