"""One runtime per device in one process, on a machine with two GPUs (GPU tier).

The test double in its CUDA mode (``FAKE_TRT_CUDA=1``: enqueue copies input k
to output k with ``cuMemcpyAsync`` on the given stream) stands in for an
engine; torch gives the device tensors and streams. On fewer than two GPUs
every test here skips, saying so.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

import trt_runtime as trt
from conftest import RecordingLogger, make_plan
from support import current, primary

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.gpu

TENSORS = [("x", 1, 0, (64,)), ("y", 2, 0, (64,))]


@pytest.fixture
def two_gpus(monkeypatch: pytest.MonkeyPatch) -> Any:
    """libcuda through ctypes, with the double's CUDA mode on; skips below two GPUs."""
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if count < 2:
        pytest.skip(f"needs two CUDA GPUs: this machine has {count}")
    monkeypatch.setenv("FAKE_TRT_CUDA", "1")
    cuda = ctypes.CDLL("libcuda.so.1")
    assert cuda.cuInit(0) == 0
    return cuda


def on_threads(work: list[Callable[[], None]]) -> None:
    failures: list[BaseException] = []

    def body(fn: Callable[[], None]) -> None:
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=body, args=(fn,)) for fn in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]


def context_on(library: trt.Library, device: int) -> trt.IExecutionContext:
    runtime = trt.Runtime(RecordingLogger(), library=library, device=device)
    return runtime.deserialize(make_plan("copy", TENSORS)).create_execution_context()


def test_each_runtime_runs_on_its_own_gpu_from_its_own_thread(fake_library: trt.Library, two_gpus: Any) -> None:
    contexts = {d: context_on(fake_library, d) for d in (0, 1)}

    def drive(device: int) -> Callable[[], None]:
        def work() -> None:
            torch.cuda.set_device(1 - device)  # the thread's current device is the other GPU
            before = current(two_gpus)
            stream = torch.cuda.Stream(device=device)
            ctx = contexts[device]
            for i in range(200):
                x = torch.full((64,), float(i + 100 * device), device=f"cuda:{device}")
                y = torch.zeros(64, device=f"cuda:{device}")
                ctx.set_tensor_address("x", x.data_ptr())
                ctx.set_tensor_address("y", y.data_ptr())
                assert ctx.execute_async_v3(stream.cuda_stream) is True
                assert current(two_gpus) == before  # unchanged after every call
                stream.synchronize()
                assert torch.equal(x, y), (device, i)

        return work

    on_threads([drive(0), drive(1)])


def test_a_context_runs_on_its_device_whatever_the_thread_s_current_one(fake_library: trt.Library,
                                                                      two_gpus: Any) -> None:
    seen: list[int] = []

    class Where(trt.IProfiler):
        def report_layer_time(self, layer_name: str, ms: float) -> None:
            seen.append(current(two_gpus))

    ctx = context_on(fake_library, 1)
    ctx.profiler = Where()
    torch.cuda.set_device(0)
    torch.zeros(1, device="cuda:0")  # device 0's context is current on this thread now
    mine = current(two_gpus)
    x = torch.arange(64, dtype=torch.float32, device="cuda:1")
    y = torch.zeros(64, device="cuda:1")
    binding = ctx.bind({"x": x, "y": y})
    assert binding.execute(0) is True
    torch.cuda.synchronize(1)
    assert torch.equal(x, y)
    assert seen == [primary(two_gpus, 1)] and current(two_gpus) == mine


def test_a_tensor_on_the_wrong_gpu_is_refused(fake_library: trt.Library, two_gpus: Any) -> None:
    ctx = context_on(fake_library, 1)
    wrong = torch.zeros(64, device="cuda:0")
    with pytest.raises(trt.InvalidArgumentError, match="'x' is on CUDA device 0, but this context runs on device 1"):
        ctx.set_tensor_address("x", wrong)
    with pytest.raises(trt.InvalidArgumentError, match="on CUDA device 0"):
        ctx.bind({"x": wrong, "y": torch.zeros(64, device="cuda:1")})


def test_two_gpus_together_are_not_serialised(fake_library: trt.Library, two_gpus: Any,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    n = 2000
    contexts = {d: context_on(fake_library, d) for d in (0, 1)}
    tensors = {d: (torch.ones(64, device=f"cuda:{d}"), torch.zeros(64, device=f"cuda:{d}")) for d in (0, 1)}
    bindings = {d: contexts[d].bind({"x": tensors[d][0], "y": tensors[d][1]}) for d in (0, 1)}
    streams = {d: torch.cuda.Stream(device=d) for d in (0, 1)}

    def run(device: int) -> Callable[[], None]:
        def work() -> None:
            b, s = bindings[device], streams[device].cuda_stream
            for _ in range(n):
                b.execute(s)
            streams[device].synchronize()

        return work

    run(0)()  # warm-up
    t0 = time.perf_counter()
    run(0)()
    one = time.perf_counter() - t0
    t0 = time.perf_counter()
    on_threads([run(0), run(1)])
    both = time.perf_counter() - t0
    speedup = 2 * one / both
    with capsys.disabled():
        print(f"\n[two GPUs] {n} inferences: one GPU {one * 1e3:.1f} ms; two GPUs together, {n} each, "
              f"{both * 1e3:.1f} ms: throughput x{speedup:.2f} of one")
    # Serialised, two GPUs would give x1.0 at best; the threads share one GIL for their Python part
    # (measured x1.28 to x1.63 on two H200s), so the bar sits between.
    assert speedup > 1.15, f"the two GPUs serialised: x{speedup:.2f}"
