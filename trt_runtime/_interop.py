"""CUDA streams and tensor memory from other libraries, as plain integers.

Nothing here imports a CUDA library: objects are recognised by the
protocols they implement.

Streams (:func:`as_stream`), in this order:

- ``int`` (0 is the default stream) and ``None`` (0);
- an object with ``__cuda_stream__`` (cuda.core, recent PyTorch and CuPy):
  a method, or an attribute, giving ``(version, handle)``;
- ``ctypes.c_void_p`` (its ``value``);
- cuda-python's ``cudaStream_t`` / ``CUstream`` (``int(obj)``; their
  ``getPtr()`` is the address of the handle, not the handle);
- PyTorch's ``torch.cuda.Stream`` (``cuda_stream``), CuPy's ``Stream``
  (``ptr``);
- an integer-like object (``__index__``, such as ``numpy.uint64``).

Tensor memory (:func:`as_address`), in this order:

- ``int``;
- an object with ``__cuda_array_interface__`` (``data[0]``: PyTorch CUDA
  tensors, CuPy, Numba, JAX ...);
- an object with ``__array_interface__`` (``data[0]``: numpy arrays, host
  memory, which only a tensor of ``TensorLocation.HOST`` or the project's
  test double can use);
- ``ctypes.c_void_p`` and ctypes pointers, arrays and structures;
- a cffi pointer or array;
- cuda-python's ``CUdeviceptr`` (``int(obj)``);
- an object with a ``data_ptr()`` method (PyTorch tensors);
- a numpy integer scalar, or an integer-like object (``__index__``).

A float, str or bool (numpy's too) is refused with a TypeError, as is anything else.
"""

from __future__ import annotations

import ctypes
import operator
import sys
from typing import TYPE_CHECKING, Any, NamedTuple

from ._ffi import ffi

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["as_stream", "as_address", "MemoryInfo", "memory_info", "cuda_ordinal"]

_U64 = 1 << 64
_CFFI_DATA = ffi.CData


def _check_u64(value: int, what: str) -> int:
    if not 0 <= value < _U64:
        raise ValueError(f"{what} {value} is not a 64-bit unsigned address")
    return value


def _cuda_python(obj: Any) -> bool:
    module = type(obj).__module__ or ""
    return module.startswith("cuda.") or module == "cuda"


def as_stream(obj: Any) -> int:
    """The CUDA stream handle ``obj`` stands for, as an int (see the module's documentation)."""
    if type(obj) is int:
        return _check_u64(obj, "stream handle")
    if obj is None:
        return 0
    if isinstance(obj, bool):
        raise TypeError("a stream handle must be an int or a stream object, not bool")
    protocol = getattr(obj, "__cuda_stream__", None)
    if protocol is not None:
        value: Any = protocol() if callable(protocol) else protocol
        try:
            _version, handle = value
        except (TypeError, ValueError):
            raise TypeError(f"__cuda_stream__ of {type(obj).__name__} returned {value!r}, not (version, handle)") from None
        return _check_u64(operator.index(handle), "stream handle")
    if isinstance(obj, ctypes.c_void_p):
        return obj.value or 0
    if isinstance(obj, _CFFI_DATA):
        return int(ffi.cast("uintptr_t", obj))
    if _cuda_python(obj):
        return _check_u64(int(obj), "stream handle")
    for attr in ("cuda_stream", "ptr"):  # torch.cuda.Stream, cupy.cuda.Stream
        handle = getattr(obj, attr, None)
        if handle is not None and not callable(handle):
            return _check_u64(operator.index(handle), "stream handle")
    if isinstance(obj, (float, str, bytes)):
        raise TypeError(f"a stream handle must be an int or a stream object, not {type(obj).__name__}")
    try:
        return _check_u64(operator.index(obj), "stream handle")
    except TypeError:
        raise TypeError(
            "a stream must be an int, None, ctypes.c_void_p, a cuda-python cudaStream_t/CUstream, or an object "
            f"with __cuda_stream__, not {type(obj).__name__}"
        ) from None


class MemoryInfo(NamedTuple):
    """What :func:`memory_info` learned about a memory object."""

    address: int
    nbytes: int | None  # None when the object does not say
    readonly: bool
    shape: tuple[int, ...] | None
    device: bool | None  # True: CUDA memory; False: host memory; None: unknown


def _interface_bytes(interface: dict[str, Any]) -> int | None:
    shape = interface.get("shape")
    typestr = interface.get("typestr")
    if shape is None or not typestr:
        return None
    try:
        itemsize = int(typestr[2:])
    except ValueError:
        return None
    n = itemsize
    for e in shape:
        n *= int(e)
    strides = interface.get("strides")
    if strides is not None and n:
        # Span of a strided array: from the first element to past the last.
        span = itemsize + sum((int(e) - 1) * abs(int(s)) for e, s in zip(shape, strides))
        return span
    return n


