"""Streams and device memory of real CUDA libraries (marker ``gpu``): torch and cuda-python."""

from __future__ import annotations

import pytest

import trt_runtime as trt

pytestmark = pytest.mark.gpu


def test_torch_cuda_tensor_and_stream() -> None:
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("torch sees no CUDA device")
    x = torch.zeros(16, device="cuda")
    assert trt.as_address(x) == x.data_ptr() != 0
    stream = torch.cuda.Stream()
    assert trt.as_stream(stream) == stream.cuda_stream != 0
    assert trt.as_stream(torch.cuda.default_stream()) == torch.cuda.default_stream().cuda_stream


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
