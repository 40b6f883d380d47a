"""Lifetimes of runtime, engine, context, binding and host memory: every release order, threads, exit."""

from __future__ import annotations

import ctypes
import gc
import itertools
import os
import pathlib
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import trt_runtime as trt
from conftest import RecordingLogger, make_plan

TENSORS = [("in", 1, 0, (-1, 4)), ("out", 2, 0, (-1, 4))]


@pytest.fixture(scope="module")
def live(fake_lib_path: pathlib.Path) -> ctypes._FuncPointer:
    # The same file: dlopen hands back the library the shim opened, so this
    # counts the objects the shim created.
    fn = ctypes.CDLL(str(fake_lib_path)).fake_trt_live_objects
    fn.restype = ctypes.c_int32
    return fn


def plan() -> bytes:
    return make_plan("life", TENSORS, device_memory_size=64)


def run_once(ctx: trt.IExecutionContext) -> None:
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    y = np.zeros_like(x)
    ctx.bind({"in": x, "out": y}).execute()
    np.testing.assert_array_equal(y, x)


def usable(name: str, objects: dict[str, object]) -> None:
    """Exercise the object still held under ``name``."""
    obj = objects[name]
    if name == "runtime":
        obj.deserialize(plan()).close()  # type: ignore[attr-defined]
    elif name == "engine":
        ctx = obj.create_execution_context()  # type: ignore[attr-defined]
        run_once(ctx)
        ctx.close()
    elif name == "context":
        run_once(obj)  # type: ignore[arg-type]
    elif name == "memory":
        assert bytes(obj) == plan()  # type: ignore[call-overload]


@pytest.mark.parametrize("how", ["close", "del"])
@pytest.mark.parametrize("order", list(itertools.permutations(["runtime", "engine", "context", "memory"])),
                         ids="-".join)
def test_every_release_order(fake_library: trt.Library, live: ctypes._FuncPointer, how: str,
                             order: tuple[str, ...]) -> None:
    gc.collect()
    baseline = live()
    logger = RecordingLogger()
    runtime = trt.Runtime(logger, library=fake_library)
    engine = runtime.deserialize(plan())
    objects: dict[str, object] = {
        "runtime": runtime, "engine": engine, "context": engine.create_execution_context(),
        "memory": engine.serialize(),
    }
    del runtime, engine
    assert live() == baseline + 4  # runtime, engine, context, host memory
    for i, name in enumerate(order):
        obj = objects.pop(name)
        if how == "close":
            obj.close()  # type: ignore[attr-defined]
            obj.close()  # type: ignore[attr-defined]
        del obj
        gc.collect()
        for other in order[i + 1:]:
            usable(other, objects)
    gc.collect()
    assert live() == baseline
    assert not [m for m in logger.errors() if "fake_nvinfer" in m], logger.errors()


def test_context_alone_keeps_everything_alive(fake_library: trt.Library, live: ctypes._FuncPointer) -> None:
    gc.collect()
    baseline = live()
    logger = RecordingLogger()
    runtime = trt.Runtime(logger, library=fake_library)
    engine = runtime.deserialize(plan())
    ctx = engine.create_execution_context()
    binding = ctx.bind({"in": np.ones((2, 4), np.float32), "out": np.zeros((2, 4), np.float32)})
    runtime.close()
    engine.close()
    assert live() == baseline + 3
    binding.execute()
    run_once(ctx)
    assert ctx.engine.closed  # the Python engine is closed; its shim object lives on for the context
    del runtime, engine
    gc.collect()
    binding.execute()
    ctx.close()
    assert live() == baseline
    with pytest.raises(trt.ClosedError):
        binding.execute()
    assert not [m for m in logger.errors() if "fake_nvinfer" in m]


def test_many_contexts_released_in_any_order(runtime: trt.Runtime, live: ctypes._FuncPointer) -> None:
    gc.collect()
    baseline = live()
    engine = runtime.deserialize(plan())
    contexts = [engine.create_execution_context() for _ in range(8)]
    engine.close()
    for ctx in contexts[::2] + contexts[1::2]:
        run_once(ctx)
        ctx.close()
    assert live() == baseline


def test_contexts_in_threads(runtime: trt.Runtime) -> None:
    engine = runtime.deserialize(plan())
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            ctx = engine.create_execution_context()
            x = np.full((3, 4), k, np.float32)
            y = np.zeros_like(x)
            binding = ctx.bind({"in": x, "out": y})
            for i in range(500):
                x[0, 0] = i
                binding.execute()
                assert y[0, 0] == i and y[1, 1] == k
            ctx.close()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ))


@pytest.mark.parametrize("extra", ["", "cycle", "recorder", "closed-runtime"])
def test_interpreter_exit_with_everything_alive(fake_lib_path: pathlib.Path, extra: str) -> None:
    code = f"""
        import sys
        sys.path.insert(0, {str(pathlib.Path(__file__).resolve().parent)!r})
        import numpy as np
        import trt_runtime as trt
        from double.build import make_plan

        class Logger(trt.ILogger):
            def log(self, severity, msg):
                if severity <= trt.Severity.ERROR:
                    print("LOGGED", msg, flush=True)

        class Recorder(trt.ErrorRecorder):
            def report_error(self, val, desc):
                print("RECORDED", desc, flush=True)
                return False

        trt.load_library({str(fake_lib_path)!r})
        runtime = trt.Runtime(Logger())
        extra = {extra!r}
        if extra == "recorder":
            runtime.error_recorder = Recorder()
        engine = runtime.deserialize(make_plan("exit", {TENSORS!r}))
        ctx = engine.create_execution_context()
        if extra == "recorder":
            ctx.error_recorder = Recorder()
        x = np.ones((2, 4), np.float32); y = np.zeros_like(x)
        binding = ctx.bind({{"in": x, "out": y}})
        binding.execute()
        memory = engine.serialize()
        view = memoryview(memory)
        if extra == "cycle":
            holder = [runtime, engine, ctx, binding, memory]
            holder.append(holder)
            del runtime, engine, ctx, binding, memory, holder
        if extra == "closed-runtime":
            runtime.close()
        print("DONE", float(y.sum()), flush=True)
    """
    proc = _run(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "DONE 8.0", proc.stdout
    assert proc.stderr == ""
