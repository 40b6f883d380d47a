"""Application interfaces written in Python and called from TensorRT.

Each interface has a C++ adapter in the shim that forwards to a table of C
function pointers; the pointers are the ``extern "Python"`` functions defined
here once. The Python object behind an adapter travels as a cffi handle to a
:class:`~trt_runtime._bridge.Bridge`, which stays pinned for as long as the
shim can call it.

A callback never lets an exception escape into C++: it stores the exception
in its bridge (for the thread that made the call) and returns failure; the
Python method that made the call raises it after TensorRT returns. A failure
outside any call (on a thread of TensorRT's own) goes to
:func:`sys.unraisablehook`.
"""

from __future__ import annotations

import operator
from typing import Any, TypeAlias, TypeGuard, TypeVar

from ._bridge import _PINNED, Bridge, callback_error, new_adapter, unraisable  # noqa: F401 - _PINNED: tests count pinned bridges here
from ._bridge import bridge_of as _bridge
from ._enums import ErrorCode, SeekPosition, Severity
from ._errors import raise_status
from ._ffi import ffi, lib
from ._readers import IStreamReader, IStreamReaderV2, StreamReaderAdapter
from ._versioned import IVersionedInterface

_L = TypeVar("_L", bound="ILogger")

__all__ = [
    "ILogger",
    "IErrorRecorder",
    "IGpuAllocator",
    "IGpuAsyncAllocator",
    "IStreamReaderV2",
    "IStreamReader",
    "StreamReaderAdapter",
    "give_callback",
    "RECORDER_FNS",
    "ALLOCATOR_FNS",
    "READER_FNS",
]

_SEVERITIES = tuple(Severity)
_ERROR_CODES = tuple(ErrorCode)
_SEEK_POSITIONS = tuple(SeekPosition)


# ------------------------------------------------------------------ logger


class ILogger:
    """Receives TensorRT's messages. Subclass it and define :meth:`log`.

    Calling ``ILogger.__init__`` from a subclass is optional. ``log`` may be
    called from several threads at once.
    """

    # A type alias (the enum itself, as ``ILogger.Severity`` in the official bindings), so
    # that ``severity: Severity`` below names the type for type checkers.
    Severity: TypeAlias = Severity
    INTERNAL_ERROR = Severity.INTERNAL_ERROR
    ERROR = Severity.ERROR
    WARNING = Severity.WARNING
    INFO = Severity.INFO
    VERBOSE = Severity.VERBOSE

    def __enter__(self: _L) -> _L:
        """The logger itself; ``with`` does nothing more for a logger (as officially)."""
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def log(self, severity: Severity, msg: str) -> None:
        """Handle one message. ``severity`` is a :class:`Severity`."""
        raise NotImplementedError(f"{type(self).__name__} must define log(severity, msg)")


def _text(message: Any) -> str:
    return ffi.string(message).decode("utf-8", "replace")  # type: ignore[no-any-return]


# error=1: a callback whose own handler cannot run (at the recursion limit) still tells
# the shim it failed; the call then raises instead of returning as if nothing happened.
@ffi.def_extern(onerror=callback_error, error=1)
def _trt_py_log(ctx: Any, severity: int, message: Any) -> int:
    bridge = _bridge(ctx)
    try:
        bridge.target.log(_SEVERITIES[severity] if 0 <= severity < 5 else severity, _text(message))
    except BaseException as exc:  # noqa: BLE001 - re-raised by the calling method
        return bridge.failed(exc, "log()")
    return 0


@ffi.def_extern(onerror=callback_error, error=1)
def _trt_py_broadcast_log(ctx: Any, severity: int, message: Any) -> int:
    # A message from no trt_runtime call: the library object fans it out.
    try:
        _bridge(ctx).target.broadcast(_SEVERITIES[severity] if 0 <= severity < 5 else severity, _text(message))
    except BaseException as exc:  # noqa: BLE001
        unraisable(exc, "in a logger receiving a TensorRT message outside any call")
    return 0


# ------------------------------------------------------------------ error recorder


