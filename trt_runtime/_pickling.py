"""The default runtime: the one that unpickles engines.

An engine pickles as its plan and the TensorRT version that wrote it
(``ICudaEngine.__reduce_ex__``); ``trt_runtime._engine._unpickle_engine``,
the name pickles refer to, deserializes the plan with :func:`default_runtime`.
It reaches it through the package (``trt_runtime.default_runtime``), not by
importing this module: this module imports ``_runtime``, which imports
``_engine``, so ``_engine`` importing it back would close a loop.
"""

from __future__ import annotations

import threading

from ._library import load_library
from ._loggers import Logger
from ._runtime import Runtime

__all__ = ["default_runtime", "set_default_runtime"]

_default_lock = threading.Lock()
_default: Runtime | None = None


def default_runtime() -> Runtime:
    """The runtime that unpickles engines.

    Returns
    -------
    Runtime
        The one given to :func:`set_default_runtime`, else one created on
        first use with a :class:`Logger` on the current library (again when
        that one was closed or another library was loaded since).
    """
    global _default
    with _default_lock:
        library = load_library()
        if _default is None or _default.closed or _default.library is not library:
            _default = Runtime(Logger(), library=library)
        return _default


def set_default_runtime(runtime: Runtime | None) -> None:
    """Make ``runtime`` the one :func:`default_runtime` returns.

    Parameters
    ----------
    runtime : Runtime or None
        The runtime; None: create one when needed.

    Raises
    ------
    TypeError
        ``runtime`` is neither a :class:`Runtime` nor None.
    """
    global _default
    if runtime is not None and not isinstance(runtime, Runtime):
        raise TypeError(f"runtime must be a trt_runtime.Runtime or None, not {type(runtime).__name__}")
    with _default_lock:
        _default = runtime
