"""The execution context's callbacks: output allocators, profilers, debug listeners.

The interfaces have the official names and signatures
(:class:`IOutputAllocator`, :class:`IProfiler`, :class:`Profiler`,
:class:`IDebugListener`); TensorRT calls them during an inference. Each has a
C++ adapter in the shim (``shim/adapters_context.cpp``) that forwards to the
``extern "Python"`` functions defined here once. As for every callback of
trt_runtime, an exception raised inside one is re-raised, with its own type,
by the call that triggered it (``execute_async_v3``, ``Binding.execute``,
``report_to_profiler``), and a failure outside any call goes to
:func:`sys.unraisablehook`.

The second half of the module is :class:`ContextCallbacks`, a base of
:class:`IExecutionContext` holding the methods that set and query them
(``set_output_allocator``, ``profiler``, ``set_debug_listener``, ...). A
context keeps every object set on it (the official bindings keep some only
weakly) in its ``_keep`` dict, and the shim keeps it callable for as long as
TensorRT can call it: a replaced one is let go once no call on the context
runs.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any

from ._bridge import Bridge, bridge_of, callback_error, new_adapter
from ._errors import check_bool
from ._ffi import ffi, lib
from ._iotable import decode_name, encode_name
from ._types import DataType, Dims, TensorLocation, enum_or_int

__all__ = [
    "IOutputAllocator",
    "IProfiler",
    "Profiler",
    "IDebugListener",
    "OUTPUT_ALLOCATOR_FNS",
    "PROFILER_FNS",
    "DEBUG_LISTENER_FNS",
    "ContextCallbacks",
]


# ------------------------------------------------------------------ interfaces


class IOutputAllocator:
    """Memory for outputs whose size is known only during an inference.

    Set with :meth:`IExecutionContext.set_output_allocator`. During
    :meth:`~IExecutionContext.execute_async_v3`, TensorRT asks for the memory
    of an output whose address is not set, then tells its final shape.
    Define :meth:`reallocate_output_async` (or the older
    :meth:`reallocate_output`, which the default ``reallocate_output_async``
    calls, as in the official bindings) and :meth:`notify_shape`. Calling
    ``IOutputAllocator.__init__`` from a subclass is optional.
    """

    def reallocate_output(self, tensor_name: str, memory: int, size: int, alignment: int) -> int:
        """Return the device address of at least ``size`` bytes for output ``tensor_name``.

        Parameters
        ----------
        tensor_name : str
            The output.
        memory : int
            What this allocator gave the output last time (0 the first time).
        size : int
            Bytes needed.
        alignment : int
            Required alignment of the address.

        Returns
        -------
        int
            The address, or 0 when no memory can be had (the inference then fails).
        """
        return 0

    def reallocate_output_async(self, tensor_name: str, memory: int, size: int, alignment: int, stream: int) -> int:
        """:meth:`reallocate_output`, ordered on CUDA stream ``stream`` (an int); what TensorRT calls."""
        return self.reallocate_output(tensor_name, memory, size, alignment)

    def notify_shape(self, tensor_name: str, shape: Dims) -> None:
        """Receive the final shape of output ``tensor_name`` after the inference."""
        raise NotImplementedError(f"{type(self).__name__} must define notify_shape(tensor_name, shape)")


class IProfiler:
    """Receives the time of each layer of an inference.

    Set as :attr:`IExecutionContext.profiler`. Each inference reports once per
    layer when :attr:`IExecutionContext.enqueue_emits_profile` is True (the
    default), else at :meth:`IExecutionContext.report_to_profiler`. Define
    :meth:`report_layer_time`.
    """

    def report_layer_time(self, layer_name: str, ms: float) -> None:
        """Receive the time, in milliseconds, that layer ``layer_name`` took."""
        raise NotImplementedError(f"{type(self).__name__} must define report_layer_time(layer_name, ms)")


class Profiler(IProfiler):
    """A profiler that prints each layer's time to standard output, as the official one does."""

    def report_layer_time(self, layer_name: str, ms: float) -> None:
        """Print ``"<layer_name>: <ms>ms"``."""
        print(f"{layer_name}: {ms:g}ms", flush=True)