class IErrorRecorder:
    """Collects TensorRT's errors. Subclass it and define every method.

    TensorRT may call a recorder from several threads at once. Reference
    counting is done by trt_runtime. See :class:`trt_runtime.ErrorRecorder`
    for a ready, thread-safe implementation.
    """

    MAX_DESC_LENGTH = 127

    def report_error(self, val: ErrorCode, desc: str) -> bool:
        """Record one error; return True to ask TensorRT to stop."""
        raise NotImplementedError

    def num_errors(self) -> int:
        raise NotImplementedError

    def get_error_code(self, error_idx: int) -> ErrorCode:
        raise NotImplementedError

    def get_error_desc(self, error_idx: int) -> str:
        raise NotImplementedError

    def has_overflowed(self) -> bool:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError


def _int_result(value: Any, what: str) -> int:
    if isinstance(value, bool) or value is None:
        raise TypeError(f"{what} must return an int, not {type(value).__name__}")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{what} must return an int, not {type(value).__name__}") from None


@ffi.def_extern(onerror=callback_error, error=1)
def _trt_py_rec_num_errors(ctx: Any, out: Any) -> int:
    bridge = _bridge(ctx)
    try:
        out[0] = _int_result(bridge.target.num_errors(), "num_errors()")
    except BaseException as exc:  # noqa: BLE001
        return bridge.failed(exc, "num_errors()")
    return 0


@ffi.def_extern(onerror=callback_error, error=1)
def _trt_py_rec_error_code(ctx: Any, index: int, out: Any) -> int:
    bridge = _bridge(ctx)
    try:
        out[0] = _int_result(bridge.target.get_error_code(index), "get_error_code()")
    except BaseException as exc:  # noqa: BLE001
        return bridge.failed(exc, "get_error_code()")
    return 0


@ffi.def_extern(onerror=callback_error, error=1)
def _trt_py_rec_error_desc(ctx: Any, index: int, buffer: Any, capacity: int) -> int:
    bridge = _bridge(ctx)
    try:
        desc = bridge.target.get_error_desc(index)
        if not isinstance(desc, str):
            raise TypeError(f"get_error_desc() must return a str, not {type(desc).__name__}")
        data = desc.encode("utf-8", "replace")[: capacity - 1]
        ffi.memmove(buffer, data + b"\0", len(data) + 1)
    except BaseException as exc:  # noqa: BLE001
        return bridge.failed(exc, "get_error_desc()")
    return 0


@ffi.def_extern(onerror=callback_error, error=1)
def _trt_py_rec_has_overflowed(ctx: Any, out: Any) -> int:
    bridge = _bridge(ctx)
    try:
        out[0] = 1 if bridge.target.has_overflowed() else 0
    except BaseException as exc:  # noqa: BLE001
        return bridge.failed(exc, "has_overflowed()")
    return 0


@ffi.def_extern(onerror=callback_error, error=1)
def _trt_py_rec_clear(ctx: Any) -> int:
    bridge = _bridge(ctx)
    try:
        bridge.target.clear()
    except BaseException as exc:  # noqa: BLE001
        return bridge.failed(exc, "clear()")
    return 0


@ffi.def_extern(onerror=callback_error, error=1)
def _trt_py_rec_report_error(ctx: Any, code: int, description: Any, out_stop: Any) -> int:
    bridge = _bridge(ctx)
    try:
        val = _ERROR_CODES[code] if 0 <= code < len(_ERROR_CODES) else code
        out_stop[0] = 1 if bridge.target.report_error(val, _text(description)) else 0
    except BaseException as exc:  # noqa: BLE001
        return bridge.failed(exc, "report_error()")
    return 0


def give_callback(handle: Any, setter: Any, value: Any, kind: type, name: str) -> tuple[Any, Bridge | None]:
    """Give the Python callback object ``value`` (or None) to the shim's ``setter``.

    The work of the ``error_recorder`` and ``gpu_allocator`` setters. The
    shim's adapter is reference counted: the owner, TensorRT and every engine
    that took it hold their own references, and the pinned bridge is let go
    when the last one is dropped. A replaced adapter is dropped once no call
    that may still use it runs. The caller stores what this returns.

    Parameters
    ----------
    handle : cdata
        The owner's shim handle (runtime, engine or context), open.
    setter : callable
        The shim's ``trt_*_set_error_recorder`` or ``trt_runtime_set_gpu_allocator``.
    value : IErrorRecorder, IGpuAllocator or None
        The object to set; None removes it.
    kind : type
        :class:`IErrorRecorder` or :class:`IGpuAllocator`.
    name : str
        The property, for messages.

    Returns
    -------
    tuple of (object or None, Bridge or None)
        The object and its bridge, for the owner to keep.

    Raises
    ------
    TypeError
        ``value`` is not a ``kind`` or None.
    InvalidArgumentError
        TensorRT refused it.
    """
    if value is None:
        status = setter(handle, ffi.NULL)
        if status:
            raise_status(status)
        return None, None
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be a trt_runtime.{kind.__name__} or None, not {type(value).__name__}")
    if kind is IErrorRecorder:
        bridge, adapter = new_adapter(value, lib.trt_recorder_create, RECORDER_FNS, "trt_recorder **")
        drop = lib.trt_recorder_release
    else:
        bridge, adapter = new_adapter(value, lib.trt_allocator_create, ALLOCATOR_FNS, "trt_allocator **")
        drop = lib.trt_allocator_release
    try:
        status = setter(handle, adapter)
    finally:
        drop(adapter)  # the owner and TensorRT hold their own references
    if status:
        raise_status(status)
    return value, bridge


