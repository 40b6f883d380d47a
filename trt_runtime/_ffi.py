"""The compiled extension: cffi's ``ffi`` and the shim's ``lib``.

Importing it loads only the small extension module; TensorRT itself is opened
later, by :func:`trt_runtime.load_library` or the first :class:`Runtime`.
"""

from __future__ import annotations

import atexit

__all__ = ["ffi", "lib"]

try:
    from ._native import ffi, lib
except ImportError as exc:
    # The extension imports cffi's runtime, _cffi_backend, first: a copy of
    # trt_runtime/ in an environment without cffi fails there, not here.
    import importlib.util

    if exc.name == "_cffi_backend" or importlib.util.find_spec("_cffi_backend") is None:
        raise ImportError(
            "trt_runtime needs cffi's runtime, the module _cffi_backend, which this Python cannot import: "
            f"install it with `pip install cffi` ({exc})",
            name="_cffi_backend",
        ) from exc
    raise ImportError(
        "trt_runtime's native extension (trt_runtime._native) is missing or broken; reinstall the package "
        "(`pip install .` from a checkout compiles it, or install the wheel); a vendored copy of trt_runtime/ "
        f"needs the built _native*.so in its folder ({exc})",
        name="trt_runtime._native",
    ) from exc

# From interpreter exit on, the shim neither calls into TensorRT to release
# objects nor back into Python: CUDA and the interpreter may be gone.
atexit.register(lib.trt_shutdown)
