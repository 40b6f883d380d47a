"""TensorRT objects made elsewhere in the process, wrapped: a C/C++ or ctypes
stack hands its ``IRuntime*``, ``ICudaEngine*`` or ``IExecutionContext*`` to
trt_runtime and gets the usual Python objects back.

Ownership is the caller's choice, made once:

- ``owned=False`` (the default): borrowed. trt_runtime never deletes the
  TensorRT object; the code that made it must keep it alive for as long as
  the Python object, and anything made from it, lives.
- ``owned=True``: trt_runtime deletes it when the Python object and its
  children are gone, as for objects it created; the code that made it must
  not delete it.

The pointer must be of the same library trt_runtime uses (``library``, or the
one :func:`load_library` opened), made by a runtime of the same major version.
Nothing can check that a raw address really is such an object.
"""

from __future__ import annotations

import ctypes
from typing import Any

from ._bridge import Bridge
from ._callbacks import ILogger
from ._context import IExecutionContext
from ._engine import ICudaEngine
from ._errors import InvalidArgumentError, raise_status
from ._ffi import ffi, lib
from ._library import Library, load_library
from ._runtime import Runtime
from ._types import ExecutionContextAllocationStrategy

__all__ = ["adopt_runtime", "adopt_engine", "adopt_context"]


def _address(pointer: Any, name: str) -> Any:
    """``pointer`` (an int, a ctypes pointer or ``c_void_p``, a cffi pointer) as a cffi ``void *``."""
    if isinstance(pointer, bool):
        raise TypeError(f"{name} must be a pointer or an int address, not bool")
    if isinstance(pointer, int):
        value = pointer
    elif isinstance(pointer, ffi.CData):
        value = int(ffi.cast("uintptr_t", pointer))
    elif isinstance(pointer, (ctypes.c_void_p, ctypes._Pointer)):
        value = ctypes.cast(pointer, ctypes.c_void_p).value or 0
    else:
        raise TypeError(f"{name} must be an int address, a ctypes pointer or a cffi pointer, "
                        f"not {type(pointer).__name__}")
    if not 4096 <= value < 1 << 64:
        raise InvalidArgumentError(f"{name} {value:#x} is not the address of a TensorRT object",
                                   lib.TRT_E_INVALID_ARGUMENT)
    return ffi.cast("void *", value)


def adopt_runtime(pointer: Any, logger: ILogger, *, library: Library | None = None, owned: bool = False) -> Runtime:
    """A :class:`Runtime` over an ``IRuntime*`` made elsewhere on ``library``.

    ``logger`` receives the messages of calls made through the returned
    object (TensorRT's registered logger routes them; if other code
    registered its own logger with TensorRT first, TensorRT keeps using that
    one and trt_runtime sees no messages).
    """
    if not isinstance(logger, ILogger):
        raise TypeError(f"logger must be a trt_runtime.ILogger, not {type(logger).__name__}")
    native = _address(pointer, "pointer")
    library = load_library() if library is None else library
    if not isinstance(library, Library):
        raise TypeError(f"library must be a trt_runtime.Library, not {type(library).__name__}")
    bridge = Bridge(logger, library).pin()
    out = ffi.new("trt_runtime **")
    status = lib.trt_runtime_adopt(library._h, native, 1 if owned else 0, lib._trt_py_log, lib._trt_py_release,
                                   bridge.handle, out)
    if status:
        lib._trt_py_release(bridge.handle)  # the shim never took it
        raise_status(status)
    runtime = Runtime.__new__(Runtime)
    runtime._adopt(out[0], library, logger, bridge, None)
    return runtime


def adopt_engine(pointer: Any, runtime: Runtime, *, owned: bool = False) -> ICudaEngine:
    """An :class:`ICudaEngine` over an ``ICudaEngine*`` made elsewhere; it keeps ``runtime`` alive.

    ``runtime`` is the runtime whose logger reports the engine's calls
    (typically :func:`adopt_runtime` of the runtime that deserialized it).
    """
    if not isinstance(runtime, Runtime):
        raise TypeError(f"runtime must be a trt_runtime.Runtime, not {type(runtime).__name__}")
    native = _address(pointer, "pointer")
    out = ffi.new("trt_engine **")
    status = lib.trt_engine_adopt(runtime._handle(), native, 1 if owned else 0, out)
    if status:
        raise_status(status)
    return ICudaEngine._adopt(out[0], runtime)


def adopt_context(pointer: Any, engine: ICudaEngine, *, owned: bool = False,
                  allocation_strategy: ExecutionContextAllocationStrategy =
                  ExecutionContextAllocationStrategy.STATIC) -> IExecutionContext:
    """An :class:`IExecutionContext` over an ``IExecutionContext*`` of ``engine``'s made elsewhere.

    ``allocation_strategy`` is what the context was created with (TensorRT
    cannot be asked); it only answers :attr:`IExecutionContext.allocation_strategy`.
    """
    if not isinstance(engine, ICudaEngine):
        raise TypeError(f"engine must be a trt_runtime.ICudaEngine, not {type(engine).__name__}")
    strategy = ExecutionContextAllocationStrategy(allocation_strategy)
    native = _address(pointer, "pointer")
    table = engine._table()
    out = ffi.new("trt_context **")
    status = lib.trt_context_adopt(engine._handle(), native, 1 if owned else 0, out)
    if status:
        raise_status(status)
    return IExecutionContext._adopt(out[0], engine, table, strategy)
