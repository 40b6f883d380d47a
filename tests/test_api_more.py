"""The official API added for drop-in use: module functions, value types, the
registry's creators and recorder, the engine's and context's remaining methods
(on the test double; 10.x gating in the suite's 10.x rerun)."""

from __future__ import annotations

import pathlib
import os
import subprocess
import sys

import numpy as np
import pytest

import trt_runtime as trt
from conftest import RecordingLogger, since_10
from copy_engine import arrays, ctx, engine  # noqa: F401 - fixtures



def test_fixed_rank_dims() -> None:
    assert trt.Dims2() == (0, 0) and trt.Dims3(1, 2, 3) == (1, 2, 3) and trt.Dims4([1, 2, 3, 4]) == (1, 2, 3, 4)
    hw = trt.DimsHW(3, 5)
    assert (hw.h, hw.w) == (3, 5) and isinstance(hw, trt.Dims) and hw.MAX_DIMS == 8
    with pytest.raises(ValueError, match="Dims3 has 3 extents"):
        trt.Dims3(1, 2)
    with pytest.raises(TypeError):
        trt.Dims2(1.5, 2)


def test_enums_have_official_values() -> None:
    assert int(trt.EngineStat.STRIPPED_WEIGHTS_SIZE) == 1
    assert int(trt.LayerInformationFormat.JSON) == 1
    assert [int(f) for f in trt.SerializationFlag] == [0, 1, 2]
    assert int(trt.TacticSource.JIT_CONVOLUTIONS) == 1
    assert int(trt.APILanguage.PYTHON) == 1 and str(trt.APILanguage.CPP) == "APILanguage.CPP"


def test_loggers_as_officially() -> None:
    assert trt.ILogger.WARNING is trt.Severity.WARNING and trt.ILogger.Severity is trt.Severity
    logger = trt.Logger()
    assert logger.min_severity is trt.Logger.WARNING
    logger.min_severity = trt.Logger.ERROR
    assert logger.min_severity is trt.Severity.ERROR
    with logger as same:
        assert same is logger


def test_allocators_are_versioned_interfaces() -> None:
    class Alloc(trt.IGpuAsyncAllocator):
        pass

    a = Alloc()
    assert isinstance(a, trt.IVersionedInterface)
    assert a.api_language is trt.APILanguage.PYTHON
    assert a.interface_info == trt.InterfaceInfo("IGpuAsyncAllocator", 1, 0)


def test_process_registry(fake_library: trt.Library, runtime: trt.Runtime) -> None:
    registry = trt.get_plugin_registry()
    assert registry is trt.get_plugin_registry() and registry.runtime is None
    assert {c.name for c in registry.all_creators} == {"FakeV1Plugin", "FakeV3Plugin"}
    creator = registry.get_creator("FakeV3Plugin", "2", "fake")
    assert creator is not None and (creator.name, creator.plugin_version, creator.plugin_namespace) == (
        "FakeV3Plugin", "2", "fake")
    assert creator.api_language is trt.APILanguage.CPP
    assert registry.get_creator("nope", "1") is None
    # A runtime's registry finds it through its parent, takes it under another namespace, gives it back.
    own = runtime.get_plugin_registry()
    assert own.get_creator("FakeV3Plugin", "2", "fake") is not None
    assert own.register_creator(creator, "mine") is True
    assert [c.plugin_namespace for c in own.all_creators] == ["fake"] or len(own.all_creators) == 1
    assert own.register_creator_nocheck(creator, "mine") is False  # already there
    with pytest.raises(trt.TensorRTError):
        own.register_creator(creator, "mine")
    assert own.deregister_creator(creator) is True
    assert own.deregister_creator_nocheck(creator) is False
    with pytest.raises(TypeError, match="creators written in Python are not offered"):
        own.register_creator(object())  # type: ignore[arg-type]
    with pytest.raises(trt.LibraryError):
        own.load_library("/no/such/plugin.so")
    assert own.release_plugin_resource("no such key") == -1


def test_registry_error_recorder(runtime: trt.Runtime) -> None:
    own = runtime.get_plugin_registry()
    recorder = trt.ErrorRecorder()
    own.error_recorder = recorder
    assert own.error_recorder is recorder
    creator = trt.get_plugin_registry().get_creator("FakeV1Plugin", "1")
    assert creator is not None
    assert own.deregister_creator_nocheck(creator) is False
    own.error_recorder = None
    assert own.error_recorder is None


