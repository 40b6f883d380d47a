"""Where ``python -m trt_runtime run`` puts tensors: host memory (numpy) or CUDA memory (cuda-python)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._errors import TensorRTError
from .common import UsageError
from .cuda import runtime_api

if TYPE_CHECKING:
    import numpy as np

__all__ = ["HostMemory", "DeviceMemory", "gpu_present", "choose_memory"]


def _cudart() -> Any:
    """cuda-python's runtime API, or UsageError saying how to install it."""
    cudart = runtime_api()
    if cudart is None:
        raise UsageError("--memory device needs cuda-python: pip install cuda-python")
    return cudart


class HostMemory:
    """Tensors in host memory (numpy arrays): for host tensors, or a library that runs on the host."""

    kind = "host"

    def __init__(self) -> None:
        self.stream = 0

    def allocate(self, array: np.ndarray) -> Any:
        return array  # the array itself is the tensor memory

    def upload(self, memory: Any, array: np.ndarray) -> None:
        pass

    def download(self, memory: Any, array: np.ndarray) -> np.ndarray:
        import numpy as np

        return np.array(memory, copy=True)

    def synchronize(self) -> None:
        pass

    def close(self) -> None:
        pass


class DeviceMemory:
    """Tensors in CUDA memory, through cuda-python's runtime API."""

    kind = "device"

    def __init__(self, cudart: Any = None) -> None:
        if cudart is None:
            cudart = _cudart()
        self._rt = cudart
        self._pointers: list[int] = []
        self._stream_obj: Any = self._check(cudart.cudaStreamCreate(), "cudaStreamCreate")
        self.stream = int(self._stream_obj)

    @staticmethod
    def _check(result: Any, what: str) -> Any:
        err, *rest = result if isinstance(result, tuple) else (result,)
        if int(err) != 0:
            raise TensorRTError(f"{what} failed: {getattr(err, 'name', err)}", 1)
        return rest[0] if rest else None

    def allocate(self, array: np.ndarray) -> int:
        ptr = int(self._check(self._rt.cudaMalloc(max(array.nbytes, 1)), "cudaMalloc"))
        self._pointers.append(ptr)
        return ptr

    def upload(self, memory: int, array: np.ndarray) -> None:
        if array.nbytes:
            kind = self._rt.cudaMemcpyKind.cudaMemcpyHostToDevice
            self._check(self._rt.cudaMemcpy(memory, array.ctypes.data, array.nbytes, kind), "cudaMemcpy")

    def download(self, memory: int, array: np.ndarray) -> np.ndarray:
        import numpy as np

        out = np.empty_like(array)
        if out.nbytes:
            kind = self._rt.cudaMemcpyKind.cudaMemcpyDeviceToHost
            self._check(self._rt.cudaMemcpy(out.ctypes.data, memory, out.nbytes, kind), "cudaMemcpy")
        return out

    def synchronize(self) -> None:
        self._check(self._rt.cudaStreamSynchronize(self._stream_obj), "cudaStreamSynchronize")

    def close(self) -> None:
        for ptr in self._pointers:
            self._rt.cudaFree(ptr)
        self._pointers.clear()
        if self._stream_obj is not None:
            self._rt.cudaStreamDestroy(self._stream_obj)
            self._stream_obj = None


def gpu_present() -> bool:
    """Whether cuda-python is installed and counts at least one CUDA device."""
    cudart = runtime_api()
    if cudart is None:
        return False
    try:
        err, count = cudart.cudaGetDeviceCount()
        return int(err) == 0 and count > 0
    except Exception:  # noqa: BLE001 - a missing driver shows up in many forms
        return False


def choose_memory(mode: str) -> HostMemory | DeviceMemory:
    """The memory for ``--memory mode``: ``host``, ``device``, or ``auto`` (device when a GPU answers, else host).

    Raises
    ------
    UsageError
        ``device`` without cuda-python, or without a CUDA device.
    """
    if mode == "host":
        return HostMemory()
    if mode == "device":
        _cudart()
        if not gpu_present():
            raise UsageError("--memory device needs a CUDA device, and none answers here: use --memory host (or auto)")
        return DeviceMemory()
    return DeviceMemory() if gpu_present() else HostMemory()
