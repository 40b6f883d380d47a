"""Shared fixtures: the test-double library, the real TensorRT wheels, and the GPU tier.

The double (tests/double) is compiled from the project's own ABI header once
per session, presenting the TensorRT major of TRT_RUNTIME_TEST_MAJOR (11 by
default, or 10; FAKE_TRT_VERSION picks a 10.x minor). Real libraries are the
same major's: for 11.x the installed wheels ``tensorrt_lean_libs`` /
``tensorrt_dispatch_libs`` (or TRT_RUNTIME_TEST_LEAN / TRT_RUNTIME_TEST_DISPATCH),
for 10.x TRT_RUNTIME_TEST_LEAN10 / TRT_RUNTIME_TEST_DISPATCH10, ./.whl-lean10,
./.whl/trt10, or the wheels' ``libnvinfer_*.so.10``. Tests marked ``gpu`` skip unless TensorRT can
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


# The TensorRT major the double presents in this run: 11 unless
# TRT_RUNTIME_TEST_MAJOR says 10 (test_majors.py runs the suite so; one
# process uses one major, as TensorRT's process-wide state requires).
DOUBLE_MAJOR = int(os.environ.get("TRT_RUNTIME_TEST_MAJOR", "11"))
if DOUBLE_MAJOR not in (10, 11):
    raise pytest.UsageError(f"TRT_RUNTIME_TEST_MAJOR={DOUBLE_MAJOR}: the double presents TensorRT 10 or 11")

# What the double reports (tests/double/README.md): 11.4.0 build 106, or 10.16.1
# build 11; FAKE_TRT_VERSION (major*10000 + minor*100 + patch) overrides the
# version, not the build number.
_DOUBLE_DEFAULT = {11: (110400, 106), 10: (101601, 11)}


def _double_version() -> trt.Version:
    code, build_number = _DOUBLE_DEFAULT[DOUBLE_MAJOR]
    code = int(os.environ.get("FAKE_TRT_VERSION") or code)
    return trt.Version(code // 10000, code // 100 % 100, code % 100, build_number)


#: The version the session's double reports, e.g. 11.4.0.106, 10.16.1.11, 10.0.0.11.
DOUBLE_VERSION = _double_version()


def since_10(minor: int) -> bool:
    """Whether the session's double has what came in TensorRT 10.<minor> (every 11.x does)."""
    return DOUBLE_VERSION.major != 10 or DOUBLE_VERSION.minor >= minor


def other_double_version() -> tuple[str, str]:
    """A FAKE_TRT_VERSION value of the double's major other than the session's, and its version text."""
    v = DOUBLE_VERSION
    minor = v.minor - 1 if v.minor > 0 else v.minor + 1
    code = v.major * 10000 + minor * 100 + v.patch
    return str(code), str(trt.Version(v.major, minor, v.patch, v.build))


_BUILT_DOUBLES: list[pathlib.Path] = []  # the session's doubles, for the missing-slot check


def missing_slot_calls() -> int:
    """Calls into methods the reported 10.x minor lacks, in the session's doubles (0 on 11.x)."""
    if DOUBLE_MAJOR != 10:
        return 0
    import ctypes

    total = 0
    for path in _BUILT_DOUBLES:
        dll = ctypes.CDLL(str(path))  # the same mapping the shim opened: the same counter
        dll.fake_trt_missing_slot_calls.restype = ctypes.c_int32
        total += int(dll.fake_trt_missing_slot_calls())
    return total


@pytest.fixture(autouse=True)
def never_a_missing_slot() -> Iterator[None]:
    """In a 10.x run: the shim never calls a method the reported minor's vtable lacks (the
    double counts such calls, tests/double/README.md "10.x minors"); checked after every test."""
    if DOUBLE_MAJOR != 10:
        yield
        return
    before = missing_slot_calls()
    yield
    after = missing_slot_calls()
    assert after == before, (f"{after - before} call(s) into methods that TensorRT {DOUBLE_VERSION.major}."
                             f"{DOUBLE_VERSION.minor} lacks (the double logged 'is not in TensorRT ...'s vtable')")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    calls = missing_slot_calls()
    if calls:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print(f"\nFAILED: {calls} call(s) into methods that TensorRT {DOUBLE_VERSION.major}.{DOUBLE_VERSION.minor}"
              " lacks, over the session", file=sys.stderr)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "majors: runs the whole suite again as TensorRT 10.x (test_majors.py; "
                                       "deselect with -m 'not majors')")