def test_init_plugins_lean_is_a_no_op(fake_lean_path: pathlib.Path) -> None:
    # In a subprocess: the lean double is another library of the process.
    code = (
        "import trt_runtime as trt\n"
        f"trt.load_library({str(fake_lean_path)!r})\n"
        "print(trt.init_libnvinfer_plugins(trt.Logger(), ''), trt.init_libnvinfer_plugins(None, 'ns'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]


PLUGIN_C = r"""
#include <stdio.h>
#include <stdbool.h>
bool initLibNvInferPlugins(void* logger, const char* ns) {
    FILE* f = fopen(getenv("FAKE_PLUGIN_OUT"), "w");
    fprintf(f, "%s %d\n", ns, logger != 0);
    fclose(f);
    return ns[0] != 'x';
}
"""


def test_init_plugins_full_loads_the_plugin_library_beside(tmp_path: pathlib.Path, fake_lib_path: pathlib.Path) -> None:
    # The double is the full library (no "lean" in its name); a fake plugin library beside a copy of it.
    folder = tmp_path / "lib"
    folder.mkdir()
    library = folder / fake_lib_path.name
    library.write_bytes(fake_lib_path.read_bytes())
    major = fake_lib_path.name.rsplit(".", 1)[1]
    source = tmp_path / "plugin.c"
    source.write_text("#include <stdlib.h>\n" + PLUGIN_C)
    code = (
        "import trt_runtime as trt\n"
        f"trt.load_library({str(library)!r})\n"
        "print(trt.init_libnvinfer_plugins(trt.Logger(), 'ns1'))\n"
        "print(trt.init_libnvinfer_plugins_nocheck(None, 'xfail'))\n"
        "try:\n    trt.init_libnvinfer_plugins(None, 'xfail')\nexcept trt.TensorRTError as e:\n    print('raised')\n"
    )
    env = {"PATH": "/usr/bin:/bin", "FAKE_PLUGIN_OUT": str(tmp_path / "out.txt"), "TRT_RUNTIME_MAJOR": major,
           # where trt_runtime and cffi come from when they are not installed (the GPU machine's PYTHONPATH)
           "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    nothing = subprocess.run([sys.executable, "-c", f"import trt_runtime as trt\ntrt.load_library({str(library)!r})\n"
                              "trt.init_libnvinfer_plugins(None, '')"], capture_output=True, text=True, env=env)
    assert "LibraryNotFoundError" in nothing.stderr and "libnvinfer_plugin.so." + major in nothing.stderr
    subprocess.run(["gcc", "-shared", "-fPIC", str(source), "-o", str(folder / f"libnvinfer_plugin.so.{major}")],
                   check=True)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "False", "raised"]
    assert (tmp_path / "out.txt").read_text() == "xfail 1\n"


def test_engine_more(engine: trt.ICudaEngine) -> None:  # noqa: F811
    if since_10(14):
        with pytest.raises(trt.InvalidArgumentError):  # the double has no statistics: TensorRT's -1
            engine.get_engine_stat(trt.EngineStat.TOTAL_WEIGHTS_SIZE)
    else:
        with pytest.raises(trt.UnsupportedError, match="10.14"):
            engine.get_engine_stat()
    if since_10(15):
        assert engine.get_aliased_input_tensor("y") is None
        with pytest.raises(trt.InvalidArgumentError):
            engine.get_aliased_input_tensor("nope")
    with pytest.raises(trt.InvalidArgumentError):
        engine.get_tensor_profile_values("x", 0)  # not a shape input
    if since_10(1):
        assert engine.get_weight_streaming_automatic_budget() == engine.weight_streaming_automatic_budget


def test_execute_v2_copies(ctx: trt.IExecutionContext) -> None:  # noqa: F811
    data = arrays()
    ctx.set_input_shape("x", data["x"].shape)
    order = [ctx.engine.get_tensor_name(i) for i in range(ctx.engine.num_io_tensors)]
    assert ctx.execute_v2([data[n].ctypes.data for n in order]) is True
    np.testing.assert_array_equal(data["y"], data["x"])
    np.testing.assert_array_equal(data["flags_out"], data["flags"])
    with pytest.raises(trt.InvalidArgumentError, match="one address per I/O tensor"):
        ctx.execute_v2([0])
    with pytest.raises(trt.TensorRTError):
        ctx.execute_v2([0, 0, 0, 0])
    assert ctx.execute_v2_nocheck([0, 0, 0, 0]) is False
    with pytest.raises(TypeError):
        ctx.execute_v2(7)  # type: ignore[arg-type]


def test_context_settings(ctx: trt.IExecutionContext) -> None:  # noqa: F811
    assert ctx.set_input_consumed_event(0x1000) is True and ctx.get_input_consumed_event() == 0x1000
    assert ctx.set_input_consumed_event_nocheck(0) is True and ctx.get_input_consumed_event() == 0
    ctx.set_aux_streams([1, 2])
    ctx.nvtx_verbosity = trt.ProfilingVerbosity.DETAILED
    assert ctx.nvtx_verbosity is trt.ProfilingVerbosity.DETAILED
    assert ctx.all_binding_shapes_specified is ctx.all_input_dimensions_specified

    class Alloc(trt.IGpuAllocator):
        def allocate(self, size: int, alignment: int, flags: int) -> int:
            return 0

        def deallocate(self, memory: int) -> bool:
            return True

    alloc = Alloc()
    ctx.temporary_allocator = alloc
    assert ctx.temporary_allocator is alloc
    ctx.temporary_allocator = None
    assert ctx.temporary_allocator is None
    with pytest.raises(TypeError):
        ctx.temporary_allocator = object()  # type: ignore[assignment]
    if since_10(16):
        with pytest.raises(trt.TensorRTError):  # the double does not implement it
            ctx.set_communicator(0x1000)
    else:
        with pytest.raises(trt.UnsupportedError, match="10.16"):
            ctx.set_communicator(0x1000)


def test_logger_gets_plugin_messages_class_attr() -> None:
    assert RecordingLogger.ERROR is trt.Severity.ERROR
