#!/usr/bin/env python3
"""trt_runtime against the official bindings (``tensorrt_lean_bindings``), side by side.

One run measures both on the same TensorRT lean library and prints a table of
medians and ratios (trt_runtime / official; lower is better) with the
project's targets, then writes it as Markdown and JSON (and a PNG bar plot of
the ratios when matplotlib is importable) under ``--out`` (default
``bench/results/``).

Every measurement of one library runs in a process of its own: TensorRT keeps
one logger per process (the first one given to it), so the two bindings must
never share a process. Import rows run ``python -c`` in a fresh process each
time and time the import inside it (interpreter start-up excluded, reported
apart); bytecode is cached for both sides as an installed package would have
it (``PYTHONPYCACHEPREFIX``), and one discarded warm-up run of each kind comes
first. In-process rows use :mod:`timeit` (garbage collector off, loop overhead
included, nothing subtracted): ``--repeat`` repeats of a fixed number of calls,
median of the per-call times. One long-lived worker process per side answers
the driver over a pipe, so the two sides' repeats alternate in time (ours,
official, official, ours, ...) and slow drifts of the machine hit both alike;
both workers are pinned to one CPU (``--pin-cpu``).

Expect the ratios of the cheapest rows (property gets, ~150-350 ns) to move by
+-20% from one machine of the same kind to another.

Without a GPU (or with ``--cpu-only``) only the import rows run: the official
bindings crash the interpreter once a Runtime is created without a GPU. The
GPU probe is trt_runtime's own ``Runtime()``, which raises ``NoDeviceError``
there.

Usage::

    python3 bench/bench_runtime.py [--out DIR] [--cpu-only] [--quick] [--label TEXT]

It needs ``trt_runtime`` (built), ``tensorrt_lean_bindings`` and
``tensorrt_lean_libs`` importable (for example ``PYTHONPATH=/tmp/site:$PWD``).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OURS, OFFICIAL = "ours", "official"
MODULE = {OURS: "trt_runtime", OFFICIAL: "tensorrt_lean_bindings"}
LEAN_SONAME = "libnvinfer_lean.so.11"

# key, label, target ratio (ours / official) or None, how it is measured
ROWS: list[tuple[str, str, float | None, str]] = [
    ("import", "import", 0.2, "fresh process, perf_counter around the import"),
    ("import_first_runtime", "import + first Runtime", None, "fresh process: import, library load, CUDA init"),
    ("first_runtime", "first Runtime creation", None, "fresh process, after the import"),
    ("runtime_create", "later Runtime creation", None, "in-process, create and drop, per creation"),
    ("get_max_threads", "max_threads get", 1.0, "timeit"),
    ("set_max_threads", "max_threads set", 1.0, "timeit, = 2"),
    ("get_dla_core", "DLA_core get", 1.0, "timeit"),
    ("get_tempfile_flags", "tempfile_control_flags get", 1.0, "timeit"),
    ("set_tempfile_flags", "tempfile_control_flags set", 1.0, "timeit, = 3"),
    ("get_host_code", "engine_host_code_allowed get", 1.0, "timeit"),
    ("deser_16", "deserialize junk 16 B", 1.2, "returns None"),
    ("deser_4k", "deserialize junk 4 KiB", 1.2, "returns None"),
    ("deser_64m", "deserialize junk 64 MiB", 1.2, "returns None"),
    ("deser_stream", "deserialize junk IStreamReaderV2", 1.2, "Python reader, 4 KiB of junk"),
    ("cb_logger", "logger callback (1 ERROR/call)", 1.2, "deserialize(b''), counting Python logger"),
    ("cb_recorder", "error recorder callback (1 error/call)", 1.2, "deserialize(b''), Python recorder"),
    ("load_runtime", "load_runtime(lean)", None, "returns a new Runtime, dropped"),
]
SUBPROCESS_ROWS = ("import", "import_first_runtime", "first_runtime")


# ================================================================== helpers


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} us"
    return f"{seconds * 1e3:.2f} ms"


def child_env(pycache: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # cached bytecode, as for an installed package
    env["PYTHONPYCACHEPREFIX"] = pycache
    env["PYTHONUNBUFFERED"] = "1"
    return env


def default_library() -> str | None:
    """libnvinfer_lean.so.11 of the installed tensorrt_lean_libs wheel, found without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("tensorrt_lean_libs")
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / LEAN_SONAME
        if candidate.exists():
            return str(candidate.resolve())
    return None


def run_py(code: str, env: dict[str, str], timeout: float = 120) -> tuple[int, str, str, float]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - t0


def parse_marker(stdout: str) -> Any:
    for line in stdout.splitlines():
        if line.startswith("BENCH "):
            return json.loads(line[6:])
    raise ValueError("no BENCH line in the child's output")


