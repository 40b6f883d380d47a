"""Bindings: the addresses and input shapes of a context's tensors, applied and enqueued in one call."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ._errors import ClosedError, InvalidArgumentError, TensorRTError
from ._ffi import ffi, lib
from ._interop import as_stream, memory_info
from ._iotable import shape_tuple, too_small
from ._types import Dims, TensorIOMode

if TYPE_CHECKING:
    from trt_runtime import IExecutionContext  # through the package face: no import cycle

__all__ = ["Binding", "closed_context", "bad_stream"]

_execute = lib.trt_context_execute
_set_shape = lib.trt_context_set_input_shape

# The class a binding's context must be: set by trt_runtime._context, which
# imports this module (an empty tuple until then: no context exists before).
CONTEXT_TYPES: tuple[type[Any], ...] = ()


def closed_context() -> ClosedError:
    """The error for a use of a closed :class:`IExecutionContext`."""
    return ClosedError("the IExecutionContext is closed", lib.TRT_E_CLOSED)


def bad_stream(value: Any) -> InvalidArgumentError:
    """The error for a stream handle that is not a 64-bit unsigned value."""
    return InvalidArgumentError(f"stream handle {value!r} is not a 64-bit unsigned value", lib.TRT_E_INVALID_ARGUMENT)


class Binding:
    """Addresses (and input shapes) of a context's tensors, applied and enqueued in one call.

    ``ctx.bind({"in": x, "out": y}, shapes={"in": (8, 3, 224, 224)})`` checks
    the names and shapes once and lays them out in C arrays; :meth:`execute`
    then makes a single call into the shim that sets every shape, every
    address and enqueues, where the official way takes one call per tensor
    and one more to enqueue.

    - Memory is anything :func:`trt_runtime.as_address` takes; objects are
      kept alive by the binding. Read-only memory is refused for outputs.
    - A dynamic input bound to an array object (numpy, ``__cuda_array_interface__``,
      PyTorch) of the right rank takes the array's shape unless ``shapes``
      names it.
    - Tensors left out keep whatever address or shape the context has.
    - Change an address with ``binding["in"] = z`` (or :meth:`set_address`);
      in the hottest loops write the int into :attr:`addresses` directly:
      ``binding.addresses[binding.slot("in")] = ptr``. Change a shape with
      :meth:`set_shape`.

    Sizes are checked: memory that says its size (numpy and other
    ``__array_interface__`` arrays, ``__cuda_array_interface__`` objects,
    ctypes and cffi arrays, PyTorch tensors) and is smaller than its tensor
    needs (the volume of its shape times the element size; a shape the
    context has not resolved, with a -1, is not checked) is refused with
    :class:`InvalidArgumentError` when bound, when its address changes, and
    at the first :meth:`execute` after a shape may have changed
    (:meth:`set_shape`, or the context's ``set_input_shape`` and
    ``set_optimization_profile_async``, or another binding's shapes); that
    :meth:`execute` sets the binding's shapes on the context first to learn
    the output shapes. What cannot be checked: int addresses (given as such,
    or written into :attr:`addresses`), objects that do not say their size
    (ctypes and cffi pointers, cuda-python's ``CUdeviceptr``), and formats
    whose padding needs more than the volume (vectorized formats).

    A binding uses its context each time it executes; closing the context
    makes :meth:`execute` raise ClosedError. Not thread-safe.

    Parameters
    ----------
    context : IExecutionContext
        The context to run on.
    tensors : mapping of str to memory
        Tensor name to an address or an object :func:`trt_runtime.as_address` takes.
    shapes : mapping of str to sequence of int, optional
        Input name to the shape each execution sets.

    Raises
    ------
    TypeError
        An argument of the wrong type.
    InvalidArgumentError
        A name that is not an I/O tensor, a shape of the wrong rank, read-only memory for an output, memory
        smaller than its tensor needs.
    """

    __slots__ = ("_ctx", "_names", "_slots", "_c_names", "_name_array", "addresses", "_keep", "_shape_names",
                 "_shapes", "_shape_name_array", "_shape_array", "_desc", "_given", "_given_at", "_needed", "_seen")

    _ctx: IExecutionContext

    def __init__(self, context: Any, tensors: Mapping[str, Any],
                 shapes: Mapping[str, Any] | None = None) -> None:
        if not isinstance(context, CONTEXT_TYPES):
            raise TypeError(f"context must be an IExecutionContext, not {type(context).__name__}")
        if not isinstance(tensors, Mapping):
            raise TypeError(f"tensors must be a mapping of tensor name to memory, not {type(tensors).__name__}")
        if shapes is not None and not isinstance(shapes, Mapping):
            raise TypeError(f"shapes must be a mapping of input name to shape, not {type(shapes).__name__}")
        context._handle()
        self._ctx = context
        table = context._table
        names = list(tensors)
        for name in names:
            table.encode(name)
        self._names = tuple(names)
        self._slots = {n: i for i, n in enumerate(names)}
        self._c_names = [ffi.new("char[]", table.encoded[n]) for n in names]
        self._name_array = ffi.new("const char *[]", self._c_names) if names else ffi.NULL
        self.addresses = ffi.new("uint64_t[]", len(names))
        self._keep: list[Any] = [None] * len(names)
        # Sizes: bytes the object at each slot says it has (None: unknown), the address they hold for, and
        # (bytes, shape) the tensor needs (None: unknown), valid while _seen is the context's _shape_gen.
        self._given: list[int | None] = [None] * len(names)
        self._given_at: list[int] = [0] * len(names)
        self._needed: list[tuple[int, tuple[int, ...]] | None] = [None] * len(names)
        self._seen = -1
        self._shape_names: list[str] = []
        self._shapes: dict[str, tuple[int, ...]] = {}
        inferred = {}
        for i, name in enumerate(names):
            info = self._store(i, name, tensors[name])
            if table.modes.get(name) == TensorIOMode.INPUT and info is not None and info.shape is not None:
                inferred[name] = info.shape
        for name, shape in inferred.items():
            if shapes is not None and name in shapes:
                continue
            built = table.shapes[name]
            if built.is_dynamic and len(shape) == len(built):
                self._shapes[name] = shape
        for name, shape in (shapes or {}).items():
            self._shapes[name] = self._checked_shape(name, shape)
        self._layout_shapes()
        self._needs_at_bind()

    # ---------------------------------------------------------- sizes

    def _needs_at_bind(self) -> None:
        """Check the sizes of what is bound, where they can be known before the binding's shapes are set.

        An input the binding shapes needs that shape; an output of a dynamic
        shape, when the binding sets shapes, waits for the first execute;
        any other tensor needs the shape the context has now.
        """
        ctx = self._ctx
        table = ctx._table
        for i, name in enumerate(self._names):
            if self._given[i] is None:
                continue
            if name in self._shapes:
                shape = self._shapes[name]
                needed = table.needed(name, shape)
                self._needed[i] = None if needed is None else (needed, shape)
            elif self._shapes and table.modes.get(name) == TensorIOMode.OUTPUT and table.shapes[name].is_dynamic:
                continue  # its shape follows the binding's shapes: the first execute checks it
            else:
                self._needed[i] = self._need(name)
            self._check_slot(i)
        # Without shapes of its own, the binding's sizes hold until the context's shapes change.
        self._seen = -1 if self._shapes else ctx._shape_gen

    def _need(self, name: str) -> tuple[int, tuple[int, ...]] | None:
        """Bytes and shape tensor ``name`` needs by the context's current shape, or None where unknown."""
        shape = tuple(self._ctx.get_tensor_shape(name))
        needed = self._ctx._table.needed(name, shape)
        return None if needed is None else (needed, shape)

    def _check_slot(self, i: int) -> None:
        """Raise InvalidArgumentError when the memory at slot ``i`` says it is smaller than its tensor needs."""
        need = self._needed[i]
        given = self._given[i]
        if need is None or given is None or self.addresses[i] != self._given_at[i]:
            return  # unknown, or an int written into addresses since
        if given < need[0]:
            raise too_small(self._names[i], given, need[0], need[1])

    def _recheck(self) -> int:
        """Set the binding's shapes on the context, learn every bound tensor's shape, check the sizes.

        Runs at the first execute after a shape may have changed. Returns
        the shim's status of a refused shape (the execute reports it as its
        own), else 0; raises InvalidArgumentError for memory too small.
        """
        ctx = self._ctx
        h = ctx._handle()
        encoded = ctx._encoded
        if self._shape_names:
            ctx._shape_gen += 1  # other bindings on the context must check again
            for name in self._shape_names:
                extents = self._shapes[name]
                status = _set_shape(h, encoded[name], len(extents), extents)
                if status:
                    return status  # type: ignore[no-any-return]
        for i, name in enumerate(self._names):
            self._needed[i] = self._need(name)
            self._check_slot(i)
        self._seen = ctx._shape_gen
        return 0

    # ---------------------------------------------------------- building

    def _store(self, slot: int, name: str, memory: Any) -> Any:
        info = None if type(memory) is int else memory_info(memory)
        if info is not None:
            self._ctx._check_device(name, memory)
        address = memory if info is None else info.address
        if info is not None and info.readonly and self._ctx._table.modes.get(name) == TensorIOMode.OUTPUT:
            raise InvalidArgumentError(f"the memory given for output {name!r} is read-only", lib.TRT_E_INVALID_ARGUMENT)
        given = None if info is None else info.nbytes
        if given is not None and self._seen == self._ctx._shape_gen:  # else the next execute checks
            need = self._needed[slot]
            if need is None:
                need = self._needed[slot] = self._need(name)
            if need is not None and given < need[0]:
                raise too_small(name, given, need[0], need[1])
        try:
            self.addresses[slot] = address
        except OverflowError:
            raise InvalidArgumentError(f"address {address} of {name!r} is not a 64-bit unsigned value",
                                       lib.TRT_E_INVALID_ARGUMENT) from None
        self._keep[slot] = None if info is None else memory
        self._given[slot] = given
        self._given_at[slot] = self.addresses[slot]
        return info

    def _checked_shape(self, name: Any, shape: Any) -> tuple[int, ...]:
        table = self._ctx._table
        table.encode(name)
        if table.modes.get(name) != TensorIOMode.INPUT:
            raise InvalidArgumentError(f"{name!r} is not an input: only inputs have shapes to set",
                                       lib.TRT_E_INVALID_ARGUMENT)
        extents = shape_tuple(shape, name)
        built = table.shapes[name]
        if len(extents) != len(built):
            raise InvalidArgumentError(
                f"the shape {extents} of {name!r} has {len(extents)} extents, the engine's {tuple(built)} has "
                f"{len(built)}", lib.TRT_E_INVALID_ARGUMENT)
        return extents

    def _layout_shapes(self) -> None:
        names = list(self._shapes)
        self._shape_names = names
        table = self._ctx._table
        self._shape_name_array = [ffi.new("char[]", table.encoded[n]) for n in names]
        self._shape_array = ffi.new("trt_dims[]", max(len(names), 1))
        for i, name in enumerate(names):
            self._write_shape(i, self._shapes[name])
        pointers = ffi.new("const char *[]", self._shape_name_array) if names else ffi.NULL
        self._shape_name_array.append(pointers)  # the struct below does not own what it points to
        desc = ffi.new("trt_binding *")
        desc.num_shapes = len(names)
        desc.shape_names = pointers
        desc.shapes = self._shape_array
        desc.num_tensors = len(self._names)
        desc.names = self._name_array
        desc.addresses = self.addresses
        self._desc = desc

    def _write_shape(self, i: int, extents: tuple[int, ...]) -> None:
        d = self._shape_array[i]
        d.nb_dims = len(extents)
        try:
            for k, e in enumerate(extents):
                d.d[k] = e
        except OverflowError:
            raise InvalidArgumentError(f"an extent of {extents} does not fit in 64 bits",
                                       lib.TRT_E_INVALID_ARGUMENT) from None

    # ---------------------------------------------------------- updating

    @property
    def context(self) -> IExecutionContext:
        """The :class:`IExecutionContext` the binding runs on."""
        return self._ctx

    @property
    def names(self) -> tuple[str, ...]:
        """The bound tensors, in slot order."""
        return self._names

    def slot(self, name: str) -> int:
        """Index of tensor ``name`` in :attr:`addresses`."""
        try:
            return self._slots[name]
        except (KeyError, TypeError):
            raise InvalidArgumentError(f"{name!r} is not bound (bound: {', '.join(map(repr, self._names))})",
                                       lib.TRT_E_INVALID_ARGUMENT) from None

    def set_address(self, name: str, memory: Any) -> None:
        """Point tensor ``name`` (bound already) at ``memory`` for the next executions.

        Raises
        ------
        InvalidArgumentError
            ``memory`` says its size and is smaller than the tensor needs (see the class documentation).
        """
        self._store(self.slot(name), name, memory)

    __setitem__ = set_address

    def __getitem__(self, name: str) -> int:
        """The address bound to tensor ``name``."""
        return self.addresses[self.slot(name)]  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    @property
    def shapes(self) -> dict[str, Dims]:
        """The input shapes each execution sets."""
        return {n: Dims(s) for n, s in self._shapes.items()}

    def set_shape(self, name: str, shape: Any) -> None:
        """Set input ``name`` to ``shape`` at each execution from now on."""
        extents = self._checked_shape(name, shape)
        self._seen = -1  # sizes are checked again at the next execute
        if name in self._shapes:
            self._shapes[name] = extents
            self._write_shape(self._shape_names.index(name), extents)
        else:
            self._shapes[name] = extents
            self._layout_shapes()

    def __repr__(self) -> str:
        return f"<trt_runtime.Binding of {', '.join(self._names)} on {self._ctx!r}>"

    # ---------------------------------------------------------- running

    def execute(self, stream_handle: Any = 0) -> bool:
        """Set the shapes and addresses and enqueue, in one call. True, or raises TensorRTError.

        After a shape may have changed, the sizes are checked first (see the
        class documentation): InvalidArgumentError for memory too small.
        """
        if type(stream_handle) is not int:
            stream_handle = as_stream(stream_handle)
        ctx = self._ctx
        if self._seen != ctx._shape_gen:
            status = self._recheck()
            if status:
                ctx._fail(status)
        try:
            status = _execute(ctx._h, self._desc, stream_handle)
        except TypeError:
            raise closed_context() from None
        except OverflowError:
            raise bad_stream(stream_handle) from None
        if status:
            ctx._fail(status)
        return True

    def execute_nocheck(self, stream_handle: Any = 0) -> bool:
        """:meth:`execute`, returning False where TensorRT refuses (memory too small still raises)."""
        if type(stream_handle) is not int:
            stream_handle = as_stream(stream_handle)
        ctx = self._ctx
        if self._seen != ctx._shape_gen:
            status = self._recheck()
            if status:
                return ctx._soft(status)
        try:
            status = _execute(ctx._h, self._desc, stream_handle)
        except TypeError:
            raise closed_context() from None
        except OverflowError:
            raise bad_stream(stream_handle) from None
        return True if not status else ctx._soft(status)

