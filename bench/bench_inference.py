#!/usr/bin/env python3
"""Inference calls and big plans, trt_runtime against the official bindings, on the same engines.

Both sides run on the project's test double (tests/double) built as
``libnvinfer_lean.so.11``: trt_runtime loads it by path; the official bindings
(``tensorrt_lean_bindings``) load it in place of the lean library (it is
opened first with ``RTLD_GLOBAL`` under the same soname, and the bindings'
own library wheel is kept from loading), so both call the same C++ code.
With ``--cuda`` (the default where torch sees a GPU) the double runs in its
CUDA mode (``FAKE_TRT_CUDA=1``: ``cuMemcpyAsync`` on the given stream), the
tensors are torch CUDA tensors and the stream a torch stream; without it,
numpy arrays and host copies.

Rows, for engines of 1, 4 and 16 I/O tensors (16 float32 each; inputs first,
the double copies input k to output k; 1 tensor: one input):

- ``official sequence``: ``set_tensor_address`` per tensor, then
  ``execute_async_v3(stream)``, written out as a user writes it, on both sides;
- ``Binding.execute``: trt_runtime's one-call inference against the official
  sequence above;
- ``execute_v2``: the synchronous call with a list of addresses (waits for
  the copies: it includes the GPU's tiny work on both sides);
- ``CUDA graph replay`` (``--cuda`` only): one inference captured into a
  torch CUDA graph, replayed; neither binding runs during a replay.

Wall time per inference on the host, GPU work excluded: each timed repeat
runs ``number`` calls, then the stream is synchronised outside the timing.
One worker process per side (TensorRT keeps one logger per process); their
repeats alternate (ours, official, official, ours, ...), medians are
reported, ratio = trt_runtime / official (lower is better).

The engine's own work excluded too: the double sums the time spent inside
its ``enqueueV3``/``executeV2`` (``fake_trt_engine_nanoseconds``), the same
calls with the same tensors on both sides. In CUDA mode that is mostly the
driver's ``cuMemcpyAsync`` launches (about 2 us each), which no binding can
avoid; ``bindings only`` is the wall time less that share, per repeat, and the
targets are read there (the wall-time ratio is in the table too).

Big plan: a plan of ``--plan-mib`` (1024) MiB deserialized in a fresh process
per side and repeat, trt_runtime by path (mapped) against the official
``deserialize_cuda_engine(open(path, "rb").read())``; the file is read once
before, so both read from the page cache; time and peak growth of
``RssAnon`` (sampled every millisecond) are reported.

Usage::

    python3 bench/bench_inference.py [--out DIR] [--repeat 9] [--quick] [--host]
    python3 bench/bench_inference.py --plot DIR/inference.json   # table and PNG again (PNG: matplotlib)

Needs trt_runtime (built), tensorrt_lean_bindings, g++ (to build the double),
and torch for ``--cuda``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SONAME = "libnvinfer_lean.so.11"
sys.path.insert(0, str(HERE))
from inference_report import CUDA_ONLY, OFFICIAL, ONCE, OURS, ROWS, SIZES, header, plot, table  # noqa: E402
ELEMENTS = 16

def names_of(n: int) -> tuple[list[str], list[str]]:
    inputs = [f"in{k}" for k in range((n + 1) // 2)]
    return inputs, [f"out{k}" for k in range(n // 2)]


# ================================================================== worker


def official_module(library: str) -> Any:
    """tensorrt_lean_bindings, bound to the double at ``library`` instead of its own lean library."""
    import ctypes

    sys.modules["tensorrt_lean_libs"] = None  # type: ignore[assignment]  # its import then fails: not loaded
    ctypes.CDLL(library, mode=ctypes.RTLD_GLOBAL)  # the soname the bindings need is now this file
    import tensorrt_lean_bindings as trt

    return trt


class Worker:
    def __init__(self, side: str, library: str, plans: str, cuda: bool) -> None:
        self.side, self.cuda = side, cuda
        if side == OURS:
            import trt_runtime as trt

            trt.load_library(library)
        else:
            trt = official_module(library)
        self.trt = trt

        class Quiet(trt.ILogger):  # type: ignore[misc, name-defined]
            def __init__(self) -> None:
                trt.ILogger.__init__(self)

            def log(self, severity: Any, msg: str) -> None:
                pass

        self.logger = Quiet()
        self.runtime = trt.Runtime(self.logger)
        if cuda:
            import torch

            self.torch = torch
            self.stream = torch.cuda.Stream()
            self.s = self.stream.cuda_stream
        else:
            self.s = 0
        self.ns: dict[str, Any] = {"s": self.s, "rt": self.runtime, "Runtime": trt.Runtime,
                                   "logger": self.logger, "path": library}
        self.statements: dict[str, str] = {
            "set_threads": "rt.max_threads = 2",
            "set_floor": "rt.max_threads = 2",
            "runtime_create": "Runtime(logger)",
            "create_floor": "Runtime(logger)",
            "load_runtime": "rt.load_runtime(path)",
        }
        if side == OURS:
            from floors import CreationFloor, SetterFloor

            self.ns["floor"] = SetterFloor(self.runtime._h)
            self.ns["CreationFloor"] = CreationFloor
            self.statements["set_floor"] = "floor.max_threads = 2"
            self.statements["create_floor"] = "CreationFloor(rt)"
        import ctypes

        # The double sums the time spent inside its enqueueV3/executeV2 (the engine's own
        # work: its copies), read around each repeat to leave the bindings' share.
        self.engine_ns = ctypes.CDLL(library).fake_trt_engine_nanoseconds
        self.engine_ns.restype = ctypes.c_uint64
        self.keep: list[Any] = []
        for n in SIZES:
            self._setup(n, Path(plans) / f"io{n}.plan")
        self.timers: dict[str, Any] = {}

    def _buffer(self, value: float) -> tuple[Any, int]:
        if self.cuda:
            t = self.torch.full((ELEMENTS,), value, dtype=self.torch.float32, device="cuda")
            return t, t.data_ptr()
        import numpy as np

        a = np.full(ELEMENTS, value, np.float32)
        return a, a.ctypes.data

    def _setup(self, n: int, plan: Path) -> None:
        engine = self.runtime.deserialize_cuda_engine(plan.read_bytes())
        assert engine is not None, plan
        ctx = engine.create_execution_context()
        inputs, outputs = names_of(n)
        bufs, ptrs = {}, {}
        for k, name in enumerate(inputs + outputs):
            bufs[name], ptrs[name] = self._buffer(float(k + 1) if name in inputs else 0.0)
            ctx.set_tensor_address(name, ptrs[name])
        self.keep += [engine, ctx, bufs]
        ns = self.ns
        ns[f"ctx{n}"] = ctx
        ns[f"ptrs{n}"] = [ptrs[engine.get_tensor_name(i)] for i in range(engine.num_io_tensors)]
        for name, p in ptrs.items():
            ns[f"p{n}_{name}"] = p
        seq = "".join(f"ctx{n}.set_tensor_address({name!r}, p{n}_{name})\n" for name in inputs + outputs)
        self.statements[f"seq_{n}"] = seq + f"ctx{n}.execute_async_v3(s)"
        self.statements[f"v2_{n}"] = f"ctx{n}.execute_v2(ptrs{n})"
        if self.side == OURS:
            ns[f"b{n}"] = ctx.bind(bufs)
            self.statements[f"binding_{n}"] = f"b{n}.execute(s)"
        else:
            self.statements[f"binding_{n}"] = self.statements[f"seq_{n}"]
        self.buffers = getattr(self, "buffers", {})
        self.buffers[n] = (bufs, inputs, outputs)
        if self.cuda and n == 4:
            # The same inference on a context of a runtime bound to device 0: what the
            # per-call context check costs (the caller's context is already device 0's).
            self.statements["devseq_4"] = self.statements["seq_4"]
            if self.side == OURS:
                bound = self.trt.Runtime(self.logger, device=0)
                ctxd = bound.deserialize_cuda_engine(plan.read_bytes()).create_execution_context()
                self.keep += [bound, ctxd]
                ns["ctxd4"] = ctxd
                self.statements["devseq_4"] = self.statements["seq_4"].replace("ctx4.", "ctxd4.")
            torch = self.torch
            self.sync()
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph, stream=self.stream):
                ctx.execute_async_v3(self.stream.cuda_stream)
            self.keep.append(graph)
            ns["graph"] = graph
            self.statements["graph_4"] = "graph.replay()"

    def sync(self) -> None:
        if self.cuda:
            self.torch.cuda.synchronize()

    def check(self, key: str) -> dict[str, Any]:
        """Runs the row once on zeroed outputs and checks that every output is its input."""
        if key in ("set_threads", "set_floor"):
            exec(self.statements[key], self.ns)  # noqa: S102 - our own statement
            return {"max_threads": self.runtime.max_threads}
        if key in ("runtime_create", "create_floor", "load_runtime"):
            return {"made": type(eval(self.statements[key], self.ns)).__name__}  # noqa: S307
        n = int(key.rsplit("_", 1)[1])
        bufs, inputs, outputs = self.buffers[n]
        for name in outputs:
            bufs[name].fill_(0) if self.cuda else bufs[name].fill(0)
        self.sync()
        exec(self.statements[key], self.ns)  # noqa: S102 - our own statement
        self.sync()
        for name_in, name_out in zip(inputs, outputs):
            a, b = bufs[name_in], bufs[name_out]
            same = bool((a == b).all())
            if not same:
                raise AssertionError(f"{self.side} {key}: {name_out} is not {name_in}")
        return {"checked_outputs": len(outputs)}

    def time(self, key: str, number: int) -> dict[str, Any]:
        import timeit

        timer = self.timers.get(key)
        if timer is None:
            timer = self.timers[key] = timeit.Timer(self.statements[key], globals=self.ns)
        inside = self.engine_ns()
        elapsed = timer.timeit(number)
        inside = self.engine_ns() - inside
        self.sync()  # not timed: the GPU's copies
        return {"s": elapsed / number, "engine_s": inside * 1e-9 / number}


def worker_main(side: str, library: str, plans: str, cuda: bool) -> None:
    cpu = os.environ.get("BENCH_PIN_CPU")
    if cpu:
        # Both sides on the same CPU, as bench_runtime.py does: neither gets a quieter core.
        os.sched_setaffinity(0, {int(cpu)})
    try:
        worker = Worker(side, library, plans, cuda)
        print(json.dumps({"ready": True}), flush=True)
    except BaseException as exc:  # noqa: BLE001 - sent to the driver
        print(json.dumps({"ready": False, "why": f"{type(exc).__name__}: {exc}"}), flush=True)
        return
    for line in sys.stdin:
        cmd = json.loads(line)
        try:
            out = worker.check(cmd["key"]) if cmd["op"] == "check" else worker.time(cmd["key"], cmd["number"])
        except BaseException as exc:  # noqa: BLE001
            out = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(out), flush=True)


BIG_PLAN = """
import json, sys, threading, time
sys.path[:0] = {path!r}
side, library, plan = {side!r}, {library!r}, {plan!r}

