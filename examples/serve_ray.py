#!/usr/bin/env python3
"""Serve a TensorRT plan with Ray Serve: one replica per GPU, requests batched into one execution.

Each replica maps the plan from a path that every node sees (a shared file
system, or the same file copied to each node): the plan never travels through
Ray's object store. Ray Serve's request batching (``@serve.batch``) gathers
single samples into a batch; the replica runs each batch with one
:meth:`trt_runtime.Binding.execute`. TensorRT's messages go to the replica's
log (``logging.getLogger("ray.serve")``); a request TensorRT refuses comes
back as an HTTP error carrying TensorRT's reports.

Engines served: every input's first extent is the batch (dynamic, -1); the
other extents may be fixed or dynamic (samples of one batch with different
shapes run as one execution per shape).

Serve (on a Ray cluster, ``--address auto``; without one, Ray starts a local
instance), then ask::

    pip install '.[serve]'
    python examples/serve_ray.py serve /shared/model.plan --replicas 4 --memory cuda
    python examples/serve_ray.py request http://127.0.0.1:8000/ --input images=one_image.npy

Over HTTP, ``POST /`` with ``{"inputs": {"images": <one sample, nested lists>}}``
answers ``{"outputs": {"logits": ...}}``; ``GET /`` describes the replica. From
Python inside the cluster, a handle does the same without HTTP:
``serve.get_app_handle("trt").infer.remote({"images": array}).result()``.

``--memory host`` (the default) binds numpy arrays: what the project's test
double uses on a machine without a GPU (its tensor addresses are host
pointers). Real TensorRT needs ``--memory cuda``: PyTorch CUDA tensors,
copied to and from the host around each batch on a stream of the replica's own.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from ray import serve
from ray.serve.deployment import Deployment
from starlette.requests import Request
from starlette.responses import JSONResponse

import trt_runtime as trt

Array = npt.NDArray[Any]
Result = dict[str, Array] | Exception  # one sample's outputs, or why its batch failed

__all__ = ["PlanRunner", "PlanServer", "ServeError", "build_app", "request", "main"]


class PlanRunner:
    """One engine, one execution context and one binding: runs batches of single samples.

    Buffers are allocated once, at the profile's largest shapes, and bound
    by address; each batch sets its input shapes on the context (TensorRT
    checks them against the engine and its profile), writes the samples in,
    executes once and reads the outputs back.

    Parameters
    ----------
    plan_path : str or os.PathLike
        The plan file; memory-mapped by trt_runtime, never read into Python.
    memory : {"host", "cuda"}
        ``"host"``: numpy buffers (the test double without CUDA). ``"cuda"``:
        PyTorch CUDA tensors on the current device and a stream of its own.
    logger : logging.Logger, optional
        Where TensorRT's messages go (``"ray.serve"``: the replica's log).
    library : str or os.PathLike, optional
        The TensorRT library; by default the one trt_runtime finds
        (``TRT_RUNTIME_LIBRARY``, the installed wheels, the system's).

    Raises
    ------
    ValueError
        An input whose first extent is not dynamic, or an output whose shape
        is known only after execution (that needs an output allocator).
    ImportError
        ``memory="cuda"`` without PyTorch.
    """

    def __init__(self, plan_path: str | os.PathLike[str], memory: str = "host",
                 logger: logging.Logger | None = None, library: str | os.PathLike[str] | None = None) -> None:
        if memory not in ("host", "cuda"):
            raise ValueError(f"memory must be 'host' or 'cuda', not {memory!r}")
        self.memory = memory
        self.log = logger or logging.getLogger("ray.serve")
        # The current device: in a Ray replica that is the one GPU Ray gave it
        # (CUDA_VISIBLE_DEVICES shows it as device 0). One process serving
        # several GPUs would pass Runtime(..., device=N) instead.
        self.runtime = trt.Runtime(trt.LoggingLogger(self.log), library=library)
        self.engine = self.runtime.deserialize(plan_path)  # raises with TensorRT's reasons
        self.context = self.engine.create_execution_context()
        names = self.engine.tensor_names
        self.inputs = [n for n in names if self.engine.get_tensor_mode(n) == trt.TensorIOMode.INPUT]
        self.outputs = [n for n in names if self.engine.get_tensor_mode(n) == trt.TensorIOMode.OUTPUT]
        if not self.inputs or not self.outputs:
            raise ValueError(f"the engine has inputs {self.inputs} and outputs {self.outputs}: it needs both")
        self.dtypes = {n: np.dtype(trt.nptype(self.engine.get_tensor_dtype(n))) for n in names}
        largest: dict[str, tuple[int, ...]] = {}
        for name in self.inputs:
            shape = tuple(self.engine.get_tensor_shape(name))
            if not shape or shape[0] != -1:
                raise ValueError(f"input {name!r} has shape {shape}: its first extent must be the batch (-1)")
            largest[name] = tuple(self.engine.get_tensor_profile_shape(name, 0)[2])
            self.context.set_input_shape(name, largest[name])
        self.max_batch = min(shape[0] for shape in largest.values())
        for name in self.outputs:
            largest[name] = tuple(self.context.get_tensor_shape(name))
            if min(largest[name], default=0) < 0:
                raise ValueError(f"output {name!r} has shape {largest[name]} even at the largest inputs: "
                                 "a data-dependent shape, which needs an output allocator")
        self.capacity = {n: int(np.prod(s, dtype=np.int64)) for n, s in largest.items()}
        self.stream: Any = 0
        self.torch: Any = None
        if memory == "cuda":
            torch = importlib.import_module("torch")  # only this path needs PyTorch
            self.torch = torch
            self.stream = torch.cuda.Stream()
        self.buffers = {n: self._allocate(self.capacity[n], self.dtypes[n]) for n in names}
        # By address: the binding then applies the context's shapes, set per batch.
        self.binding = self.context.bind({n: trt.as_address(b) for n, b in self.buffers.items()})
        self.executions = 0
        self.samples = 0

    def _allocate(self, count: int, dtype: np.dtype[Any]) -> Any:
        if self.torch is None:
            return np.empty(max(count, 1), dtype)
        torch_dtype = self.torch.from_numpy(np.empty(0, dtype)).dtype
        return self.torch.empty(max(count, 1), dtype=torch_dtype, device="cuda")

    def check(self, sample: Any) -> dict[str, Array]:
        """One request's sample as arrays of the engine's types; ValueError or TypeError for this caller only."""
        if not isinstance(sample, Mapping):
            raise TypeError(f"a sample is a mapping of input name to array, not {type(sample).__name__}")
        if set(sample) != set(self.inputs):
            raise ValueError(f"a sample names the inputs {sorted(self.inputs)}, not {sorted(map(str, sample))}")
        checked = {}
        for name in self.inputs:
            array = np.asarray(sample[name], dtype=self.dtypes[name])
            rank = len(self.engine.get_tensor_shape(name)) - 1
            if array.ndim != rank:
                raise ValueError(f"input {name!r}: one sample has {rank} dimension(s), this one {array.ndim}")
            checked[name] = array
        return checked

    def run(self, samples: Sequence[Mapping[str, Array]]) -> list[Result]:
        """Outputs per sample: one execution per distinct sample shape (normally one per batch).

        A group TensorRT refuses (a shape outside the engine's profile, say)
        gets the TensorRTError, with TensorRT's reports, in each of its slots;
        the other groups still run.
        """
        results: list[Result | None] = [None] * len(samples)
        groups: dict[tuple[tuple[int, ...], ...], list[int]] = {}
        for i, sample in enumerate(samples):
            groups.setdefault(tuple(sample[n].shape for n in self.inputs), []).append(i)
        for members in groups.values():
            for start in range(0, len(members), self.max_batch):
                chunk = members[start:start + self.max_batch]
                try:
                    outputs = self.execute({n: np.stack([samples[i][n] for i in chunk]) for n in self.inputs})
                except (trt.TensorRTError, ValueError) as exc:
                    for i in chunk:
                        results[i] = exc
                    continue
                for j, i in enumerate(chunk):
                    results[i] = {n: outputs[n][j] for n in self.outputs}
        return results  # type: ignore[return-value]  # every slot is filled above

    def execute(self, batch: Mapping[str, Array]) -> dict[str, Array]:
        """Run one batch (arrays with the batch extent first); the outputs, on the host."""
        for name in self.inputs:
            self.context.set_input_shape(name, batch[name].shape)  # TensorRT's check, with its reports
        shapes = {n: tuple(self.context.get_tensor_shape(n)) for n in self.outputs}
        for name, shape in shapes.items():
            if int(np.prod(shape, dtype=np.int64)) > self.capacity[name]:
                raise ValueError(f"output {name!r} of shape {shape} exceeds its buffer of {self.capacity[name]}")
        if self.torch is None:
            for name in self.inputs:
                flat = batch[name].reshape(-1)
                self.buffers[name][:flat.size] = flat
            self.binding.execute(self.stream)  # the double copies on the host before it returns
            out = {n: self.buffers[n][:int(np.prod(s, dtype=np.int64))].reshape(s).copy() for n, s in shapes.items()}
        else:
            torch = self.torch
            with torch.cuda.stream(self.stream):  # copies, execution and read-back in order on one stream
                for name in self.inputs:
                    flat = torch.from_numpy(np.ascontiguousarray(batch[name]).reshape(-1))
                    self.buffers[name][:flat.numel()].copy_(flat)
                self.binding.execute(self.stream)
                out = {n: self.buffers[n][:int(np.prod(s, dtype=np.int64))].view(s).cpu().numpy()
                       for n, s in shapes.items()}  # .cpu() waits for the stream
        self.executions += 1
        self.samples += len(next(iter(batch.values())))
        return out


def report_body(exc: BaseException) -> dict[str, Any]:
    """The JSON of an error: its type, message and, for TensorRT's, TensorRT's reports."""
    body: dict[str, Any] = {"error": str(exc), "type": type(exc).__name__}
    if isinstance(exc, trt.TensorRTError):
        body["reports"] = [{"source": r.source, "code": r.code, "message": r.message} for r in exc.reports]
    return body


@serve.deployment(max_ongoing_requests=64)  # well above the batch size, so that batches can fill
class PlanServer:
    """The Ray Serve deployment: a :class:`PlanRunner` per replica, fed by ``@serve.batch``.

    Parameters
    ----------
    plan_path : str
        The plan, at a path each replica's node sees.
    memory : {"host", "cuda"}
        See :class:`PlanRunner`.
    max_batch_size : int, optional
        Largest batch; the profile's largest batch by default (and at most).
    batch_wait_timeout_s : float
        How long a batch waits to fill.
    """

    def __init__(self, plan_path: str, memory: str = "host", max_batch_size: int | None = None,
                 batch_wait_timeout_s: float = 0.005) -> None:
        self.runner = PlanRunner(plan_path, memory)
        size = min(max_batch_size or self.runner.max_batch, self.runner.max_batch)
        batcher: Any = self.infer_batch  # @serve.batch's setters (untyped in Ray)
        batcher.set_max_batch_size(size)
        batcher.set_batch_wait_timeout_s(batch_wait_timeout_s)
        self.runner.log.info("serving %s (batches of up to %d, %s memory)", plan_path, size, memory)

    @serve.batch(max_batch_size=16, batch_wait_timeout_s=0.005)  # both set per replica in __init__
    async def infer_batch(self, samples: list[dict[str, Array]]) -> list[Result]:
        # On a thread: the replica's event loop gathers the next batch while this one runs.
        return await asyncio.to_thread(self.runner.run, samples)

    async def infer(self, sample: Mapping[str, Any]) -> dict[str, Array]:
        """One sample's outputs; raises what its batch raised (TensorRTError with TensorRT's reports)."""
        result = await self.infer_batch(self.runner.check(sample))
        if isinstance(result, Exception):
            raise result
        return result

    def describe(self) -> dict[str, Any]:
        """This replica: its process, GPU, engine and the batches it ran."""
        runner = self.runner
        return {
            "pid": os.getpid(),
            "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"),
            "library": str(runner.runtime.library.path),
            "version": str(runner.runtime.library.version),
            "engine": runner.engine.name,
            "inputs": {n: list(runner.engine.get_tensor_shape(n)) for n in runner.inputs},
            "outputs": {n: list(runner.engine.get_tensor_shape(n)) for n in runner.outputs},
            "memory": runner.memory,
            "max_batch": runner.max_batch,
            "executions": runner.executions,
            "samples": runner.samples,
        }

    async def __call__(self, http: Request) -> JSONResponse:
        if http.method == "GET":
            return JSONResponse(self.describe())
        try:
            body = await http.json()
            if not isinstance(body, dict) or "inputs" not in body:
                raise ValueError('the body is {"inputs": {name: sample, ...}}')
            outputs = await self.infer(body["inputs"])
        except trt.TensorRTError as exc:
            # A refused argument (a shape outside the profile) is the request's fault; anything else the engine's.
            status = 400 if isinstance(exc, ValueError) else 500
            return JSONResponse(report_body(exc), status_code=status)
        except (ValueError, TypeError) as exc:  # malformed JSON (a ValueError) or sample
            return JSONResponse(report_body(exc), status_code=400)
        return JSONResponse({"outputs": {n: a.tolist() for n, a in outputs.items()}})


def build_app(plan_path: str | os.PathLike[str], *, replicas: int = 1, num_gpus: float = 1,
              num_cpus: float = 1, memory: str = "host", max_batch_size: int | None = None,
              batch_wait_timeout_s: float = 0.005) -> serve.Application:
    """The application to ``serve.run``: ``replicas`` replicas, each holding ``num_gpus`` GPUs (one by default)."""
    deployment = cast(Deployment, PlanServer)  # what @serve.deployment made of the class
    return deployment.options(
        num_replicas=replicas, ray_actor_options={"num_gpus": num_gpus, "num_cpus": num_cpus},
    ).bind(os.fspath(plan_path), memory, max_batch_size, batch_wait_timeout_s)


class ServeError(Exception):
    """An error answer: ``status`` (HTTP), ``body`` (its JSON, with ``reports`` for TensorRT's)."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"HTTP {status}: {body.get('error', body)}")
        self.status = status
        self.body = body

    @property
    def reports(self) -> list[dict[str, Any]]:
        """TensorRT's reports, as ``{"source", "code", "message"}`` dicts (empty for other errors)."""
        return list(self.body.get("reports", []))


def _json(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except ValueError:
        return {"error": raw.decode(errors="replace")[:500]}
    return body if isinstance(body, dict) else {"error": body}


def request(url: str, inputs: Mapping[str, Any], *, attempts: int = 6, timeout: float = 30.0,
            backoff: float = 0.1, on_retry: Callable[[int, str], None] | None = None) -> dict[str, Array]:
    """POST one sample to ``url``; its outputs as numpy arrays.

    Failures of the serving layer (no connection, a 5xx without TensorRT's
    reports: a replica that died, one not yet ready) are tried again, up to
    ``attempts`` times in all, waiting ``backoff`` seconds, doubled each time;
    inference is idempotent, so a retry is safe. A 4xx, or an error carrying
    TensorRT's reports, is raised at once as :class:`ServeError`.
    ``on_retry(attempt, why)`` is called before each retry.
    """
    data = json.dumps({"inputs": {n: np.asarray(v).tolist() for n, v in inputs.items()}}).encode()
    why = "no attempt"
    for attempt in range(1, attempts + 1):
        try:
            post = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(post, timeout=timeout) as answer:
                return {n: np.asarray(v) for n, v in _json(answer.read())["outputs"].items()}
        except urllib.error.HTTPError as exc:
            body = _json(exc.read())
            if exc.code < 500 or "reports" in body:
                raise ServeError(exc.code, body) from None
            why = f"HTTP {exc.code}: {body.get('error', '')}"[:300]
        except (urllib.error.URLError, OSError) as exc:  # refused, reset, timed out
            why = f"{type(exc).__name__}: {exc}"[:300]
        if attempt < attempts:
            if on_retry is not None:
                on_retry(attempt, why)
            time.sleep(backoff * 2 ** (attempt - 1))
    raise ServeError(503, {"error": f"gave up after {attempts} attempts; last: {why}"})


def main(argv: Sequence[str] | None = None) -> int:
    """``serve PLAN`` (until Ctrl-C) or ``request URL --input NAME=file.npy``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="deploy PLAN and serve it over HTTP until interrupted")
    s.add_argument("plan", help="the plan file, at a path every node sees")
    s.add_argument("--address", default=None, help="Ray cluster to join ('auto'); default: RAY_ADDRESS or a local one")
    s.add_argument("--replicas", type=int, default=1, help="replicas (one per GPU)")
    s.add_argument("--gpus", type=float, default=1, help="GPUs per replica (0 on a machine without one)")
    s.add_argument("--memory", choices=("host", "cuda"), default="host", help="cuda for real TensorRT")
    s.add_argument("--max-batch-size", type=int, default=None)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    r = sub.add_parser("request", help="send one sample and print the outputs")
    r.add_argument("url")
    r.add_argument("--input", action="append", default=[], metavar="NAME=FILE.npy",
                   help="one sample (no batch extent) per input")
    args = parser.parse_args(argv)
    if args.command == "request":
        try:
            outputs = request(args.url, {k: np.load(v) for k, _, v in (i.partition("=") for i in args.input)})
        except ServeError as exc:
            print(exc, *(f"  {rep['message']}" for rep in exc.reports), sep="\n", file=sys.stderr)
            return 1
        for name, array in outputs.items():
            print(f"{name}: shape {array.shape}: {np.array2string(array, threshold=16)}")
        return 0
    import ray

    ray.init(address=args.address)
    serve.start(http_options={"host": args.host, "port": args.port})
    serve.run(build_app(args.plan, replicas=args.replicas, num_gpus=args.gpus, memory=args.memory,
                        max_batch_size=args.max_batch_size), name="trt", route_prefix="/")
    print(f"serving {args.plan} at http://{args.host}:{args.port}/ (Ctrl-C stops)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        serve.shutdown()  # type: ignore[no-untyped-call]  # unannotated in Ray
    return 0


if __name__ == "__main__":
    sys.exit(main())
