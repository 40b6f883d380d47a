"""The official module functions about plugins: ``get_plugin_registry`` and ``init_libnvinfer_plugins``.

``init_libnvinfer_plugins(logger, namespace)`` registers the creators of
TensorRT's plugin library, ``libnvinfer_plugin.so.N``:

- with the **full** library (``libnvinfer``), the plugin library of the same
  major version beside it (else the one the system loader finds by that
  name) is opened, kept open, and its ``initLibNvInferPlugins`` called, as
  the official full bindings do; its messages during the call go to
  ``logger``, later ones to the runtimes' loggers. No plugin library found is
  :class:`LibraryNotFoundError` (``init_libnvinfer_plugins_nocheck``: False).
- with the **lean** or **dispatch** library there is no plugin library to
  initialise (the official lean and dispatch modules have no such function at
  all, so programs that call it, Polygraphy among them, fail there with
  ``AttributeError``): it does nothing and returns True.
"""

from __future__ import annotations

import os
from typing import Any

from ._bridge import Bridge
from ._callbacks import ILogger
from ._errors import LibraryNotFoundError, TensorRTError, raise_status
from ._ffi import ffi, lib
from ._library import Flavour, Library, load_library
from ._registry import IPluginRegistry

__all__ = ["get_plugin_registry", "init_libnvinfer_plugins", "init_libnvinfer_plugins_nocheck", "plugin_library_path"]

_registries: dict[int, IPluginRegistry] = {}


def get_plugin_registry() -> IPluginRegistry:
    """The process's plugin registry: the loaded library's ``getPluginRegistry()``.

    Opens the library (as :func:`load_library`) when none is loaded yet. The
    registry lives as long as the process; each runtime's own registry
    (``Runtime.get_plugin_registry()``) has it as its parent.
    """
    library = load_library()
    registry = _registries.get(id(library))
    if registry is None:
        out = ffi.new("trt_plugin_registry **")
        status = lib.trt_library_plugin_registry(library._h, out)
        if status:
            raise_status(status)
        registry = _registries.setdefault(id(library), IPluginRegistry._adopt(out[0], None, library))
    return registry


def plugin_library_path(library: Library) -> str:
    """Where ``init_libnvinfer_plugins`` looks for the plugin library of ``library``.

    ``libnvinfer_plugin.so.N`` beside the library when that file exists, else
    the bare name, for the system loader.
    """
    name = f"libnvinfer_plugin.so.{library.version.major}"
    beside = os.path.join(os.path.dirname(library.path), name)
    return beside if os.path.exists(beside) else name


def _init(logger: Any, namespace: str) -> int:
    if logger is not None and not isinstance(logger, ILogger):
        raise TypeError(f"logger must be a trt_runtime.ILogger or None, not {type(logger).__name__}")
    if not isinstance(namespace, str):
        raise TypeError(f"namespace must be a str, not {type(namespace).__name__}")
    library = load_library()
    if library.flavour is not Flavour.FULL:
        return 0  # lean and dispatch: no plugin library exists to initialise
    bridge = Bridge(logger) if logger is not None else None
    ok = ffi.new("int32_t *")
    log = lib._trt_py_log if bridge is not None else ffi.NULL
    ctx = bridge.handle if bridge is not None else ffi.NULL
    return lib.trt_library_init_plugins(  # type: ignore[no-any-return]
        library._h, os.fsencode(plugin_library_path(library)), namespace.encode(), log, ctx, ok)


def init_libnvinfer_plugins(logger: ILogger | None, namespace: str) -> bool:
    """Register TensorRT's own plugins (``initLibNvInferPlugins``) under ``namespace``.

    See the module documentation for what happens with each library flavour.
    True, or raises: :class:`LibraryNotFoundError` when the full library has
    no plugin library, :class:`TensorRTError` with TensorRT's reports when its
    initialisation fails.
    """
    status = _init(logger, namespace)
    if status == lib.TRT_E_LIBRARY:
        try:
            raise_status(status)
        except TensorRTError as exc:
            raise LibraryNotFoundError(exc.message, status, exc.reports) from None
    if status:
        raise_status(status)
    return True


def init_libnvinfer_plugins_nocheck(logger: ILogger | None, namespace: str) -> bool:
    """:func:`init_libnvinfer_plugins`, returning False where it would raise for the plugin library."""
    status = _init(logger, namespace)
    if status in (lib.TRT_E_LIBRARY, lib.TRT_E_FAILED):
        return False
    if status:
        raise_status(status)
    return True