RECORDER_FNS = ffi.new(
    "trt_recorder_fns *",
    {
        "num_errors": lib._trt_py_rec_num_errors,
        "error_code": lib._trt_py_rec_error_code,
        "error_desc": lib._trt_py_rec_error_desc,
        "has_overflowed": lib._trt_py_rec_has_overflowed,
        "clear": lib._trt_py_rec_clear,
        "report_error": lib._trt_py_rec_report_error,
        "release": lib._trt_py_release,
    },
)

# ------------------------------------------------------------------ GPU allocator


class IGpuAllocator(IVersionedInterface):
    """Provides device memory to TensorRT. Addresses and streams are ints.

    Define :meth:`allocate` and :meth:`deallocate` (and :meth:`reallocate` if
    allocations can grow). Return 0 from ``allocate`` when memory cannot be
    had; TensorRT then reports a failed allocation.
    """

    _INTERFACE = "IGpuAllocator"

    def allocate(self, size: int, alignment: int, flags: int) -> int:
        raise NotImplementedError

    def reallocate(self, address: int, alignment: int, new_size: int) -> int:
        """Grow an allocation made with ``AllocatorFlag.RESIZABLE``; 0 if not supported."""
        return 0

    def deallocate(self, memory: int) -> bool:
        raise NotImplementedError

    def allocate_async(self, size: int, alignment: int, flags: int, stream: int) -> int:
        return self.allocate(size, alignment, flags)

    def deallocate_async(self, memory: int, stream: int) -> bool:
        return self.deallocate(memory)


class IGpuAsyncAllocator(IGpuAllocator):
    """An allocator whose primary entry points take the CUDA stream."""

    _INTERFACE = "IGpuAsyncAllocator"

    def allocate_async(self, size: int, alignment: int, flags: int, stream: int) -> int:
        raise NotImplementedError

    def deallocate_async(self, memory: int, stream: int) -> bool:
        raise NotImplementedError

    def allocate(self, size: int, alignment: int, flags: int) -> int:
        return self.allocate_async(size, alignment, flags, 0)

    def deallocate(self, memory: int) -> bool:
        return self.deallocate_async(memory, 0)


def _stream_int(stream: Any) -> int:
    return int(ffi.cast("uintptr_t", stream))


@ffi.def_extern(onerror=callback_error, error=1)
def _trt_py_alloc(ctx: Any, size: int, alignment: int, flags: int, stream: Any, is_async: int, out: Any) -> int:
    bridge = _bridge(ctx)
    try:
        a = bridge.target
        if is_async:
            got = a.allocate_async(size, alignment, flags, _stream_int(stream))
            name = "allocate_async()"
        else:
            got = a.allocate(size, alignment, flags)
            name = "allocate()"
        if got is None:
            raise TypeError(f"{name} returned None; return a device address as int, or 0 when out of memory")
        address = _int_result(got, name)
        if address < 0 or address >= 1 << 64:
            raise ValueError(f"{name} returned {address}, which is not a device address")
        out[0] = address
    except BaseException as exc:  # noqa: BLE001
        return bridge.failed(exc, "allocate()")
    return 0


@ffi.def_extern(onerror=callback_error, error=1)
def _trt_py_realloc(ctx: Any, address: int, alignment: int, new_size: int, out: Any) -> int:
    bridge = _bridge(ctx)
    try:
        got = bridge.target.reallocate(address, alignment, new_size)
        out[0] = _int_result(0 if got is None else got, "reallocate()")
    except BaseException as exc:  # noqa: BLE001
        return bridge.failed(exc, "reallocate()")
    return 0