def tail(text: str, n: int = 600) -> str:
    text = text.strip()
    return text if len(text) <= n else "..." + text[-n:]


# ================================================================== child programs

IMPORT_CODE = """\
import time
t0 = time.perf_counter()
import {module}
t1 = time.perf_counter()
import json
print("BENCH " + json.dumps([t1 - t0]))
"""

FIRST_RUNTIME_CODE = {
    OURS: """\
import time
t0 = time.perf_counter()
import trt_runtime as trt
t1 = time.perf_counter()
class Quiet(trt.ILogger):
    def log(self, severity, msg):
        pass
rt = trt.Runtime(Quiet())
t2 = time.perf_counter()
import json
print("BENCH " + json.dumps([t1 - t0, t2 - t1, rt.library.path]))
""",
    OFFICIAL: """\
import time
t0 = time.perf_counter()
import tensorrt_lean_bindings as trt
t1 = time.perf_counter()
class Quiet(trt.ILogger):
    def __init__(self):
        trt.ILogger.__init__(self)
    def log(self, severity, msg):
        pass
rt = trt.Runtime(Quiet())
t2 = time.perf_counter()
import json
print("BENCH " + json.dumps([t1 - t0, t2 - t1, None]))
""",
}

VERSION_CODE = """\
import json, sys
out = {"python": sys.version.split()[0]}
try:
    import trt_runtime
    out["trt_runtime"] = trt_runtime.__version__
    out["trt_runtime_file"] = trt_runtime.__file__
except Exception as exc:
    out["trt_runtime"] = "unavailable: %r" % (exc,)
try:
    import cffi
    out["cffi"] = cffi.__version__
except Exception as exc:
    out["cffi"] = "unavailable: %r" % (exc,)
print("BENCH " + json.dumps(out))
"""

OFFICIAL_VERSION_CODE = """\
import json
try:
    import tensorrt_lean_bindings as trt
    out = {"tensorrt_lean_bindings": trt.__version__}
except Exception as exc:
    out = {"tensorrt_lean_bindings": "unavailable: %r" % (exc,)}
print("BENCH " + json.dumps(out))
"""

PROBE_CODE = """\
import json
import trt_runtime as trt
class Quiet(trt.ILogger):
    def log(self, severity, msg):
        pass
try:
    rt = trt.Runtime(Quiet(), library={library!r})
    out = {{"ok": True, "library": str(rt.library), "max_threads": rt.max_threads}}
except trt.TensorRTError as exc:
    out = {{"ok": False, "why": type(exc).__name__ + ": " + str(exc).splitlines()[0]}}
print("BENCH " + json.dumps(out))
"""


# ================================================================== worker (one library per process)


def _bench_classes(side: str) -> dict[str, Any]:
    """The module, and a logger, recorder and stream reader class for it.

    The same bodies serve both sides; only the official bindings need the
    base class's ``__init__`` called (pybind11 sets its instance up there).
    """
    if side == OURS or os.environ.get("TRT_BENCH_DEV_SAME_SIDES"):  # the latter: testing this script without a GPU
        import trt_runtime as trt

        base_init = False
    else:
        import tensorrt_lean_bindings as trt  # type: ignore[no-redef]

        base_init = True

    class BenchLogger(trt.ILogger):
        def __init__(self) -> None:
            if base_init:
                trt.ILogger.__init__(self)
            self.count = 0
            self.last: Any = None

        def log(self, severity: Any, msg: str) -> None:
            self.count += 1
            self.last = (severity, msg)

    class Recorder(trt.IErrorRecorder):
        def __init__(self) -> None:
            if base_init:
                trt.IErrorRecorder.__init__(self)
            self.count = 0
            self.last: Any = None

        def report_error(self, val: Any, desc: str) -> bool:
            self.count += 1
            self.last = (val, desc)
            return False

        def num_errors(self) -> int:
            return 1 if self.last else 0

        def get_error_code(self, error_idx: int) -> Any:
            return self.last[0]

        def get_error_desc(self, error_idx: int) -> str:
            return self.last[1]

        def has_overflowed(self) -> bool:
            return False

        def clear(self) -> None:
            self.last = None

    class Reader(trt.IStreamReaderV2):
        def __init__(self, data: bytes) -> None:
            if base_init:
                trt.IStreamReaderV2.__init__(self)
            self.data = data
            self.reads = 0
            self.seeks = 0

        def read(self, size: int, stream: int) -> bytes:
            self.reads += 1
            return self.data[:size]

        def seek(self, offset: int, where: Any) -> bool:
            self.seeks += 1
            return True

    return {"trt": trt, "BenchLogger": BenchLogger, "Recorder": Recorder, "Reader": Reader}


