"""What any cffi binding pays where trt_runtime is measured against a floor.

pybind11's methods are C functions; a cffi binding's are Python functions
around a cffi call. These classes do only what no cffi binding can skip, on
trt_runtime's own shim, so the benchmarks can show how far above that floor
trt_runtime sits.
"""

from __future__ import annotations

from typing import Any

from trt_runtime._ffi import ffi, lib

__all__ = ["SetterFloor", "CreationFloor"]


class SetterFloor:
    """A property setter whose body is one bare cffi call (``max_threads``)."""

    def __init__(self, h: Any) -> None:
        self.h = h

    @property
    def max_threads(self) -> int:
        return 0

    @max_threads.setter
    def max_threads(self, value: int) -> None:
        lib.trt_runtime_set_max_threads(self.h, value)


_OUT = ffi.typeof("trt_runtime **")


class CreationFloor:
    """A runtime object made as a cffi binding must: one shim call (handle through an
    out-parameter), the handle owned with ``ffi.gc``, released when the object goes.

    No checks, no logger bridge, no settings: the shared log target of ``runtime``
    (a live trt_runtime Runtime) stands in for them.
    """

    __slots__ = ("_h",)

    def __init__(self, runtime: Any) -> None:
        out = ffi.new(_OUT)
        lib.trt_runtime_create_for(runtime._library._h, -1, runtime._log_bridge.log_target, out)
        self._h = ffi.gc(out[0], lib.trt_runtime_release)
