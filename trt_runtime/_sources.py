"""Turning whatever a user holds into bytes TensorRT can read, without copies.

Regular files are mapped by the shim (:c:func:`trt_mapping_open`), which keeps
a file truncated by another process during the read from faulting: the call
fails with :class:`DeserializationError` instead. Files are opened without
blocking, so a FIFO with no writer, or a pipe, is streamed (or found empty),
never waited on; ``/dev/stdin`` with a plan piped in works.
"""

from __future__ import annotations

import io
import mmap
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ._errors import InvalidArgumentError, raise_status
from ._ffi import ffi, lib

from ._callbacks import IStreamReader, IStreamReaderV2, StreamReaderAdapter
from ._enums import SeekPosition

__all__ = ["Source", "fs_bytes", "open_source"]


class Source:
    """A contiguous buffer (``buffer``), a stream reader (``reader``) or a mapped file (``mapping``)."""

    __slots__ = ("buffer", "reader", "mapping")

    def __init__(self, buffer: Any = None, reader: IStreamReaderV2 | None = None, mapping: Any = None) -> None:
        self.buffer = buffer
        self.reader = reader
        self.mapping = mapping


class FileReader(IStreamReaderV2):
    """Reads a seekable binary file object that cannot be mapped (no file descriptor)."""

    def __init__(self, file: Any) -> None:
        self._file = file
        self._start = file.tell()

    def readinto(self, buffer: memoryview, stream: int) -> int:
        total = 0
        while total < len(buffer):
            got = self._file.readinto(buffer[total:])
            if not got:
                break
            total += got
        return total

    def seek(self, offset: int, where: SeekPosition) -> bool:
        if where == SeekPosition.SET:
            offset += self._start
        self._file.seek(offset, int(where))
        return True


def _seekable(obj: Any) -> bool:
    try:
        return bool(obj.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _buffer_view(obj: Any) -> memoryview:
    try:
        view = memoryview(obj)
    except TypeError:
        raise TypeError(
            "serialized_engine must be a bytes-like object (bytes, bytearray, memoryview, mmap, numpy array, "
            "IHostMemory), a file path, a binary file object or an IStreamReaderV2, not "
            f"{type(obj).__name__}"
        ) from None
    if not view.c_contiguous:
        view.release()
        raise ValueError("serialized_engine must be C-contiguous; pass a contiguous copy (e.g. bytes(view))")
    return view


@contextmanager
def _mapped(fileno: int, offset: int = 0) -> Iterator[Any]:
    """The shim's guarded mapping of the regular file open as ``fileno``, from ``offset``."""
    out = ffi.new("trt_mapping **")
    status = lib.trt_mapping_open(fileno, max(offset, 0), out)
    if status:
        raise_status(status, prefix="cannot map the plan file: ")
    mapping = out[0]
    try:
        yield mapping
    finally:
        lib.trt_mapping_release(mapping)


@contextmanager
def _path_source(path: str | bytes) -> Iterator[Source]:
    # O_NONBLOCK: opening a FIFO that has no writer must not wait for one.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0))
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            with _mapped(fd) as mapping:
                os.close(fd)  # the mapping stays valid without it
                fd = -1
                yield Source(mapping=mapping)
            return
        os.set_blocking(fd, True)  # a pipe with a writer: read it as it comes
        with os.fdopen(fd, "rb", buffering=0) as f:
            fd = -1
            yield Source(reader=StreamReaderAdapter(f))
    finally:
        if fd >= 0:
            os.close(fd)


@contextmanager
def open_source(obj: Any) -> Iterator[Source]:
    """Yield a :class:`Source` for ``obj``, releasing maps and views afterwards."""
    if isinstance(obj, IStreamReaderV2):
        yield Source(reader=obj)
    elif isinstance(obj, IStreamReader):
        yield Source(reader=StreamReaderAdapter(obj))
    elif isinstance(obj, (str, os.PathLike)):
        path = os.fspath(obj)
        if isinstance(path, str) and "\0" in path or isinstance(path, bytes) and b"\0" in path:
            raise ValueError("serialized_engine path contains a NUL character")
        with _path_source(path) as source:
            yield source
    elif isinstance(obj, io.BytesIO):
        with obj.getbuffer() as view:
            yield Source(buffer=view[obj.tell() :])
    elif hasattr(obj, "readinto") or hasattr(obj, "read") and not isinstance(obj, mmap.mmap):
        if isinstance(obj, io.TextIOBase):
            raise TypeError("serialized_engine file must be opened in binary mode ('rb')")
        try:
            fileno = obj.fileno()
            mappable = stat.S_ISREG(os.fstat(fileno).st_mode) and obj.seekable()
        except (AttributeError, OSError, ValueError):
            mappable = False
        if mappable:
            with _mapped(fileno, obj.tell()) as mapping:  # pyright: ignore[reportPossiblyUnboundVariable]  # bound when mappable
                yield Source(mapping=mapping)
        elif hasattr(obj, "readinto") and _seekable(obj):
            yield Source(reader=FileReader(obj))
        else:
            # Pipes and sockets cannot seek back; the adapter keeps what was read.
            yield Source(reader=StreamReaderAdapter(obj))
    else:
        view = _buffer_view(obj)
        try:
            yield Source(buffer=view)
        finally:
            view.release()


def fs_bytes(value: Any, name: str) -> bytes:
    """``value`` (str or os.PathLike) as the bytes the OS takes, or an error naming ``name``."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be str or os.PathLike, not {type(value).__name__}")
    try:
        raw = os.fsencode(value)
    except UnicodeEncodeError as exc:
        raise InvalidArgumentError(f"{name} cannot be encoded for the file system: {exc}",
                                   lib.TRT_E_INVALID_ARGUMENT) from None
    except TypeError as exc:  # __fspath__ returned something else than str or bytes
        raise TypeError(f"{name}: {exc}") from None
    if b"\0" in raw:
        raise InvalidArgumentError(f"{name} contains a NUL character", lib.TRT_E_INVALID_ARGUMENT)
    return raw
