"""Serving engines with Ray Serve (examples/serve_ray.py) on the test double.

A local Ray instance on this machine (2 CPUs, no dashboard, no usage
statistics, HTTP on the loopback only) runs two replicas of the example on
the double, with host memory and no GPU (``num_gpus: 0``). The replicas find
the double through ``TRT_RUNTIME_LIBRARY`` and the example through
``PYTHONPATH``, both given in Ray's ``runtime_env``. The double copies input k
to output k, so every answer must equal its request.

Marker ``serve``; skipped, saying so, where Ray Serve is not installed
(``pip install -e '.[serve]'``; CI installs it). In the 10.x reruns of the
suite (test_majors.py) it skips: the example does not depend on the major,
and each run starts Ray again, which takes about half a minute here.
"""

from __future__ import annotations

import logging
import os
import pathlib
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np
import pytest

import trt_runtime as trt
from conftest import make_plan, run_threads

pytestmark = [
    pytest.mark.serve,
    pytest.mark.skipif("TRT_RUNTIME_TEST_MAJOR" in os.environ,
                       reason="a rerun of the suite as one major (test_majors.py): the 11.x run serves"),
]

# Read by Ray when imported: no usage statistics, and its single-machine mode, where every Ray service
# listens on, and is reached at, the loopback address (not the machine's own address).
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
ray = pytest.importorskip("ray", reason="Ray Serve is not installed: pip install -e '.[serve]'")
serve = pytest.importorskip("ray.serve", reason="Ray Serve is not installed: pip install -e '.[serve]'")

REPO = pathlib.Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
sys.path.insert(0, str(EXAMPLES))
import serve_ray  # noqa: E402

WIDTH = 4  # extents of one sample of x (and y)
MAX_BATCH = 16  # the profile's largest batch
REQUESTS = 200
THREADS = 8
KILL_AFTER = 60  # answers before one replica is killed
APP = "trt"


def served_plan(path: pathlib.Path) -> pathlib.Path:
    """A plan with input x and output y of shape (batch, WIDTH), batches 1..MAX_BATCH."""
    path.write_bytes(make_plan("served", [("x", 1, 0, (-1, WIDTH)), ("y", 2, 0, (-1, WIDTH))],
                               profile_min={"x": (1, WIDTH)}, profile_opt={"x": (8, WIDTH)},
                               profile_max={"x": (MAX_BATCH, WIDTH)}))
    return path


def sample(i: int) -> np.ndarray:
    """Request i's sample: values no other request sends, exact in float32."""
    return (i * 8 + np.arange(WIDTH)).astype(np.float32) / 8


class Keep(logging.Handler):
    """Keeps the records it is given."""

    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__()
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


# ------------------------------------------------------------------ the runner, in this process