def _mapped_tensorrt_files() -> list[str]:
    found = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                parts = line.split(None, 5)
                if len(parts) == 6 and "libnvinfer" in parts[5]:
                    found.add(parts[5].strip())
    except OSError:
        pass
    return sorted(found)


def _defaults(rt: Any) -> dict[str, str]:
    out = {}
    for name in ("DLA_core", "num_DLA_cores", "max_threads", "temporary_directory", "tempfile_control_flags",
                 "engine_host_code_allowed", "error_recorder", "gpu_allocator"):
        try:
            value = getattr(rt, name)
            out[name] = repr(value if not hasattr(value, "value") else int(value))
        except Exception as exc:  # noqa: BLE001 - recorded, compared between the sides
            out[name] = f"raises {type(exc).__name__}: {exc}"
    return out


class _Worker:
    """One side's measurements, run on command: the driver interleaves the two sides' repeats."""

    def __init__(self, side: str, library: str) -> None:
        c = _bench_classes(side)
        self.side = side
        self.library = library
        trt = c["trt"]
        if trt.__name__ == "trt_runtime":
            trt.load_library(library)
        # One logger for the whole process: TensorRT keeps the first one it is given anyway.
        self.logger = logger = c["BenchLogger"]()
        self.rt = rt = trt.Runtime(logger)
        self.info: dict[str, Any] = {"defaults": _defaults(rt), "mapped": _mapped_tensorrt_files()}
        if trt.__name__ == "trt_runtime":
            self.info["library"] = str(rt.library)
        header = b"\x00JUNK-NOT-A-PLAN"  # no valid plan starts like this
        junk4k = header + os.urandom(4096 - len(header))
        self.recorder = c["Recorder"]()
        self.rt_rec = trt.Runtime(logger)
        self.rt_rec.error_recorder = self.recorder
        self.reader = c["Reader"](junk4k)
        self.ns: dict[str, Any] = {
            "rt": rt, "rt_rec": self.rt_rec, "logger": logger, "Runtime": trt.Runtime, "path": library,
            "junk16": header, "junk4k": junk4k, "junk64m": header + os.urandom((64 << 20) - len(header)),
            "reader": self.reader, "empty": b"",
        }
        self.timers: dict[str, timeit.Timer] = {}

    def _none(self, expr: str) -> dict[str, Any]:
        self.logger.count = 0
        got = eval(expr, self.ns)  # noqa: S307 - our own expression
        if got is not None:
            raise AssertionError(f"{expr} returned {got!r}, expected None")
        return {"returns": repr(got), "log_messages": self.logger.count, "last_message": repr(self.logger.last)}

    def _set(self, name: str, value: int) -> dict[str, Any]:
        setattr(self.rt, name, value)
        got = getattr(self.rt, name)
        if int(got) != value:
            raise AssertionError(f"{name} = {value} reads back {got!r}")
        return {name: repr(got)}

    def check(self, key: str) -> dict[str, Any]:
        """Run the row's statement once, verify what it did, and describe it."""
        stmt = STATEMENTS[key][0]
        if key.startswith("set_"):
            name = stmt.split(".")[1].split(" ")[0]
            return self._set(name, int(stmt.rsplit("=", 1)[1]))
        if key in ("deser_16", "deser_4k", "deser_64m", "cb_logger"):
            return self._none(stmt)
        if key == "deser_stream":
            self.reader.reads = self.reader.seeks = 0
            out = self._none(stmt)
            out.update(reads_per_call=self.reader.reads, seeks_per_call=self.reader.seeks)
            return out
        if key == "cb_recorder":
            self.recorder.count = 0
            out = self._none(stmt)
            out.update(recorder_errors=self.recorder.count, last_error=repr(self.recorder.last),
                       error_recorder_is_same=self.rt_rec.error_recorder is self.recorder)
            return out
        if key == "load_runtime":
            loaded = self.rt.load_runtime(self.library)
            if loaded is None:
                raise AssertionError(f"load_runtime({self.library!r}) returned None")
            return {"returns": type(loaded).__name__, "max_threads": loaded.max_threads}
        value = eval(stmt, self.ns)  # noqa: S307
        return {"value": repr(value if not hasattr(value, "value") else int(value))}

    def time(self, key: str, number: int) -> dict[str, Any]:
        timer = self.timers.get(key)
        if timer is None:
            timer = self.timers[key] = timeit.Timer(STATEMENTS[key][0], globals=self.ns)
        self.logger.count = 0
        self.recorder.count = 0
        elapsed = timer.timeit(number)
        return {"s": elapsed, "log_messages": self.logger.count, "recorder_errors": self.recorder.count}


