"""Execution contexts, and bindings that run an inference in one call.

Error handling
--------------
Where TensorRT answers a call with ``false``, the official bindings return
False and leave the reason to the logger. Here the methods of the official
names raise instead (:class:`InvalidArgumentError` for a refused shape,
address or profile, :class:`TensorRTError` for a failed enqueue), carrying
what TensorRT logged or recorded in ``reports``, and return True on success,
so ``assert ctx.execute_async_v3(stream)`` and ``if not ...`` both still read
right.

For hot loops that prefer the official boolean behaviour each such method has
a ``*_nocheck`` twin (``execute_async_v3_nocheck``, ``set_tensor_address_nocheck``,
``set_input_shape_nocheck``, ``set_optimization_profile_async_nocheck``,
``Binding.execute_nocheck``) returning False where TensorRT refused. They
still raise for what is not TensorRT's refusal: an argument of the wrong
type, a closed object, or an exception raised by a Python logger, recorder
or allocator during the call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import _binding
from ._context_callbacks import ContextCallbacks
from ._context_more import ContextMore
from ._binding import Binding, bad_stream, closed_context
from ._bridge import Bridge
from ._callbacks import IErrorRecorder, give_callback
from ._errors import (
    ClosedError,
    InvalidArgumentError,
    TensorRTError,
    check_bool,
    check_int32,
    raise_status,
)
from ._ffi import ffi, lib
from ._handle import Maker, _Owned
from ._interop import as_address, as_stream, cuda_ordinal, memory_info
from ._iotable import IOTable, decode_name, encode_name, shape_tuple, too_small
from ._types import Dims, ExecutionContextAllocationStrategy, TensorIOMode

if TYPE_CHECKING:
    from trt_runtime import ICudaEngine  # through the package face: no import cycle

__all__ = ["IExecutionContext"]

_set_address = lib.trt_context_set_tensor_address
_set_shape = lib.trt_context_set_input_shape
_enqueue = lib.trt_context_enqueue
_SOFT = frozenset((lib.TRT_E_FAILED, lib.TRT_E_INVALID_ARGUMENT))  # TensorRT's refusals
_U64 = 1 << 64


class IExecutionContext(_Owned, ContextCallbacks, ContextMore):
    """One inference context of an engine: shapes, addresses, enqueue.

    Keeps its engine alive. Not safe to use from several threads at once
    (as in TensorRT); use one context per thread. See the module
    documentation for how refusals are reported and the ``*_nocheck``
    variants.

    Tensor memory may be given as an int address or any object
    :func:`trt_runtime.as_address` understands (``__cuda_array_interface__``,
    numpy arrays, ctypes, cuda-python); an object given is kept alive until
    another is set for the tensor or the context is closed. An object that
    says its size (numpy arrays, ``__cuda_array_interface__``, ctypes and
    cffi arrays, PyTorch tensors) is refused when it is smaller than the
    tensor's current shape needs, where that shape is fully known; an int
    address cannot be checked.

    Tensor names are the engine's, exactly: a name TensorRT gave in bytes
    that are not UTF-8 holds them as lone surrogates (``"surrogateescape"``),
    and a name with a NUL character is refused, by the ``*_nocheck``
    variants too, since TensorRT would see only what comes before it.

    Used as a context manager, it closes on exit.

    Examples
    --------
    >>> import numpy as np
    >>> import trt_runtime as trt
    >>> engine = trt.Runtime(trt.Logger()).deserialize("model.plan")
    >>> images = np.zeros((8, 3, 224, 224), np.float32)  # device memory on a GPU (torch, cupy ...)
    >>> logits = np.zeros((8, 1000), np.float32)
    >>> with engine.create_execution_context() as context:
    ...     context.set_input_shape("images", images.shape)
    ...     context.set_tensor_address("images", images)
    ...     context.set_tensor_address("logits", logits)
    ...     context.execute_async_v3(0)  # a stream: an int, or a stream object
    True
    True
    True
    True
    >>> context.closed, engine.closed  # the context closed on exit; the engine stays open
    (True, False)
    """

    __slots__ = ("_engine", "_table", "_encoded", "_recorder", "_recorder_bridge", "_strategy",
                 "_device_memory", "_keep", "_shape_gen", "__weakref__")

    _engine: ICudaEngine
    _table: IOTable
    _encoded: dict[str, bytes]
    _recorder: IErrorRecorder | None
    _recorder_bridge: Bridge | None
    _strategy: ExecutionContextAllocationStrategy
    _device_memory: int
    _keep: dict[str, Any]
    _shape_gen: int

    _KIND = "IExecutionContext"

    def __init__(self) -> None:
        raise TypeError("execution contexts come from ICudaEngine.create_execution_context()")

    @classmethod
    def _adopt(
        cls, handle: Any, engine: ICudaEngine, table: IOTable, strategy: ExecutionContextAllocationStrategy
    ) -> IExecutionContext:
        """Wrap the shim's ``trt_context`` ``handle``, created by ``engine`` (an :class:`ICudaEngine`)."""
        self = object.__new__(cls)
        self._h = ffi.gc(handle, lib.trt_context_release)
        self._engine = engine
        self._table = table
        self._encoded = table.encoded
        # TensorRT gives a new context the engine's recorder.
        self._recorder = engine._recorder
        self._recorder_bridge = engine._recorder_bridge
        self._strategy = strategy
        self._device_memory = 0
        self._keep = {}
        # Counts the calls that may change input shapes; a Binding re-checks its sizes when it changes.
        self._shape_gen = 0
        try:
            table.learn_dtypes(engine.get_tensor_dtype)  # once per engine: the element sizes the checks need
        except ClosedError:
            pass  # the engine was closed during the creation (by an allocator): sizes stay unknown, unchecked
        return self

    # ---------------------------------------------------------- plumbing

    def _fail(self, status: int) -> Any:
        raise_status(status)

    def _soft(self, status: int) -> bool:
        """The ``*_nocheck`` answer to a failed status: False for TensorRT's refusal, else raise."""
        if status in _SOFT:
            return False
        return self._fail(status)  # type: ignore[no-any-return]

    def _name(self, name: Any, check: bool) -> bytes:
        raw = self._encoded.get(name) if isinstance(name, str) else None
        if raw is not None:
            return raw
        if not isinstance(name, str):
            raise TypeError(f"a tensor name must be a str, not {type(name).__name__}")
        raw = encode_name(name)  # a NUL or an unencodable name: InvalidArgumentError, in both variants
        if check:
            raise InvalidArgumentError(self._table.unknown(name), lib.TRT_E_INVALID_ARGUMENT)
        return raw  # TensorRT refuses it: the official False

    def close(self) -> None:
        """Release the context now; safe to call twice. Its bindings stop working."""
        _Owned.close(self)
        self._keep.clear()

    def __repr__(self) -> str:
        if self._h is None:
            return "<trt_runtime.IExecutionContext closed>"
        return f"<trt_runtime.IExecutionContext {self.name!r} of {self._table.engine_name!r} at 0x{self.handle:x}>"

    @property
    def handle(self) -> int:
        """The TensorRT ``IExecutionContext*`` as an int."""
        return int(ffi.cast("uintptr_t", lib.trt_context_native(self._handle())))

    @property
    def engine(self) -> ICudaEngine:
        """The :class:`ICudaEngine` the context was created from (kept alive by it)."""
        return self._engine

    @property
    def allocation_strategy(self) -> ExecutionContextAllocationStrategy:
        """The strategy the context was created with."""
        return self._strategy

    # ---------------------------------------------------------- properties

    @property
    def name(self) -> str:
        return ffi.string(lib.trt_context_get_name(self._handle())).decode("utf-8", "replace")  # type: ignore[no-any-return]

    @name.setter
    def name(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"name must be a str, not {type(value).__name__}")
        raw = value.encode("utf-8")
        if b"\0" in raw:
            raise InvalidArgumentError("name contains a NUL character", lib.TRT_E_INVALID_ARGUMENT)
        status = lib.trt_context_set_name(self._handle(), raw)
        if status:
            self._fail(status)

    @property
    def debug_sync(self) -> bool:
        return bool(lib.trt_context_get_debug_sync(self._handle()))

    @debug_sync.setter
    def debug_sync(self, value: bool) -> None:
        if value is not True and value is not False:
            value = check_bool(value, "debug_sync")
        status = lib.trt_context_set_debug_sync(self._handle(), 1 if value else 0)
        if status:
            self._fail(status)

    @property
    def persistent_cache_limit(self) -> int:
        """Bytes of L2 cache the context may keep persistent."""
        return lib.trt_context_get_persistent_cache_limit(self._handle())  # type: ignore[no-any-return]

    @persistent_cache_limit.setter
    def persistent_cache_limit(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"persistent_cache_limit must be an int, not {type(value).__name__}")
        if not 0 <= value < _U64:
            raise InvalidArgumentError(f"persistent_cache_limit must be >= 0, got {value}", lib.TRT_E_INVALID_ARGUMENT)
        status = lib.trt_context_set_persistent_cache_limit(self._handle(), value)
        if status:
            self._fail(status)

    @property
    def error_recorder(self) -> IErrorRecorder | None:
        """The error recorder (the very object set); the engine's at creation by default."""
        return self._recorder

    @error_recorder.setter
    def error_recorder(self, value: IErrorRecorder | None) -> None:
        self._recorder, self._recorder_bridge = give_callback(
            self._handle(), lib.trt_context_set_error_recorder, value, IErrorRecorder, "error_recorder")

    # ---------------------------------------------------------- profiles

    @property
    def active_optimization_profile(self) -> int:
        """Index of the optimization profile in use (0 at creation)."""
        return lib.trt_context_get_optimization_profile(self._handle())  # type: ignore[no-any-return]

    def set_optimization_profile_async(self, profile_index: int, stream_handle: Any) -> bool:
        """Switch to optimization profile ``profile_index``; input shapes must be set again. True, or raises."""
        self._shape_gen += 1
        status = lib.trt_context_set_optimization_profile(
            self._handle(), check_int32(profile_index, "profile_index"), as_stream(stream_handle)
        )
        if status:
            self._fail(status)
        return True

    def set_optimization_profile_async_nocheck(self, profile_index: int, stream_handle: Any) -> bool:
        """:meth:`set_optimization_profile_async`, returning False where TensorRT refuses."""
        self._shape_gen += 1
        status = lib.trt_context_set_optimization_profile(
            self._handle(), check_int32(profile_index, "profile_index"), as_stream(stream_handle)
        )
        return True if not status else self._soft(status)

    # ---------------------------------------------------------- shapes

    def _set_shape_slow(self, name: Any, shape: Any, check: bool) -> bool:
        h = self._handle()
        raw = self._name(name, check)
        extents = shape_tuple(shape, name)
        self._shape_gen += 1
        try:
            status = _set_shape(h, raw, len(extents), extents)
        except OverflowError:
            raise InvalidArgumentError(f"an extent of {extents} does not fit in 64 bits", lib.TRT_E_INVALID_ARGUMENT) from None
        if status:
            return self._fail(status) if check else self._soft(status)
        return True

    def set_input_shape(self, name: str, shape: Any) -> bool:
        """Set the shape of input ``name`` (a sequence of ints). True, or raises InvalidArgumentError.

        Extents are ints or objects with ``__index__`` (numpy integers); a
        bool, a float (numpy's too), or a str or bytes as the shape is a
        TypeError naming the shape.
        """
        kind = type(shape)
        if kind is not tuple and kind is not list and kind is not Dims:
            return self._set_shape_slow(name, shape, True)
        for e in shape:  # cffi would take bools and numpy floats (through __int__): shape_tuple refuses them
            if type(e) is not int:
                return self._set_shape_slow(name, shape, True)
        self._shape_gen += 1
        try:
            status = _set_shape(self._h, self._encoded[name], len(shape), shape)
        except (KeyError, TypeError, OverflowError):
            return self._set_shape_slow(name, shape, True)
        if status:
            self._fail(status)
        return True

    def set_input_shape_nocheck(self, name: str, shape: Any) -> bool:
        """:meth:`set_input_shape`, returning False where TensorRT refuses (an unknown name included)."""
        kind = type(shape)
        if kind is not tuple and kind is not list and kind is not Dims:
            return self._set_shape_slow(name, shape, False)
        for e in shape:  # cffi would take bools and numpy floats (through __int__): shape_tuple refuses them
            if type(e) is not int:
                return self._set_shape_slow(name, shape, False)
        self._shape_gen += 1
        try:
            status = _set_shape(self._h, self._encoded[name], len(shape), shape)
        except (KeyError, TypeError, OverflowError):
            return self._set_shape_slow(name, shape, False)
        return True if not status else self._soft(status)

    def _dims(self, fn: Any, name: str) -> Dims:
        h = self._handle()
        raw = self._name(name, True)
        out = ffi.new("trt_dims *")
        status = fn(h, raw, out)
        if status:
            self._fail(status)
        return Dims._from_c(out)

    def get_tensor_shape(self, name: str) -> Dims:
        """The shape of tensor ``name`` as the context knows it (-1 where still unknown)."""
        return self._dims(lib.trt_context_get_tensor_shape, name)

    def get_tensor_strides(self, name: str) -> Dims:
        """Strides of tensor ``name``, in elements."""
        return self._dims(lib.trt_context_get_tensor_strides, name)

    @property
    def all_input_dimensions_specified(self) -> bool:
        return bool(lib.trt_context_all_input_dimensions_specified(self._handle()))

    def infer_shapes(self) -> list[str]:
        """Names of the inputs whose shape is still needed (empty when all are known); raises on failure."""
        h = self._handle()
        capacity = max(len(self._table.names), 1)
        names = ffi.new("const char *[]", capacity)
        count = ffi.new("int32_t *")
        status = lib.trt_context_infer_shapes(h, capacity, names, count)
        if status:
            self._fail(status)
        n = count[0]
        if n > capacity:  # cannot happen (only inputs are counted); ask again with room for all
            names = ffi.new("const char *[]", n)
            status = lib.trt_context_infer_shapes(h, n, names, count)
            if status:
                self._fail(status)
        return [decode_name(ffi.string(names[i])) for i in range(min(n, count[0]))]

    # ---------------------------------------------------------- addresses

    def _set_address_slow(self, name: Any, memory: Any, check: bool) -> bool:
        h = self._handle()
        raw = self._name(name, check)
        info = memory_info(memory)
        self._check_device(name, memory)
        if info.readonly and self._table.modes.get(name) == TensorIOMode.OUTPUT:
            raise InvalidArgumentError(f"the memory given for output {name!r} is read-only", lib.TRT_E_INVALID_ARGUMENT)
        if info.nbytes is not None and name in self._encoded:
            self._check_size(name, info.nbytes)
        status = _set_address(h, raw, info.address)
        if status:
            return self._fail(status) if check else self._soft(status)
        if type(memory) is not int and isinstance(name, str):
            self._keep[name] = memory
        return True

    def _check_device(self, name: Any, memory: Any) -> None:
        """Refuse memory that says it is on another CUDA device than this context's runtime is bound to."""
        want = self._engine.runtime.device
        if want is None or type(memory) is int:
            return
        got = cuda_ordinal(memory)
        if got is not None and got != want:
            raise InvalidArgumentError(
                f"the memory given for {name!r} is on CUDA device {got}, but this context runs on device {want} "
                f"(its runtime was made with device={want})", lib.TRT_E_INVALID_ARGUMENT)

    def _check_size(self, name: str, given: int) -> None:
        """Refuse ``given`` bytes for tensor ``name`` when its current shape is fully known and needs more."""
        shape = self.get_tensor_shape(name)
        needed = self._table.needed(name, shape)
        if needed is not None and given < needed:
            raise too_small(name, given, needed, shape)

    def set_tensor_address(self, name: str, memory: Any) -> bool:
        """Set where tensor ``name`` lives. True, or raises InvalidArgumentError.

        An object that says its size and is smaller than the tensor's current
        (fully known) shape needs is refused; see the class documentation.
        """
        if type(memory) is not int:
            return self._set_address_slow(name, memory, True)
        try:
            status = _set_address(self._h, self._encoded[name], memory)
        except (KeyError, TypeError, OverflowError):
            return self._set_address_slow(name, memory, True)
        if status:
            self._fail(status)
        return True

    def set_tensor_address_nocheck(self, name: str, memory: Any) -> bool:
        """:meth:`set_tensor_address`, returning False where TensorRT refuses (an unknown name included)."""
        if type(memory) is not int:
            return self._set_address_slow(name, memory, False)
        try:
            status = _set_address(self._h, self._encoded[name], memory)
        except (KeyError, TypeError, OverflowError):
            return self._set_address_slow(name, memory, False)
        return True if not status else self._soft(status)

    def get_tensor_address(self, name: str) -> int:
        """The address set for tensor ``name`` (0 when none)."""
        h = self._handle()
        raw = self._name(name, True)
        out = ffi.new("uint64_t *")
        status = lib.trt_context_get_tensor_address(h, raw, out)
        if status:
            self._fail(status)
        return out[0]  # type: ignore[no-any-return]

    # ---------------------------------------------------------- device memory (the rest: ContextMore)

    def _set_device_memory(self, memory: Any, size: int) -> None:
        h = self._handle()
        address = as_address(memory)
        try:
            status = lib.trt_context_set_device_memory(h, address, size)
        except OverflowError:
            raise InvalidArgumentError(f"size {size} does not fit in 64 bits", lib.TRT_E_INVALID_ARGUMENT) from None
        if status:
            self._fail(status)
        self._device_memory = address
        if type(memory) is not int:
            self._keep["\0device_memory"] = memory

    # ---------------------------------------------------------- execution

    def execute_async_v3(self, stream_handle: Any) -> bool:
        """Enqueue an inference on the stream. True, or raises TensorRTError with TensorRT's reasons."""
        if type(stream_handle) is not int:
            stream_handle = as_stream(stream_handle)
        try:
            status = _enqueue(self._h, stream_handle)
        except TypeError:
            raise closed_context() from None
        except OverflowError:
            raise bad_stream(stream_handle) from None
        if status:
            self._fail(status)
        return True

    def execute_async_v3_nocheck(self, stream_handle: Any) -> bool:
        """:meth:`execute_async_v3`, returning False where TensorRT refuses."""
        if type(stream_handle) is not int:
            stream_handle = as_stream(stream_handle)
        try:
            status = _enqueue(self._h, stream_handle)
        except TypeError:
            raise closed_context() from None
        except OverflowError:
            raise bad_stream(stream_handle) from None
        return True if not status else self._soft(status)

    def bind(self, tensors: Mapping[str, Any], shapes: Mapping[str, Any] | None = None) -> Binding:
        """Prepare an inference that runs in one call: see :class:`Binding`."""
        return Binding(self, tensors, shapes)


_binding.CONTEXT_TYPES = (IExecutionContext,)  # Binding checks its context against this class
