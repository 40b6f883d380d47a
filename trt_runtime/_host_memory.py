"""Host memory owned by TensorRT (a serialized plan), readable in place through the buffer protocol."""

from __future__ import annotations

import ctypes
import functools
import sys
from typing import TYPE_CHECKING, Any

from ._errors import ClosedError, raise_status
from ._ffi import ffi, lib
from ._types import DataType, enum_or_int

__all__ = ["IHostMemory"]


class IHostMemory:
    """Bytes owned by TensorRT (a serialized engine), readable in place.

    It supports the buffer protocol without copying: ``memoryview(m)``,
    ``bytes(m)``, ``numpy.frombuffer(m, numpy.uint8)``, ``f.write(m)``,
    ``Runtime.deserialize(m)``. Every view keeps the memory alive.

    :meth:`close` returns the memory at once when no view of it exists
    (Python 3.12 and later, which let an object count its views; a
    :class:`BufferError` otherwise); on older Pythons it only marks the
    object closed, and the memory goes when the object and its views do.
    """

    __slots__ = ()

    if TYPE_CHECKING:
        # What both implementations below have, declared for type checkers only:
        # the slots are theirs, and so are the buffer protocol and close().
        _keep: Any
        _nbytes: int
        _dtype: DataType  # (an int for a type newer than this package: as enum_or_int gives)

        def __buffer__(self, flags: int, /) -> memoryview: ...

        def close(self) -> None:
            """Return the memory to TensorRT (see the class documentation); safe to call twice."""

    def __init__(self) -> None:
        raise TypeError("IHostMemory objects come from ICudaEngine.serialize()")

    @staticmethod
    def _adopt(handle: Any) -> IHostMemory:
        """Wrap the shim's ``trt_host_memory`` ``handle``, which this object then owns."""
        address = ffi.new("uint64_t *")
        size = ffi.new("uint64_t *")
        dtype = ffi.new("int32_t *")
        status = lib.trt_host_memory_get(handle, address, size, dtype)
        if status:
            lib.trt_host_memory_release(handle)
            raise_status(status)
        keeper = ffi.gc(handle, lib.trt_host_memory_release)
        if _PEP688:
            self: Any = object.__new__(_HostMemory)
            self._view = memoryview(ffi.buffer(ffi.cast("char *", address[0]), size[0])) if size[0] else memoryview(b"")
            self._exports = 0
        else:
            self = _ctypes_type(size[0]).from_address(address[0])
        self._keep = keeper
        self._nbytes = size[0]
        self._dtype = enum_or_int(DataType, dtype[0])
        return self  # type: ignore[no-any-return]

    @property
    def nbytes(self) -> int:
        """Size in bytes."""
        return self._nbytes

    @property
    def dtype(self) -> DataType:
        """Element type: ``DataType.UINT8`` for a plan."""
        return self._dtype

    @property
    def closed(self) -> bool:
        return self._keep is None

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{self.nbytes} bytes"
        return f"<trt_runtime.IHostMemory {state}>"

    def __enter__(self) -> IHostMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __reduce__(self) -> Any:
        return (bytes, (memoryview(self).cast("B").tobytes(),))


_PEP688 = sys.version_info >= (3, 12)


class _HostMemory(IHostMemory):
    """Python 3.12+: a plain object exporting its buffer through ``__buffer__``."""

    __slots__ = ("_keep", "_nbytes", "_dtype", "_view", "_exports", "__weakref__")

    _view: memoryview
    _exports: int

    def __buffer__(self, flags: int) -> memoryview:
        if self._keep is None:
            raise ClosedError("the IHostMemory is closed", lib.TRT_E_CLOSED)
        view = self._view
        if flags & 1 and view.readonly:  # PyBUF_WRITABLE
            raise BufferError("the IHostMemory is read-only")
        self._exports += 1
        return view[:]

    def __release_buffer__(self, view: memoryview) -> None:
        self._exports -= 1
        view.release()

    def __len__(self) -> int:
        return self._nbytes

    def close(self) -> None:
        """Return the memory to TensorRT now; safe to call twice.

        Raises BufferError while a view (memoryview, numpy array ...) of it exists.
        """
        if self._keep is None:
            return
        if self._exports:
            raise BufferError(f"cannot close the IHostMemory: {self._exports} views of it still exist")
        keep, self._keep = self._keep, None
        self._view.release()
        ffi.release(keep)


class _CTypesHostMemory(IHostMemory):
    """Python before 3.12: the buffer protocol comes from a ctypes array base."""

    __slots__ = ()

    def close(self) -> None:
        """Mark the memory closed; it is returned when the object and its views are gone."""
        # Views of a ctypes object cannot be counted, so freeing now could
        # leave one dangling: the reference stays until the object goes.
        object.__setattr__(self, "_closed_flag", True)

    @property
    def closed(self) -> bool:
        return getattr(self, "_closed_flag", False)


@functools.lru_cache(maxsize=64)
def _ctypes_type(size: int) -> type[Any]:
    return type(
        "IHostMemory",
        (_CTypesHostMemory, ctypes.c_ubyte * size),
        {"__slots__": ("_keep", "_nbytes", "_dtype", "_closed_flag"), "__module__": __name__},
    )