# key: (statement, calls per timed repeat at full size)
STATEMENTS: dict[str, tuple[str, int]] = {
    "runtime_create": ("Runtime(logger)", 2000),
    "get_max_threads": ("rt.max_threads", 0),  # 0: --iters
    "set_max_threads": ("rt.max_threads = 2", 0),
    "get_dla_core": ("rt.DLA_core", 0),
    "get_tempfile_flags": ("rt.tempfile_control_flags", 0),
    "set_tempfile_flags": ("rt.tempfile_control_flags = 3", 0),
    "get_host_code": ("rt.engine_host_code_allowed", 0),
    "deser_16": ("rt.deserialize_cuda_engine(junk16)", 2000),
    "deser_4k": ("rt.deserialize_cuda_engine(junk4k)", 2000),
    "deser_64m": ("rt.deserialize_cuda_engine(junk64m)", 2000),
    "deser_stream": ("rt.deserialize_cuda_engine(reader)", 2000),
    "cb_logger": ("rt.deserialize_cuda_engine(empty)", 2000),
    "cb_recorder": ("rt_rec.deserialize_cuda_engine(empty)", 2000),
    "load_runtime": ("rt.load_runtime(path)", 500),
}


def worker(side: str, library: str, pin: int | None) -> int:
    """Serve the driver: one JSON command per line on stdin, one ``@@`` JSON answer per line on stdout."""
    if pin is not None:
        os.sched_setaffinity(0, {pin})

    def answer(obj: Any) -> None:
        sys.stdout.write("@@" + json.dumps(obj) + "\n")
        sys.stdout.flush()

    try:
        w = _Worker(side, library)
    except BaseException as exc:  # noqa: BLE001
        answer({"error": f"setup failed: {type(exc).__name__}: {exc}"})
        return 1
    answer({"ready": True, "info": w.info})
    for line in sys.stdin:
        cmd = json.loads(line)
        try:
            if cmd["op"] == "check":
                answer({"check": w.check(cmd["key"])})
            elif cmd["op"] == "time":
                answer(w.time(cmd["key"], cmd["number"]))
            elif cmd["op"] == "finish":
                w.info["mapped_at_end"] = _mapped_tensorrt_files()
                answer({"info": w.info})
                return 0
        except BaseException as exc:  # noqa: BLE001 - reported to the driver, the row fails
            answer({"error": f"{type(exc).__name__}: {exc}"})
    return 0


# ================================================================== driver


