"""Exit: the interpreter exits cleanly with every kind of object alive, and at sys.exit inside callbacks.

Status 0 and nothing on stderr with runtimes, sub-runtimes, registries,
engines, contexts, bindings and host memory alive (in reference cycles, with
recorders, with the runtime closed), and after each order of deleting them;
the status given and no traceback at sys.exit inside each kind of callback. On
the double, and on the real lean library in the GPU tier. Each case runs in a
fresh interpreter.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import os
import pathlib
import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import pytest

from conftest import REAL_LIBS, make_plan
from support import JUNK, PLAN, run_python
from support import LIFE_TENSORS as TENSORS


# ------------------------------------------------------------------ with objects alive


def test_interpreter_exit_with_live_objects_is_clean(fake_lib_path: pathlib.Path,
                                                     fake_lean_path: pathlib.Path) -> None:
    plan = make_plan("x", [("i", 1, 0, (1,)), ("o", 2, 0, (1,))])
    code = textwrap.dedent(f"""
        import trt_runtime as trt
        class L(trt.ILogger):
            def log(self, s, m): print('log', m)
        lib = trt.load_library({str(fake_lib_path)!r})
        rt = trt.Runtime(L(), library=lib)
        rt.error_recorder = trt.ErrorRecorder()
        child = rt.load_runtime({str(fake_lean_path)!r})
        reg = rt.get_plugin_registry()
        engine = rt.deserialize({plan!r})
        engine2 = child.deserialize({plan!r})
        keep = [rt, child, reg, engine, engine2]
        print('done')
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("done") and proc.stderr == ""


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


# ------------------------------------------------------------------ after every deletion order


def _parallel(jobs: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(2, min(8, os.cpu_count() or 2))) as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        return {name: f.result() for name, f in futures.items()}


_EXIT_PRELUDE = """
import ctypes, sys, trt_runtime as trt

class Loud(trt.ILogger):
    # Anything at WARNING or worse ends up on stderr, which must stay empty.
    def log(self, severity, msg):
        if severity <= trt.Severity.WARNING:
            print(f"logged [{{int(severity)}}] {{msg}}", file=sys.stderr)

class HostAllocator(trt.IGpuAllocator):
    def __init__(self):
        self.live = {{}}
    def allocate(self, size, alignment, flags):
        buf = (ctypes.c_char * max(size, 1))()
        self.live[ctypes.addressof(buf)] = buf
        return ctypes.addressof(buf)
    def deallocate(self, memory):
        return self.live.pop(memory, None) is not None

lib = trt.load_library({lib!r})
"""


_EXIT_DOUBLE = _EXIT_PRELUDE + """
rt = trt.Runtime(Loud(), library=lib)
rt.error_recorder = trt.ErrorRecorder()
rt.gpu_allocator = HostAllocator()
child = rt.load_runtime({lean!r})
reg = rt.get_plugin_registry()
engine = rt.deserialize({plan!r})
child_engine = child.deserialize({plan!r})  # stays alive to the end
if lib.version.major != 10 or lib.version.minor >= 10:
    assert reg.all_creators_recursive
else:  # getAllCreatorsRecursive came in 10.10: refused, the library is not called
    try:
        reg.all_creators_recursive
    except trt.UnsupportedError as e:
        assert "getAllCreatorsRecursive needs TensorRT 10.10" in str(e), e
    else:
        raise AssertionError("a recursive listing before 10.10")
assert engine.num_io_tensors == 2
for name in {order!r}:
    del globals()[name]
print("done", flush=True)
"""


_EXIT_REAL = _EXIT_PRELUDE + """
rt = trt.Runtime(Loud(), library=lib)
rt.error_recorder = trt.ErrorRecorder()
child = rt.load_runtime({lean!r})
assert child is not None
reg = rt.get_plugin_registry()
if lib.version.major != 10 or lib.version.minor >= 10:
    assert reg.all_creators_recursive
else:  # getAllCreatorsRecursive came in 10.10: refused, the library is not called
    try:
        reg.all_creators_recursive
    except trt.UnsupportedError as e:
        assert "getAllCreatorsRecursive needs TensorRT 10.10" in str(e), e
    else:
        raise AssertionError("a recursive listing before 10.10")
for name in {order!r}:
    del globals()[name]
print("done", flush=True)
"""


def _exit_runs(template: str, names: list[str], **fmt: Any) -> None:
    orders = [()] + list(itertools.permutations(names))
    jobs = {" ".join(o) or "(no del)": (lambda o=o: run_python(template.format(order=list(o), **fmt)))
            for o in orders}
    bad = {k: (p.returncode, p.stdout[-300:], p.stderr[-1500:]) for k, p in _parallel(jobs).items()
           if p.returncode != 0 or p.stderr != "" or p.stdout.strip() != "done"}
    assert not bad, f"{len(bad)} of {len(jobs)} orders did not exit cleanly: {bad}"