class IDebugListener:
    """Receives the values of debug tensors during an inference.

    Set with :meth:`IExecutionContext.set_debug_listener`; called for each
    debug tensor whose debug state is on
    (:meth:`IExecutionContext.set_tensor_debug_state`). Define
    :meth:`process_debug_tensor`.
    """

    def process_debug_tensor(self, addr: int, location: TensorLocation, type: DataType, shape: Dims,
                             name: str, stream: int) -> bool:
        """Receive one debug tensor's value.

        Parameters
        ----------
        addr : int
            Address of the value; valid only during this call.
        location : TensorLocation
            Where ``addr`` points (device or host memory).
        type : DataType
            The element type.
        shape : Dims
            The tensor's shape.
        name : str
            The tensor.
        stream : int
            The CUDA stream of the inference.

        Returns
        -------
        bool
            False tells TensorRT that the tensor could not be processed;
            anything else (None included, as the official bindings ignore
            the result) counts as True.
        """
        raise NotImplementedError(f"{self.__class__.__name__} must define process_debug_tensor(...)")


# ------------------------------------------------------------------ what TensorRT calls


def _text(raw: Any) -> str:
    return decode_name(ffi.string(raw))


def _stream(stream: Any) -> int:
    return int(ffi.cast("uintptr_t", stream))


def _dims(shape: Any) -> Dims:
    if not 0 <= shape.nb_dims <= Dims.MAX_DIMS:
        raise ValueError(f"TensorRT passed a shape of {shape.nb_dims} extents")
    return Dims._from_c(shape)


def _address(value: Any, what: str) -> int:
    if value is None or isinstance(value, bool):
        raise TypeError(f"{what} must return a device address as int (0 when out of memory), "
                        f"not {type(value).__name__}")
    try:
        address = operator.index(value)
    except TypeError:
        raise TypeError(f"{what} must return a device address as int, not {type(value).__name__}") from None
    if not 0 <= address < 1 << 64:
        raise ValueError(f"{what} returned {address}, which is not a device address")
    return address


@ffi.def_extern(onerror=callback_error)
def _trt_py_out_reallocate(ctx: Any, name: Any, memory: int, size: int, alignment: int, stream: Any,
                           is_async: int, out: Any) -> int:
    bridge = bridge_of(ctx)
    what = "reallocate_output_async()" if is_async else "reallocate_output()"
    try:
        allocator = bridge.target
        if is_async:
            got = allocator.reallocate_output_async(_text(name), memory, size, alignment, _stream(stream))
        else:
            got = allocator.reallocate_output(_text(name), memory, size, alignment)
        out[0] = _address(got, what)
    except BaseException as exc:  # noqa: BLE001 - re-raised by the calling method
        return bridge.failed(exc, what)
    return 0


@ffi.def_extern(onerror=callback_error)
def _trt_py_out_notify_shape(ctx: Any, name: Any, shape: Any) -> int:
    bridge = bridge_of(ctx)
    try:
        bridge.target.notify_shape(_text(name), _dims(shape))
    except BaseException as exc:  # noqa: BLE001
        return bridge.failed(exc, "notify_shape()")
    return 0


@ffi.def_extern(onerror=callback_error)
def _trt_py_report_layer_time(ctx: Any, layer_name: Any, ms: float) -> int:
    bridge = bridge_of(ctx)
    try:
        bridge.target.report_layer_time(_text(layer_name), ms)
    except BaseException as exc:  # noqa: BLE001
        return bridge.failed(exc, "report_layer_time()")
    return 0


@ffi.def_extern(onerror=callback_error)
def _trt_py_process_debug_tensor(ctx: Any, address: int, location: int, dtype: int, shape: Any, name: Any,
                                 stream: Any, out_ok: Any) -> int:
    bridge = bridge_of(ctx)
    try:
        ok = bridge.target.process_debug_tensor(address, enum_or_int(TensorLocation, location),
                                                enum_or_int(DataType, dtype), _dims(shape), _text(name),
                                                _stream(stream))
        out_ok[0] = 0 if ok is False else 1
    except BaseException as exc:  # noqa: BLE001
        return bridge.failed(exc, "process_debug_tensor()")
    return 0


OUTPUT_ALLOCATOR_FNS = ffi.new(
    "trt_output_allocator_fns *",
    {"reallocate": lib._trt_py_out_reallocate, "notify_shape": lib._trt_py_out_notify_shape,
     "release": lib._trt_py_release},
)
PROFILER_FNS = ffi.new(
    "trt_profiler_fns *", {"report_layer_time": lib._trt_py_report_layer_time, "release": lib._trt_py_release}
)
DEBUG_LISTENER_FNS = ffi.new(
    "trt_debug_listener_fns *", {"process": lib._trt_py_process_debug_tensor, "release": lib._trt_py_release}
)

