"""Engines deserialized by a runtime."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._errors import ClosedError
from ._ffi import ffi, lib

if TYPE_CHECKING:
    from ._runtime import Runtime

__all__ = ["ICudaEngine"]


class ICudaEngine:
    """A deserialized engine. It keeps its runtime alive."""

    __slots__ = ("_h", "_runtime", "__weakref__")

    def __init__(self) -> None:
        raise TypeError("engines come from Runtime.deserialize_cuda_engine() or Runtime.deserialize()")

    @classmethod
    def _adopt(cls, handle: Any, runtime: Runtime) -> ICudaEngine:
        self = object.__new__(cls)
        self._h = ffi.gc(handle, lib.trt_engine_release)
        self._runtime = runtime
        return self

    def _handle(self) -> Any:
        h = self._h
        if h is None:
            raise ClosedError("the ICudaEngine is closed", lib.TRT_E_CLOSED)
        return h

    @property
    def runtime(self) -> Runtime:
        return self._runtime

    @property
    def handle(self) -> int:
        """The TensorRT ``ICudaEngine*`` as an int."""
        return int(ffi.cast("uintptr_t", lib.trt_engine_native(self._handle())))

    def close(self) -> None:
        """Release the engine now; safe to call twice."""
        h, self._h = self._h, None
        if h is not None:
            ffi.release(h)

    @property
    def closed(self) -> bool:
        return self._h is None

    def __enter__(self) -> ICudaEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
