"""Shared fixtures: the test-double library, the real TensorRT wheels, and the GPU tier.

The double (tests/double) is compiled from the project's own ABI header once
per session. Real libraries come from the installed wheels
``tensorrt_lean_libs`` / ``tensorrt_dispatch_libs`` (or TRT_RUNTIME_TEST_LEAN /
TRT_RUNTIME_TEST_DISPATCH). Tests marked ``gpu`` skip unless TensorRT can
create a runtime on a real library here; tests marked ``stress`` skip unless
``-m`` names stress or TRT_RUNTIME_STRESS=1. tests/README.md describes the tiers.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import sys
import threading
from collections.abc import Callable, Iterator

import pytest

import trt_runtime as trt

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from double.build import build, make_plan  # noqa: E402

__all__ = ["RecordingLogger", "make_plan", "run_threads"]

STRESS_ENV = "TRT_RUNTIME_STRESS"


def run_threads(count: int, work: "Callable[[int], None]") -> None:
    """Run ``work(i)`` for i in range(count) on threads released together; re-raise the first failure."""
    failures: list[BaseException] = []
    barrier = threading.Barrier(count)

    def body(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:  # noqa: BLE001 - reported below, on the main thread
            failures.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise failures[0]


class RecordingLogger(trt.ILogger):
    """Keeps every message; thread-safe."""

    def __init__(self) -> None:
        self.messages: list[tuple[trt.Severity, str]] = []
        self._lock = threading.Lock()

    def log(self, severity: trt.Severity, msg: str) -> None:
        with self._lock:
            self.messages.append((severity, msg))

    def errors(self) -> list[str]:
        with self._lock:
            return [m for s, m in self.messages if s <= trt.Severity.ERROR]


@pytest.fixture(autouse=True)
def stress_only(request: pytest.FixtureRequest) -> None:
    """Skip ``stress`` tests unless asked for: ``-m`` naming stress (``-m stress``,
    ``-m "gpu and stress"``), or TRT_RUNTIME_STRESS=1. The plain run then stays short.
    """
    if request.node.get_closest_marker("stress") is None:
        return
    if "stress" in (request.config.getoption("markexpr", "") or "") or os.environ.get(STRESS_ENV) == "1":
        return
    pytest.skip(f"a stress test: select it with -m stress (or {STRESS_ENV}=1)")


@pytest.fixture(scope="session")
def double_dir(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return tmp_path_factory.mktemp("double")


@pytest.fixture(scope="session")
def fake_lib_path(double_dir: pathlib.Path) -> pathlib.Path:
    return build(double_dir / "full")


@pytest.fixture(scope="session")
def fake_lean_path(double_dir: pathlib.Path) -> pathlib.Path:
    """A second copy of the double, named like the lean library (for load_runtime)."""
    return build(double_dir / "lean", "libnvinfer_lean.so.11")


@pytest.fixture(scope="session")
def fake_library(fake_lib_path: pathlib.Path) -> trt.Library:
    return trt.load_library(fake_lib_path)


@pytest.fixture
def logger() -> RecordingLogger:
    return RecordingLogger()


@pytest.fixture
def runtime(fake_library: trt.Library, logger: RecordingLogger) -> Iterator[trt.Runtime]:
    rt = trt.Runtime(logger, library=fake_library)
    yield rt
    rt.close()


def _wheel_lib(module: str, name: str, env: str) -> pathlib.Path | None:
    if os.environ.get(env):
        return pathlib.Path(os.environ[env])
    spec = importlib.util.find_spec(module)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = pathlib.Path(folder) / name
        if path.exists():
            return path
    return None


REAL_LIBS = {
    "lean": _wheel_lib("tensorrt_lean_libs", "libnvinfer_lean.so.11", "TRT_RUNTIME_TEST_LEAN"),
    "dispatch": _wheel_lib("tensorrt_dispatch_libs", "libnvinfer_dispatch.so.11", "TRT_RUNTIME_TEST_DISPATCH"),
}


@pytest.fixture(params=["lean", "dispatch"])
def real_lib_path(request: pytest.FixtureRequest) -> pathlib.Path:
    path = REAL_LIBS[request.param]
    if path is None:
        pytest.skip(f"the real TensorRT {request.param} library is not installed")
    return path


_gpu_state: dict[str, bool] = {}


def gpu_available() -> bool:
    """Whether TensorRT can create a runtime on the real lean library here (cached)."""
    if "ok" not in _gpu_state:
        path = REAL_LIBS["lean"] or REAL_LIBS["dispatch"]
        ok = False
        if path is not None:
            try:
                trt.Runtime(RecordingLogger(), library=trt.load_library(path)).close()
                ok = True
            except trt.TensorRTError:
                ok = False
        _gpu_state["ok"] = ok
    return _gpu_state["ok"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not any(item.get_closest_marker("gpu") for item in items):
        return
    if gpu_available():
        return
    skip = pytest.mark.skip(reason="no usable GPU: TensorRT cannot create a runtime on this machine")
    for item in items:
        if item.get_closest_marker("gpu"):
            item.add_marker(skip)


@pytest.fixture(params=["double", pytest.param("lean", marks=pytest.mark.gpu),
                        pytest.param("dispatch", marks=pytest.mark.gpu)])
def any_runtime(request: pytest.FixtureRequest, fake_library: trt.Library,
                logger: RecordingLogger) -> Iterator[trt.Runtime]:
    """A runtime on the double, and (GPU tier) on each real library."""
    if request.param == "double":
        library = fake_library
    else:
        path = REAL_LIBS[request.param]
        if path is None:
            pytest.skip(f"the real TensorRT {request.param} library is not installed")
        library = trt.load_library(path)
    rt = trt.Runtime(logger, library=library)
    yield rt
    rt.close()


@pytest.fixture
def real_runtime(real_lib_path, logger: RecordingLogger):  # type: ignore[no-untyped-def]
    """A runtime on each real library (GPU tier: use it from ``gpu``-marked tests)."""
    rt = trt.Runtime(logger, library=trt.load_library(real_lib_path))
    yield rt
    rt.close()