# kind -> (shim constructor, callback table, out-parameter type, release of the creator's reference)
_ADAPTERS: dict[type, tuple[Any, Any, str, Any]] = {
    IOutputAllocator: (lib.trt_output_allocator_create, OUTPUT_ALLOCATOR_FNS, "trt_output_allocator **",
                       lib.trt_output_allocator_release),
    IProfiler: (lib.trt_profiler_create, PROFILER_FNS, "trt_profiler **", lib.trt_profiler_release),
    IDebugListener: (lib.trt_debug_listener_create, DEBUG_LISTENER_FNS, "trt_debug_listener **",
                     lib.trt_debug_listener_release),
}


# Keys of the context's _keep dict (a NUL never starts a tensor name).
_PROFILER = "\0profiler"
_LISTENER = "\0debug listener"


def _allocator_key(name: str) -> str:
    return "\0output allocator\0" + name


def _plain_name(name: Any) -> bytes:
    """A tensor name as TensorRT takes it, for calls that answer unknown names themselves."""
    if not isinstance(name, str):
        raise TypeError(f"a tensor name must be a str, not {type(name).__name__}")
    return encode_name(name)


class ContextCallbacks:
    """The :class:`IExecutionContext` methods of output allocators, profilers and debug listeners.

    A base of :class:`IExecutionContext` only; it has no state of its own.
    Refusals are reported as by the context's other methods: the official
    names raise, the ``*_nocheck`` twins return False.
    """

    __slots__ = ()

    if TYPE_CHECKING:  # what IExecutionContext provides
        _keep: dict[str, Any]

        def _handle(self) -> Any: ...
        def _name(self, name: Any, check: bool) -> bytes: ...
        def _fail(self, status: int) -> Any: ...
        def _soft(self, status: int) -> bool: ...

    # ---------------------------------------------------------- plumbing

    def _give(self, key: str, value: Any, kind: type, what: str, setter: Any, *args: Any) -> int:
        """Give ``value`` (a ``kind`` or None) to the shim's ``setter(handle, *args, adapter)``.

        On success the context keeps ``value`` and its bridge under ``key``
        (or forgets ``key`` for None). Returns the shim's status.
        """
        h = self._handle()
        if value is None:
            status: int = setter(h, *args, ffi.NULL)
            if not status:
                self._keep.pop(key, None)
            return status
        if not isinstance(value, kind):
            raise TypeError(f"{what} takes a trt_runtime.{kind.__name__} or None, not {type(value).__name__}")
        create, fns, out_type, drop = _ADAPTERS[kind]
        bridge, adapter = new_adapter(value, create, fns, out_type)
        try:
            status = setter(h, *args, adapter)
        finally:
            drop(adapter)  # the context holds its own reference; a refused one is let go by the shim
        if not status:
            self._keep[key] = (value, bridge)
        return status

    def _held(self, key: str) -> Any:
        self._handle()
        entry: tuple[Any, Bridge] | None = self._keep.get(key)
        return None if entry is None else entry[0]

    def _done(self, status: int, check: bool) -> bool:
        if not status:
            return True
        return self._fail(status) if check else self._soft(status)

    # ---------------------------------------------------------- output allocators

    def set_output_allocator(self, name: str, output_allocator: IOutputAllocator | None) -> bool:
        """Set the :class:`IOutputAllocator` of output ``name`` (None unsets it). True, or raises.

        The context keeps the allocator. Raises InvalidArgumentError when
        ``name`` is not an output (TensorRT's refusal), TypeError for an
        object that is not an :class:`IOutputAllocator`.
        """
        raw = self._name(name, True)
        status = self._give(_allocator_key(name), output_allocator, IOutputAllocator, "set_output_allocator",
                            lib.trt_context_set_output_allocator, raw)
        return self._done(status, True)

    def set_output_allocator_nocheck(self, name: str, output_allocator: IOutputAllocator | None) -> bool:
        """:meth:`set_output_allocator`, returning False where TensorRT refuses (an unknown name included)."""
        raw = self._name(name, False)
        status = self._give(_allocator_key(name), output_allocator, IOutputAllocator, "set_output_allocator",
                            lib.trt_context_set_output_allocator, raw)
        return self._done(status, False)

    def get_output_allocator(self, name: str) -> IOutputAllocator | None:
        """The :class:`IOutputAllocator` set for output ``name`` (the very object), or None."""
        return self._held(_allocator_key(name))  # type: ignore[no-any-return]

    def get_max_output_size(self, name: str) -> int:
        """Upper bound of output ``name``'s size in bytes for the current profile and shapes; -1 when unknown."""
        raw = _plain_name(name)
        out = ffi.new("int64_t *")
        self._done(lib.trt_context_get_max_output_size(self._handle(), raw, out), True)
        return out[0]  # type: ignore[no-any-return]

    # ---------------------------------------------------------- profiler

    @property
    def profiler(self) -> IProfiler | None:
        """The :class:`IProfiler` that receives layer times (the very object set), or None."""
        return self._held(_PROFILER)  # type: ignore[no-any-return]

    @profiler.setter
    def profiler(self, value: IProfiler | None) -> None:
        self._done(self._give(_PROFILER, value, IProfiler, "profiler", lib.trt_context_set_profiler), True)

    @property
    def enqueue_emits_profile(self) -> bool:
        """Whether each inference reports to the profiler itself (True), or waits for :meth:`report_to_profiler`."""
        return bool(lib.trt_context_get_enqueue_emits_profile(self._handle()))

    @enqueue_emits_profile.setter
    def enqueue_emits_profile(self, value: bool) -> None:
        value = check_bool(value, "enqueue_emits_profile")
        self._done(lib.trt_context_set_enqueue_emits_profile(self._handle(), 1 if value else 0), True)

    def report_to_profiler(self) -> bool:
        """Report the last inference's layer times to the profiler. True, or raises (no profiler set ...)."""
        return self._done(lib.trt_context_report_to_profiler(self._handle()), True)

    def report_to_profiler_nocheck(self) -> bool:
        """:meth:`report_to_profiler`, returning False where TensorRT refuses."""
        return self._done(lib.trt_context_report_to_profiler(self._handle()), False)

    # ---------------------------------------------------------- debug tensors

    def set_debug_listener(self, listener: IDebugListener | None) -> bool:
        """Set the :class:`IDebugListener` (None unsets it). True, or raises; the context keeps it."""
        status = self._give(_LISTENER, listener, IDebugListener, "set_debug_listener",
                            lib.trt_context_set_debug_listener)
        return self._done(status, True)

    def set_debug_listener_nocheck(self, listener: IDebugListener | None) -> bool:
        """:meth:`set_debug_listener`, returning False where TensorRT refuses."""
        status = self._give(_LISTENER, listener, IDebugListener, "set_debug_listener",
                            lib.trt_context_set_debug_listener)
        return self._done(status, False)

    def get_debug_listener(self) -> IDebugListener | None:
        """The :class:`IDebugListener` set (the very object), or None."""
        return self._held(_LISTENER)  # type: ignore[no-any-return]

    def _debug_state(self, name: str, flag: bool, check: bool) -> bool:
        raw = _plain_name(name)
        flag = check_bool(flag, "flag")
        return self._done(lib.trt_context_set_tensor_debug_state(self._handle(), raw, 1 if flag else 0), check)

    def set_tensor_debug_state(self, name: str, flag: bool) -> bool:
        """Turn the debug state of debug tensor ``name`` on or off. True, or raises InvalidArgumentError."""
        return self._debug_state(name, flag, True)

    def set_tensor_debug_state_nocheck(self, name: str, flag: bool) -> bool:
        """:meth:`set_tensor_debug_state`, returning False where TensorRT refuses (not a debug tensor)."""
        return self._debug_state(name, flag, False)

    def get_debug_state(self, name: str) -> bool:
        """Whether the debug state of tensor ``name`` is on."""
        raw = _plain_name(name)
        out = ffi.new("int32_t *")
        self._done(lib.trt_context_get_debug_state(self._handle(), raw, out), True)
        return bool(out[0])

    def _all_debug_states(self, flag: bool, check: bool) -> bool:
        flag = check_bool(flag, "flag")
        return self._done(lib.trt_context_set_all_tensors_debug_state(self._handle(), 1 if flag else 0), check)

    def set_all_tensors_debug_state(self, flag: bool) -> bool:
        """Turn the debug state of every debug tensor on or off. True, or raises."""
        return self._all_debug_states(flag, True)

    def set_all_tensors_debug_state_nocheck(self, flag: bool) -> bool:
        """:meth:`set_all_tensors_debug_state`, returning False where TensorRT refuses."""
        return self._all_debug_states(flag, False)

    @property
    def unfused_tensors_debug_state(self) -> bool:
        """Whether the debug state of unfused tensors is on (TensorRT 10.12 and later; UnsupportedError before)."""
        out = ffi.new("int32_t *")
        self._done(lib.trt_context_get_unfused_tensors_debug_state(self._handle(), out), True)
        return bool(out[0])

    @unfused_tensors_debug_state.setter
    def unfused_tensors_debug_state(self, value: bool) -> None:
        value = check_bool(value, "unfused_tensors_debug_state")
        self._done(lib.trt_context_set_unfused_tensors_debug_state(self._handle(), 1 if value else 0), True)