#: The summary lines of the suites test_majors.py ran in subprocesses, shown at the end.
MAJOR_RUNS: list[str] = []


def pytest_terminal_summary(terminalreporter: "pytest.TerminalReporter", exitstatus: int,
                            config: pytest.Config) -> None:
    if MAJOR_RUNS:
        terminalreporter.section("the suite as other TensorRT versions (test_majors.py)")
        for line in MAJOR_RUNS:
            terminalreporter.write_line(line)


def pytest_report_header(config: pytest.Config) -> str:
    return f"test double: TensorRT {DOUBLE_VERSION} (TRT_RUNTIME_TEST_MAJOR={DOUBLE_MAJOR})"


@pytest.fixture(scope="session")
def fake_lib_path(double_dir: pathlib.Path) -> pathlib.Path:
    path = build(double_dir / "full", major=DOUBLE_MAJOR)
    _BUILT_DOUBLES.append(path)
    return path


@pytest.fixture(scope="session")
def fake_lean_path(double_dir: pathlib.Path) -> pathlib.Path:
    """A second copy of the double, named like the lean library (for load_runtime)."""
    path = build(double_dir / "lean", f"libnvinfer_lean.so.{DOUBLE_MAJOR}", major=DOUBLE_MAJOR)
    _BUILT_DOUBLES.append(path)
    return path


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


REPO = pathlib.Path(__file__).resolve().parents[1]


def _wheel_lib(module: str, name: str, env: str, *folders: str) -> pathlib.Path | None:
    """The library named by ``env``, else ``name`` in one of ``folders`` (of the checkout), else in
    the installed wheel ``module``'s folder; None when none of them has it."""
    if os.environ.get(env):
        return pathlib.Path(os.environ[env])
    places = [REPO / folder for folder in folders]
    spec = importlib.util.find_spec(module)
    places += [pathlib.Path(folder) for folder in ((spec.submodule_search_locations or []) if spec else [])]
    for folder in places:
        path = folder / name
        if path.exists():
            return path
    return None


def _real_libs(major: int) -> dict[str, pathlib.Path | None]:
    """The real lean and dispatch libraries of ``major`` at hand (the real-library and GPU tiers)."""
    if major == 10:
        return {
            "lean": _wheel_lib("tensorrt_lean_libs", "libnvinfer_lean.so.10", "TRT_RUNTIME_TEST_LEAN10",
                               ".whl-lean10", ".whl/trt10"),
            "dispatch": _wheel_lib("tensorrt_dispatch_libs", "libnvinfer_dispatch.so.10", "TRT_RUNTIME_TEST_DISPATCH10",
                                   ".whl-dispatch10", ".whl/trt10"),
        }
    return {
        "lean": _wheel_lib("tensorrt_lean_libs", "libnvinfer_lean.so.11", "TRT_RUNTIME_TEST_LEAN"),
        "dispatch": _wheel_lib("tensorrt_dispatch_libs", "libnvinfer_dispatch.so.11", "TRT_RUNTIME_TEST_DISPATCH"),
    }


#: The real 10.x dispatch library, in any run (test_library.py loads it in subprocesses).
DISPATCH10 = _real_libs(10)["dispatch"]

#: The real libraries of the double's major (one process uses one major): the 11.x wheels in
#: the default run, the 10.x libraries in a run with TRT_RUNTIME_TEST_MAJOR=10.
REAL_LIBS = _real_libs(DOUBLE_MAJOR)


@pytest.fixture(params=["lean", "dispatch"])
def real_lib_path(request: pytest.FixtureRequest) -> pathlib.Path:
    path = REAL_LIBS[request.param]
    if path is None:
        pytest.skip(f"the real TensorRT {DOUBLE_MAJOR}.x {request.param} library is not installed")
    return path


_gpu_state: dict[str, bool] = {}


def gpu_available() -> bool:
    """Whether TensorRT can create a runtime on a real library of the double's major here (cached)."""
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
            pytest.skip(f"the real TensorRT {DOUBLE_MAJOR}.x {request.param} library is not installed")
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
