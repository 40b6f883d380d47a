"""``python -m trt_runtime inspect`` and ``run``: an engine's tensors, and timed inferences.

``inspect ENGINE [--json]`` prints what the engine says about itself: name,
layers, device memory, every I/O tensor, every optimization profile.

``run ENGINE [-n N] [--input NAME=FILE.npy] [--shape NAME=AxB] ...`` runs N
inferences through a :class:`~trt_runtime.Binding` (one call into the shim
each) and prints latency percentiles and throughput. Inputs come from .npy
files or are random; dynamic inputs take the shape of their file, of
``--shape``, or the profile's opt shape. Memory is device memory through
cuda-python (``cuda.bindings``) when a GPU answers, else host memory (numpy);
``--memory`` chooses (see :mod:`trt_runtime._cli.memory`).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import stat
import sys
import time
from typing import TYPE_CHECKING, Any

from .._callbacks import ILogger
from .._engine import ICudaEngine
from .._errors import InvalidArgumentError
from .._library import Library, load_library
from .._runtime import Runtime
from .._types import DataType, TensorIOMode, nptype, volume
from .common import EXIT_OK, UsageError, WarningsLogger, guarded, library_summary
from .memory import choose_memory

if TYPE_CHECKING:  # numpy is imported by the functions that use it: `info` runs without it
    import numpy as np

__all__ = [
    "add_commands",
    "inspect_command",
    "run_command",
    "describe",
    "Progress",
    "percentile",
    "summarize",
]

def add_commands(sub: Any) -> None:
    """Add ``inspect`` and ``run`` to the subparsers of ``python -m trt_runtime``."""
    inspect = sub.add_parser("inspect", help="an engine's tensors, profiles and properties")
    inspect.add_argument("engine", help="the serialized engine (plan) file")
    inspect.add_argument("--library", help="path of the TensorRT library (default: the search order)")
    inspect.add_argument("--json", action="store_true", help="print JSON")
    inspect.set_defaults(func=inspect_command)

    run = sub.add_parser("run", help="time inferences of an engine: latency percentiles and throughput")
    run.add_argument("engine", help="the serialized engine (plan) file")
    run.add_argument("-n", "--iterations", type=int, default=100, help="timed inferences (default 100)")
    run.add_argument("--warmup", type=int, default=10, help="untimed inferences first (default 10)")
    run.add_argument("--input", action="append", default=[], metavar="NAME=FILE.npy",
                     help="an input's data from a .npy file (repeatable); others are random")
    run.add_argument("--shape", action="append", default=[], metavar="NAME=AxBxC",
                     help="the shape of a dynamic input (repeatable); default: its file's, else the profile's opt")
    run.add_argument("--profile", type=int, default=0, help="optimization profile (default 0)")
    run.add_argument("--memory", choices=("auto", "device", "host"), default="auto",
                     help="device: CUDA memory through cuda-python; host: numpy arrays (for host tensors, or a "
                          "library that runs on the host); auto (default): device when a GPU answers, else host")
    run.add_argument("--seed", type=int, default=0, help="seed of the random inputs (default 0)")
    run.add_argument("--save-outputs", metavar="FILE.npz", help="write the outputs of the last inference")
    run.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                     help="a progress bar on standard error (default: when it is a terminal)")
    run.add_argument("--library", help="path of the TensorRT library (default: the search order)")
    run.add_argument("--json", action="store_true", help="print JSON")
    run.set_defaults(func=run_command)


# ------------------------------------------------------------------ shared


def _open(args: argparse.Namespace, logger: ILogger) -> tuple[Library, Runtime, ICudaEngine]:
    # Not isfile(): a pipe (``<(cat plan)``, /dev/stdin) or a FIFO is streamed by deserialize().
    if not os.path.exists(args.engine):
        raise UsageError(f"{args.engine}: no such engine file")
    if os.path.isdir(args.engine):
        raise UsageError(f"{args.engine} is a directory, not an engine file")
    library = load_library(args.library)
    runtime = Runtime(logger, library=library)
    engine = runtime.deserialize(args.engine)
    return library, runtime, engine


def _name(value: Any) -> str:
    return value.name if hasattr(value, "name") else str(value)


def _shape_text(shape: Any) -> str:
    return str(tuple(int(e) for e in shape))


# ------------------------------------------------------------------ inspect


def describe(engine: ICudaEngine) -> dict[str, Any]:
    """What ``inspect`` reports, as a JSON-ready dict."""
    tensors = []
    for name in engine.tensor_names:
        t = engine.get_tensor_info(name)
        tensors.append({
            "name": name,
            "mode": _name(t.mode),
            "dtype": _name(t.dtype),
            "shape": list(t.shape),
            "location": _name(t.location),
            "format": _name(t.format),
            "format_desc": t.format_desc,
            "shape_inference_io": t.is_shape_inference_io,
        })
    profiles = []
    for p in range(engine.num_optimization_profiles):
        shapes = {}
        for name in engine.tensor_names:
            if engine.get_tensor_mode(name) == TensorIOMode.INPUT and not engine.is_shape_inference_io(name):
                lo, opt, hi = engine.get_tensor_profile_shape(name, p)
                shapes[name] = {"min": list(lo), "opt": list(opt), "max": list(hi)}
        profiles.append({
            "index": p,
            "device_memory_size": engine.get_device_memory_size_for_profile_v2(p),
            "inputs": shapes,
        })
    return {
        "name": engine.name,
        "num_layers": engine.num_layers,
        "num_io_tensors": engine.num_io_tensors,
        "num_optimization_profiles": engine.num_optimization_profiles,
        "num_aux_streams": engine.num_aux_streams,
        "device_memory_size_v2": engine.device_memory_size_v2,
        "streamable_weights_size": engine.streamable_weights_size,
        "refittable": engine.refittable,
        "engine_capability": _name(engine.engine_capability),
        "hardware_compatibility_level": _name(engine.hardware_compatibility_level),
        "tensors": tensors,
        "profiles": profiles,
    }


def _file_size(path: str) -> int | None:
    """The size of a regular file; None for a pipe or a FIFO, whose size only reading tells."""
    info = os.stat(path)
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def _inspect(args: argparse.Namespace) -> int:
    library, runtime, engine = _open(args, WarningsLogger())
    report = {
        "file": os.path.abspath(args.engine),
        "size": _file_size(args.engine),
        "library": library_summary(library),
        "engine": describe(engine),
    }
    engine.close()
    runtime.close()
    if args.json:
        print(json.dumps(report, indent=2))
        return EXIT_OK
    e = report["engine"]
    size = "streamed" if report["size"] is None else f"{report['size']} bytes"
    print(f"engine:     {e['name']!r} ({report['file']}, {size})")
    print(f"library:    TensorRT {library.version} ({library.flavour.value}) at {library.path}")
    print(f"layers:     {e['num_layers']}    I/O tensors: {e['num_io_tensors']}    "
          f"profiles: {e['num_optimization_profiles']}    aux streams: {e['num_aux_streams']}")
    print(f"memory:     device {e['device_memory_size_v2']} bytes, streamable weights "
          f"{e['streamable_weights_size']} bytes")
    print(f"capability: {e['engine_capability']}    hardware compatibility: {e['hardware_compatibility_level']}"
          f"    refittable: {'yes' if e['refittable'] else 'no'}")
    rows = [("tensor", "mode", "dtype", "shape", "location", "format")]
    rows += [(t["name"], t["mode"], t["dtype"], _shape_text(t["shape"]), t["location"], t["format"])
             for t in e["tensors"]]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print()
    for r in rows:
        print("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    for p in e["profiles"]:
        print(f"\nprofile {p['index']} (device memory {p['device_memory_size']} bytes):")
        for name, s in p["inputs"].items():
            print(f"  {name}: min {_shape_text(s['min'])}  opt {_shape_text(s['opt'])}  max {_shape_text(s['max'])}")
    return EXIT_OK


def inspect_command(args: argparse.Namespace) -> int:
    """Run ``inspect``; return the exit code."""
    return guarded(_inspect, args)


# ------------------------------------------------------------------ run: inputs


def _pairs(items: list[str], what: str) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise UsageError(f"--{what} takes NAME=VALUE, got {item!r}")
        out[name] = value
    return out


def _parse_shape(text: str) -> tuple[int, ...]:
    parts = text.replace(",", "x").split("x")
    try:
        shape = tuple(int(p) for p in parts if p.strip() != "")
    except ValueError:
        raise UsageError(f"a shape is extents separated by 'x', like 1x3x224x224; got {text!r}") from None
    if any(e < 0 for e in shape):
        raise UsageError(f"a shape to run with has no negative extents; got {text!r}")
    if any(e >= 1 << 63 for e in shape):
        raise UsageError(f"an extent of a shape must fit in 64 bits (below 2**63); got {text!r}")
    return shape


def _load_input(path: str, name: str) -> np.ndarray:
    """The array of ``path`` (a .npy file) for input ``name``, or UsageError saying what is expected."""
    import numpy as np
    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise UsageError(f"cannot read {path} for {name!r}: {exc}") from None
    if not isinstance(data, np.ndarray):  # an .npz archive: a mapping of arrays
        files = list(getattr(data, "files", ()))
        close = getattr(data, "close", None)
        if close is not None:
            close()
        raise UsageError(
            f"{path} for {name!r} is an .npz archive (of {', '.join(files) or 'no arrays'}), not one array: "
            f"--input NAME=FILE takes a .npy file (numpy.save); save each input of the archive to its own .npy "
            "file and give one --input per input")
    return data


def _outputs_path(path: str) -> str:
    """The file ``--save-outputs path`` writes (numpy adds .npz), checked before anything runs.

    Raises
    ------
    UsageError
        Its directory does not exist or is not writable, or the path is a directory.
    """
    real = path if path.endswith(".npz") else path + ".npz"
    folder = os.path.dirname(os.path.abspath(real))
    if os.path.isdir(real):
        raise UsageError(f"--save-outputs {path}: {real} is a directory")
    if not os.path.isdir(folder):
        raise UsageError(f"--save-outputs {path}: the directory {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"--save-outputs {path}: the directory {folder} is not writable")
    return real


def _random(shape: tuple[int, ...], dtype: DataType, rng: np.random.Generator) -> np.ndarray:
    import numpy as np
    try:
        np_type = nptype(dtype)
    except TypeError:
        # No numpy type (BF16, FP8, INT4 ...): random bytes of the right size.
        nbytes = math.ceil(volume(shape) * dtype.itemsize)
        return rng.integers(0, 256, size=nbytes, dtype=np.uint8)
    if np_type is np.bool_:
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    if np.issubdtype(np_type, np.floating):
        return rng.uniform(-1.0, 1.0, size=shape).astype(np_type)
    return rng.integers(0, 8, size=shape).astype(np_type)


def _prepare_inputs(engine: ICudaEngine, ctx: Any, args: argparse.Namespace,
                    files: dict[str, str]) -> dict[str, np.ndarray]:
    import numpy as np
    shapes = {k: _parse_shape(v) for k, v in _pairs(args.shape, "shape").items()}
    inputs = [n for n in engine.tensor_names if engine.get_tensor_mode(n) == TensorIOMode.INPUT]
    for name in list(files) + list(shapes):
        if name not in inputs:
            raise UsageError(f"{name!r} is not an input of the engine (inputs: {', '.join(inputs)})")
    rng = np.random.default_rng(args.seed)
    arrays = {}
    for name in inputs:
        dtype = engine.get_tensor_dtype(name)
        built = engine.get_tensor_shape(name)
        data = None
        if name in files:
            data = _load_input(files[name], name)
        if name in shapes:
            shape = shapes[name]
        elif data is not None:
            shape = data.shape
        elif built.is_dynamic:
            shape = tuple(engine.get_tensor_profile_shape(name, args.profile)[1])
        else:
            shape = tuple(built)
        if len(shape) != len(built):
            raise UsageError(f"{name!r} has {len(built)} dimensions {_shape_text(built)}, got {_shape_text(shape)}")
        # The context checks the shape against the profile before anything of that size is allocated.
        try:
            ctx.set_input_shape(name, shape)
        except InvalidArgumentError as exc:
            raise UsageError(f"input {name!r} cannot run with shape {tuple(shape)}: {exc.message}"
                             f"{_allowed(engine, name, args.profile)}") from None
        if data is not None:
            if data.shape != shape:
                raise UsageError(f"{files[name]} holds shape {data.shape}, but {name!r} runs with {shape}")
            try:
                want = nptype(dtype)
            except TypeError:
                raise UsageError(f"{name!r} is {dtype.name}, which numpy has no type for; "
                                 "leave it out to get random bytes") from None
            if data.dtype != want:
                if not np.can_cast(data.dtype, want, casting="same_kind"):
                    raise UsageError(f"{files[name]} holds {data.dtype}, {name!r} is {dtype.name} ({np.dtype(want)})")
                data = data.astype(want)
            data = np.ascontiguousarray(data)
        else:
            data = _random(shape, dtype, rng)
        arrays[name] = data
    return arrays


def _allowed(engine: ICudaEngine, name: str, profile: int) -> str:
    """`` (profile P allows MIN to MAX)`` for input ``name``, or nothing where the engine cannot say."""
    try:
        lo, _opt, hi = engine.get_tensor_profile_shape(name, profile)
    except InvalidArgumentError:
        return ""
    return f" (profile {profile} allows {_shape_text(lo)} to {_shape_text(hi)})"


def _outputs(engine: ICudaEngine, ctx: Any) -> dict[str, np.ndarray]:
    import numpy as np
    out = {}
    for name in engine.tensor_names:
        if engine.get_tensor_mode(name) != TensorIOMode.OUTPUT:
            continue
        shape = tuple(ctx.get_tensor_shape(name))
        if any(e < 0 for e in shape):
            raise UsageError(f"output {name!r} has a data-dependent shape {_shape_text(shape)}; run cannot size it")
        dtype = engine.get_tensor_dtype(name)
        try:
            out[name] = np.zeros(shape, nptype(dtype))
        except TypeError:
            out[name] = np.zeros(math.ceil(volume(shape) * dtype.itemsize), np.uint8)
    return out


# ------------------------------------------------------------------ run: timing


class Progress:
    """A one-line progress bar on a stream (nothing when disabled)."""

    def __init__(self, total: int, enabled: bool, stream: Any = None, width: int = 30) -> None:
        self.total = max(total, 1)
        self.enabled = enabled and total > 0
        self.stream = stream or sys.stderr
        self.width = width
        self.step = max(self.total // 100, 1)

    def update(self, done: int) -> None:
        """Show ``done`` of the total (about once per percent)."""
        if not self.enabled or (done % self.step and done != self.total):
            return
        filled = self.width * done // self.total
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{self.total}")
        self.stream.flush()

    def finish(self) -> None:
        """End the bar's line."""
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation, as numpy's default."""
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def summarize(latencies_s: list[float], wall_s: float) -> dict[str, float]:
    """Latency statistics in milliseconds and throughput, from per-inference latencies and the wall time (s)."""
    ms = sorted(t * 1e3 for t in latencies_s)
    n = len(ms)
    return {
        "iterations": n,
        "min_ms": ms[0] if ms else float("nan"),
        "mean_ms": sum(ms) / n if n else float("nan"),
        "p50_ms": percentile(ms, 50),
        "p90_ms": percentile(ms, 90),
        "p99_ms": percentile(ms, 99),
        "max_ms": ms[-1] if ms else float("nan"),
        "throughput_per_s": n / wall_s if wall_s > 0 else float("nan"),
    }