def test_a_batch_runs_once_per_sample_shape_and_a_refused_shape_fails_only_its_samples(
        fake_lib_path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    messages: list[logging.LogRecord] = []
    log = logging.getLogger("trt_runtime.tests.serve")
    log.setLevel(logging.DEBUG)
    log.addHandler(Keep(messages))
    runner = serve_ray.PlanRunner(served_plan(tmp_path / "m.plan"), logger=log, library=fake_lib_path)
    assert (runner.inputs, runner.outputs, runner.max_batch) == (["x"], ["y"], MAX_BATCH)
    good = [runner.check({"x": sample(i)}) for i in range(5)]
    bad = runner.check({"x": np.zeros(WIDTH + 1)})  # right rank: only TensorRT can refuse it
    results = runner.run([good[0], good[1], bad, *good[2:]])
    assert runner.executions == 1 and runner.samples == 5  # one execution for the five good samples
    refused = results.pop(2)
    assert isinstance(refused, trt.InvalidArgumentError)
    assert any("static dimension mismatch" in r.message for r in refused.reports), refused.reports
    for i, result in enumerate(results):
        assert isinstance(result, dict) and np.array_equal(result["y"], sample(i)), (i, result)
    with pytest.raises(ValueError, match="names the inputs"):
        runner.check({"z": sample(0)})
    with pytest.raises(ValueError, match="1 dimension"):
        runner.check({"x": np.zeros((2, WIDTH))})
    many = runner.run([good[0]] * (MAX_BATCH + 1))  # more than the profile takes: two executions
    assert runner.executions == 3 and all(np.array_equal(r["y"], sample(0)) for r in many if isinstance(r, dict))
    # TensorRT's messages went to the logging logger given, at their levels.
    logged = {(r.levelno, r.getMessage()) for r in messages}
    assert (logging.INFO, "Loaded engine size: 0 MiB") in logged, logged
    assert any(level == logging.ERROR and "static dimension mismatch" in text for level, text in logged), logged


# ------------------------------------------------------------------ Ray Serve


class Served(NamedTuple):
    url: str
    handle: Any


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _gpu() -> bool:
    """Whether the replicas serve from CUDA memory: a GPU that torch sees (the double then runs in CUDA mode)."""
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


GPU = _gpu()


@pytest.fixture(scope="module")
def served(fake_lib_path: pathlib.Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Two replicas of the example on the double behind Serve's HTTP proxy; Ray shut down afterwards.

    On a machine with a GPU both replicas share it (half a GPU each), serve from CUDA memory, and the
    double copies with the CUDA driver (FAKE_TRT_CUDA=1); without one, host memory and no GPU.
    """
    plan = served_plan(tmp_path_factory.mktemp("serve") / "served.plan")
    path = [str(REPO), str(EXAMPLES), *filter(None, [os.environ.get("PYTHONPATH")])]
    env_vars = {"TRT_RUNTIME_LIBRARY": str(fake_lib_path), "PYTHONPATH": os.pathsep.join(path)}
    if GPU:
        env_vars["FAKE_TRT_CUDA"] = "1"
    port = _free_port()
    # The replicas' logs (TensorRT's messages among them) stay in Ray's session folder.
    ray.init(num_cpus=2, num_gpus=1 if GPU else 0, include_dashboard=False, object_store_memory=100 * 2**20,
             runtime_env={"env_vars": env_vars}, log_to_driver=False, namespace="trt_runtime_tests")
    try:
        assert ray.util.get_node_ip_address() == "127.0.0.1"
        serve.start(http_options={"host": "127.0.0.1", "port": port})
        app = serve_ray.build_app(plan, replicas=2, num_gpus=0.5 if GPU else 0, num_cpus=0.5,
                                  memory="cuda" if GPU else "host", batch_wait_timeout_s=0.01)
        handle = serve.run(app, name=APP, route_prefix="/")
        yield Served(f"http://127.0.0.1:{port}/", handle)
    finally:
        try:
            serve.shutdown()
        finally:
            ray.shutdown()


def describe_all(served: Served, count: int = 2, timeout: float = 60.0) -> dict[int, dict[str, Any]]:
    """describe() of ``count`` distinct running replicas, by pid (calls are routed at random)."""
    seen: dict[int, dict[str, Any]] = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            info = served.handle.describe.remote().result(timeout_s=10)
        except Exception:  # noqa: BLE001 - a replica that just died; ask again
            time.sleep(0.2)
            continue
        seen[info["pid"]] = info
        if len(seen) >= count:
            return seen
    raise AssertionError(f"only {len(seen)} of {count} replicas answered describe() in {timeout} s")


def running_replicas() -> int:
    status = serve.status().applications[APP].deployments["PlanServer"]
    return sum(n for state, n in status.replica_states.items() if str(state).endswith("RUNNING"))


def test_requests_of_several_threads_are_all_answered_through_a_killed_replica(served: Served) -> None:
    replicas = describe_all(served)
    assert all(info["engine"] == "served" and info["max_batch"] == MAX_BATCH for info in replicas.values())
    assert all(info["memory"] == ("cuda" if GPU else "host") for info in replicas.values()), replicas
    victim = min(replicas)
    answers: dict[int, np.ndarray] = {}
    retries: list[str] = []
    lock = threading.Lock()
    killed = threading.Event()
    after_kill = [0]

    def work(t: int) -> None:
        for i in range(t, REQUESTS, THREADS):
            y = serve_ray.request(served.url, {"x": sample(i)}, attempts=10, on_retry=lambda _a, why: retries.append(why))
            with lock:
                answers[i] = y["y"]
                if killed.is_set():
                    after_kill[0] += 1
                elif len(answers) == KILL_AFTER:
                    os.kill(victim, signal.SIGKILL)  # a replica of this test's own Ray, mid-run
                    killed.set()

    start = time.monotonic()
    run_threads(THREADS, work)
    wall = time.monotonic() - start
    assert killed.is_set() and after_kill[0] >= REQUESTS - KILL_AFTER - THREADS
    assert sorted(answers) == list(range(REQUESTS))
    wrong = [i for i, y in answers.items() if not (y.dtype == np.float64 and np.array_equal(y, sample(i)))]
    assert not wrong, f"answers that differ from their request: {wrong[:10]}"
    # Ray restarts the killed replica: two running again, one of them new.
    deadline = time.monotonic() + 60
    while running_replicas() < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    now = describe_all(served)
    assert victim not in now and len(set(now) - set(replicas)) == 1, (sorted(replicas), sorted(now))
    # Requests were batched: some execution ran more than one sample.
    assert any(info["samples"] > info["executions"] for info in now.values()), now
    print(f"\n[{'cuda' if GPU else 'host'} memory] {REQUESTS} requests from {THREADS} threads answered in "
          f"{wall:.1f} s; replica {victim} killed after "
          f"{KILL_AFTER}, {len(retries)} retries, restarted as {sorted(set(now) - set(replicas))}; batches: "
          + ", ".join(f"{i['samples']} samples in {i['executions']} executions" for i in now.values()))


def test_a_shape_tensorrt_refuses_is_an_http_400_with_its_reports(served: Served) -> None:
    with pytest.raises(serve_ray.ServeError) as refused:
        serve_ray.request(served.url, {"x": np.zeros(WIDTH + 1)}, attempts=1)
    assert refused.value.status == 400 and refused.value.body["type"] == "InvalidArgumentError"
    assert any("static dimension mismatch for 'x'" in r["message"] for r in refused.value.reports), refused.value.body
    with pytest.raises(serve_ray.ServeError) as malformed:  # caught before TensorRT: no reports
        serve_ray.request(served.url, {"z": sample(0)}, attempts=1)
    assert malformed.value.status == 400 and "names the inputs" in malformed.value.body["error"]
    assert malformed.value.reports == []
    assert np.array_equal(serve_ray.request(served.url, {"x": sample(7)})["y"], sample(7))  # still serving


def test_a_handle_caller_gets_the_tensorrt_error_with_its_reports(served: Served) -> None:
    with pytest.raises(trt.InvalidArgumentError) as refused:
        served.handle.infer.remote({"x": np.zeros(WIDTH + 1)}).result(timeout_s=30)
    assert any("static dimension mismatch" in r.message for r in refused.value.reports)
    answer = served.handle.infer.remote({"x": sample(3)}).result(timeout_s=30)
    assert np.array_equal(answer["y"], sample(3)) and answer["y"].dtype == np.float32
