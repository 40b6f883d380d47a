"""Engines deserialized by a runtime; their pickling."""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

from ._bridge import Bridge
from ._callbacks import IErrorRecorder, give_callback
from ._context import IExecutionContext
from ._engine_more import EngineMore
from ._errors import (
    DeserializationError,
    InvalidArgumentError,
    TensorRTError,
    add_note,
    check_int32,
    check_int64,
    raise_status,
)
from ._ffi import ffi, lib
from ._handle import Maker, _Owned
from ._host_memory import IHostMemory
from ._iotable import IOTable, decode_name
from ._runtime_config import IRuntimeConfig
from ._types import (
    DataType,
    Dims,
    EngineCapability,
    ExecutionContextAllocationStrategy,
    HardwareCompatibilityLevel,
    ProfilingVerbosity,
    TensorFormat,
    TensorIOMode,
    TensorLocation,
    enum_or_int,
)

if TYPE_CHECKING:
    from trt_runtime import Runtime  # through the package face: no import cycle

__all__ = ["ICudaEngine", "TensorInfo", "PICKLE_FORMAT"]

PICKLE_FORMAT = 1


def decode(p: Any) -> str:
    """The C string ``p`` as str."""
    return ffi.string(p).decode("utf-8", "replace")  # type: ignore[no-any-return]


class TensorInfo(NamedTuple):
    """Everything an engine says about one of its I/O tensors (see :meth:`ICudaEngine.get_tensor_info`)."""

    name: str
    mode: TensorIOMode
    dtype: DataType
    shape: Dims
    location: TensorLocation
    format: TensorFormat
    format_desc: str | None
    bytes_per_component: int
    components_per_element: int
    vectorized_dim: int
    is_shape_inference_io: bool
    is_debug_tensor: bool


# ------------------------------------------------------------------ engine


