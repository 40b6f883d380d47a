"""The stream readers' Python side: the interfaces an application implements, and the adapter of old-style readers.

TensorRT calls them through :mod:`trt_runtime._callbacks` (``_trt_py_read``,
``_trt_py_seek``); this module is plain Python and imports nothing native.
"""

from __future__ import annotations

from typing import Any

from ._enums import SeekPosition

__all__ = ["IStreamReaderV2", "IStreamReader", "StreamReaderAdapter"]


class IStreamReaderV2:
    """Feeds a serialized engine to TensorRT piece by piece, with seeking.

    Define ``read(size, stream)`` returning up to ``size`` bytes (any
    bytes-like object), or ``readinto(buffer, stream)`` filling the writable
    ``buffer`` and returning the count (no copy in Python), and
    ``seek(offset, where)`` returning True on success.
    """

    def read(self, size: int, stream: int) -> bytes:
        raise NotImplementedError

    def seek(self, offset: int, where: SeekPosition) -> bool:
        raise NotImplementedError


class IStreamReader:
    """The older reader style, ``read(size) -> bytes`` without seeking.

    TensorRT 11 only takes :class:`IStreamReaderV2`; trt_runtime adapts such
    a reader onto it, keeping what was read so TensorRT can seek back.
    """

    def read(self, size: int) -> bytes:
        raise NotImplementedError


class StreamReaderAdapter(IStreamReaderV2):
    """Presents an ``IStreamReader``-style ``read(size)`` as ``IStreamReaderV2``."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._data = bytearray()  # everything read so far, for backward seeks
        self._pos = 0
        self._eof = False

    def _fill(self, upto: int | None) -> None:
        while not self._eof and (upto is None or len(self._data) < upto):
            want = (1 << 20) if upto is None else max(upto - len(self._data), 1)
            chunk = self._reader.read(want)
            if chunk is None:
                raise TypeError("read() returned None; return bytes, or b'' at the end")
            if not chunk:
                self._eof = True
            self._data += chunk

    def readinto(self, buffer: memoryview, stream: int) -> int:
        self._fill(self._pos + len(buffer))
        piece = self._data[self._pos : self._pos + len(buffer)]
        buffer[: len(piece)] = piece
        self._pos += len(piece)
        return len(piece)

    def seek(self, offset: int, where: SeekPosition) -> bool:
        if where == SeekPosition.END:
            self._fill(None)
            target = len(self._data) + offset
        else:
            target = (self._pos if where == SeekPosition.CUR else 0) + offset
        if target < 0:
            return False
        self._fill(target)
        if target > len(self._data):
            return False
        self._pos = target
        return True
