"""Streams and tensor memory from other libraries: as_stream, as_address, memory_info.

Stand-ins for PyTorch, CuPy, Numba and cuda-python objects on the CPU; in the GPU
tier (marker ``gpu``), real torch and cuda-python streams and device memory, and
a GPU allocator written with cuda-python. The value types (DataType, Dims,
nptype): test_value_types.py.
"""

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


# ------------------------------------------------------------------ real CUDA libraries (GPU tier)


@pytest.mark.gpu
def test_torch_cuda_tensor_and_stream() -> None:
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("torch sees no CUDA device")
    x = torch.zeros(16, device="cuda")
    assert trt.as_address(x) == x.data_ptr() != 0
    stream = torch.cuda.Stream()
    assert trt.as_stream(stream) == stream.cuda_stream != 0
    assert trt.as_stream(torch.cuda.default_stream()) == torch.cuda.default_stream().cuda_stream


@pytest.mark.gpu
def test_cuda_python_stream_and_allocation() -> None:
    runtime = pytest.importorskip("cuda.bindings.runtime")
    err, stream = runtime.cudaStreamCreate()
    assert err == runtime.cudaError_t.cudaSuccess
    err, ptr = runtime.cudaMalloc(1024)
    assert err == runtime.cudaError_t.cudaSuccess
    try:
        assert trt.as_stream(stream) == int(stream) != 0
        assert trt.as_address(ptr) == int(ptr) != 0
    finally:
        runtime.cudaFree(ptr)
        runtime.cudaStreamDestroy(stream)


@pytest.mark.gpu
def test_gpu_allocator_written_with_cuda_python_serves_tensorrt(real_lib_path) -> None:  # type: ignore[no-untyped-def]
    """The allocator round trip on the real library: TensorRT refuses junk before allocating, so
    this checks the allocator is installed and that junk still fails cleanly with it set."""
    runtime = pytest.importorskip("cuda.bindings.runtime")

    class CudaAllocator(trt.IGpuAllocator):
        def __init__(self) -> None:
            self.live: set[int] = set()

        def allocate(self, size: int, alignment: int, flags: int) -> int:
            err, ptr = runtime.cudaMalloc(size)
            if err != runtime.cudaError_t.cudaSuccess:
                return 0
            self.live.add(int(ptr))
            return int(ptr)

        def deallocate(self, memory: int) -> bool:
            self.live.discard(memory)
            return runtime.cudaFree(memory)[0] == runtime.cudaError_t.cudaSuccess

    from conftest import RecordingLogger

    rt = trt.Runtime(RecordingLogger(), library=trt.load_library(real_lib_path))
    alloc = CudaAllocator()
    rt.gpu_allocator = alloc
    assert rt.gpu_allocator is alloc
    assert rt.deserialize_cuda_engine(b"\x01" * 4096) is None
    assert not alloc.live
    rt.close()
