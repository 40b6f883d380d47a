"""The compiled extension: cffi's ``ffi`` and the shim's ``lib``.

Importing it loads only the small extension module; TensorRT itself is opened
later, by :func:`trt_runtime.load_library` or the first :class:`Runtime`.
"""

from __future__ import annotations

import atexit

__all__ = ["ffi", "lib"]

try:
    from ._native import ffi, lib
except ImportError as exc:  # pragma: no cover - only on a broken install
    raise ImportError(
        "trt_runtime's native extension (trt_runtime._native) is missing or broken; "
        "reinstall the package with `pip install .` so that cffi compiles it "
        f"({exc})"
    ) from exc

# From interpreter exit on, the shim neither calls into TensorRT to release
# objects nor back into Python: CUDA and the interpreter may be gone.
atexit.register(lib.trt_shutdown)