@ffi.def_extern(onerror=callback_error, error=1)
def _trt_py_dealloc(ctx: Any, address: int, stream: Any, is_async: int, out_ok: Any) -> int:
    bridge = _bridge(ctx)
    try:
        a = bridge.target
        ok = a.deallocate_async(address, _stream_int(stream)) if is_async else a.deallocate(address)
        out_ok[0] = 1 if ok else 0
    except BaseException as exc:  # noqa: BLE001
        return bridge.failed(exc, "deallocate()")
    return 0


ALLOCATOR_FNS = ffi.new(
    "trt_allocator_fns *",
    {
        "allocate": lib._trt_py_alloc,
        "reallocate": lib._trt_py_realloc,
        "deallocate": lib._trt_py_dealloc,
        "release": lib._trt_py_release,
    },
)

# ------------------------------------------------------------------ stream readers

# The reader classes are in _readers (pure Python); here what TensorRT calls.

# readinto() is lent a view of a buffer of trt_runtime's own, never of
# TensorRT's: TensorRT frees its buffer when the call returns, and a reader
# may keep what it was lent (or a numpy array made from it). The view is
# released when readinto() returns; the bytes are then copied across.
_LEND_MAX = 4 << 20


def _reusable(buf: bytearray | None, size: int) -> TypeGuard[bytearray]:
    """Whether ``buf`` is big enough and nothing outside holds a view of it."""
    if buf is None or len(buf) < size:
        return False
    try:
        buf.append(0)  # a bytearray with exported views cannot be resized
        del buf[-1]
    except BufferError:
        return False
    return True


def _read_into(bridge: Bridge, readinto: Any, destination: Any, size: int, stream: int) -> int:
    total = 0
    while total < size:
        want = min(size - total, _LEND_MAX)
        buf = bridge.scratch
        if not _reusable(buf, want):
            buf = bridge.scratch = bytearray(min(size, _LEND_MAX))
        lent = memoryview(buf)[:want]
        try:
            got = _int_result(readinto(lent, stream), "readinto()")
        finally:
            try:
                lent.release()
            except BufferError:  # the reader made an array of it: leave that buffer to it
                bridge.scratch = None
        if not 0 <= got <= want:
            raise ValueError(f"readinto() returned {got}, outside [0, {want}]")
        ffi.memmove(ffi.cast("char *", destination) + total, buf, got)
        total += got
        if got < want:  # a short read ends the read, as one readinto() call into TensorRT's buffer would
            break
    return total


@ffi.def_extern(onerror=callback_error, error=1)
def _trt_py_read(ctx: Any, destination: Any, size: int, stream: Any, out_read: Any) -> int:
    bridge = _bridge(ctx)
    try:
        reader = bridge.target
        stream_int = 0 if stream == ffi.NULL else _stream_int(stream)
        readinto = getattr(reader, "readinto", None)
        if readinto is not None:
            got = _read_into(bridge, readinto, destination, size, stream_int)
        else:
            data = reader.read(size, stream_int)
            if data is None:
                raise TypeError("read() returned None; return bytes, or b'' at the end")
            if type(data) is not bytes:
                with memoryview(data) as mv:
                    flat = mv.cast("B") if mv.c_contiguous else memoryview(mv.tobytes())
                    got = flat.nbytes
                    if got > size:
                        raise ValueError(f"read({size}) returned {got} bytes")
                    ffi.memmove(destination, flat, got)
            else:
                got = len(data)
                if got > size:
                    raise ValueError(f"read({size}) returned {got} bytes")
                ffi.memmove(destination, data, got)
        out_read[0] = got
    except BaseException as exc:  # noqa: BLE001
        return bridge.failed(exc, "read()")
    return 0


@ffi.def_extern(onerror=callback_error, error=1)
def _trt_py_seek(ctx: Any, offset: int, origin: int, out_ok: Any) -> int:
    bridge = _bridge(ctx)
    try:
        ok = bridge.target.seek(offset, _SEEK_POSITIONS[origin] if 0 <= origin < 3 else origin)
        out_ok[0] = 1 if ok else 0
    except BaseException as exc:  # noqa: BLE001
        return bridge.failed(exc, "seek()")
    return 0


READER_FNS = ffi.new("trt_stream_reader_fns *", {"read": lib._trt_py_read, "seek": lib._trt_py_seek})

