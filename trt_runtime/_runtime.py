"""The runtime: the official ``tensorrt.Runtime`` API over the shim."""

from __future__ import annotations

import os
import warnings
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from ._bridge import LOG_BRIDGES, Bridge, new_log_bridge
from ._callbacks import (
    READER_FNS,
    IErrorRecorder,
    IGpuAllocator,
    ILogger,
    give_callback,
)
from ._engine import ICudaEngine
from ._enums import DLAWorkspaceAllocationStrategy
from ._errors import (
    InvalidArgumentError,
    TensorRTError,
    check_bool,
    check_int32,
    raise_status,
)
from ._ffi import ffi, lib
from ._handle import _Owned
from ._library import Library, load_library
from ._registry import IPluginRegistry
from ._sources import fs_bytes, open_source

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Runtime"]

_TEMPFILE_BITS = 0b11  # one bit per TempfileControlFlag
_PLAIN_BUFFERS = (bytes, bytearray)
# The hot property paths call these directly: one global lookup instead of two.
_get_dla_core = lib.trt_runtime_get_dla_core
_get_num_dla_cores = lib.trt_runtime_get_num_dla_cores
_get_max_threads = lib.trt_runtime_get_max_threads
_get_tempfile_control_flags = lib.trt_runtime_get_tempfile_control_flags
_get_engine_host_code_allowed: Callable[[Any], int] = lib.trt_runtime_get_engine_host_code_allowed
_set_dla_core = lib.trt_runtime_set_dla_core
_set_max_threads = lib.trt_runtime_set_max_threads
_set_tempfile_control_flags = lib.trt_runtime_set_tempfile_control_flags
_set_engine_host_code_allowed = lib.trt_runtime_set_engine_host_code_allowed
_create_for = lib.trt_runtime_create_for
_release = lib.trt_runtime_release
_CLOSED = lib.TRT_E_CLOSED


def _library_for(library: Library | str | os.PathLike[str] | None) -> Library:
    if library is None:
        return load_library()
    if isinstance(library, Library):
        return library
    return load_library(library)


