"""Objects an engine makes for the application: runtime configs, serialization configs, engine inspectors.

``ICudaEngine.create_runtime_config()`` gives an :class:`IRuntimeConfig`
(the allocation strategy of the contexts made with it,
``create_execution_context(runtime_config=config)``; TensorRT 10.11+), and
``IExecutionContext.get_runtime_config()`` the config of a context.
``ICudaEngine.create_serialization_config()`` gives an
:class:`ISerializationConfig`, whose flags ``ICudaEngine.serialize_with_config``
follows. ``ICudaEngine.create_engine_inspector()`` gives an
:class:`EngineInspector` (the official module's ``IEngineInspector`` type;
``IEngineInspector`` is the same class here).

Each keeps what it came from alive (its engine, or for a context's config
that context), in Python and in the shim, and closes with :meth:`close`
(idempotent; a use after it raises :class:`ClosedError`) or when dropped.
Where TensorRT refuses a setting, the official-named method raises
:class:`InvalidArgumentError` with TensorRT's reports; ``*_nocheck`` twins
return TensorRT's boolean instead.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING, Any, TypeVar

from ._bridge import Bridge
from ._callbacks import IErrorRecorder, give_callback
from ._errors import InvalidArgumentError, check_int32, raise_status
from ._ffi import ffi, lib
from ._handle import _Owned
from ._types import ExecutionContextAllocationStrategy, LayerInformationFormat, SerializationFlag, enum_or_int

if TYPE_CHECKING:
    from trt_runtime import ICudaEngine, IExecutionContext  # through the package face: no import cycle

__all__ = ["IRuntimeConfig", "ISerializationConfig", "EngineInspector", "IEngineInspector"]

_E = TypeVar("_E", bound=IntEnum)
_U32 = 1 << 32


def member(cls: type[_E], value: Any, name: str) -> _E:
    """``value`` as a member of the enum ``cls``: TypeError for another type, InvalidArgumentError for another number.

    Parameters
    ----------
    cls : type
        The enumeration.
    value : cls or int
        A member, or its number.
    name : str
        The argument's name, for messages.
    """
    if isinstance(value, cls):
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a {cls.__name__}, not {type(value).__name__}")
    try:
        return cls(value)
    except ValueError:
        message = f"{name} must be a {cls.__name__}, got {value!r}"
        raise InvalidArgumentError(message, lib.TRT_E_INVALID_ARGUMENT) from None


def _fail(status: int) -> Any:
    raise_status(status)


class IRuntimeConfig(_Owned):
    """Settings an execution context is created with: its device memory allocation strategy.

    Made by ``ICudaEngine.create_runtime_config()`` (strategy ``STATIC``
    at first) or answered by ``IExecutionContext.get_runtime_config()`` (the
    context's own, borrowed from it). A context made with a config keeps it
    alive. Both calls need TensorRT 10.11 or later (UnsupportedError before).

    Examples
    --------
    (Not run as a doctest: the test suite also runs on TensorRT 10.x
    libraries older than 10.11.) ::

        config = engine.create_runtime_config()
        config.set_execution_context_allocation_strategy(trt.ExecutionContextAllocationStrategy.USER_MANAGED)
        context = engine.create_execution_context(runtime_config=config)
        context.allocation_strategy                # ExecutionContextAllocationStrategy.USER_MANAGED
        context.get_runtime_config().get_execution_context_allocation_strategy()  # the same
    """

    __slots__ = ("_owner", "__weakref__")

    _owner: ICudaEngine | IExecutionContext

    _KIND = "IRuntimeConfig"

    def __init__(self) -> None:
        raise TypeError("runtime configs come from ICudaEngine.create_runtime_config() or "
                        "IExecutionContext.get_runtime_config()")

    @classmethod
    def _adopt(cls, handle: Any, owner: ICudaEngine | IExecutionContext) -> IRuntimeConfig:
        """Wrap the shim's ``trt_runtime_config`` ``handle``, made by (or belonging to) ``owner``."""
        self = object.__new__(cls)
        self._h = ffi.gc(handle, lib.trt_runtime_config_release)
        self._owner = owner
        return self

    def __repr__(self) -> str:
        if self._h is None:
            return "<trt_runtime.IRuntimeConfig closed>"
        return f"<trt_runtime.IRuntimeConfig {self.get_execution_context_allocation_strategy()}>"

    def get_execution_context_allocation_strategy(self) -> ExecutionContextAllocationStrategy:
        """The allocation strategy of the contexts made with this config."""
        out = ffi.new("int32_t *")
        status = lib.trt_runtime_config_get_strategy(self._handle(), out)
        if status:
            _fail(status)
        return enum_or_int(ExecutionContextAllocationStrategy, out[0])  # type: ignore[return-value]

    def set_execution_context_allocation_strategy(
        self, strategy: ExecutionContextAllocationStrategy = ExecutionContextAllocationStrategy.STATIC
    ) -> None:
        """Set the allocation strategy of the contexts made with this config from now on.

        Raises
        ------
        TypeError
            ``strategy`` is not an :class:`ExecutionContextAllocationStrategy` (or its number).
        InvalidArgumentError
            A number that is no strategy, or TensorRT refused it.
        """
        value = member(ExecutionContextAllocationStrategy, strategy, "strategy")
        status = lib.trt_runtime_config_set_strategy(self._handle(), int(value))
        if status:
            _fail(status)


class ISerializationConfig(_Owned):
    """Flags of ``ICudaEngine.serialize_with_config``: what to leave out of the plan (:class:`SerializationFlag`).

    Made by ``ICudaEngine.create_serialization_config()``, with no flag set.
    ``flags`` is the bit set (bit ``n`` for the flag of value ``n``).
    ``INCLUDE_REFIT`` needs TensorRT 10.14 or later: an older library
    refuses it (InvalidArgumentError with its reports).

    Examples
    --------
    >>> import trt_runtime as trt
    >>> engine = trt.Runtime(trt.Logger()).deserialize("model.plan")
    >>> config = engine.create_serialization_config()
    >>> config.set_flag(trt.SerializationFlag.EXCLUDE_LEAN_RUNTIME)
    True
    >>> config.flags, config.get_flag(trt.SerializationFlag.EXCLUDE_WEIGHTS)
    (2, False)
    >>> plan = engine.serialize_with_config(config)  # an IHostMemory, as serialize() gives
    """

    __slots__ = ("_engine", "__weakref__")

    _engine: ICudaEngine

    _KIND = "ISerializationConfig"

    def __init__(self) -> None:
        raise TypeError("serialization configs come from ICudaEngine.create_serialization_config()")

    @classmethod
    def _adopt(cls, handle: Any, engine: ICudaEngine) -> ISerializationConfig:
        """Wrap the shim's ``trt_serialization_config`` ``handle``, made by ``engine``."""
        self = object.__new__(cls)
        self._h = ffi.gc(handle, lib.trt_serialization_config_release)
        self._engine = engine
        return self

    def __repr__(self) -> str:
        if self._h is None:
            return "<trt_runtime.ISerializationConfig closed>"
        return f"<trt_runtime.ISerializationConfig flags=0x{self.flags:x}>"

    @property
    def flags(self) -> int:
        """The flags set, as a bit set (``1 << int(SerializationFlag.X)`` for each)."""
        out = ffi.new("uint32_t *")
        status = lib.trt_serialization_config_get_flags(self._handle(), out)
        if status:
            _fail(status)
        return out[0]  # type: ignore[no-any-return]

    @flags.setter
    def flags(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"flags must be an int (a bit set of SerializationFlag), not {type(value).__name__}")
        if not 0 <= value < _U32:
            raise InvalidArgumentError(f"flags must fit in 32 unsigned bits, got {value}", lib.TRT_E_INVALID_ARGUMENT)
        status = lib.trt_serialization_config_set_flags(self._handle(), value)
        if status:
            _fail(status)

    def _flag(self, op: int, flag: SerializationFlag, check: bool) -> bool:
        value = member(SerializationFlag, flag, "flag")
        out = ffi.new("int32_t *")
        status = lib.trt_serialization_config_flag(self._handle(), op, int(value), out)
        if status:
            if not check and status == lib.TRT_E_INVALID_ARGUMENT:
                return False
            _fail(status)
        return bool(out[0])

    def get_flag(self, flag: SerializationFlag) -> bool:
        """Whether ``flag`` is set."""
        return self._flag(0, flag, True)

    def set_flag(self, flag: SerializationFlag) -> bool:
        """Add ``flag`` to the flags set. True, or raises InvalidArgumentError where TensorRT refuses."""
        return self._flag(1, flag, True)

    def set_flag_nocheck(self, flag: SerializationFlag) -> bool:
        """:meth:`set_flag`, returning False where TensorRT refuses."""
        return self._flag(1, flag, False)

    def clear_flag(self, flag: SerializationFlag) -> bool:
        """Remove ``flag`` from the flags set. True, or raises InvalidArgumentError where TensorRT refuses."""
        return self._flag(2, flag, True)

    def clear_flag_nocheck(self, flag: SerializationFlag) -> bool:
        """:meth:`clear_flag`, returning False where TensorRT refuses."""
        return self._flag(2, flag, False)


class EngineInspector(_Owned):
    """What an engine says about its layers, alone or with the shapes of one of its execution contexts.

    Made by ``ICudaEngine.create_engine_inspector()``. The detail depends
    on the profiling verbosity the engine was built with. It keeps its
    engine alive, and the context set (``execution_context``) while it is
    set. ``IEngineInspector`` is this class (the official C++ name).

    Examples
    --------
    >>> import json
    >>> import trt_runtime as trt
    >>> engine = trt.Runtime(trt.Logger()).deserialize("model.plan")
    >>> inspector = engine.create_engine_inspector()
    >>> context = engine.create_execution_context()
    >>> context.set_input_shape("images", (8, 3, 224, 224))
    True
    >>> inspector.execution_context = context  # optional: shapes of this context, not the engine's -1
    >>> info = json.loads(inspector.get_engine_information(trt.LayerInformationFormat.JSON))
    >>> sorted(info)
    ['Bindings', 'Layers']
    >>> text = inspector.get_layer_information(0, trt.LayerInformationFormat.ONELINE)  # layer 0, one line
    """

    __slots__ = ("_engine", "_context", "_recorder", "_recorder_bridge", "__weakref__")

    _engine: ICudaEngine
    _context: IExecutionContext | None
    _recorder: IErrorRecorder | None
    _recorder_bridge: Bridge | None

    _KIND = "EngineInspector"

    def __init__(self) -> None:
        raise TypeError("engine inspectors come from ICudaEngine.create_engine_inspector()")

    @classmethod
    def _adopt(cls, handle: Any, engine: ICudaEngine) -> EngineInspector:
        """Wrap the shim's ``trt_engine_inspector`` ``handle``, made by ``engine``."""
        self = object.__new__(cls)
        self._h = ffi.gc(handle, lib.trt_engine_inspector_release)
        self._engine = engine
        self._context = None
        self._recorder = None
        self._recorder_bridge = None
        return self

    def close(self) -> None:
        """Release the inspector now (and with it the context it holds); safe to call twice."""
        _Owned.close(self)
        self._context = None

    def __repr__(self) -> str:
        return f"<trt_runtime.EngineInspector {'closed' if self._h is None else f'of {self._engine!r}'}>"

    @property
    def engine(self) -> ICudaEngine:
        """The :class:`ICudaEngine` inspected (kept alive by the inspector)."""
        return self._engine

    @property
    def execution_context(self) -> IExecutionContext | None:
        """The context whose shapes the information shows, or None (the engine's, -1 for dynamic extents)."""
        self._handle()
        return self._context

    @execution_context.setter
    def execution_context(self, value: IExecutionContext | None) -> None:
        from trt_runtime import IExecutionContext  # through the package face: no import cycle

        if value is not None and not isinstance(value, IExecutionContext):
            raise TypeError(f"execution_context must be a trt_runtime.IExecutionContext or None, "
                            f"not {type(value).__name__}")
        handle = self._handle()
        status = lib.trt_engine_inspector_set_context(handle, ffi.NULL if value is None else value._handle())
        if status:
            _fail(status)
        self._context = value

    @property
    def error_recorder(self) -> IErrorRecorder | None:
        """The error recorder of the inspector's calls (the very object set); None at first."""
        return self._recorder

    @error_recorder.setter
    def error_recorder(self, value: IErrorRecorder | None) -> None:
        self._recorder, self._recorder_bridge = give_callback(
            self._handle(), lib.trt_engine_inspector_set_error_recorder, value, IErrorRecorder, "error_recorder")

    def _text(self, status: int, out: Any) -> str:
        if status:
            _fail(status)
        return ffi.string(out[0]).decode("utf-8", "replace")  # type: ignore[no-any-return]

    def get_layer_information(self, layer_index: int, format: LayerInformationFormat) -> str:  # noqa: A002
        """What the engine says about layer ``layer_index`` (0 <= layer_index < num_layers), in ``format``.

        Raises
        ------
        TypeError
            ``layer_index`` is not an int, or ``format`` not a :class:`LayerInformationFormat`.
        InvalidArgumentError
            ``layer_index`` out of range (the message names it), or TensorRT refused.
        """
        index = check_int32(layer_index, "layer_index")
        fmt = member(LayerInformationFormat, format, "format")
        out = ffi.new("const char **")
        return self._text(lib.trt_engine_inspector_layer_information(self._handle(), index, int(fmt), out), out)

    def get_engine_information(self, format: LayerInformationFormat) -> str:  # noqa: A002
        """What the engine says about all its layers, in ``format``."""
        fmt = member(LayerInformationFormat, format, "format")
        out = ffi.new("const char **")
        return self._text(lib.trt_engine_inspector_engine_information(self._handle(), int(fmt), out), out)


IEngineInspector = EngineInspector
