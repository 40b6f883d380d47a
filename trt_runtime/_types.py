"""Values of engines and contexts: data types, tensor modes, shapes.

Names and values are TensorRT's (``NvInferRuntimeBase.h``, ``NvInferRuntime.h``
and ``NvInfer.h`` of 11.x), spelled as in the official ``tensorrt`` module.

Which file
----------
This module holds what describes an engine, its I/O tensors or its execution
contexts: their enumerations (``DataType``, ``TensorIOMode``,
``TensorLocation``, ``TensorFormat``, ``ExecutionContextAllocationStrategy``,
``EngineCapability``, ``HardwareCompatibilityLevel``, ``ProfilingVerbosity``,
``OptProfileSelector``), the value types built on them (:class:`Dims`) and
their helpers (``nptype``, ``volume``, the ``trt.float32``-style aliases).

Enumerations that exist without an engine (runtime settings, and the values
passed through loggers, error recorders, allocators and stream readers) go in
:mod:`trt_runtime._enums`.
"""

from __future__ import annotations

import builtins
import operator
from collections.abc import Iterable
from enum import IntEnum
from typing import TYPE_CHECKING, Any, TypeVar

from ._enums import TrtEnum
from ._ffi import ffi

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "DataType",
    "TensorIOMode",
    "TensorLocation",
    "TensorFormat",
    "ExecutionContextAllocationStrategy",
    "EngineCapability",
    "HardwareCompatibilityLevel",
    "ProfilingVerbosity",
    "OptProfileSelector",
    "EngineStat",
    "LayerInformationFormat",
    "SerializationFlag",
    "TacticSource",
    "Dims",
    "nptype",
    "volume",
    "MAX_DIMS",
]

MAX_DIMS = 8
_I64_MIN, _I64_MAX = -(1 << 63), (1 << 63) - 1

E = TypeVar("E", bound=IntEnum)


class DataType(TrtEnum):
    """Element type of a tensor."""

    FLOAT = 0
    HALF = 1
    INT8 = 2
    INT32 = 3
    BOOL = 4
    UINT8 = 5
    FP8 = 6
    BF16 = 7
    INT64 = 8
    INT4 = 9
    FP4 = 10
    E8M0 = 11

    @property
    def itemsize(self) -> float:
        """Bytes per element, as in the official API (0.5 for the 4-bit types)."""
        return _BITS[self] / 8


_BITS = {
    DataType.FLOAT: 32,
    DataType.HALF: 16,
    DataType.INT8: 8,
    DataType.INT32: 32,
    DataType.BOOL: 8,
    DataType.UINT8: 8,
    DataType.FP8: 8,
    DataType.BF16: 16,
    DataType.INT64: 64,
    DataType.INT4: 4,
    DataType.FP4: 4,
    DataType.E8M0: 8,
}


class TensorIOMode(TrtEnum):
    """Whether a tensor is an input or an output of the engine (NONE: not an I/O tensor)."""

    NONE = 0
    INPUT = 1
    OUTPUT = 2


class TensorLocation(TrtEnum):
    """Where a tensor's data lives."""

    DEVICE = 0
    HOST = 1


class TensorFormat(TrtEnum):
    """Memory layout of a tensor."""

    LINEAR = 0
    CHW2 = 1
    HWC8 = 2
    CHW4 = 3
    CHW16 = 4
    CHW32 = 5
    DHWC8 = 6
    CDHW32 = 7
    HWC = 8
    DLA_LINEAR = 9
    DLA_HWC4 = 10
    HWC16 = 11
    DHWC = 12


class ExecutionContextAllocationStrategy(TrtEnum):
    """How a new execution context gets its device memory."""

    STATIC = 0
    ON_PROFILE_CHANGE = 1
    USER_MANAGED = 2


class EngineCapability(TrtEnum):
    """The kind of engine that was built."""

    STANDARD = 0
    SAFETY = 1
    DLA_STANDALONE = 2


class HardwareCompatibilityLevel(TrtEnum):
    """Which GPU architectures besides the building one an engine runs on."""

    NONE = 0
    AMPERE_PLUS = 1
    SAME_COMPUTE_CAPABILITY = 2


class ProfilingVerbosity(TrtEnum):
    """How much layer information an engine keeps."""

    LAYER_NAMES_ONLY = 0
    NONE = 1
    DETAILED = 2


class OptProfileSelector(TrtEnum):
    """Which shape of an optimization profile."""

    MIN = 0
    OPT = 1
    MAX = 2


class EngineStat(TrtEnum):
    """What ``ICudaEngine.get_engine_stat`` measures (TensorRT 10.14+)."""

    TOTAL_WEIGHTS_SIZE = 0
    STRIPPED_WEIGHTS_SIZE = 1


class LayerInformationFormat(TrtEnum):
    """Format of an engine inspector's layer information (``EngineInspector.get_layer_information``)."""

    ONELINE = 0
    JSON = 1


class SerializationFlag(TrtEnum):
    """Bit offsets of a serialization config's flags (``ISerializationConfig.flags``; ``INCLUDE_REFIT``: TensorRT 10.14+)."""

    EXCLUDE_WEIGHTS = 0
    EXCLUDE_LEAN_RUNTIME = 1
    INCLUDE_REFIT = 2