def memory_info(obj: Any) -> MemoryInfo:
    """Address (and, where known, size, writability, shape) of tensor memory ``obj``."""
    if type(obj) is int:
        return MemoryInfo(_check_u64(obj, "address"), None, False, None, None)
    if isinstance(obj, (bool, float, str, bytes)) or obj is None:
        raise TypeError(f"tensor memory must be an address or an array object, not {type(obj).__name__}")
    np = sys.modules.get("numpy")  # an object can be numpy's only once numpy is imported
    if np is not None and isinstance(obj, np.generic):
        # A numpy scalar: an integer is an address; the scalar's own buffer never is.
        if not isinstance(obj, np.integer):
            raise TypeError(f"tensor memory must be an address or an array object, not {type(obj).__name__}")
        return MemoryInfo(_check_u64(int(obj), "address"), None, False, None, None)
    for name, device in (("__cuda_array_interface__", True), ("__array_interface__", False)):
        interface = getattr(obj, name, None)
        if interface is not None:
            data = interface.get("data")
            if data is None:  # an empty array with no buffer
                return MemoryInfo(0, 0, False, tuple(interface.get("shape", ())), device)
            address, readonly = data
            shape = interface.get("shape")
            return MemoryInfo(
                _check_u64(operator.index(address), "address"),
                _interface_bytes(interface),
                bool(readonly),
                tuple(int(e) for e in shape) if shape is not None else None,
                device,
            )
    if isinstance(obj, ctypes.c_void_p):
        return MemoryInfo(obj.value or 0, None, False, None, None)
    if isinstance(obj, ctypes._Pointer):
        return MemoryInfo(ctypes.cast(obj, ctypes.c_void_p).value or 0, None, False, None, None)
    if isinstance(obj, (ctypes.Array, ctypes.Structure, ctypes.Union)):
        return MemoryInfo(ctypes.addressof(obj), ctypes.sizeof(obj), False, None, False)
    if isinstance(obj, _CFFI_DATA):
        kind = ffi.typeof(obj).kind
        if kind not in ("pointer", "array"):
            raise TypeError(f"a cffi {ffi.typeof(obj).cname} is not tensor memory")
        nbytes = ffi.sizeof(obj) if kind == "array" else None
        return MemoryInfo(int(ffi.cast("uintptr_t", obj)), nbytes, False, None, None)
    if _cuda_python(obj):
        return MemoryInfo(_check_u64(int(obj), "address"), None, False, None, True)
    data_ptr: Callable[[], int] | None = getattr(obj, "data_ptr", None)  # torch: Tensor.data_ptr()
    if callable(data_ptr):
        nbytes = None
        nbytes_attr = getattr(obj, "nbytes", None)
        if isinstance(nbytes_attr, int):
            nbytes = nbytes_attr
        is_cuda = getattr(obj, "is_cuda", None)
        return MemoryInfo(_check_u64(operator.index(data_ptr()), "address"), nbytes, False,
                          tuple(getattr(obj, "shape", ())) or None, is_cuda if isinstance(is_cuda, bool) else None)
    try:
        return MemoryInfo(_check_u64(operator.index(obj), "address"), None, False, None, None)
    except TypeError:
        raise TypeError(
            "tensor memory must be an int address, an object with __cuda_array_interface__ or "
            "__array_interface__, a ctypes or cffi pointer, or a cuda-python CUdeviceptr, not "
            f"{type(obj).__name__}"
        ) from None


_DLPACK_CUDA = (2, 13)  # DLPack's device types kDLCUDA and kDLCUDAManaged


def cuda_ordinal(obj: Any) -> int | None:
    """The CUDA device ``obj``'s memory is on, where the object says so, else None.

    Read from DLPack's ``__dlpack_device__()`` (torch, CuPy, JAX ...) or a
    torch-style ``.device`` (``type == "cuda"``, ``index``); a plain address
    or ``__cuda_array_interface__`` alone does not say.
    """
    probe: Any = getattr(obj, "__dlpack_device__", None)
    if callable(probe):
        try:
            said: Any = probe()
            kind, ordinal = said
            return int(ordinal) if int(kind) in _DLPACK_CUDA else None
        except Exception:  # noqa: BLE001 - an object that cannot say: not known
            return None
    device = getattr(obj, "device", None)
    if getattr(device, "type", None) == "cuda":
        index = getattr(device, "index", None)
        return index if isinstance(index, int) else None
    return None


def as_address(obj: Any) -> int:
    """The address of tensor memory ``obj``, as an int (see the module's documentation)."""
    if type(obj) is int:
        return _check_u64(obj, "address")
    return memory_info(obj).address
