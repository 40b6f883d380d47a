"""Helpers shared by the test modules (fixtures shared by all of them live in conftest.py).

Resident memory, the double's live-object counter and the pinned Python
callbacks; plans of the double and their mutations; stream readers, some
handing data back in pieces; a quiet logger; subprocess runners.
"""

from __future__ import annotations

import ctypes
import functools
import io
import os
import pathlib
import struct
import subprocess
import sys
import textwrap
import zlib
from typing import Any

import trt_runtime as trt
from double.build import HEADER_SIZE, make_plan

TESTS = pathlib.Path(__file__).resolve().parent

# ------------------------------------------------------------------ process state


def rss_bytes() -> int:
    """This process's resident memory (VmRSS of /proc/self/status), in bytes."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS line in /proc/self/status")


@functools.cache
def _double(path: str) -> ctypes.CDLL:
    # The shim opened the very same file with dlopen: this maps nothing new.
    dll = ctypes.CDLL(path)
    dll.fake_trt_live_objects.restype = ctypes.c_int32
    dll.fake_trt_live_objects.argtypes = []
    return dll


def live_objects(fake_lib_path: os.PathLike[str] | str) -> int:
    """Runtimes + engines + contexts + host memories alive in the double."""
    return int(_double(str(fake_lib_path)).fake_trt_live_objects())


def pinned_bridges() -> int:
    """Python callback bridges the shim still holds (loggers, recorders, allocators)."""
    from trt_runtime._callbacks import _PINNED

    return len(_PINNED)


# ------------------------------------------------------------------ plans

#: A few plans of different shapes: static, dynamic with one and with two
#: profiles, several tensors, and a zero-padded one (the double reads and
#: checks every padding byte).
BASE_PLANS: dict[str, bytes] = {
    "static": make_plan("static", [("x", 1, 0, (2, 3)), ("y", 2, 0, (2, 3))]),
    "dynamic": make_plan("dynamic", [("in", 1, 0, (-1, 4)), ("out", 2, 0, (-1, 4))],
                         profile_min={"in": (1, 4)}, profile_opt={"in": (2, 4)}, profile_max={"in": (8, 4)}),
    "profiles": make_plan("profiles", [("a", 1, 1, (-1,)), ("b", 1, 0, (3,)), ("c", 2, 1, (-1,))],
                          profiles=[{"a": ((1,), (2,), (3,))}, {"a": ((4,), (5,), (6,))}],
                          device_memory_size=0),
    "padded": make_plan("padded", [("i", 1, 5, (1,)), ("o", 2, 5, (1,))], size=600),
}

#: The static plan, and junk, that the leak, thread, exit and temporary-directory tests use.
PLAN = BASE_PLANS["static"]
JUNK = b"\x01" * 64

#: One dynamic input copied to one dynamic output (the lifetime, thread and exit tests).
LIFE_TENSORS = [("in", 1, 0, (-1, 4)), ("out", 2, 0, (-1, 4))]


def life_plan() -> bytes:
    return make_plan("life", LIFE_TENSORS, device_memory_size=64)


#: Header fields of the double's plan format: (name, offset, struct format).
HEADER_FIELDS = (
    ("magic", 0, "4s"),
    ("version", 4, "<I"),
    ("total_size", 8, "<Q"),
    ("body_size", 16, "<Q"),
    ("crc", 24, "<I"),
    ("reserved", 28, "<I"),
)


def header(plan: bytes) -> dict[str, Any]:
    return {name: struct.unpack_from(fmt, plan, off)[0] for name, off, fmt in HEADER_FIELDS}


def set_field(plan: bytes, name: str, value: Any) -> bytes:
    out = bytearray(plan)
    for field, off, fmt in HEADER_FIELDS:
        if field == name:
            struct.pack_into(fmt, out, off, value)
            return bytes(out)
    raise KeyError(name)


def reseal(head: bytes, rest: bytes, *, body_size: int | None = None) -> bytes:
    """A header whose sizes and checksum match ``rest`` (what follows the header)."""
    h = bytearray(head[:HEADER_SIZE].ljust(HEADER_SIZE, b"\0"))
    struct.pack_into("<QQI", h, 8, HEADER_SIZE + len(rest),
                     len(rest) if body_size is None else body_size, zlib.crc32(rest))
    return bytes(h) + rest


def body_size(plan: bytes) -> int:
    return int(struct.unpack_from("<Q", plan, 16)[0])


# ------------------------------------------------------------------ readers


class ChunkedReaderV2(trt.IStreamReaderV2):
    """An IStreamReaderV2 over ``data`` whose reads return ``sizes`` bytes in turn.

    ``sizes`` gives, per read, how many of the bytes asked for to return
    (clipped to what is asked and to what is left; None means all of it).
    ``short`` becomes True when a read returned less than was asked while
    more data was left: a reader TensorRT may refuse. With ``readinto``, the
    reader fills TensorRT's buffer in place instead of returning bytes.
    """

    def __init__(self, data: bytes, sizes: list[int | None] = (), readinto: bool = False,
                 seek_results: list[bool] = ()) -> None:
        self.data, self.pos = data, 0
        self.sizes, self.seek_results = list(sizes), list(seek_results)
        self.short = False
        self.reads: list[tuple[int, int]] = []  # (asked, returned)
        if readinto:
            self.readinto = self._readinto  # type: ignore[method-assign]

    def _next(self, asked: int) -> bytes:
        want = self.sizes.pop(0) if self.sizes else None
        left = len(self.data) - self.pos
        n = min(asked, left) if want is None else max(0, min(want, asked, left))
        if n < min(asked, left):
            self.short = True
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        self.reads.append((asked, n))
        return out

    def read(self, size: int, stream: int) -> bytes:
        return self._next(size)

    def _readinto(self, buffer: memoryview, stream: int) -> int:
        out = self._next(len(buffer))
        buffer[: len(out)] = out
        return len(out)

    def seek(self, offset: int, where: trt.SeekPosition) -> bool:
        if self.seek_results and not self.seek_results.pop(0):
            return False
        base = {trt.SeekPosition.SET: 0, trt.SeekPosition.CUR: self.pos, trt.SeekPosition.END: len(self.data)}
        target = base[where] + offset
        if not 0 <= target <= len(self.data):
            return False
        self.pos = target
        return True


class DribblingReader(trt.IStreamReader):
    """An old-style reader (``read(size)``, no seek) returning random-sized short pieces, like a socket."""

    def __init__(self, data: bytes, sizes: list[int]) -> None:
        self.f = io.BytesIO(data)
        self.sizes = list(sizes) or [1]
        self.i = 0

    def read(self, size: int) -> bytes:
        n = self.sizes[self.i % len(self.sizes)]
        self.i += 1
        return self.f.read(max(1, min(n, size)))


class DribblingRawFile(io.RawIOBase):
    """A seekable binary file object without a file descriptor whose reads come back short."""

    def __init__(self, data: bytes, sizes: list[int]) -> None:
        self.f = io.BytesIO(data)
        self.sizes = list(sizes) or [1]
        self.i = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.sizes[self.i % len(self.sizes)]
        self.i += 1
        chunk = self.f.read(max(1, min(n, len(buffer))))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.f.seek(offset, whence)

    def tell(self) -> int:
        return self.f.tell()


class DribblingPipe(DribblingRawFile):
    """Like :class:`DribblingRawFile` but not seekable (a pipe): streamed and buffered by trt_runtime."""

    def seekable(self) -> bool:
        return False

    def seek(self, offset: int, whence: int = 0) -> int:
        raise io.UnsupportedOperation("seek")


class CountingReader(trt.IStreamReaderV2):
    """An IStreamReaderV2 over ``data`` that keeps the size of every read and every seek."""

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


# ------------------------------------------------------------------ loggers


class Quiet(trt.ILogger):
    """Drops every message."""

    def log(self, severity: trt.Severity, msg: str) -> None:
        pass


# ------------------------------------------------------------------ subprocesses


def run_python(code: str, env: dict[str, str] | None = None, timeout: float = 120,
               argv: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter that can import trt_runtime and the tests' helpers."""
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(p for p in (str(TESTS), full_env.get("PYTHONPATH", "")) if p)
    full_env.pop("PYTHONWARNINGS", None)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *(argv or [])], capture_output=True,
                          text=True, env=full_env, timeout=timeout, check=False)


def run_bare_python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with this environment as it is (no tests on the path)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=full_env, timeout=120)


# ------------------------------------------------------------------ CUDA contexts (libcuda through ctypes)


def current(cuda: Any) -> int:
    """The CUDA context current on this thread (0: none), from ``cuda``, libcuda opened with ctypes."""
    ctx = ctypes.c_void_p()
    assert cuda.cuCtxGetCurrent(ctypes.byref(ctx)) == 0
    return ctx.value or 0


def primary(cuda: Any, ordinal: int) -> int:
    """Device ``ordinal``'s primary context (retained once more: tests are short-lived)."""
    dev, ctx = ctypes.c_int(), ctypes.c_void_p()
    assert cuda.cuDeviceGet(ctypes.byref(dev), ordinal) == 0
    assert cuda.cuDevicePrimaryCtxRetain(ctypes.byref(ctx), dev) == 0
    return ctx.value or 0
