"""More of the official ``IExecutionContext`` API, none of it a callback interface (its runtime config too).

:class:`ContextMore` is a base of :class:`~trt_runtime.IExecutionContext`
only; it has no state of its own. As for the context's other methods, the
official names raise where TensorRT refuses (with its reports) and return
True; ``execute_v2_nocheck`` and ``set_input_consumed_event_nocheck`` return
TensorRT's bool instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._callbacks import IGpuAllocator, give_callback
from ._errors import InvalidArgumentError, check_int32, check_int64
from ._ffi import ffi, lib
from ._interop import as_address, as_stream
from ._runtime_config import IRuntimeConfig
from ._types import ProfilingVerbosity, enum_or_int

if TYPE_CHECKING:
    from ._iotable import IOTable

__all__ = ["ContextMore"]

_U64 = 1 << 64


def _u64(value: Any, what: str) -> int:
    if type(value) is not int:
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if not 0 <= value < _U64:
        raise InvalidArgumentError(f"{what} {value} does not fit in 64 bits", lib.TRT_E_INVALID_ARGUMENT)
    return value


class ContextMore:
    """The :class:`IExecutionContext` methods of device memory, ``execute_v2``, events, auxiliary streams, NVTX and the temporary allocator."""

    __slots__ = ()

    if TYPE_CHECKING:  # what IExecutionContext provides
        _keep: dict[str, Any]
        _table: IOTable
        _device_memory: int

        def _handle(self) -> Any: ...
        def _fail(self, status: int) -> Any: ...
        def _soft(self, status: int) -> bool: ...
        def _set_device_memory(self, memory: Any, size: int) -> None: ...
        @property
        def all_input_dimensions_specified(self) -> bool: ...

    # ---------------------------------------------------------- device memory

    @property
    def device_memory(self) -> int:
        """The device memory given to a USER_MANAGED context (0 until set).

        Setting it calls TensorRT's ``setDeviceMemory``; prefer
        :meth:`set_device_memory`, which checks the size.
        """
        self._handle()
        return self._device_memory

    @device_memory.setter
    def device_memory(self, memory: Any) -> None:
        self._set_device_memory(memory, -1)

    def set_device_memory(self, memory: Any, size: int) -> None:
        """Give a USER_MANAGED context ``size`` bytes of device memory at ``memory``; raises if refused."""
        size = check_int64(size, "size")
        if size < 0:
            raise InvalidArgumentError(f"size must be >= 0, got {size}", lib.TRT_E_INVALID_ARGUMENT)
        self._set_device_memory(memory, size)

    def update_device_memory_size_for_shapes(self) -> int:
        """Device memory the context needs for the input shapes now set (bytes)."""
        out = ffi.new("uint64_t *")
        status = lib.trt_context_update_device_memory_size_for_shapes(self._handle(), out)
        if status:
            self._fail(status)
        return out[0]  # type: ignore[no-any-return]

    def get_runtime_config(self) -> IRuntimeConfig:
        """The context's own :class:`IRuntimeConfig` (borrowed: it keeps the context alive). TensorRT 10.11+."""
        out = ffi.new("trt_runtime_config **")
        status = lib.trt_context_get_runtime_config(self._handle(), out)
        if status:
            self._fail(status)
        # ContextMore is a base of IExecutionContext only.
        return IRuntimeConfig._adopt(out[0], self)  # type: ignore[arg-type]

    # ---------------------------------------------------------- synchronous execution

    def _execute_v2(self, bindings: Sequence[Any]) -> int:
        kind = type(bindings)
        if kind is list or kind is tuple:
            # The common case: cffi turns a list of ints into the array itself
            # (no ffi.new); anything it refuses is explained by the path below.
            n = len(bindings)
            if n == len(self._table.names):
                try:
                    return lib.trt_context_execute_v2(self._handle(), bindings, n)  # type: ignore[no-any-return]
                except (TypeError, OverflowError):
                    pass
        if isinstance(bindings, (str, bytes)) or not isinstance(bindings, Sequence):
            raise TypeError(f"bindings must be a sequence of addresses, not {type(bindings).__name__}")
        n = len(self._table.names)
        if len(bindings) != n:
            raise InvalidArgumentError(
                f"execute_v2 needs one address per I/O tensor, in the engine's order: {n}, got {len(bindings)}",
                lib.TRT_E_INVALID_ARGUMENT)
        addresses = ffi.new("uint64_t[]", [_u64(a if type(a) is int else as_address(a), f"bindings[{k}]")
                                           for k, a in enumerate(bindings)] or [0])
        return lib.trt_context_execute_v2(self._handle(), addresses, n)  # type: ignore[no-any-return]

    def execute_v2(self, bindings: Sequence[int]) -> bool:
        """Run an inference synchronously; ``bindings`` holds one address per I/O tensor, in the engine's order.

        True, or raises TensorRTError with TensorRT's reasons. Addresses are
        ints (as officially) or anything :func:`trt_runtime.as_address` takes.
        """
        if type(bindings) is list and len(bindings) == len(self._table.names):
            # The common case inline (one Python frame fewer): cffi turns the list into the array.
            try:
                status = lib.trt_context_execute_v2(self._handle(), bindings, len(bindings))
            except (TypeError, OverflowError):
                status = self._execute_v2(bindings)  # explains what cffi refused
        else:
            status = self._execute_v2(bindings)
        if status:
            self._fail(status)
        return True

    def execute_v2_nocheck(self, bindings: Sequence[int]) -> bool:
        """:meth:`execute_v2`, returning False where TensorRT refuses."""
        status = self._execute_v2(bindings)
        return True if not status else self._soft(status)

    # ---------------------------------------------------------- events and streams

    def set_input_consumed_event(self, event: int) -> bool:
        """The CUDA event (an int ``cudaEvent_t``; 0 unsets) recorded once the inputs may be reused. True, or raises."""
        status = lib.trt_context_set_input_consumed_event(self._handle(), _u64(event, "event"))
        if status:
            self._fail(status)
        return True

    def set_input_consumed_event_nocheck(self, event: int) -> bool:
        """:meth:`set_input_consumed_event`, returning False where TensorRT refuses."""
        status = lib.trt_context_set_input_consumed_event(self._handle(), _u64(event, "event"))
        return True if not status else self._soft(status)

    def get_input_consumed_event(self) -> int:
        """The event set by :meth:`set_input_consumed_event` (0: none)."""
        out = ffi.new("uint64_t *")
        status = lib.trt_context_get_input_consumed_event(self._handle(), out)
        if status:
            self._fail(status)
        return out[0]  # type: ignore[no-any-return]

    def set_aux_streams(self, aux_streams: Sequence[int]) -> None:
        """The auxiliary streams TensorRT may use (ints or stream objects, as ``execute_async_v3`` takes)."""
        if isinstance(aux_streams, (str, bytes)) or not isinstance(aux_streams, Sequence):
            raise TypeError(f"aux_streams must be a sequence of streams, not {type(aux_streams).__name__}")
        streams = [_u64(s if type(s) is int else as_stream(s), f"aux_streams[{k}]") for k, s in enumerate(aux_streams)]
        status = lib.trt_context_set_aux_streams(self._handle(), ffi.new("uint64_t[]", streams or [0]), len(streams))
        if status:
            self._fail(status)
        self._keep["\0aux_streams"] = list(aux_streams)  # stream objects live while TensorRT may use them

    def set_communicator(self, communicator: int) -> bool:
        """The NCCL communicator (an int ``ncclComm_t``) of a multi-device engine (TensorRT 10.16+). True, or raises."""
        status = lib.trt_context_set_communicator(self._handle(), _u64(communicator, "communicator"))
        if status:
            self._fail(status)
        return True

    # ---------------------------------------------------------- settings

    @property
    def all_binding_shapes_specified(self) -> bool:
        """Whether every input shape is known: :attr:`all_input_dimensions_specified` (TensorRT's one query)."""
        return self.all_input_dimensions_specified

    @property
    def nvtx_verbosity(self) -> ProfilingVerbosity:
        """How much NVTX annotation inferences emit."""
        out = ffi.new("int32_t *")
        status = lib.trt_context_get_nvtx_verbosity(self._handle(), out)
        if status:
            self._fail(status)
        return enum_or_int(ProfilingVerbosity, out[0])  # type: ignore[return-value]

    @nvtx_verbosity.setter
    def nvtx_verbosity(self, value: ProfilingVerbosity) -> None:
        status = lib.trt_context_set_nvtx_verbosity(self._handle(), check_int32(value, "nvtx_verbosity"))
        if status:
            self._fail(status)

    @property
    def temporary_allocator(self) -> IGpuAllocator | None:
        """The allocator of the context's temporary storage (None: TensorRT's own); the context keeps it."""
        return self._keep.get("\0temporary_allocator")

    @temporary_allocator.setter
    def temporary_allocator(self, value: IGpuAllocator | None) -> None:
        allocator, bridge = give_callback(
            self._handle(), lib.trt_context_set_temporary_allocator, value, IGpuAllocator, "temporary_allocator")
        if allocator is None:
            self._keep.pop("\0temporary_allocator", None)
            self._keep.pop("\0temporary_allocator_bridge", None)
        else:
            self._keep["\0temporary_allocator"] = allocator
            self._keep["\0temporary_allocator_bridge"] = bridge
