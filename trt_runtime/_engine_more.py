"""More of the official ``ICudaEngine`` API: engine statistics, aliased inputs, shape-input profile values,
runtime and serialization configs, engine inspectors.

:class:`EngineMore` is a base of :class:`~trt_runtime.ICudaEngine` only; it
has no state of its own. Methods a 10.x library lacks raise
:class:`UnsupportedError` naming the version that has them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._context import IExecutionContext
from ._errors import check_int32
from ._ffi import ffi, lib
from ._host_memory import IHostMemory
from ._iotable import decode_name
from ._runtime_config import EngineInspector, IRuntimeConfig, ISerializationConfig
from ._types import EngineStat, OptProfileSelector

if TYPE_CHECKING:
    from trt_runtime import ICudaEngine  # through the package face: no import cycle
    from ._iotable import IOTable
    from ._types import Dims

__all__ = ["EngineMore"]


class EngineMore:
    """The :class:`ICudaEngine` methods of engine statistics, aliasing and shape-input values."""

    __slots__ = ()

    if TYPE_CHECKING:  # what ICudaEngine provides
        def _handle(self) -> Any: ...
        def _table(self) -> IOTable: ...
        def _fail(self, status: int) -> None: ...
        def _weight_streaming(self, which: int) -> int: ...
        def get_tensor_shape(self, name: str) -> Dims: ...

    def get_engine_stat(self, stat: EngineStat = EngineStat.TOTAL_WEIGHTS_SIZE) -> int:
        """A statistic of the engine (bytes), ``EngineStat.TOTAL_WEIGHTS_SIZE`` by default.

        Raises InvalidArgumentError when TensorRT has no answer (it returns -1),
        UnsupportedError before TensorRT 10.14.
        """
        out = ffi.new("int64_t *")
        status = lib.trt_engine_get_engine_stat(self._handle(), check_int32(stat, "stat"), out)
        if status:
            self._fail(status)
        return out[0]  # type: ignore[no-any-return]

    def get_aliased_input_tensor(self, name: str) -> str | None:
        """The input that output ``name`` shares its memory with, or None (TensorRT 10.15+)."""
        out = ffi.new("const char **")
        status = lib.trt_engine_aliased_input_tensor(self._handle(), self._table().encode(name), out)
        if status:
            self._fail(status)
        return None if out[0] == ffi.NULL else decode_name(ffi.string(out[0]))

    def get_tensor_profile_values(self, name: str, profile_index: int) -> list[list[int]]:
        """The min, opt and max values of shape input ``name`` in optimization profile ``profile_index``.

        Raises InvalidArgumentError for a tensor that is not a shape input
        (the official bindings raise too). The official signature names its
        parameters ``name`` and ``profile_index`` (its annotations swap their
        types; the order is the same).
        """
        raw = self._table().encode(name)
        shape = self.get_tensor_shape(name)
        count = 1
        for extent in shape:
            count *= max(extent, 0)
        profile = check_int32(profile_index, "profile_index")
        values = ffi.new("int64_t[]", max(count, 1))
        result = []
        for which in OptProfileSelector:
            status = lib.trt_engine_profile_tensor_values(self._handle(), raw, profile, int(which), count, values)
            if status:
                self._fail(status)
            result.append(list(values[0:count]))
        return result

    # ---------------------------------------------------------- configs and the inspector

    def _engine(self) -> ICudaEngine:
        return self  # type: ignore[return-value]  # EngineMore is a base of ICudaEngine only

    def create_runtime_config(self) -> IRuntimeConfig:
        """A new :class:`IRuntimeConfig` (strategy ``STATIC``); it keeps this engine alive. TensorRT 10.11+."""
        out = ffi.new("trt_runtime_config **")
        status = lib.trt_engine_create_runtime_config(self._handle(), out)
        if status:
            self._fail(status)
        return IRuntimeConfig._adopt(out[0], self._engine())

    def _create_context_with_config(self, config: IRuntimeConfig) -> IExecutionContext:
        """``create_execution_context(runtime_config=config)``: a context with the config's strategy, holding it."""
        if not isinstance(config, IRuntimeConfig):
            raise TypeError(f"runtime_config must be a trt_runtime.IRuntimeConfig or None, not {type(config).__name__}")
        handle = config._handle()
        strategy = config.get_execution_context_allocation_strategy()
        table = self._table()
        out = ffi.new("trt_context **")
        status = lib.trt_engine_create_context_with_config(self._handle(), handle, out)
        if status:
            self._fail(status)
        return IExecutionContext._adopt(out[0], self._engine(), table, strategy)

    def create_serialization_config(self) -> ISerializationConfig:
        """A new :class:`ISerializationConfig` (no flag set); it keeps this engine alive."""
        out = ffi.new("trt_serialization_config **")
        status = lib.trt_engine_create_serialization_config(self._handle(), out)
        if status:
            self._fail(status)
        return ISerializationConfig._adopt(out[0], self._engine())

    def serialize_with_config(self, config: ISerializationConfig) -> IHostMemory:
        """The plan, serialized as ``config``'s flags say, as :class:`IHostMemory` (as :meth:`serialize`)."""
        if not isinstance(config, ISerializationConfig):
            raise TypeError(f"config must be a trt_runtime.ISerializationConfig, not {type(config).__name__}")
        handle = config._handle()
        out = ffi.new("trt_host_memory **")
        status = lib.trt_engine_serialize_with_config(self._handle(), handle, out)
        if status:
            self._fail(status)
        return IHostMemory._adopt(out[0])

    def create_engine_inspector(self) -> EngineInspector:
        """A new :class:`EngineInspector` of this engine; it keeps the engine alive."""
        out = ffi.new("trt_engine_inspector **")
        status = lib.trt_engine_create_inspector(self._handle(), out)
        if status:
            self._fail(status)
        return EngineInspector._adopt(out[0], self._engine())

    def get_weight_streaming_automatic_budget(self) -> int:
        """The budget TensorRT would choose for weight streaming (bytes); ``weight_streaming_automatic_budget``."""
        return self._weight_streaming(1)