def test_exit_is_clean_in_every_deletion_order(fake_lib_path: pathlib.Path, fake_lean_path: pathlib.Path) -> None:
    """A runtime (with recorder and Python allocator), a sub-runtime of the lean double, a registry,
    an engine (and the sub-runtime's engine, kept): deleted in each of the 24 orders, or not at all,
    before exit: status 0, nothing on stderr (25 interpreters)."""
    _exit_runs(_EXIT_DOUBLE, ["rt", "child", "reg", "engine"], lib=str(fake_lib_path), lean=str(fake_lean_path),
               plan=PLAN)


@pytest.mark.gpu
def test_exit_is_clean_in_every_deletion_order_on_the_real_lean_library() -> None:
    """The real lean library: runtime, sub-runtime (load_runtime of the lean library), registry;
    every deletion order, or none: status 0, nothing on stderr."""
    lean = REAL_LIBS["lean"]
    if lean is None:
        pytest.skip("the real lean library is not installed")
    _exit_runs(_EXIT_REAL, ["rt", "child", "reg"], lib=str(lean), lean=str(lean))


# ------------------------------------------------------------------ sys.exit inside callbacks


def test_sys_exit_inside_a_logger_exits_cleanly(fake_lib_path: pathlib.Path) -> None:
    code = textwrap.dedent(f"""
        import sys, trt_runtime as trt
        class L(trt.ILogger):
            def log(self, s, m): sys.exit(7)
        rt = trt.Runtime(L(), library=trt.load_library({str(fake_lib_path)!r}))
        rt.deserialize_cuda_engine(b'')
        print('not reached')
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 7, proc.stderr
    assert "not reached" not in proc.stdout


_SYS_EXIT = _EXIT_PRELUDE + """
import io
EXIT_IN = {where!r}

class Logger(Loud):
    def log(self, severity, msg):
        if EXIT_IN == "logger" and severity <= trt.Severity.ERROR:
            sys.exit(3)

class Recorder(trt.ErrorRecorder):
    def report_error(self, val, desc):
        if EXIT_IN == "recorder":
            sys.exit(3)
        return super().report_error(val, desc)

class Reader(trt.IStreamReaderV2):
    def __init__(self, data):
        self.f = io.BytesIO(data)
    def read(self, size, stream):
        if EXIT_IN == "reader":
            sys.exit(3)
        return self.f.read(size)
    def seek(self, offset, where):
        self.f.seek(offset, int(where))
        return True

class Allocator(HostAllocator):
    def allocate(self, size, alignment, flags):
        if EXIT_IN == "allocator":
            sys.exit(3)
        return super().allocate(size, alignment, flags)

rt = trt.Runtime(Logger(), library=lib)
keep = [rt.get_plugin_registry()]
{setup}
if EXIT_IN == "recorder":
    rt.error_recorder = Recorder()
if EXIT_IN == "allocator":
    rt.gpu_allocator = Allocator()
rt.deserialize_cuda_engine({data})
print("not reached", flush=True)
"""


def _sys_exit_runs(wheres: list[str], lib: pathlib.Path, setup: str, data: dict[str, str]) -> None:
    jobs = {w: (lambda w=w: run_python(_SYS_EXIT.format(lib=str(lib), where=w, setup=setup, data=data[w])))
            for w in wheres}
    bad = {k: (p.returncode, p.stdout[-300:], p.stderr[-1500:]) for k, p in _parallel(jobs).items()
           if p.returncode != 3 or p.stderr != "" or "not reached" in p.stdout}
    assert not bad, bad


def test_sys_exit_inside_callbacks_exits_with_its_status(fake_lib_path: pathlib.Path,
                                                         fake_lean_path: pathlib.Path) -> None:
    """sys.exit(3) inside a logger, an error recorder, a stream reader and a GPU allocator, each
    during a deserialization with a sub-runtime, its engine and a registry alive: status 3,
    nothing on stderr (no traceback), the line after the call not reached."""
    setup = (f"child = rt.load_runtime({str(fake_lean_path)!r}); keep += [child, child.deserialize({PLAN!r})]\n"
             f"keep.append(rt.deserialize({PLAN!r}))")
    data = {"logger": repr(JUNK), "recorder": repr(JUNK), "reader": f"Reader({PLAN!r})", "allocator": repr(PLAN)}
    _sys_exit_runs(["logger", "recorder", "reader", "allocator"], fake_lib_path, setup, data)


@pytest.mark.gpu
def test_sys_exit_inside_callbacks_on_the_real_lean_library() -> None:
    """sys.exit(3) inside a logger, an error recorder and a stream reader on the real lean library
    (junk deserialized, a sub-runtime and a registry alive): status 3, nothing on stderr."""
    lean = REAL_LIBS["lean"]
    if lean is None:
        pytest.skip("the real lean library is not installed")
    junk = repr(b"\x01" * 4096)
    setup = f"keep.append(rt.load_runtime({str(lean)!r}))"
    _sys_exit_runs(["logger", "recorder", "reader"], lean, setup,
                   {"logger": junk, "recorder": junk, "reader": f"Reader({junk})"})