def gpu_info() -> dict[str, str]:
    smi = shutil.which("nvidia-smi")
    if not smi:
        return {"device": "no nvidia-smi"}
    try:
        out = subprocess.run([smi, "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return {"device": f"nvidia-smi failed: {exc}"}
    lines = [ln.strip() for ln in out.stdout.splitlines() if ln.strip()]
    if out.returncode != 0 or not lines:
        return {"device": f"nvidia-smi: {tail(out.stdout + out.stderr, 200) or 'no GPU'}"}
    name, driver, memory = (part.strip() for part in (lines[0].split(",") + ["?", "?"])[:3])
    return {"device": name + (f" (x{len(lines)})" if len(lines) > 1 else ""), "driver": driver, "memory": memory}


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def measure_subprocess_rows(args: argparse.Namespace, env: dict[str, str], with_runtime: bool,
                            library: str | None) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Import (and first-Runtime) rows, in fresh processes, the two sides interleaved."""
    rows: dict[str, dict[str, Any]] = {OURS: {}, OFFICIAL: {}}
    samples: dict[str, dict[str, list[float]]] = {s: {k: [] for k in SUBPROCESS_ROWS} for s in (OURS, OFFICIAL)}
    walls: dict[str, dict[str, list[float]]] = {s: {"import": [], "first": []} for s in (OURS, OFFICIAL)}
    errors: dict[str, dict[str, str]] = {OURS: {}, OFFICIAL: {}}
    extra: dict[str, Any] = {"interpreter_startup_s": [], "ours_library_paths": set()}
    kinds = ["import"] + (["first"] if with_runtime else [])
    for i in range(args.import_runs + 1):  # run 0 is a discarded warm-up
        rc, _, _, wall = run_py("pass", env)
        if i:
            extra["interpreter_startup_s"].append(wall)
        for kind in kinds:
            for side in (OURS, OFFICIAL):
                code = IMPORT_CODE.format(module=MODULE[side]) if kind == "import" else FIRST_RUNTIME_CODE[side]
                try:
                    rc, out, err, wall = run_py(code, env)
                    if rc != 0:
                        raise RuntimeError(f"exit status {rc}: {tail(err)}")
                    data = parse_marker(out)
                except Exception as exc:  # noqa: BLE001
                    errors[side]["import" if kind == "import" else "first_runtime"] = str(exc)
                    continue
                if not i:
                    continue
                walls[side][kind].append(wall)
                if kind == "import":
                    samples[side]["import"].append(data[0])
                else:
                    samples[side]["import_first_runtime"].append(data[0] + data[1])
                    samples[side]["first_runtime"].append(data[1])
                    if data[2]:
                        extra["ours_library_paths"].add(os.path.realpath(data[2]))
        print(f"  fresh-process run {i}/{args.import_runs} done", flush=True)
    for side in (OURS, OFFICIAL):
        for key in SUBPROCESS_ROWS:
            values = samples[side][key]
            if key != "import" and not with_runtime:
                continue
            row: dict[str, Any] = {"per_op_s": values, "number": 1, "repeat": len(values)}
            if values:
                row.update(median_s=statistics.median(values), min_s=min(values))
            if key in errors[side] or (key == "import_first_runtime" and "first_runtime" in errors[side]):
                row["error"] = errors[side].get(key) or errors[side].get("first_runtime")
            rows[side][key] = row
        extra[f"{side}_process_wall_s"] = {k: statistics.median(v) if v else None for k, v in walls[side].items()}
    extra["interpreter_startup_median_s"] = (statistics.median(extra["interpreter_startup_s"])
                                             if extra["interpreter_startup_s"] else None)
    extra["ours_library_paths"] = sorted(extra["ours_library_paths"])
    if library and extra["ours_library_paths"] and extra["ours_library_paths"] != [os.path.realpath(library)]:
        extra["library_mismatch"] = (f"trt_runtime's default search opened {extra['ours_library_paths']}, "
                                     f"not {library}")
    return rows, extra


class WorkerProcess:
    """The driver's end of a worker."""

    def __init__(self, side: str, args: argparse.Namespace, env: dict[str, str], library: str,
                 scratch: str) -> None:
        self.side = side
        self.dead: str | None = None
        self.err_path = os.path.join(scratch, f"worker-{side}.stderr")
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", side, "--library", library]
        if args.pin_cpu is not None:
            cmd += ["--pin-cpu", str(args.pin_cpu)]
        self.err = open(self.err_path, "w")  # noqa: SIM115
        self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.err, text=True, bufsize=1)
        first = self.receive()
        self.info = first.get("info", {})
        if not first.get("ready"):
            self.dead = first.get("error") or self.dead or "no answer"

    def stderr_tail(self, n: int = 600) -> str:
        if not self.err.closed:
            self.err.flush()
        try:
            return tail(Path(self.err_path).read_text(errors="replace"), n)
        except OSError:
            return ""

    def receive(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                rc = self.proc.wait()
                self.dead = f"worker died (exit status {rc}): {self.stderr_tail()}"
                return {"error": self.dead}
            if line.startswith("@@"):
                return json.loads(line[2:])  # type: ignore[no-any-return]

    def ask(self, **cmd: Any) -> dict[str, Any]:
        if self.dead:
            return {"error": self.dead}
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(cmd) + "\n")
            self.proc.stdin.flush()
        except OSError:
            return self.receive()
        return self.receive()

    def finish(self) -> dict[str, Any]:
        out = self.ask(op="finish")
        if not self.dead:
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.info.update(out.get("info", {}))
        self.err.close()
        return {"info": self.info, "returncode": self.proc.returncode, "dead": self.dead,
                "stderr_tail": self.stderr_tail(3000)}


def measure_in_process_rows(args: argparse.Namespace, env: dict[str, str], library: str,
                            rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Both sides in their own processes, their repeats interleaved (ours, official, official, ours, ...)."""
    sides = (OURS, OFFICIAL)
    with tempfile.TemporaryDirectory(prefix="trt_bench_") as scratch:
        workers = {side: WorkerProcess(side, args, env, library, scratch) for side in sides}
        for side, w in workers.items():
            print(f"  {MODULE[side]} worker: {'ready' if not w.dead else w.dead}", flush=True)
        for key, (stmt, size) in STATEMENTS.items():
            number = args.iters if size == 0 else size
            if args.quick:
                number = max(number // 20, 10)
            for side in sides:
                row = rows[side][key] = {"stmt": stmt, "number": number, "repeat": args.repeat, "per_op_s": []}
                got = workers[side].ask(op="check", key=key)
                if "error" in got:
                    row["error"] = got["error"]
                else:
                    row["check"] = got["check"]
                    workers[side].ask(op="time", key=key, number=max(number // 10, 1))  # warm-up
            logs = {side: 0 for side in sides}
            errs = {side: 0 for side in sides}
            for r in range(args.repeat):
                for side in (sides if r % 2 == 0 else sides[::-1]):
                    row = rows[side][key]
                    if "error" in row:
                        continue
                    got = workers[side].ask(op="time", key=key, number=number)
                    if "error" in got:
                        row["error"] = got["error"]
                        continue
                    row["per_op_s"].append(got["s"] / number)
                    logs[side] += got["log_messages"]
                    errs[side] += got["recorder_errors"]
            for side in sides:
                row = rows[side][key]
                per = row["per_op_s"]
                if per and "error" not in row:
                    calls = number * len(per)
                    row.update(median_s=statistics.median(per), min_s=min(per),
                               log_messages_per_call=logs[side] / calls, recorder_errors_per_call=errs[side] / calls)
                    if key == "cb_logger" and row["log_messages_per_call"] != 1:
                        row["note"] = f"the logger got {row['log_messages_per_call']:g} messages per call, not 1"
                    if key == "cb_recorder" and row["recorder_errors_per_call"] != 1:
                        row["note"] = f"the recorder got {row['recorder_errors_per_call']:g} errors per call, not 1"
            print("  " + key.ljust(20) + "".join(
                f"  {MODULE[s]} {fmt_time(rows[s][key].get('median_s'))}" + (" (error)" if "error" in rows[s][key]
                                                                              else "") for s in sides), flush=True)
        return {side: w.finish() for side, w in workers.items()}


def build_table(rows: dict[str, dict[str, dict[str, Any]]], skipped: dict[str, str]) -> list[dict[str, Any]]:
    table = []
    for key, label, target, how in ROWS:
        ours = rows[OURS].get(key, {})
        off = rows[OFFICIAL].get(key, {})
        a, b = ours.get("median_s"), off.get("median_s")
        ratio = a / b if a is not None and b else None
        status = ""
        if key in skipped:
            status = "skipped"
        elif ratio is None:
            status = "error"
        elif target is not None:
            status = "PASS" if ratio <= target else "MISS"
        notes = [how]
        for side, row in ((OURS, ours), (OFFICIAL, off)):
            for field in ("error", "note"):
                if row.get(field):
                    text = " | ".join(ln.strip() for ln in str(row[field]).splitlines() if ln.strip())
                    notes.append(f"{MODULE[side]}: {text if len(text) <= 400 else text[:400] + '...'}")
        table.append({"key": key, "row": label, "ours_s": a, "official_s": b, "ratio": ratio, "target": target,
                      "status": status, "how": how, "notes": notes, "skipped": skipped.get(key)})
    return table


def render(table: list[dict[str, Any]], meta: dict[str, Any], markdown: bool) -> str:
    head = ["row", "trt_runtime", "official", "ratio", "target", ""]
    body = []
    for r in table:
        if r["status"] == "skipped":
            body.append([r["row"], "-", "-", "-", f"<={r['target']:g}x" if r["target"] else "-", "skipped"])
            continue
        body.append([
            r["row"], fmt_time(r["ours_s"]), fmt_time(r["official_s"]),
            f"{r['ratio']:.2f}x" if r["ratio"] is not None else "-",
            f"<={r['target']:g}x" if r["target"] else "-", r["status"],
        ])
    lines = []
    title = "trt_runtime vs tensorrt_lean_bindings (ratio = trt_runtime / official; lower is better)"
    info = [
        f"date: {meta['date']}" + (f"; {meta['label']}" if meta.get("label") else ""),
        f"device: {meta['gpu'].get('device')}" + (f", driver {meta['gpu']['driver']}" if meta["gpu"].get("driver")
                                                  else ""),
        f"host: {meta['cpu']}, {meta['cpus']} CPUs, {meta['platform']}",
        f"python {meta['versions'].get('python')}, trt_runtime {meta['versions'].get('trt_runtime')}, "
        f"tensorrt_lean_bindings {meta['versions'].get('tensorrt_lean_bindings')}, "
        f"cffi {meta['versions'].get('cffi')}; trt_runtime from {meta['versions'].get('trt_runtime_file')}",
        f"library: {meta.get('library_desc') or meta.get('library')}",
        f"method: medians; import rows: {meta['import_runs']} fresh processes each (interpreter start-up "
        f"{fmt_time(meta.get('interpreter_startup_median_s'))} not included)" + (
            f"; in-process rows: timeit, {meta['repeat']} repeats of {meta['iters']} property calls (2000 or 500 for "
            f"slower rows), the two sides' repeats interleaved, both processes pinned to CPU {meta.get('pin_cpu')}"
            if meta.get("in_process") else ""),
    ]
    if markdown:
        lines.append(f"## {title}\n")
        lines += [f"- {x}" for x in info]
        lines.append("")
        lines.append("| " + " | ".join(head) + " |")
        lines.append("| " + " | ".join(["---", "---:", "---:", "---:", "---:", "---"]) + " |")
        lines += ["| " + " | ".join(cells) + " |" for cells in body]
    else:
        lines.append(title)
        lines += [f"  {x}" for x in info]
        widths = [max(len(str(row[i])) for row in [head] + body) for i in range(len(head))]
        fmt_row = lambda cells: "  ".join(  # noqa: E731
            str(c).ljust(w) if i in (0, 5) else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths))
        ).rstrip()
        lines.append(fmt_row(head))
        lines.append("  ".join("-" * w for w in widths))
        lines += [fmt_row(cells) for cells in body]
    notes = []
    for r in table:
        for n in r["notes"][1:]:
            notes.append(f"{r['row']}: {n}")
    notes += meta.get("notes", [])
    if notes:
        lines.append("")
        lines.append("notes:" if not markdown else "Notes:\n")
        lines += [("- " if markdown else "  - ") + n for n in notes]
    return "\n".join(lines) + "\n"


def plot(table: list[dict[str, Any]], path: Path, meta: dict[str, Any]) -> str:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker
    except Exception as exc:  # noqa: BLE001
        return f"no plot: matplotlib is not importable ({type(exc).__name__}: {exc})"
    shown = [r for r in table if r["ratio"] is not None]
    if not shown:
        return "no plot: no ratios"
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(shown) + 1.6))
    ys = list(range(len(shown)))[::-1]
    colors = [{"PASS": "tab:green", "MISS": "tab:red"}.get(r["status"], "tab:gray") for r in shown]
    ax.barh(ys, [r["ratio"] for r in shown], color=colors)
    for y, r in zip(ys, shown):
        if r["target"]:
            ax.plot([r["target"]] * 2, [y - 0.4, y + 0.4], color="black", linewidth=2)
        ax.text(r["ratio"], y, f" {r['ratio']:.2f}x", va="center", fontsize=8)
    ax.axvline(1.0, color="black", linestyle=":", linewidth=1)
    ax.set_yticks(ys)
    ax.set_yticklabels([r["row"] for r in shown], fontsize=8)
    ax.set_xscale("log")
    lo = min([r["ratio"] for r in shown] + [r["target"] or 1 for r in shown] + [1.0])
    hi = max([r["ratio"] for r in shown] + [1.0])
    ticks = [t for t in (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50) if lo / 1.5 <= t <= hi * 1.5]
    ax.set_xlim(lo / 1.5, hi * 1.6)
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{t:g}x" for t in ticks])
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel("trt_runtime / official (log scale; lower is better; black tick = target)")
    ax.set_title(f"trt_runtime vs tensorrt_lean_bindings, {meta['gpu'].get('device')}, {meta['date'][:10]}",
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return f"plot: {path}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=str(HERE / "results"), help="output folder (default: bench/results/)")
    p.add_argument("--cpu-only", action="store_true", help="measure imports only (no Runtime is created)")
    p.add_argument("--quick", action="store_true", help="few iterations, for a smoke test")
    p.add_argument("--import-runs", type=int, default=15, help="fresh processes per import row (default 15)")
    p.add_argument("--iters", type=int, default=200_000, help="calls per timeit repeat for properties")
    p.add_argument("--repeat", type=int, default=7, help="timeit repeats (default 7)")
    p.add_argument("--library", help=f"the {LEAN_SONAME} both sides use (default: the tensorrt_lean_libs wheel's)")
    p.add_argument("--pycache", default=os.path.join(tempfile.gettempdir(), "trt_bench_pycache"),
                   help="PYTHONPYCACHEPREFIX of the child processes")
    p.add_argument("--label", default="", help="free text for the header, e.g. the commit measured")
    p.add_argument("--pin-cpu", type=int, default=-1,
                   help="CPU both in-process workers are pinned to (default: the last one; none: -2)")
    p.add_argument("--worker", choices=(OURS, OFFICIAL), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick and args.import_runs == 15:
        args.import_runs = 3
    if args.pin_cpu == -1:
        cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
        args.pin_cpu = cpus[-1] if len(cpus) >= 2 else None
    elif args.pin_cpu < 0:
        args.pin_cpu = None

    if args.worker:
        return worker(args.worker, args.library, args.pin_cpu)

    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    env = child_env(args.pycache)
    library = args.library or default_library()
    meta: dict[str, Any] = {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "gpu": gpu_info(),
        "cpu": cpu_name(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "library": library,
        "import_runs": args.import_runs,
        "iters": args.iters if not args.quick else max(args.iters // 20, 10),
        "pin_cpu": args.pin_cpu,
        "label": args.label,
        "repeat": args.repeat,
        "quick": args.quick,
        "pycache_prefix": args.pycache,
        "notes": [],
    }
    versions: dict[str, Any] = {}
    for code in (VERSION_CODE, OFFICIAL_VERSION_CODE):
        try:
            versions.update(parse_marker(run_py(code, env)[1]))
        except Exception as exc:  # noqa: BLE001
            versions.setdefault("errors", []).append(str(exc))
    meta["versions"] = versions
    print(f"trt_runtime {versions.get('trt_runtime')}, tensorrt_lean_bindings "
          f"{versions.get('tensorrt_lean_bindings')}, library {library}, device {meta['gpu'].get('device')}",
          flush=True)

    # ---------------------------------------------------------------- GPU or not
    why_no_gpu = None
    if args.cpu_only:
        why_no_gpu = "--cpu-only"
    elif not library:
        why_no_gpu = f"no {LEAN_SONAME} found (install tensorrt-lean-cu13-libs or pass --library)"
    else:
        try:
            rc, out, err, _ = run_py(PROBE_CODE.format(library=library), env)
            probe = parse_marker(out) if rc == 0 else {"ok": False, "why": f"exit status {rc}: {tail(err, 300)}"}
        except Exception as exc:  # noqa: BLE001
            probe = {"ok": False, "why": str(exc)}
        meta["probe"] = probe
        if not probe.get("ok"):
            why_no_gpu = f"trt_runtime.Runtime() failed: {probe.get('why')}"
        else:
            meta["library_desc"] = probe.get("library")
    with_gpu = why_no_gpu is None
    meta["in_process"] = with_gpu
    skipped: dict[str, str] = {}
    if not with_gpu:
        reason = (f"skipped: no usable GPU ({why_no_gpu}); the official bindings crash the interpreter when a "
                  "Runtime is created without one, so only the import row runs")
        print(reason, flush=True)
        meta["notes"].append(reason)
        skipped = {key: "needs a GPU" for key, *_ in ROWS if key != "import"}

    # ---------------------------------------------------------------- measurements
    print("fresh-process rows:", flush=True)
    rows, extra = measure_subprocess_rows(args, env, with_gpu, library)
    meta["interpreter_startup_median_s"] = extra["interpreter_startup_median_s"]
    meta["subprocess"] = extra
    if extra.get("library_mismatch"):
        meta["notes"].append(extra["library_mismatch"])
    workers: dict[str, Any] = {}
    if with_gpu:
        print(f"in-process rows (both sides interleaved; pinned to CPU {args.pin_cpu}):", flush=True)
        workers = measure_in_process_rows(args, env, library, rows)
        for side in (OURS, OFFICIAL):
            if workers[side].get("dead"):
                meta["notes"].append(f"{MODULE[side]}: {workers[side]['dead']}")
        # the same library on both sides, and the same defaults
        maps = {s: [m for m in workers[s]["info"].get("mapped", []) if LEAN_SONAME in m] for s in workers}
        meta["mapped_lean_library"] = maps
        if len({tuple(os.path.realpath(m) for m in v) for v in maps.values()}) > 1:
            meta["notes"].append(f"the two sides mapped different lean libraries: {maps}")
        d_ours = workers[OURS]["info"].get("defaults", {})
        d_off = workers[OFFICIAL]["info"].get("defaults", {})
        diffs = [f"{k}: trt_runtime {d_ours.get(k)} vs official {d_off.get(k)}"
                 for k in sorted(set(d_ours) | set(d_off)) if d_ours.get(k) != d_off.get(k)]
        meta["default_values"] = {"trt_runtime": d_ours, "official": d_off}
        if diffs:
            meta["notes"].append("default property values differ: " + "; ".join(diffs))
        for key in ("deser_16", "deser_4k", "deser_64m", "deser_stream", "cb_logger", "cb_recorder"):
            c_ours = rows[OURS].get(key, {}).get("check")
            c_off = rows[OFFICIAL].get(key, {}).get("check")
            if c_ours and c_off:
                interesting = {k for k in set(c_ours) | set(c_off) if not k.startswith("last")}
                diff = {k: (c_ours.get(k), c_off.get(k)) for k in interesting if c_ours.get(k) != c_off.get(k)}
                if diff:
                    meta["notes"].append(f"{key}: side effects differ (trt_runtime, official): {diff}")

    table = build_table(rows, skipped)
    text = render(table, meta, markdown=False)
    print()
    print(text, end="")
    (out_dir / "results.md").write_text(render(table, meta, markdown=True))
    payload = {"meta": meta, "table": table, "raw": rows, "workers": workers}
    (out_dir / "results.json").write_text(json.dumps(payload, indent=1, default=str) + "\n")
    plot_note = plot(table, out_dir / "ratios.png", meta)
    print(f"\nwrote {out_dir / 'results.md'}, {out_dir / 'results.json'}; {plot_note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