class TacticSource(TrtEnum):
    """Bit offsets in ``ICudaEngine.tactic_sources``."""

    EDGE_MASK_CONVOLUTIONS = 0
    JIT_CONVOLUTIONS = 1


def enum_or_int(cls: type[E], value: int) -> E | int:
    """``cls(value)``, or the plain int for a value a newer library added."""
    try:
        return cls(value)
    except ValueError:
        return value


class Dims(tuple[int, ...]):
    """A tensor shape: a tuple of extents, -1 for a dynamic one (at most 8).

    ``Dims((1, 3, 224, 224))``, ``Dims([2, -1])``. Equal to the plain tuple
    of the same extents.

    Parameters
    ----------
    shape : iterable of int
        The extents: ints, or objects with ``__index__`` (numpy integers).
        Bools, floats (numpy's too) and strings are refused, as are str,
        bytes, bytearray and memoryview as the shape itself (their items
        would pass for extents).

    Raises
    ------
    TypeError
        ``shape`` is not an iterable of ints, or an extent is not an int.
    ValueError
        More than 8 extents, or an extent that does not fit in 64 bits.

    Examples
    --------
    >>> import trt_runtime as trt
    >>> shape = trt.Dims((8, 3, 224, 224))
    >>> shape
    Dims((8, 3, 224, 224))
    >>> shape == (8, 3, 224, 224), trt.volume(shape), trt.Dims([-1, 3]).is_dynamic
    (True, 1204224, True)
    >>> trt.Dims((2, True))
    Traceback (most recent call last):
    TypeError: shape[1] must be an int, not bool (in shape (2, True))
    """

    __slots__ = ()

    MAX_DIMS = MAX_DIMS

    def __new__(cls, shape: Iterable[Any] = ()) -> Dims:
        if isinstance(shape, (str, bytes, bytearray, memoryview)):
            raise TypeError(f"shape must be a sequence of ints, not {type(shape).__name__} {shape!r}")
        try:
            items = tuple(shape)
        except TypeError:
            raise TypeError(f"shape must be a sequence of ints, not {type(shape).__name__} {shape!r}") from None
        extents = tuple(e if type(e) is int else _extent(e, k, shape) for k, e in enumerate(items))
        if len(extents) > MAX_DIMS:
            raise ValueError(f"a shape has at most {MAX_DIMS} extents, got {len(extents)}")
        for k, e in enumerate(extents):
            if not _I64_MIN <= e <= _I64_MAX:
                raise ValueError(f"shape[{k}] = {e} does not fit in 64 bits")
        return super().__new__(cls, extents)

    @classmethod
    def _from_c(cls, dims: Any) -> Dims:
        return tuple.__new__(cls, ffi.unpack(dims.d, dims.nb_dims))

    def __repr__(self) -> str:
        return f"Dims({tuple(self)!r})"

    @property
    def is_dynamic(self) -> builtins.bool:
        """Whether an extent is -1 (unknown until the input shape is set)."""
        return any(e < 0 for e in self)


def _extent(value: Any, k: int, shape: Any) -> int:
    """Extent ``k`` of ``shape`` as an int: a bool (numpy's too) or a float is a TypeError naming it.

    (``bool`` in this module is the ``trt.bool`` alias of ``DataType.BOOL``: the builtin is ``builtins.bool``.)
    """
    kind = type(value)
    if isinstance(value, builtins.bool) or (kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_")):
        raise TypeError(f"shape[{k}] must be an int, not bool (in shape {shape!r})")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"shape[{k}] must be an int, not {kind.__name__} (in shape {shape!r})") from None


def volume(shape: Iterable[int]) -> int:
    """Product of the extents (1 for a scalar shape), as ``trt.volume``."""
    n = 1
    for e in shape:
        n *= e
    return n


# numpy is imported on first use of nptype(), not with trt_runtime.
_NUMPY_NAMES = {
    DataType.FLOAT: "float32",
    DataType.HALF: "float16",
    DataType.INT8: "int8",
    DataType.INT32: "int32",
    DataType.BOOL: "bool_",
    DataType.UINT8: "uint8",
    DataType.INT64: "int64",
}


def nptype(trt_type: DataType | int) -> type[np.generic]:
    """The numpy type of a :class:`DataType`, as ``trt.nptype``.

    Raises
    ------
    TypeError
        The type has no numpy equivalent (FP8, BF16, INT4, FP4, E8M0).
    """
    import numpy

    try:
        return getattr(numpy, _NUMPY_NAMES[DataType(trt_type)])  # type: ignore[no-any-return]
    except (KeyError, ValueError):
        raise TypeError(
            f"Could not resolve TensorRT datatype {trt_type!r} to an equivalent numpy datatype "
            "(numpy has none for FP8, BF16, INT4, FP4 and E8M0)"
        ) from None


# The official module-level aliases (``trt.float32`` ...).
float32 = DataType.FLOAT
float16 = DataType.HALF
int8 = DataType.INT8
int32 = DataType.INT32
bool = DataType.BOOL  # noqa: A001 - the official name
uint8 = DataType.UINT8
fp8 = DataType.FP8
bfloat16 = DataType.BF16
int64 = DataType.INT64
int4 = DataType.INT4
fp4 = DataType.FP4
e8m0 = DataType.E8M0
