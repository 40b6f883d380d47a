"""Bridges: how a Python callback object is tied to the shim, and kept alive.

The Python object behind a shim adapter travels as a cffi handle to a
:class:`Bridge`. A bridge the shim may call beyond any Python object's
lifetime is *pinned* in :data:`_PINNED` until the shim calls
``_trt_py_release`` for it. A callback that fails outside any trt_runtime
call goes to :func:`sys.unraisablehook` through :func:`unraisable`.

A callback that fails during a trt_runtime call keeps its exception with
:func:`trt_runtime._errors.keep_for_call`; the method that made the call
raises it. This module needs :mod:`trt_runtime._errors`; ``_errors`` needs
nothing of it.
"""

from __future__ import annotations

import sys
import traceback
from typing import Any

from ._errors import keep_for_call, raise_status
from ._ffi import ffi, lib

__all__ = ["Bridge", "bridge_of", "LOG_BRIDGES", "new_log_bridge", "new_adapter", "unraisable", "callback_error"]


class Bridge:
    """Ties a Python callback object to the shim.

    Parameters
    ----------
    target : object
        The Python object the shim's callbacks reach (a logger, recorder,
        allocator, stream reader, or a :class:`Library` for broadcasts).

    Attributes
    ----------
    handle : cffi handle
        What the shim holds.
    """

    __slots__ = ("target", "handle", "scratch", "logs_for", "log_target", "__weakref__")

    def __init__(self, target: Any, logs_for: Any = None) -> None:
        self.target = target
        self.handle = ffi.new_handle(self)
        self.scratch: bytearray | None = None  # what a stream reader's readinto() is lent
        # The Library whose messages from outside any call this logger's bridge
        # receives while pinned (a runtime's logger): see Library.broadcast.
        self.logs_for = logs_for
        self.log_target: Any = None  # a runtime logger's shared trt_log_target (see new_log_bridge)

    def failed(self, exc: BaseException, where: str) -> int:
        """Keep ``exc`` for the running call, or report it if there is none.

        Parameters
        ----------
        exc : BaseException
            What the callback raised.
        where : str
            The callback, as in ``"log()"``, for the unraisable report.

        Returns
        -------
        int
            1, the failure the shim's callback table expects.
        """
        if not keep_for_call(exc):
            unraisable(exc, f"in {where} of {self.target!r}, called by TensorRT outside any trt_runtime call")
        return 1

    def pin(self) -> Bridge:
        """Keep this bridge alive until the shim releases its context.

        Returns
        -------
        Bridge
            This bridge.
        """
        _PINNED[id(self)] = self
        return self


# Bridges whose handle the shim holds beyond any Python object's lifetime
# (recorders referenced by engines, loggers of runtimes kept alive by engines).
_PINNED: dict[int, Bridge] = {}

# The pinned bridge of each (library id, logger id) whose log target runtimes
# hold: a later Runtime with the same logger shares it, so it neither pins a
# bridge nor calls back into Python when it is released.
LOG_BRIDGES: dict[tuple[int, int], Bridge] = {}


def new_log_bridge(logger: Any, library: Any) -> Bridge:
    """A new pinned bridge and shared ``trt_log_target`` through which runtimes of ``library`` log to ``logger``.

    It replaces the one in :data:`LOG_BRIDGES` (if any, it was released
    meanwhile). The caller holds the new target until it gives it back with
    ``trt_log_target_give``, which releases it, and unpins the bridge, if no
    runtime took it meanwhile.

    Parameters
    ----------
    logger : ILogger
        The runtime's logger.
    library : Library
        Its library (it receives the library's broadcasts while pinned).
    """
    bridge = Bridge(logger, library)
    out = ffi.new("trt_log_target **")
    status = lib.trt_log_target_create(lib._trt_py_log, lib._trt_py_release, bridge.handle, out)
    if status:
        raise_status(status)
    bridge.log_target = ffi.gc(out[0], lib.trt_log_target_drop)
    LOG_BRIDGES[(id(library), id(logger))] = bridge.pin()
    return bridge


def unraisable(exc: BaseException, message: str) -> None:
    """Hand ``exc`` to :func:`sys.unraisablehook` as "Exception ignored " + ``message``."""
    err_msg = "Exception ignored " + message
    hook = sys.unraisablehook
    if hook is sys.__unraisablehook__:
        # The interpreter's own hook takes only its own argument type, which
        # Python code cannot make: write what it writes.
        stream = sys.stderr
        if stream is not None:
            try:
                stream.write(err_msg + ":\n" + "".join(
                    traceback.format_exception(type(exc), exc, exc.__traceback__)))
                stream.flush()
            except Exception:  # noqa: BLE001 - a closed stderr at exit: nowhere left to report
                pass
        return
    hook_arg = type(
        "UnraisableHookArgs", (), {"exc_type": type(exc), "exc_value": exc, "exc_traceback": exc.__traceback__,
                                   "err_msg": err_msg, "object": None}
    )
    hook(hook_arg)  # type: ignore[arg-type]


def callback_error(exc_type: type[BaseException], exc: BaseException | None, tb: Any) -> int:
    """cffi's ``onerror`` of every callback: what escaped the callback's own handler.

    A callback's handler can itself fail (a RecursionError raised again at
    the recursion limit, a MemoryError): the exception is kept or reported
    all the same, never printed and lost.
    """
    if exc is None:
        exc = exc_type()
    if not keep_for_call(exc):
        unraisable(exc, "in a callback called by TensorRT outside any trt_runtime call")
    return 1


def bridge_of(ctx: Any) -> Bridge:
    """The bridge whose handle the shim passed back as ``ctx``."""
    return ffi.from_handle(ctx)  # type: ignore[no-any-return]


@ffi.def_extern(onerror=callback_error)
def _trt_py_release(ctx: Any) -> None:
    bridge = bridge_of(ctx)
    _PINNED.pop(id(bridge), None)
    if bridge.log_target is not None:
        key = (id(bridge.logs_for), id(bridge.target))
        if LOG_BRIDGES.get(key) is bridge:
            del LOG_BRIDGES[key]


def new_adapter(value: Any, create: Any, fns: Any, handle_type: str) -> tuple[Bridge, Any]:
    """A pinned bridge for ``value`` and the shim adapter ``create(fns, ctx, out)`` makes for it.

    Parameters
    ----------
    value : object
        The Python callback object.
    create : callable
        The shim's ``trt_*_create``.
    fns : cdata
        The shim's table of callbacks for that adapter.
    handle_type : str
        The C type of ``create``'s out parameter, as in ``"trt_recorder **"``.

    Returns
    -------
    tuple of (Bridge, cdata)
        The bridge and the adapter; the caller owns one reference to the adapter.
    """
    bridge = Bridge(value).pin()
    out = ffi.new(handle_type)
    status = create(fns, bridge.handle, out)
    if status:
        lib._trt_py_release(bridge.handle)  # the shim never took it
        raise_status(status)
    return bridge, out[0]
