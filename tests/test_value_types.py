"""The value types: DataType and the other enums (TensorRT's values), nptype, Dims and volume."""

from __future__ import annotations

import numpy as np
import pytest

import trt_runtime as trt


def test_data_type_values_are_tensorrts() -> None:
    # NvInferRuntimeBase.h of 11.x
    assert {m.name: m.value for m in trt.DataType} == {
        "FLOAT": 0, "HALF": 1, "INT8": 2, "INT32": 3, "BOOL": 4, "UINT8": 5, "FP8": 6, "BF16": 7, "INT64": 8,
        "INT4": 9, "FP4": 10, "E8M0": 11}
    assert [m.itemsize for m in trt.DataType] == [4, 2, 1, 4, 1, 1, 1, 2, 8, 0.5, 0.5, 1]
    assert (trt.float32, trt.float16, trt.int8, trt.int32, trt.bool, trt.uint8, trt.fp8, trt.bfloat16, trt.int64,
            trt.int4, trt.fp4, trt.e8m0) == tuple(trt.DataType)


def test_other_enum_values_are_tensorrts() -> None:
    assert [(m.name, m.value) for m in trt.TensorIOMode] == [("NONE", 0), ("INPUT", 1), ("OUTPUT", 2)]
    assert [(m.name, m.value) for m in trt.TensorLocation] == [("DEVICE", 0), ("HOST", 1)]
    assert [m.name for m in trt.TensorFormat] == ["LINEAR", "CHW2", "HWC8", "CHW4", "CHW16", "CHW32", "DHWC8",
                                                  "CDHW32", "HWC", "DLA_LINEAR", "DLA_HWC4", "HWC16", "DHWC"]
    assert [m.value for m in trt.TensorFormat] == list(range(13))
    assert [(m.name, m.value) for m in trt.ExecutionContextAllocationStrategy] == [
        ("STATIC", 0), ("ON_PROFILE_CHANGE", 1), ("USER_MANAGED", 2)]
    assert [(m.name, m.value) for m in trt.EngineCapability] == [("STANDARD", 0), ("SAFETY", 1),
                                                                  ("DLA_STANDALONE", 2)]
    assert [(m.name, m.value) for m in trt.HardwareCompatibilityLevel] == [
        ("NONE", 0), ("AMPERE_PLUS", 1), ("SAME_COMPUTE_CAPABILITY", 2)]
    assert [(m.name, m.value) for m in trt.ProfilingVerbosity] == [("LAYER_NAMES_ONLY", 0), ("NONE", 1),
                                                                    ("DETAILED", 2)]


@pytest.mark.parametrize(("dtype", "np_type"), [
    (trt.DataType.FLOAT, np.float32), (trt.DataType.HALF, np.float16), (trt.DataType.INT8, np.int8),
    (trt.DataType.INT32, np.int32), (trt.DataType.BOOL, np.bool_), (trt.DataType.UINT8, np.uint8),
    (trt.DataType.INT64, np.int64), (5, np.uint8)])
def test_nptype(dtype: trt.DataType, np_type: type) -> None:
    assert trt.nptype(dtype) is np_type


@pytest.mark.parametrize("dtype", [trt.DataType.FP8, trt.DataType.BF16, trt.DataType.INT4, trt.DataType.FP4,
                                   trt.DataType.E8M0, 99])
def test_nptype_without_numpy_equivalent(dtype: trt.DataType) -> None:
    with pytest.raises(TypeError, match="equivalent numpy datatype"):
        trt.nptype(dtype)


def test_dims() -> None:
    d = trt.Dims((1, 3, -1))
    assert d == (1, 3, -1) and isinstance(d, tuple)
    assert d.is_dynamic and not trt.Dims([2, 2]).is_dynamic
    assert repr(d) == "Dims((1, 3, -1))"
    assert trt.Dims() == ()
    assert trt.Dims(np.array([4, 5])) == (4, 5)
    assert trt.Dims.MAX_DIMS == 8
    assert trt.volume(trt.Dims((2, 3, 4))) == 24 and trt.volume(()) == 1
    with pytest.raises(ValueError, match="at most 8"):
        trt.Dims(range(9))
    with pytest.raises(TypeError):
        trt.Dims((1.5,))
    with pytest.raises(TypeError):
        trt.Dims(3)  # type: ignore[arg-type]
