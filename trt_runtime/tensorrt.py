"""The official ``tensorrt`` namespace, over trt_runtime.

``import trt_runtime.tensorrt as trt`` gives every public name of
trt_runtime (the official runtime API, and trt_runtime's own additions),
plus ``__version__``: the version of the TensorRT library in use
(``"11.4.0.106"``), as the official module has it. It is computed on first
access, which opens the library (:func:`trt_runtime.load_library`) if none
is open yet. ``trt_runtime.__version__`` stays the package's own version.

Unmodified programs that ``import tensorrt`` get this namespace through
:mod:`trt_runtime.as_tensorrt`.
"""

from __future__ import annotations

from typing import Any

import trt_runtime as _trt

# trt_runtime's public names (its literal __all__), read at import; type checkers see
# this module's own names only: programs checked against the drop-in name trt_runtime.
__all__: list[str] = []
__all__ += _trt.__all__


def version() -> str:
    """The loaded TensorRT library's version, as ``__version__`` gives it (opens the library if needed)."""
    return str(_trt.load_library().version)


def __getattr__(name: str) -> Any:
    if name == "__version__":
        return version()
    try:
        return getattr(_trt, name)
    except AttributeError:
        raise AttributeError(f"module 'tensorrt' (trt_runtime's drop-in) has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted(set(__all__) | {"__version__"})