class ICudaEngine(_Owned, EngineMore):
    """A deserialized engine: its tensors, profiles and execution contexts.

    It keeps its runtime alive, and each of its execution contexts keeps it
    alive (in Python and in the shim), so objects may be closed or dropped in
    any order. Methods taking a tensor name raise :class:`InvalidArgumentError`
    for a name that is not an I/O tensor, except :meth:`get_tensor_mode`,
    which returns ``TensorIOMode.NONE`` (TensorRT's way to probe for a name).
    Used as a context manager, it closes on exit.

    Examples
    --------
    >>> import trt_runtime as trt
    >>> engine = trt.Runtime(trt.Logger()).deserialize("model.plan")
    >>> for name in engine.tensor_names:
    ...     print(name, engine.get_tensor_mode(name), engine.get_tensor_shape(name), engine.get_tensor_dtype(name))
    images TensorIOMode.INPUT Dims((-1, 3, 224, 224)) DataType.FLOAT
    logits TensorIOMode.OUTPUT Dims((-1, 1000)) DataType.FLOAT
    >>> engine.get_tensor_mode("no such tensor")
    <TensorIOMode.NONE: 0>
    >>> engine.get_tensor_shape("no such tensor")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    trt_runtime.InvalidArgumentError: ...
    """

    __slots__ = ("_runtime", "_recorder", "_recorder_bridge", "_io", "__weakref__")

    _runtime: Runtime
    _recorder: IErrorRecorder | None
    _recorder_bridge: Bridge | None
    _io: IOTable | None

    _KIND = "ICudaEngine"

    def __init__(self) -> None:
        raise TypeError("engines come from Runtime.deserialize_cuda_engine() or Runtime.deserialize()")

    @classmethod
    def _adopt(cls, handle: Any, runtime: Runtime) -> ICudaEngine:
        """Wrap the shim's ``trt_engine`` ``handle``, deserialized by ``runtime`` (a :class:`Runtime`)."""
        self = object.__new__(cls)
        self._h = ffi.gc(handle, lib.trt_engine_release)
        self._runtime = runtime
        # TensorRT gives a new engine the runtime's recorder.
        self._recorder = runtime._recorder
        self._recorder_bridge = runtime._recorder_bridge
        self._io = None
        return self

    # ---------------------------------------------------------- plumbing

    def _fail(self, status: int) -> None:
        raise_status(status)

    def _table(self) -> IOTable:
        io = self._io
        if io is None:
            h = self._handle()
            info = self._info()
            p = ffi.new("const char **")
            t = ffi.new("trt_tensor_info *")
            names, raw, modes, shapes = [], [], [], []
            for i in range(info.num_io_tensors):
                status = lib.trt_engine_tensor_name(h, i, p)
                if status:
                    self._fail(status)
                b = ffi.string(p[0])
                status = lib.trt_engine_tensor_info(h, b, -1, t)
                if status:
                    self._fail(status)
                raw.append(b)
                names.append(decode_name(b))  # exact: names that differ in non-UTF-8 bytes stay apart
                modes.append(enum_or_int(TensorIOMode, t.mode))
                shapes.append(Dims._from_c(t.shape))
            io = self._io = IOTable(decode(info.name), names, raw, modes, shapes)
        return io

    def _info(self) -> Any:
        out = ffi.new("trt_engine_info *")
        status = lib.trt_engine_get_info(self._handle(), out)
        if status:
            self._fail(status)
        return out

    def _tensor(self, name: str, profile: int = -1) -> Any:
        raw = self._table().encode(name)
        out = ffi.new("trt_tensor_info *")
        status = lib.trt_engine_tensor_info(self._handle(), raw, profile, out)
        if status:
            self._fail(status)
        return out

    def close(self) -> None:
        """Release this handle now; safe to call twice.

        Execution contexts created from the engine stay usable: they hold it.
        """
        _Owned.close(self)

    def __repr__(self) -> str:
        if self._h is None:
            return "<trt_runtime.ICudaEngine closed>"
        return f"<trt_runtime.ICudaEngine {self.name!r} with {self.num_io_tensors} I/O tensors at 0x{self.handle:x}>"

    @property
    def runtime(self) -> Runtime:
        """The :class:`Runtime` that deserialized the engine (kept alive by it)."""
        return self._runtime

    @property
    def handle(self) -> int:
        """The TensorRT ``ICudaEngine*`` as an int."""
        return int(ffi.cast("uintptr_t", lib.trt_engine_native(self._handle())))

    # ---------------------------------------------------------- engine-wide properties

    @property
    def name(self) -> str:
        return decode(self._info().name)

    @property
    def num_io_tensors(self) -> int:
        return self._info().num_io_tensors  # type: ignore[no-any-return]

    @property
    def num_layers(self) -> int:
        return self._info().num_layers  # type: ignore[no-any-return]

    @property
    def num_optimization_profiles(self) -> int:
        return self._info().num_optimization_profiles  # type: ignore[no-any-return]

    @property
    def num_aux_streams(self) -> int:
        return self._info().num_aux_streams  # type: ignore[no-any-return]

    @property
    def refittable(self) -> bool:
        return bool(self._info().refittable)

    @property
    def engine_capability(self) -> EngineCapability:
        return enum_or_int(EngineCapability, self._info().engine_capability)  # type: ignore[return-value]

    @property
    def hardware_compatibility_level(self) -> HardwareCompatibilityLevel:
        return enum_or_int(HardwareCompatibilityLevel, self._info().hardware_compatibility_level)  # type: ignore[return-value]

    @property
    def profiling_verbosity(self) -> ProfilingVerbosity:
        return enum_or_int(ProfilingVerbosity, self._info().profiling_verbosity)  # type: ignore[return-value]

    @property
    def tactic_sources(self) -> int:
        """Bit set of the tactic sources the engine was built with."""
        return self._info().tactic_sources  # type: ignore[no-any-return]

    @property
    def device_memory_size_v2(self) -> int:
        """Device memory a context needs (bytes), the most over all profiles."""
        return self._info().device_memory_size_v2  # type: ignore[no-any-return]

    @property
    def streamable_weights_size(self) -> int:
        return self._info().streamable_weights_size  # type: ignore[no-any-return]

    def _weight_streaming(self, which: int) -> int:
        out = ffi.new("int64_t *")
        status = lib.trt_engine_get_weight_streaming(self._handle(), which, out)
        if status:
            self._fail(status)
        return out[0]  # type: ignore[no-any-return]

    @property
    def weight_streaming_budget_v2(self) -> int:
        """Device memory (bytes) weight streaming may use; TensorRT may refuse it for engines built without."""
        return self._weight_streaming(0)

    @weight_streaming_budget_v2.setter
    def weight_streaming_budget_v2(self, value: int) -> None:
        value = check_int64(value, "weight_streaming_budget_v2")
        status = lib.trt_engine_set_weight_streaming_budget(self._handle(), value)
        if status:
            self._fail(status)

    @property
    def weight_streaming_automatic_budget(self) -> int:
        return self._weight_streaming(1)

    @property
    def weight_streaming_scratch_memory_size(self) -> int:
        return self._weight_streaming(2)

    def get_device_memory_size_for_profile_v2(self, profile_index: int) -> int:
        out = ffi.new("int64_t *")
        status = lib.trt_engine_device_memory_size_for_profile(
            self._handle(), check_int32(profile_index, "profile_index"), out
        )
        if status:
            self._fail(status)
        return out[0]  # type: ignore[no-any-return]

    # ---------------------------------------------------------- tensors

    @property
    def tensor_names(self) -> tuple[str, ...]:
        """Names of the I/O tensors, in I/O order (read once)."""
        return self._table().names

    def get_tensor_name(self, index: int) -> str:
        """Name of I/O tensor ``index`` (0 <= index < num_io_tensors)."""
        names = self._table().names
        index = check_int32(index, "index")
        if not 0 <= index < len(names):
            raise InvalidArgumentError(
                f"I/O tensor index {index} out of range [0, {len(names)})", lib.TRT_E_INVALID_ARGUMENT
            )
        return names[index]

    def get_tensor_mode(self, name: str) -> TensorIOMode:
        """INPUT, OUTPUT, or NONE when the engine has no tensor ``name``."""
        mode = self._table().modes.get(name) if isinstance(name, str) else None
        if mode is None:
            if not isinstance(name, str):
                raise TypeError(f"a tensor name must be a str, not {type(name).__name__}")
            self._handle()
            return TensorIOMode.NONE
        return mode  # type: ignore[return-value]  # an int for a mode newer than this package, as enum_or_int gives

    def get_tensor_shape(self, name: str) -> Dims:
        """Shape as built; -1 marks a dynamic extent."""
        return Dims._from_c(self._tensor(name).shape)

    def get_tensor_dtype(self, name: str) -> DataType:
        return enum_or_int(DataType, self._tensor(name).dtype)  # type: ignore[return-value]

    def get_tensor_location(self, name: str) -> TensorLocation:
        return enum_or_int(TensorLocation, self._tensor(name).location)  # type: ignore[return-value]

    def _profile(self, profile_index: int | None) -> int:
        if profile_index is None:
            return -1
        value = check_int32(profile_index, "profile_index")
        if value < 0:
            raise InvalidArgumentError(f"profile_index must be >= 0, got {value}", lib.TRT_E_INVALID_ARGUMENT)
        return value

    def get_tensor_format(self, name: str, profile_index: int | None = None) -> TensorFormat:
        return enum_or_int(TensorFormat, self._tensor(name, self._profile(profile_index)).format)  # type: ignore[return-value]

    def get_tensor_format_desc(self, name: str, profile_index: int | None = None) -> str | None:
        p = self._tensor(name, self._profile(profile_index)).format_desc
        return None if p == ffi.NULL else decode(p)

    def get_tensor_bytes_per_component(self, name: str, profile_index: int | None = None) -> int:
        return self._tensor(name, self._profile(profile_index)).bytes_per_component  # type: ignore[no-any-return]

    def get_tensor_components_per_element(self, name: str, profile_index: int | None = None) -> int:
        return self._tensor(name, self._profile(profile_index)).components_per_element  # type: ignore[no-any-return]

    def get_tensor_vectorized_dim(self, name: str, profile_index: int | None = None) -> int:
        return self._tensor(name, self._profile(profile_index)).vectorized_dim  # type: ignore[no-any-return]

    def is_shape_inference_io(self, name: str) -> bool:
        return bool(self._tensor(name).is_shape_inference_io)

    def is_debug_tensor(self, name: str) -> bool:
        return bool(self._tensor(name).is_debug_tensor)

    def get_tensor_info(self, name: str, profile_index: int | None = None) -> TensorInfo:
        """All of one tensor's properties in one call."""
        t = self._tensor(name, self._profile(profile_index))
        return TensorInfo(
            name=name,
            mode=enum_or_int(TensorIOMode, t.mode),  # type: ignore[arg-type]
            dtype=enum_or_int(DataType, t.dtype),  # type: ignore[arg-type]
            shape=Dims._from_c(t.shape),
            location=enum_or_int(TensorLocation, t.location),  # type: ignore[arg-type]
            format=enum_or_int(TensorFormat, t.format),  # type: ignore[arg-type]
            format_desc=None if t.format_desc == ffi.NULL else decode(t.format_desc),
            bytes_per_component=t.bytes_per_component,
            components_per_element=t.components_per_element,
            vectorized_dim=t.vectorized_dim,
            is_shape_inference_io=bool(t.is_shape_inference_io),
            is_debug_tensor=bool(t.is_debug_tensor),
        )

    def get_tensor_profile_shape(self, name: str, profile_index: int) -> list[Dims]:
        """``[min, opt, max]`` shapes of input ``name`` in optimization profile ``profile_index``."""
        raw = self._table().encode(name)
        out = ffi.new("trt_dims[3]")
        status = lib.trt_engine_profile_shape(self._handle(), raw, check_int32(profile_index, "profile_index"), out)
        if status:
            self._fail(status)
        return [Dims._from_c(out[i]) for i in range(3)]

    # ---------------------------------------------------------- error recorder

    @property
    def error_recorder(self) -> IErrorRecorder | None:
        """The error recorder (the very object set); the runtime's at deserialization by default."""
        return self._recorder

    @error_recorder.setter
    def error_recorder(self, value: IErrorRecorder | None) -> None:
        self._recorder, self._recorder_bridge = give_callback(
            self._handle(), lib.trt_engine_set_error_recorder, value, IErrorRecorder, "error_recorder")

    # ---------------------------------------------------------- serialization, contexts

    def serialize(self) -> IHostMemory:
        """The plan, as :class:`IHostMemory` (buffer protocol, no copy)."""
        out = ffi.new("trt_host_memory **")
        status = lib.trt_engine_serialize(self._handle(), out)
        if status:
            self._fail(status)
        return IHostMemory._adopt(out[0])

    def create_execution_context(
        self,
        strategy: ExecutionContextAllocationStrategy | IRuntimeConfig = ExecutionContextAllocationStrategy.STATIC,
        runtime_config: IRuntimeConfig | None = None,
    ) -> IExecutionContext:
        """A new execution context; it keeps this engine alive.

        As the official overloads: ``create_execution_context(strategy)``, or
        ``create_execution_context(runtime_config=config)`` (also positional)
        for a context with the config's strategy, which keeps the config
        alive (TensorRT 10.11+); ``runtime_config=None`` is the default strategy.

        Raises
        ------
        TypeError
            Both a strategy and a runtime config, or a runtime config of another type.
        TensorRTError
            TensorRT could not create it (out of device memory, for one);
            ``reports`` says why.
        """
        if isinstance(strategy, IRuntimeConfig):  # the second overload, positionally
            if runtime_config is not None:
                _both()
            return self._create_context_with_config(strategy)
        if runtime_config is not None:
            if strategy is not ExecutionContextAllocationStrategy.STATIC:
                _both()
            return self._create_context_with_config(runtime_config)
        try:
            value = ExecutionContextAllocationStrategy(strategy)
        except ValueError:
            raise InvalidArgumentError(
                f"strategy must be an ExecutionContextAllocationStrategy, got {strategy!r}", lib.TRT_E_INVALID_ARGUMENT
            ) from None
        table = self._table()
        out = ffi.new("trt_context **")
        status = lib.trt_engine_create_context(self._handle(), int(value), out)
        if status:
            self._fail(status)
        return IExecutionContext._adopt(out[0], self, table, value)

    def create_execution_context_without_device_memory(self) -> IExecutionContext:
        """Deprecated official spelling of ``create_execution_context(USER_MANAGED)``."""
        return self.create_execution_context(ExecutionContextAllocationStrategy.USER_MANAGED)

    # ---------------------------------------------------------- pickling

    def __reduce_ex__(self, protocol: Any) -> Any:
        library = self._runtime.library
        memory = self.serialize()
        if isinstance(protocol, int) and protocol >= 5:
            data: Any = pickle.PickleBuffer(memoryview(memory))  # out of band when the pickler takes buffers
        else:
            data = bytes(memory)
        meta = {
            "format": PICKLE_FORMAT,
            "tensorrt_version": str(library.version),
            "flavour": library.flavour.value,
            "name": self.name,
        }
        return (_unpickle_engine, (data, meta))