def _run(args: argparse.Namespace) -> int:
    try:
        import numpy as np
    except ImportError:
        raise UsageError("run needs numpy for its inputs and outputs: pip install numpy") from None
    if args.iterations < 1:
        raise UsageError("-n must be at least 1")
    if args.warmup < 0:
        raise UsageError("--warmup must be >= 0")
    if args.seed < 0:
        raise UsageError(f"--seed must be >= 0, got {args.seed}")
    save_to = _outputs_path(args.save_outputs) if args.save_outputs else None
    library, runtime, engine = _open(args, WarningsLogger())
    memory = choose_memory(args.memory)
    ctx = engine.create_execution_context()
    try:
        if args.profile:
            if not 0 <= args.profile < engine.num_optimization_profiles:
                raise UsageError(f"--profile {args.profile}: the engine has {engine.num_optimization_profiles}")
            ctx.set_optimization_profile_async(args.profile, memory.stream)
        files = _pairs(args.input, "input")
        inputs = _prepare_inputs(engine, ctx, args, files)
        missing = ctx.infer_shapes()
        if missing:
            raise UsageError(f"inputs without a shape: {', '.join(missing)}")
        outputs = _outputs(engine, ctx)
        buffers: dict[str, Any] = {}
        for name, array in {**inputs, **outputs}.items():
            buffers[name] = memory.allocate(array)
            if name in inputs:
                memory.upload(buffers[name], array)
        binding = ctx.bind(buffers)
        stream = memory.stream
        for _ in range(args.warmup):
            binding.execute(stream)
        memory.synchronize()
        show = args.progress if args.progress is not None else sys.stderr.isatty()
        progress = Progress(args.iterations, show)
        latencies = []
        clock = time.perf_counter
        start = clock()
        for i in range(args.iterations):
            t0 = clock()
            binding.execute(stream)
            memory.synchronize()
            latencies.append(clock() - t0)
            progress.update(i + 1)
        wall = clock() - start
        progress.finish()
        stats = summarize(latencies, wall)
        if save_to:
            # numpy's stub lets **kwds fill savez's allow_pickle: the names here are tensor names.
            np.savez(save_to, **{n: memory.download(buffers[n], a) for n, a in outputs.items()})  # type: ignore[arg-type]
        report = {
            "engine": engine.name,
            "library": library_summary(library),
            "memory": memory.kind,
            "inputs": {n: {"shape": list(a.shape), "dtype": str(a.dtype),
                           "source": "file" if n in files else "random"} for n, a in inputs.items()},
            "outputs": {n: {"shape": list(a.shape), "dtype": str(a.dtype)} for n, a in outputs.items()},
            "warmup": args.warmup,
            **stats,
        }
    finally:
        ctx.close()
        memory.close()
        engine.close()
        runtime.close()
    if args.json:
        print(json.dumps(report, indent=2))
        return EXIT_OK
    print(f"engine:     {report['engine']!r} on TensorRT {library.version} ({library.flavour.value}), "
          f"{memory.kind} memory")
    for n, d in report["inputs"].items():
        print(f"  input  {n}: {_shape_text(d['shape'])} {d['dtype']} ({d['source']})")
    for n, d in report["outputs"].items():
        print(f"  output {n}: {_shape_text(d['shape'])} {d['dtype']}")
    print(f"\n{stats['iterations']} inferences after {args.warmup} warm-up, latency in ms "
          "(execute + stream synchronize):")
    print(f"  min {stats['min_ms']:.4f}  mean {stats['mean_ms']:.4f}  p50 {stats['p50_ms']:.4f}  "
          f"p90 {stats['p90_ms']:.4f}  p99 {stats['p99_ms']:.4f}  max {stats['max_ms']:.4f}")
    print(f"throughput: {stats['throughput_per_s']:.1f} inferences/s")
    if save_to:
        print(f"outputs written to {save_to}")
    return EXIT_OK


def run_command(args: argparse.Namespace) -> int:
    """Run ``run``; return the exit code."""
    return guarded(_run, args)

