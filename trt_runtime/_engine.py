"""Engines deserialized by a runtime, and the host memory of a serialized plan."""

from __future__ import annotations

import ctypes
import functools
import pickle
import sys
import threading
from typing import TYPE_CHECKING, Any, NamedTuple

from ._callbacks import Bridge, IErrorRecorder, set_error_recorder
from ._errors import ClosedError, DeserializationError, InvalidArgumentError, TensorRTError, check_int32, raise_status
from ._ffi import ffi, lib
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
    from ._context import IExecutionContext
    from ._runtime import Runtime

__all__ = ["ICudaEngine", "IHostMemory", "TensorInfo", "default_runtime", "set_default_runtime"]

PICKLE_FORMAT = 1

# ------------------------------------------------------------------ shared plumbing


def decode(p: Any) -> str:
    return ffi.string(p).decode("utf-8", "replace")  # type: ignore[no-any-return]


class IOTable:
    """The I/O tensors of an engine, read once: names, their C strings, modes."""

    __slots__ = ("engine_name", "names", "encoded", "modes", "shapes", "index")

    def __init__(self, engine_name: str, names: list[str], raw: list[bytes], modes: list[TensorIOMode],
                 shapes: list[Dims]) -> None:
        self.engine_name = engine_name
        self.names = tuple(names)
        self.encoded = dict(zip(names, raw))
        self.modes = dict(zip(names, modes))
        self.shapes = dict(zip(names, shapes))  # as built: -1 for dynamic extents
        self.index = {n: i for i, n in enumerate(names)}

    def encode(self, name: Any) -> bytes:
        """The C string for tensor ``name``; raises for a name that is not an I/O tensor."""
        raw = self.encoded.get(name) if isinstance(name, str) else None
        if raw is not None:
            return raw
        if not isinstance(name, str):
            raise TypeError(f"a tensor name must be a str, not {type(name).__name__}")
        raise InvalidArgumentError(self.unknown(name), lib.TRT_E_INVALID_ARGUMENT)

    def unknown(self, name: str) -> str:
        listed = ", ".join(repr(n) for n in self.names[:16])
        more = f" and {len(self.names) - 16} more" if len(self.names) > 16 else ""
        return f"the engine has no I/O tensor named {name!r} (it has {listed}{more})"


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


# ------------------------------------------------------------------ host memory


class IHostMemory:
    """Bytes owned by TensorRT (a serialized engine), readable in place.

    It supports the buffer protocol without copying: ``memoryview(m)``,
    ``bytes(m)``, ``numpy.frombuffer(m, numpy.uint8)``, ``f.write(m)``,
    ``Runtime.deserialize(m)``. Every view keeps the memory alive.

    :meth:`close` returns the memory at once when no view of it exists
    (Python 3.12 and later, which let an object count its views; a
    :class:`BufferError` otherwise); on older Pythons it only marks the
    object closed, and the memory goes when the object and its views do.
    """

    __slots__ = ()

    def __init__(self) -> None:
        raise TypeError("IHostMemory objects come from ICudaEngine.serialize()")

    @staticmethod
    def _adopt(handle: Any) -> IHostMemory:
        address = ffi.new("uint64_t *")
        size = ffi.new("uint64_t *")
        dtype = ffi.new("int32_t *")
        status = lib.trt_host_memory_get(handle, address, size, dtype)
        if status:
            lib.trt_host_memory_release(handle)
            raise_status(status)
        keeper = ffi.gc(handle, lib.trt_host_memory_release)
        if _PEP688:
            self: Any = object.__new__(_HostMemory)
            self._view = memoryview(ffi.buffer(ffi.cast("char *", address[0]), size[0])) if size[0] else memoryview(b"")
            self._exports = 0
        else:
            self = _ctypes_type(size[0]).from_address(address[0])
        self._keep = keeper
        self._nbytes = size[0]
        self._dtype = enum_or_int(DataType, dtype[0])
        return self  # type: ignore[no-any-return]

    @property
    def nbytes(self) -> int:
        """Size in bytes."""
        return self._nbytes  # type: ignore[attr-defined,no-any-return]

    @property
    def dtype(self) -> DataType:
        """Element type: ``DataType.UINT8`` for a plan."""
        return self._dtype  # type: ignore[attr-defined,no-any-return]

    @property
    def closed(self) -> bool:
        return self._keep is None  # type: ignore[attr-defined,no-any-return]

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{self.nbytes} bytes"
        return f"<trt_runtime.IHostMemory {state}>"

    def __enter__(self) -> IHostMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __reduce__(self) -> Any:
        return (bytes, (memoryview(self).cast("B").tobytes(),))  # type: ignore[arg-type]


