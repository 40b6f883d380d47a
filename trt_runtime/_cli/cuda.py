"""cuda-python for the command line, in either module layout, and what it says about the GPU.

cuda-python 12.6+ and 13 have ``cuda.bindings.driver`` and
``cuda.bindings.runtime``; cuda-python 12.0-12.5 has ``cuda.cuda`` and
``cuda.cudart``. Nothing here is imported until a command asks.
"""

from __future__ import annotations

from typing import Any

# cuda-python's modules are compiled (Cython) and come with no stubs: pyright
# cannot see the names they define (the ignores below name that one rule), and
# mypy takes the modules as Any (pyproject.toml names them). Everything from
# them is used as Any here.

__all__ = ["driver_api", "runtime_api", "gpu_description"]


def driver_api() -> Any | None:
    """cuda-python's driver API module, or None when cuda-python is not installed."""
    try:
        from cuda.bindings import driver  # pyright: ignore[reportAttributeAccessIssue]
    except ImportError:
        try:
            from cuda import cuda as driver  # pyright: ignore[reportAttributeAccessIssue]  # cuda-python < 12.6
        except ImportError:
            return None
    return driver


def runtime_api() -> Any | None:
    """cuda-python's runtime API module, or None when cuda-python is not installed."""
    try:
        from cuda.bindings import runtime  # pyright: ignore[reportAttributeAccessIssue]
    except ImportError:
        try:
            from cuda import cudart as runtime  # pyright: ignore[reportAttributeAccessIssue]  # cuda-python < 12.6
        except ImportError:
            return None
    return runtime


def _name(err: Any) -> str:
    return str(getattr(err, "name", err))


def gpu_description() -> str:
    """The first CUDA device's name, or why cuda-python cannot tell it (not installed, no driver, no device)."""
    driver = driver_api()
    if driver is None:
        return "present (name unknown: cuda-python not installed)"
    try:
        (err,) = driver.cuInit(0)
        if int(err) != 0:
            return f"name unknown: cuda-python finds no CUDA device ({_name(err)})"
        err, dev = driver.cuDeviceGet(0)
        if int(err) != 0:
            return f"name unknown: cuda-python finds no CUDA device ({_name(err)})"
        err, name = driver.cuDeviceGetName(256, dev)
    except Exception as exc:  # noqa: BLE001 - a missing driver shows up in many forms
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"name unknown: cuda-python cannot use the CUDA driver ({first})"
    if int(err) != 0:
        return f"name unknown: cuDeviceGetName failed ({_name(err)})"
    return bytes(name).split(b"\0", 1)[0].decode(errors="replace")