def rss_anon():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('RssAnon:'):
                return int(line.split()[1]) * 1024

if side == 'ours':
    import trt_runtime as trt
    trt.load_library(library)
else:
    from bench_inference import official_module
    trt = official_module(library)

class Quiet(trt.ILogger):
    def __init__(self):
        trt.ILogger.__init__(self)
    def log(self, severity, msg):
        pass

rt = trt.Runtime(Quiet())
peak, done = [rss_anon()], threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], rss_anon())
        time.sleep(0.001)
before = peak[0]
sampler = threading.Thread(target=sample)
sampler.start()
t0 = time.perf_counter()
if side == 'ours':
    engine = rt.deserialize(plan)
else:
    with open(plan, 'rb') as f:
        engine = rt.deserialize_cuda_engine(f.read())
elapsed = time.perf_counter() - t0
done.set()
sampler.join()
peak[0] = max(peak[0], rss_anon())
assert engine is not None and engine.num_io_tensors == 2
print('BENCH ' + json.dumps({{'s': elapsed, 'anon': peak[0] - before}}))
"""


# ================================================================== driver


class Side:
    def __init__(self, side: str, library: str, plans: str, cuda: bool, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--worker", side, "--library", library, "--plans", plans]
            + (["--cuda"] if cuda else ["--host"]),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        hello = self.ask(None)
        if not hello.get("ready"):
            raise SystemExit(f"the {side} worker did not start: {hello.get('why')}")

    def ask(self, cmd: dict[str, Any] | None) -> dict[str, Any]:
        assert self.proc.stdin and self.proc.stdout
        if cmd is not None:
            self.proc.stdin.write(json.dumps(cmd) + "\n")
            self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit("a worker died")
        out: dict[str, Any] = json.loads(line)
        if "error" in out:
            raise SystemExit(f"{cmd}: {out['error']}")
        return out

    def close(self) -> None:
        assert self.proc.stdin
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def build_double(folder: Path, plan_mib: int) -> tuple[str, Path]:
    sys.path.insert(0, str(REPO / "tests" / "double"))
    from build import build, make_plan

    library = str(build(folder, SONAME))
    for n in SIZES:
        inputs, outputs = names_of(n)
        tensors = [(name, 1, 0, (ELEMENTS,)) for name in inputs] + [(name, 2, 0, (ELEMENTS,)) for name in outputs]
        (folder / f"io{n}.plan").write_bytes(make_plan(f"io{n}", tensors, device_memory_size=0))
    big = folder / "big.plan"
    if plan_mib:
        big.write_bytes(make_plan("big", [("i", 1, 0, (1,)), ("o", 2, 0, (1,))], size=plan_mib << 20))
    return library, big


def measure_inference(sides: dict[str, Side], keys: list[str], repeat: int, number: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in keys:
        checks = {name: side.ask({"op": "check", "key": key}) for name, side in sides.items()}
        # Enough calls for a repeat of about 50 ms (at least `number`): short repeats
        # of sub-microsecond rows are mostly timer and scheduler noise.
        probe = sides[OURS].ask({"op": "time", "key": key, "number": 200})["s"]
        number_here = int(min(max(number, 0.05 / max(probe, 1e-9)), 500_000))
        times: dict[str, list[float]] = {OURS: [], OFFICIAL: []}
        inside: dict[str, list[float]] = {OURS: [], OFFICIAL: []}
        for r in range(repeat):
            order = (OURS, OFFICIAL) if r % 2 == 0 else (OFFICIAL, OURS)
            for name in order:
                got = sides[name].ask({"op": "time", "key": key, "number": number_here})
                times[name].append(got["s"])
                inside[name].append(got["engine_s"])
        out[key] = {name: statistics.median(values) for name, values in times.items()}
        out[key]["checks"] = checks
        out[key]["repeats"] = times
        out[key]["engine_repeats"] = inside
        out[key]["number"] = number_here
    return out


def measure_big_plan(library: str, plan: Path, repeat: int, env: dict[str, str]) -> dict[str, Any]:
    with open(plan, "rb") as f:  # into the page cache: both sides then read from memory
        while f.read(64 << 20):
            pass
    results: dict[str, list[dict[str, float]]] = {OURS: [], OFFICIAL: []}
    for r in range(repeat):
        for side in (OURS, OFFICIAL) if r % 2 == 0 else (OFFICIAL, OURS):
            code = BIG_PLAN.format(path=[str(HERE), str(REPO)], side=side, library=library, plan=str(plan))
            proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
            lines = [line for line in proc.stdout.splitlines() if line.startswith("BENCH ")]
            if proc.returncode or not lines:
                raise SystemExit(f"big plan, {side}: {proc.stderr[-2000:]}")
            results[side].append(json.loads(lines[0][6:]))
    size = plan.stat().st_size
    out: dict[str, Any] = {"size_bytes": size}
    for side, runs in results.items():
        out[side] = {"s": statistics.median(x["s"] for x in runs), "anon": max(x["anon"] for x in runs),
                     "anon_share": max(x["anon"] for x in runs) / size}
    return out


def machine_line(cuda: bool) -> str:
    gpu = "host copies (no GPU)"
    if cuda:
        import torch

        gpu = torch.cuda.get_device_name(0)
    import tensorrt_lean_bindings  # noqa: F401 - only found, never bound here: its version, from metadata
    from importlib.metadata import version

    return (f"{_dt.date.today()}, {gpu}, Python {platform.python_version()}, "
            f"official tensorrt_lean_bindings {version('tensorrt-lean-cu13-bindings')}, test double")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(HERE / "results"))
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--number", type=int, default=2000, help="inferences per timed repeat")
    parser.add_argument("--plan-mib", type=int, default=1024, help="big plan size (0: no big-plan rows)")
    parser.add_argument("--quick", action="store_true", help="3 repeats of 300 calls, a 64 MiB plan")
    parser.add_argument("--host", action="store_true", help="numpy and host copies even with a GPU")
    parser.add_argument("--cuda", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--plot", metavar="JSON", help="only draw the PNG of an earlier run's JSON")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--library", help=argparse.SUPPRESS)
    parser.add_argument("--plans", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker_main(args.worker, args.library, args.plans, args.cuda)
        return 0
    if args.plot:
        # The table and the PNG again from an earlier run's JSON (the PNG needs matplotlib).
        source = Path(args.plot)
        earlier = json.loads(source.read_text())
        source.with_suffix(".md").write_text(header(earlier) + table(earlier) + "\n")
        plot(earlier, source.with_suffix(".png"))
        return 0
    if args.quick:
        args.repeat, args.number, args.plan_mib = 3, 300, min(args.plan_mib, 64)
    cuda = False
    if not args.host:
        try:
            import torch

            cuda = torch.cuda.is_available()
        except ImportError:
            pass
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), str(REPO), os.environ.get("PYTHONPATH", "")]))
    env["BENCH_PIN_CPU"] = str(max(os.sched_getaffinity(0)))
    result: dict[str, Any] = {"machine": machine_line(cuda), "cuda": cuda, "repeat": args.repeat,
                              "number": args.number, "inference": {}}
    with tempfile.TemporaryDirectory() as tmp:
        library, big = build_double(Path(tmp), args.plan_mib)
        # CUDA mode: the real thing, where the double's enqueue (driver calls) weighs on both sides
        # alike; host mode: the double's work is a few memmoves, so what remains is the bindings'.
        for mode in ("cuda", "host") if cuda else ("host",):
            mode_env = dict(env, FAKE_TRT_CUDA="1" if mode == "cuda" else "0")
            sides = {name: Side(name, library, tmp, mode == "cuda", mode_env) for name in (OURS, OFFICIAL)}
            keys = [key for key, _, _ in ROWS if (mode == "cuda" or key not in CUDA_ONLY)
                    and (mode == "host" or key not in ONCE)]
            for key, row in measure_inference(sides, keys, args.repeat, args.number).items():
                result["inference"][key if key in ONCE else f"{mode}:{key}"] = row
            for side in sides.values():
                side.close()
        if args.plan_mib:
            result["big_plan"] = measure_big_plan(library, big, max(3, args.repeat // 3), env)
    result["pinned_cpu"] = int(env["BENCH_PIN_CPU"])
    text = header(result) + table(result)
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "inference.md").write_text(text + "\n")
    (out / "inference.json").write_text(json.dumps(result, indent=2) + "\n")
    try:
        plot(result, out / "inference.png")
    except ImportError:
        print(f"(no matplotlib here: draw the PNG elsewhere with --plot {out / 'inference.json'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