_PEP688 = sys.version_info >= (3, 12)


class _HostMemory(IHostMemory):
    """Python 3.12+: a plain object exporting its buffer through ``__buffer__``."""

    __slots__ = ("_keep", "_nbytes", "_dtype", "_view", "_exports", "__weakref__")

    def __buffer__(self, flags: int) -> memoryview:
        if self._keep is None:
            raise ClosedError("the IHostMemory is closed", lib.TRT_E_CLOSED)
        view = self._view
        if flags & 1 and view.readonly:  # PyBUF_WRITABLE
            raise BufferError("the IHostMemory is read-only")
        self._exports += 1
        return view[:]

    def __release_buffer__(self, view: memoryview) -> None:
        self._exports -= 1
        view.release()

    def __len__(self) -> int:
        return self._nbytes  # type: ignore[no-any-return]

    def close(self) -> None:
        """Return the memory to TensorRT now; safe to call twice.

        Raises BufferError while a view (memoryview, numpy array ...) of it exists.
        """
        if self._keep is None:
            return
        if self._exports:
            raise BufferError(f"cannot close the IHostMemory: {self._exports} views of it still exist")
        keep, self._keep = self._keep, None
        self._view.release()
        ffi.release(keep)


class _CTypesHostMemory(IHostMemory):
    """Python before 3.12: the buffer protocol comes from a ctypes array base."""

    __slots__ = ()

    def close(self) -> None:
        """Mark the memory closed; it is returned when the object and its views are gone."""
        # Views of a ctypes object cannot be counted, so freeing now could
        # leave one dangling: the reference stays until the object goes.
        object.__setattr__(self, "_closed_flag", True)

    @property
    def closed(self) -> bool:
        return getattr(self, "_closed_flag", False)


@functools.lru_cache(maxsize=64)
def _ctypes_type(size: int) -> type:
    return type(
        "IHostMemory",
        (_CTypesHostMemory, ctypes.c_ubyte * size),
        {"__slots__": ("_keep", "_nbytes", "_dtype", "_closed_flag"), "__module__": __name__},
    )


# ------------------------------------------------------------------ engine