def _both() -> NoReturn:
    raise TypeError("create_execution_context takes a strategy or a runtime_config, not both")


def _unpickle_engine(data: Any, meta: Any) -> ICudaEngine:
    """Rebuild a pickled engine with the default runtime.

    Pickles name this function by its place, ``trt_runtime._engine._unpickle_engine``:
    it stays here so that pickles written before keep loading.
    """
    if not isinstance(meta, dict) or meta.get("format") != PICKLE_FORMAT:
        raise DeserializationError(
            f"cannot unpickle the engine: unknown pickle format {meta!r} (this trt_runtime writes {PICKLE_FORMAT})",
            lib.TRT_E_INVALID_ARGUMENT,
        )
    # Through the package: trt_runtime._pickling imports the runtime, which imports this module.
    from trt_runtime import default_runtime

    runtime = default_runtime()
    library = runtime.library
    have, want = str(library.version), meta.get("tensorrt_version")
    name = meta.get("name")
    if have != want:
        raise DeserializationError(
            f"cannot unpickle engine {name!r}: it was serialized with TensorRT {want} ({meta.get('flavour')}), but "
            f"this process uses TensorRT {have} ({library.flavour.value}, {library.path}); a plan loads only in "
            "the TensorRT version that wrote it. Load that version with trt_runtime.load_library(path) before "
            "unpickling, or rebuild the engine.",
            lib.TRT_E_UNSUPPORTED,
        )
    try:
        return runtime.deserialize(data)
    except DeserializationError as exc:
        add_note(
            exc,
            f"while unpickling engine {name!r} written by TensorRT {want} ({meta.get('flavour')}); "
            f"this process uses the {library.flavour.value} library {library.path}"
        )
        raise