class Runtime(_Owned):
    """Deserializes engines; holds the settings they are created with.

    Parameters
    ----------
    logger : ILogger
        Receives the messages of this runtime's calls (see the README's
        "Loggers" section for how messages are routed).
    library : Library, str or os.PathLike, optional
        The TensorRT library to use; by default the one
        :func:`trt_runtime.load_library` finds.
    device : int, optional
        The CUDA device (ordinal) this runtime, its engines and their
        contexts run on. By default (``None``) they run, as in TensorRT, in
        whatever CUDA context is current on the calling thread at each call.
        With a device, the runtime holds that device's primary context, is
        created in it, and each call on it or its children makes that
        context current for the call and restores the caller's afterwards,
        so no ``cudaSetDevice`` is needed around them (plain property reads,
        which touch no CUDA state, do not switch).

    Raises
    ------
    TypeError
        ``logger`` is not an :class:`ILogger`, or ``device`` not an int
        (checked before any library is opened).
    InvalidArgumentError
        ``device`` does not exist (the message gives how many there are).
    NoDeviceError
        TensorRT could not initialise CUDA (no GPU, or a driver too old), or
        ``device`` was given and the CUDA driver cannot be opened.
    LibraryNotFoundError, LibraryError, UnsupportedVersionError
        No usable library.

    Notes
    -----
    As in TensorRT, using a runtime as a context manager is deprecated and
    does nothing (it warns); call :meth:`close` to release it early.

    Examples
    --------
    >>> import trt_runtime as trt
    >>> runtime = trt.Runtime(trt.Logger(trt.Logger.WARNING))
    >>> runtime.max_threads = 4
    >>> engine = runtime.deserialize("model.plan")  # or bytes, a file, a stream reader
    >>> engine.tensor_names
    ('images', 'logits')
    >>> runtime.deserialize_cuda_engine(b"not a plan") is None  # the official way: None on failure
    True
    """

    __slots__ = ("_library", "_logger", "_log_bridge", "_recorder", "_recorder_bridge", "_allocator",
                 "_allocator_bridge", "_parent", "_device", "__weakref__")

    _KIND = "Runtime"

    def __init__(self, logger: ILogger, *, library: Library | str | os.PathLike[str] | None = None,
                 device: int | None = None) -> None:
        if not isinstance(logger, ILogger):
            raise TypeError(f"logger must be a trt_runtime.ILogger, not {type(logger).__name__}")
        self._h: Any = None
        if device is not None:
            device = check_int32(device, "device")
            if device < 0:
                raise InvalidArgumentError(f"device must be a CUDA device ordinal (>= 0) or None, got {device}",
                                           lib.TRT_E_INVALID_ARGUMENT)
        library = _library_for(library)
        # Runtimes of one logger share its bridge and the shim's log target.
        bridge = LOG_BRIDGES.get((id(library), id(logger)))
        out = ffi.new("trt_runtime **")
        ordinal = -1 if device is None else device
        status = _CLOSED
        if bridge is not None:
            status = _create_for(library._h, ordinal, bridge.log_target, out)
        if bridge is None or (status == _CLOSED and library._h is not None):
            # None yet, or its last runtime went on another thread meanwhile:
            # a new one, which our hold keeps until a runtime takes it.
            bridge = new_log_bridge(logger, library)
            try:
                status = _create_for(library._h, ordinal, bridge.log_target, out)
            finally:
                lib.trt_log_target_give(bridge.log_target)  # unpins it if no runtime took it
        if status:
            hint = ""
            if status == lib.TRT_E_NO_DEVICE:
                hint = "no usable GPU: TensorRT needs a CUDA device and a recent enough driver. "
            raise_status(status, prefix=hint)
        self._adopt(out[0], library, logger, bridge, None)
        self._device = device

    def _adopt(self, handle: Any, library: Library, logger: ILogger, bridge: Bridge, parent: Runtime | None) -> None:
        """Take the shim's ``trt_runtime`` ``handle``, created on ``library`` with ``logger`` through ``bridge``."""
        self._h = ffi.gc(handle, _release)
        self._device = None if parent is None else parent._device
        self._library = library
        self._logger = logger
        self._log_bridge = bridge
        self._recorder: IErrorRecorder | None = None
        self._recorder_bridge: Bridge | None = None
        self._allocator: IGpuAllocator | None = None
        self._allocator_bridge: Bridge | None = None
        self._parent = parent

    # ---------------------------------------------------------- plumbing

    def _fail(self, status: int, prefix: str = "") -> None:
        raise_status(status, prefix)

    def close(self) -> None:
        """Release this runtime now. Engines created from it stay usable. Safe to call twice."""
        _Owned.close(self)

    def __enter__(self) -> Runtime:
        warnings.warn(
            "using a Runtime as a context manager is deprecated, as in TensorRT; it does nothing. "
            "Call close() to release it early.",
            DeprecationWarning,
            stacklevel=2,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        warnings.warn("Runtime.__exit__ is deprecated and does nothing", DeprecationWarning, stacklevel=2)

    def __repr__(self) -> str:
        state = "closed" if self._h is None else f"at 0x{self.handle:x}"
        return f"<trt_runtime.Runtime {state} on {self._library!r}>"

    @property
    def handle(self) -> int:
        """The TensorRT ``IRuntime*`` as an int, for code that calls TensorRT directly."""
        return int(ffi.cast("uintptr_t", lib.trt_runtime_native(self._handle())))

    @property
    def library(self) -> Library:
        """The library this runtime was created from."""
        return self._library

    @property
    def device(self) -> int | None:
        """The CUDA device this runtime and its children run on, or ``None`` (the caller's current context)."""
        return self._device

    @property
    def parent(self) -> Runtime | None:
        """The runtime whose :meth:`load_runtime` created this one, kept alive by it."""
        return self._parent

    # ---------------------------------------------------------- properties

    @property
    def logger(self) -> ILogger:
        """The logger given to the constructor (the very object)."""
        return self._logger

    @property
    def DLA_core(self) -> int:  # noqa: N802 - official name
        """The DLA core engines run on; -1 when none. Only existing cores are accepted."""
        try:
            return _get_dla_core(self._h)  # type: ignore[no-any-return]
        except TypeError:
            raise self._closed() from None

    @DLA_core.setter
    def DLA_core(self, value: int) -> None:  # noqa: N802
        if type(value) is not int or not -0x80000000 <= value <= 0x7FFFFFFF:
            value = check_int32(value, "DLA_core")
        try:
            status = _set_dla_core(self._h, value)
        except TypeError:
            raise self._closed() from None
        if status:
            self._fail(status, f"DLA_core = {value}: ")

    @property
    def num_DLA_cores(self) -> int:  # noqa: N802
        """The number of DLA cores of the device (read-only)."""
        try:
            return _get_num_dla_cores(self._h)  # type: ignore[no-any-return]
        except TypeError:
            raise self._closed() from None

    @property
    def max_threads(self) -> int:
        """The most threads TensorRT may use (at least 1)."""
        try:
            return _get_max_threads(self._h)  # type: ignore[no-any-return]
        except TypeError:
            raise self._closed() from None

    @max_threads.setter
    def max_threads(self, value: int) -> None:
        if type(value) is not int or not 0 < value <= 0x7FFFFFFF:  # literals: no global lookups on this path
            value = check_int32(value, "max_threads")
            if value <= 0:
                raise InvalidArgumentError(f"max_threads must be at least 1, got {value}", lib.TRT_E_INVALID_ARGUMENT)
        try:
            status = _set_max_threads(self._h, value)
        except TypeError:
            raise self._closed() from None
        if status:
            self._fail(status)

    @property
    def tempfile_control_flags(self) -> int:
        """Bit set of :class:`TempfileControlFlag` (bit offsets); 3 (both allowed) by default."""
        try:
            return _get_tempfile_control_flags(self._h)  # type: ignore[no-any-return]
        except TypeError:
            raise self._closed() from None

    @tempfile_control_flags.setter
    def tempfile_control_flags(self, value: int) -> None:
        if type(value) is not int or not 0 <= value <= 3:  # the two TempfileControlFlag bits
            value = check_int32(value, "tempfile_control_flags")
            if value & ~_TEMPFILE_BITS or value < 0:
                raise InvalidArgumentError(
                    f"tempfile_control_flags must combine the bits 1 << TempfileControlFlag (0..3), got {value}",
                    lib.TRT_E_INVALID_ARGUMENT,
                )
        try:
            status = _set_tempfile_control_flags(self._h, value)
        except TypeError:
            raise self._closed() from None
        if status:
            self._fail(status)

    @property
    def engine_host_code_allowed(self) -> bool:
        """Whether engines may run host code they carry (version-compatible engines)."""
        try:
            return _get_engine_host_code_allowed(self._h) != 0
        except TypeError:
            raise self._closed() from None

    @engine_host_code_allowed.setter
    def engine_host_code_allowed(self, value: bool) -> None:
        if value is not True and value is not False:
            value = check_bool(value, "engine_host_code_allowed")
        try:
            status = _set_engine_host_code_allowed(self._h, 1 if value else 0)
        except TypeError:
            raise self._closed() from None
        if status:
            self._fail(status)

    @property
    def temporary_directory(self) -> str | None:
        """Where TensorRT writes temporary files; None means ``$TMPDIR``, then ``/tmp``."""
        p = lib.trt_runtime_get_temporary_directory(self._handle())
        return None if p == ffi.NULL else os.fsdecode(ffi.string(p))

    @temporary_directory.setter
    def temporary_directory(self, value: str | os.PathLike[str] | None) -> None:
        if value is None:
            raw = ffi.NULL
        elif isinstance(value, (str, os.PathLike)):
            raw = fs_bytes(value, "temporary_directory")
        else:
            raise TypeError(f"temporary_directory must be str, os.PathLike or None, not {type(value).__name__}")
        status = lib.trt_runtime_set_temporary_directory(self._handle(), raw)
        if status:
            self._fail(status)

    @property
    def error_recorder(self) -> IErrorRecorder | None:
        """The error recorder (the very object set), or None."""
        return self._recorder

    @error_recorder.setter
    def error_recorder(self, value: IErrorRecorder | None) -> None:
        self._recorder, self._recorder_bridge = give_callback(
            self._handle(), lib.trt_runtime_set_error_recorder, value, IErrorRecorder, "error_recorder")

    @property
    def gpu_allocator(self) -> IGpuAllocator | None:
        """The GPU allocator (the very object set), or None for TensorRT's own."""
        return self._allocator

    @gpu_allocator.setter
    def gpu_allocator(self, value: IGpuAllocator | None) -> None:
        # Engines deserialized meanwhile keep the allocator they were made with.
        self._allocator, self._allocator_bridge = give_callback(
            self._handle(), lib.trt_runtime_set_gpu_allocator, value, IGpuAllocator, "gpu_allocator")

    @property
    def dla_workspace_allocation_strategy(self) -> DLAWorkspaceAllocationStrategy:
        """How DLA engines share workspace memory (TensorRT 11.4 and later)."""
        out = ffi.new("int32_t *")
        status = lib.trt_runtime_get_dla_workspace_strategy(self._handle(), out)
        if status:
            self._fail(status)
        return DLAWorkspaceAllocationStrategy(out[0])

    @dla_workspace_allocation_strategy.setter
    def dla_workspace_allocation_strategy(self, value: DLAWorkspaceAllocationStrategy) -> None:
        try:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError
            if isinstance(value, IntEnum) and not isinstance(value, DLAWorkspaceAllocationStrategy):
                raise ValueError
            strategy = DLAWorkspaceAllocationStrategy(value)
        except ValueError:
            raise InvalidArgumentError(
                f"dla_workspace_allocation_strategy must be a DLAWorkspaceAllocationStrategy, got {value!r}",
                lib.TRT_E_INVALID_ARGUMENT,
            ) from None
        status = lib.trt_runtime_set_dla_workspace_strategy(self._handle(), int(strategy))
        if status:
            self._fail(status)

    # ---------------------------------------------------------- engines

    def deserialize(self, source: Any) -> ICudaEngine:
        """Deserialize an engine, raising on failure.

        Parameters
        ----------
        source
            Any C-contiguous buffer (bytes, bytearray, memoryview, mmap, numpy
            array, :class:`IHostMemory`), used in place; a file path (mapped,
            not read into memory); a binary file object (mapped when it is a
            regular file, else streamed); an :class:`IStreamReaderV2`; or an
            :class:`IStreamReader`.

        Raises
        ------
        DeserializationError
            TensorRT refused the data; ``reports`` holds what it said.
        TypeError, ValueError
            ``source`` is none of the above, or not contiguous.
        Exception
            Whatever a Python callback (reader, logger, recorder, allocator)
            raised during the call.
        """
        status, engine = self._deserialize(source)
        if status:
            raise_status(status, prefix="cannot deserialize the engine: ")
        return engine  # type: ignore[return-value]

    def _deserialize(self, source: Any) -> tuple[int, ICudaEngine | None]:
        """One deserialization: the shim's status and the engine."""
        h = self._handle()
        out = ffi.new("trt_engine **")
        with open_source(source) as src:
            if src.mapping is not None:
                status = lib.trt_runtime_deserialize_mapping(h, src.mapping, out)
            elif src.reader is not None:
                reader_bridge = Bridge(src.reader)  # held by this frame for the call
                status = lib.trt_runtime_deserialize_stream(h, READER_FNS, reader_bridge.handle, out)
            else:
                data = ffi.from_buffer(src.buffer)
                try:
                    status = lib.trt_runtime_deserialize(h, data, len(data), out)
                finally:
                    ffi.release(data)
        return status, (None if status else ICudaEngine._adopt(out[0], self))

    def deserialize_cuda_engine(self, serialized_engine: Any) -> ICudaEngine | None:
        """Deserialize an engine; None if TensorRT refuses it (the official behaviour).

        Takes everything :meth:`deserialize` takes. Arguments of the wrong
        type and exceptions raised by Python callbacks still raise; only
        TensorRT's refusal becomes None (its reasons went to the logger).
        """
        if type(serialized_engine) in _PLAIN_BUFFERS:
            # The common case, without the general source handling: one
            # crossing, and no exception built for a refusal nobody sees.
            h = self._h
            if h is None:
                raise self._closed()
            out = ffi.new("trt_engine **")
            data = ffi.from_buffer(serialized_engine)
            try:
                status = lib.trt_runtime_deserialize(h, data, len(data), out)
            finally:
                ffi.release(data)
            if not status:
                return ICudaEngine._adopt(out[0], self)
            if status == lib.TRT_E_DESERIALIZE:
                return None
            raise_status(status, prefix="cannot deserialize the engine: ")
        status, engine = self._deserialize(serialized_engine)
        if status and status != lib.TRT_E_DESERIALIZE:
            raise_status(status, prefix="cannot deserialize the engine: ")
        return engine

    # ---------------------------------------------------------- sub-runtimes, plugins

    def open_lean_runtime(self, path: str | os.PathLike[str]) -> Runtime:
        """Load the lean runtime library at ``path`` and return a runtime of it, raising on failure.

        The new runtime keeps this one alive and logs to the same logger.

        Raises
        ------
        TensorRTError
            TensorRT could not load it; the reasons it gave are in the message.
        TypeError, InvalidArgumentError
            ``path`` is not a path, or holds a NUL character.
        """
        return self._load_runtime(fs_bytes(path, "path"))

    def load_runtime(self, path: str | os.PathLike[str]) -> Runtime | None:
        """Official-compatible :meth:`open_lean_runtime`: None when TensorRT cannot load the library.

        Bad arguments, a closed runtime and exceptions from callbacks still raise.
        """
        raw = fs_bytes(path, "path")
        self._handle()
        try:
            return self._load_runtime(raw)
        except TensorRTError as exc:
            if exc.code != lib.TRT_E_FAILED:
                raise
            return None

    def _load_runtime(self, raw: bytes) -> Runtime:
        h = self._handle()
        # The parent's logger bridge serves the loaded runtime too: the shim's
        # loaded runtime holds its parent, whose bridge stays pinned until the
        # parent goes, so nothing is pinned or released for the child.
        bridge = self._log_bridge
        out = ffi.new("trt_runtime **")
        status = lib.trt_runtime_load_runtime(h, raw, lib._trt_py_log, ffi.NULL, bridge.handle, out)
        if status:
            raise_status(status, prefix=f"cannot load {os.fsdecode(raw)}: ")
        loaded = Runtime.__new__(Runtime)
        loaded._adopt(out[0], self._library, self._logger, bridge, self)
        return loaded

    def get_plugin_registry(self) -> IPluginRegistry:
        """This runtime's plugin registry; it keeps the runtime alive."""
        out = ffi.new("trt_plugin_registry **")
        status = lib.trt_runtime_get_plugin_registry(self._handle(), out)
        if status:
            self._fail(status)
        return IPluginRegistry._adopt(out[0], self)
