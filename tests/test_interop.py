"""Streams and tensor memory from other libraries, and the value types (DataType, Dims, nptype)."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

import trt_runtime as trt
from trt_runtime._ffi import ffi as cffi_ffi
from trt_runtime._interop import memory_info


class StreamMethod:
    def __init__(self, handle: int) -> None:
        self.handle = handle

    def __cuda_stream__(self) -> tuple[int, int]:
        return (0, self.handle)


class StreamAttribute:
    __cuda_stream__ = (0, 0x5000)


class TorchLikeStream:
    cuda_stream = 0x6000


class CupyLikeStream:
    ptr = 0x7000


class BadProtocol:
    def __cuda_stream__(self) -> int:
        return 3


class CudaArray:
    """A device array as Numba, CuPy or PyTorch present one."""

    def __init__(self, address: int, shape: tuple[int, ...], readonly: bool = False, typestr: str = "<f4",
                 strides: tuple[int, ...] | None = None) -> None:
        self.__cuda_array_interface__ = {"data": (address, readonly), "shape": shape, "typestr": typestr,
                                         "strides": strides, "version": 3}


class TorchLikeTensor:
    shape = (2, 3)
    nbytes = 24
    is_cuda = True

    def data_ptr(self) -> int:
        return 0xABC000

    def __index__(self) -> int:  # a one-element integer tensor converts to its value: never use that
        return 5


# ------------------------------------------------------------------ streams


def test_streams_from_everything() -> None:
    from cuda.bindings import driver, runtime

    assert trt.as_stream(0) == 0
    assert trt.as_stream(0x1234) == 0x1234
    assert trt.as_stream(None) == 0
    assert trt.as_stream(ctypes.c_void_p(0x2000)) == 0x2000
    assert trt.as_stream(ctypes.c_void_p(None)) == 0
    assert trt.as_stream(StreamMethod(0x3000)) == 0x3000
    assert trt.as_stream(StreamAttribute()) == 0x5000
    assert trt.as_stream(TorchLikeStream()) == 0x6000
    assert trt.as_stream(CupyLikeStream()) == 0x7000
    assert trt.as_stream(np.uint64(0x8000)) == 0x8000
    assert trt.as_stream(runtime.cudaStream_t(0x9000)) == 0x9000  # not getPtr(): that is where the handle is stored
    assert trt.as_stream(driver.CUstream(0xA000)) == 0xA000
    assert trt.as_stream(cffi_ffi.cast("void *", 0xB000)) == 0xB000


@pytest.mark.parametrize("bad", [True, 1.0, "0", b"0", object(), BadProtocol()])
def test_bad_streams_are_type_errors(bad: object) -> None:
    with pytest.raises(TypeError):
        trt.as_stream(bad)


@pytest.mark.parametrize("bad", [-1, 1 << 64, StreamMethod(-3)])
def test_streams_out_of_range(bad: object) -> None:
    with pytest.raises(ValueError, match="64-bit"):
        trt.as_stream(bad)


# ------------------------------------------------------------------ memory


def test_addresses_from_everything() -> None:
    from cuda.bindings import driver

    array = np.zeros((2, 3), np.float32)
    assert trt.as_address(0x1000) == 0x1000
    assert trt.as_address(array) == array.ctypes.data
    assert trt.as_address(CudaArray(0x7F0000, (4,))) == 0x7F0000
    assert trt.as_address(ctypes.c_void_p(0x2000)) == 0x2000
    assert trt.as_address(ctypes.c_void_p(None)) == 0
    pointer = array.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
    assert trt.as_address(pointer) == array.ctypes.data
    buf = (ctypes.c_char * 16)()
    assert trt.as_address(buf) == ctypes.addressof(buf)
    assert trt.as_address(driver.CUdeviceptr(0x3000)) == 0x3000
    assert trt.as_address(TorchLikeTensor()) == 0xABC000  # data_ptr(), never __index__
    assert trt.as_address(np.uint64(0x4000)) == 0x4000
    cbuf = cffi_ffi.new("char[]", 8)
    assert trt.as_address(cbuf) == int(cffi_ffi.cast("uintptr_t", cbuf))


def test_memory_info_details() -> None:
    array = np.zeros((2, 3), np.float32)
    info = memory_info(array)
    assert info == (array.ctypes.data, 24, False, (2, 3), False)
    array.flags.writeable = False
    assert memory_info(array).readonly is True
    assert memory_info(CudaArray(0x1000, (2, 4), readonly=True)) == (0x1000, 32, True, (2, 4), True)
    strided = CudaArray(0x1000, (2, 4), typestr="<f4", strides=(32, 4))
    assert memory_info(strided).nbytes == 4 + 32 + 12  # first to past the last element
    assert memory_info(np.zeros(0, np.float32)).nbytes == 0
    assert memory_info(TorchLikeTensor()) == (0xABC000, 24, False, (2, 3), True)
    assert memory_info((ctypes.c_char * 16)()).nbytes == 16
    assert memory_info(cffi_ffi.new("int[4]")).nbytes == 16
    assert memory_info(cffi_ffi.cast("void *", 64)).nbytes is None
    empty = CudaArray(0, (0,))
    empty.__cuda_array_interface__["data"] = None
    assert memory_info(empty).address == 0


@pytest.mark.parametrize("bad", [None, True, 1.5, "0x10", b"\0", object(), np.float32(1.0), np.bool_(True)])
def test_bad_memory_is_a_type_error(bad: object) -> None:
    with pytest.raises(TypeError):
        trt.as_address(bad)


def test_cffi_struct_is_not_memory() -> None:
    with pytest.raises(TypeError, match="not tensor memory"):
        trt.as_address(cffi_ffi.new("trt_dims *")[0])


@pytest.mark.parametrize("bad", [-1, 1 << 64, CudaArray(-5, (1,))])
def test_addresses_out_of_range(bad: object) -> None:
    with pytest.raises(ValueError, match="64-bit"):
        trt.as_address(bad)


# ------------------------------------------------------------------ value types


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


def test_import_does_not_load_numpy() -> None:
    import subprocess
    import sys

    code = "import sys, trt_runtime; print('numpy' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