class ICudaEngine:
    """A deserialized engine: its tensors, profiles and execution contexts.

    It keeps its runtime alive, and each of its execution contexts keeps it
    alive (in Python and in the shim), so objects may be closed or dropped in
    any order. Methods taking a tensor name raise :class:`InvalidArgumentError`
    for a name that is not an I/O tensor, except :meth:`get_tensor_mode`,
    which returns ``TensorIOMode.NONE`` (TensorRT's way to probe for a name).
    """

    __slots__ = ("_h", "_runtime", "_recorder", "_recorder_bridge", "_io", "__weakref__")

    def __init__(self) -> None:
        raise TypeError("engines come from Runtime.deserialize_cuda_engine() or Runtime.deserialize()")

    @classmethod
    def _adopt(cls, handle: Any, runtime: Runtime) -> ICudaEngine:
        self = object.__new__(cls)
        self._h = ffi.gc(handle, lib.trt_engine_release)
        self._runtime = runtime
        # TensorRT gives a new engine the runtime's recorder.
        self._recorder: IErrorRecorder | None = runtime._recorder
        self._recorder_bridge: Bridge | None = runtime._recorder_bridge
        self._io: IOTable | None = None
        return self

    # ---------------------------------------------------------- plumbing

    def _closed(self) -> ClosedError:
        return ClosedError("the ICudaEngine is closed", lib.TRT_E_CLOSED)

    def _handle(self) -> Any:
        h = self._h
        if h is None:
            raise self._closed()
        return h

    def _bridges(self) -> tuple[Bridge | None, ...]:
        return (*self._runtime._bridges(), self._recorder_bridge)

    def _fail(self, status: int, cls: type[TensorRTError] | None = InvalidArgumentError) -> None:
        raise_status(status, self._bridges(), cls)

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
                    self._fail(status, None)
                b = ffi.string(p[0])
                status = lib.trt_engine_tensor_info(h, b, -1, t)
                if status:
                    self._fail(status, None)
                raw.append(b)
                names.append(b.decode("utf-8", "replace"))
                modes.append(enum_or_int(TensorIOMode, t.mode))
                shapes.append(Dims._from_c(t.shape))
            io = self._io = IOTable(decode(info.name), names, raw, modes, shapes)
        return io

    def _info(self) -> Any:
        out = ffi.new("trt_engine_info *")
        status = lib.trt_engine_get_info(self._handle(), out)
        if status:
            self._fail(status, None)
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
        h, self._h = self._h, None
        if h is not None:
            ffi.release(h)

    @property
    def closed(self) -> bool:
        return self._h is None

    def __enter__(self) -> ICudaEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._h is None:
            return "<trt_runtime.ICudaEngine closed>"
        return f"<trt_runtime.ICudaEngine {self.name!r} with {self.num_io_tensors} I/O tensors at 0x{self.handle:x}>"

    @property
    def runtime(self) -> Runtime:
        """The runtime that deserialized the engine (kept alive by it)."""
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
            self._fail(status, TensorRTError)
        return out[0]  # type: ignore[no-any-return]

    @property
    def weight_streaming_budget_v2(self) -> int:
        """Device memory (bytes) weight streaming may use; TensorRT may refuse it for engines built without."""
        return self._weight_streaming(0)

    @weight_streaming_budget_v2.setter
    def weight_streaming_budget_v2(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"weight_streaming_budget_v2 must be an int, not {type(value).__name__}")
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
        return mode

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
        set_error_recorder(self, lib.trt_engine_set_error_recorder, value)

    # ---------------------------------------------------------- serialization, contexts

    def serialize(self) -> IHostMemory:
        """The plan, as :class:`IHostMemory` (buffer protocol, no copy)."""
        out = ffi.new("trt_host_memory **")
        status = lib.trt_engine_serialize(self._handle(), out)
        if status:
            self._fail(status, None)
        return IHostMemory._adopt(out[0])

    def create_execution_context(
        self, strategy: ExecutionContextAllocationStrategy = ExecutionContextAllocationStrategy.STATIC
    ) -> IExecutionContext:
        """A new execution context; it keeps this engine alive.

        Raises
        ------
        TensorRTError
            TensorRT could not create it (out of device memory, for one);
            ``reports`` says why.
        """
        from ._context import IExecutionContext

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
            self._fail(status, TensorRTError)
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


# ------------------------------------------------------------------ default runtime, unpickling

_default_lock = threading.Lock()
_default: Runtime | None = None


def default_runtime() -> Runtime:
    """The runtime that unpickles engines: the one given to :func:`set_default_runtime`,
    else one created on first use with a :class:`Logger` on the current library."""
    global _default
    from ._library import load_library
    from ._loggers import Logger
    from ._runtime import Runtime

    with _default_lock:
        library = load_library()
        if _default is None or _default.closed or _default.library is not library:
            _default = Runtime(Logger(), library=library)
        return _default


def set_default_runtime(runtime: Runtime | None) -> None:
    """Make ``runtime`` the one :func:`default_runtime` returns (None: create one when needed)."""
    from ._runtime import Runtime

    global _default
    if runtime is not None and not isinstance(runtime, Runtime):
        raise TypeError(f"runtime must be a trt_runtime.Runtime or None, not {type(runtime).__name__}")
    with _default_lock:
        _default = runtime


def _unpickle_engine(data: Any, meta: Any) -> ICudaEngine:
    if not isinstance(meta, dict) or meta.get("format") != PICKLE_FORMAT:
        raise DeserializationError(
            f"cannot unpickle the engine: unknown pickle format {meta!r} (this trt_runtime writes {PICKLE_FORMAT})",
            lib.TRT_E_INVALID_ARGUMENT,
        )
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
        exc.add_note(
            f"while unpickling engine {name!r} written by TensorRT {want} ({meta.get('flavour')}); "
            f"this process uses the {library.flavour.value} library {library.path}"
        )
        raise
