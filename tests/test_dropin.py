"""The drop-in path: unmodified programs that ``import tensorrt`` run on trt_runtime
(``python -m trt_runtime.as_tensorrt``, ``PYTHONPATH``), NVIDIA-sample style and
Polygraphy's engine loaders and ``TrtRunner``, on the lean test double.

Polygraphy's ``TrtRunner`` needs CUDA: ``activate()`` opens libcudart with
ctypes (``polygraphy.cuda``, found on ``LD_LIBRARY_PATH``, in
``/usr/local/cuda/lib64``, ``/usr/lib``, ``/lib`` or a ``nvidia/cuda_runtime/lib``
folder of ``sys.path``) and makes a stream, so without CUDA only constructing
a runner works; activating it fails inside Polygraphy (no libcudart: OSError;
a libcudart without a driver: "CUDA Error: 35"). ``tests/polygraphy_client.py``
(activate, infer twice, deactivate, including a "dds" output of data-dependent
shape, which Polygraphy serves with its own ``trt.IOutputAllocator``) runs on
the double in CUDA mode (``FAKE_TRT_CUDA=1``): on the CPU over the host
stand-in for CUDA (tests/double/fake_libcuda.cpp, put first on
``LD_LIBRARY_PATH``), and in the GPU tier over the real driver, with the
libcudart of an installed ``nvidia`` wheel (torch's) put on ``LD_LIBRARY_PATH``.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import pathlib
import subprocess
import sys

import pytest

import trt_runtime as trt
from conftest import gpu_available, make_plan
from copy_engine import PROFILES, TENSORS
from double.build import build_fake_cuda

HERE = pathlib.Path(__file__).resolve().parent
CLIENT = HERE / "dropin_client.py"
POLYGRAPHY_CLIENT = HERE / "polygraphy_client.py"
needs_polygraphy = pytest.mark.skipif(importlib.util.find_spec("polygraphy") is None,
                                      reason="polygraphy is not installed (pip install -e '.[test]')")


@pytest.fixture
def plan(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "copy.plan"
    path.write_bytes(make_plan("copy", TENSORS, profiles=PROFILES, device_memory_size=256))
    return path


def run(args: list[str], lean: pathlib.Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TRT_RUNTIME_LIBRARY=str(lean), **extra)
    # Keep where trt_runtime and cffi come from when they are not installed
    # (the GPU machine's PYTHONPATH); the drop-in folder, when given, goes first.
    inherited = os.environ.get("PYTHONPATH", "")
    if "PYTHONPATH" in extra and inherited:
        env["PYTHONPATH"] = extra["PYTHONPATH"] + os.pathsep + inherited
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=HERE.parent, timeout=120)


def expected(double: trt.Library) -> list[str]:
    # The lean double reports the version the full one does.
    return [f"version {double.version}", "outputs [[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1, 2, 3]]", "same True"]


def test_client_through_the_runner(fake_lean_path: pathlib.Path, fake_library: trt.Library, plan: pathlib.Path) -> None:
    out = run(["-m", "trt_runtime.as_tensorrt", str(CLIENT), str(plan)], fake_lean_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == expected(fake_library)


def test_client_through_pythonpath(fake_lean_path: pathlib.Path, fake_library: trt.Library, plan: pathlib.Path) -> None:
    from trt_runtime.as_tensorrt import dropin_path

    out = run([str(CLIENT), str(plan)], fake_lean_path, PYTHONPATH=dropin_path())
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == expected(fake_library)


def test_without_the_step_tensorrt_is_not_ours(fake_lean_path: pathlib.Path) -> None:
    out = run(["-c", "import tensorrt, sys; print(tensorrt.__file__)"], fake_lean_path)
    assert "trt_runtime" not in out.stdout  # the official module, or none at all


def test_runner_module_form_and_names(fake_lean_path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    (tmp_path / "client_mod.py").write_text(
        "import sys, tensorrt, tensorrt_lean, tensorrt_dispatch\n"
        "import trt_runtime\n"
        "assert trt_runtime.loaded_library() is None  # nothing opened by the import\n"
        "assert tensorrt.Runtime is trt_runtime.Runtime is tensorrt_lean.Runtime is tensorrt_dispatch.Runtime\n"
        "print(tensorrt.__name__, tensorrt.__version__, trt_runtime.__version__, sys.argv[1:])\n")
    out = run(["-m", "trt_runtime.as_tensorrt", "-m", "client_mod", "a", "b"], fake_lean_path,
              PYTHONPATH=str(tmp_path))
    assert out.returncode == 0, out.stderr
    name, version, own, *rest = out.stdout.strip().split(maxsplit=3)
    assert (name, own) == ("tensorrt", trt.__version__) and version.count(".") == 3 and rest == ["['a', 'b']"]


def test_runner_usage() -> None:
    out = subprocess.run([sys.executable, "-m", "trt_runtime.as_tensorrt"], capture_output=True, text=True)
    assert out.returncode == 2 and "usage" in out.stderr
    with pytest.raises(AttributeError, match="drop-in"):
        import trt_runtime.tensorrt as dropin

        dropin.no_such_name  # noqa: B018


POLYGRAPHY = (
    "import sys\n"
    "from polygraphy.backend.trt import EngineFromBytes, EngineFromPath\n"
    "e1 = EngineFromPath(sys.argv[1])()\n"
    "with open(sys.argv[1], 'rb') as f:\n"
    "    e2 = EngineFromBytes(f.read())()\n"
    "print(e1.num_io_tensors, e2.num_io_tensors, [e1.get_tensor_name(i) for i in range(e1.num_io_tensors)])\n"
)


@needs_polygraphy
def test_polygraphy_loads_engines(fake_lean_path: pathlib.Path, tmp_path: pathlib.Path, plan: pathlib.Path) -> None:
    script = tmp_path / "poly.py"
    script.write_text(POLYGRAPHY)
    out = run(["-m", "trt_runtime.as_tensorrt", str(script), str(plan)], fake_lean_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[-2] == "4 4 ['x', 'flags', 'y', 'flags_out']"


RUNNER_WITHOUT_CUDA = (
    "import sys\n"
    "from polygraphy.backend.trt import EngineFromPath, TrtRunner\n"
    "runner = TrtRunner(EngineFromPath(sys.argv[1]))\n"
    "print('constructed', runner.is_active)\n"
    "try:\n"
    "    runner.activate()\n"
    "except Exception as exc:\n"
    "    print('activate failed', type(exc).__name__)\n"
    "else:\n"
    "    print('activated')\n"
    "    runner.deactivate()\n"
)


@needs_polygraphy
def test_polygraphy_trt_runner_without_cuda_is_only_constructed(fake_lean_path: pathlib.Path, tmp_path: pathlib.Path,
                                                                 plan: pathlib.Path) -> None:
    script = tmp_path / "runner.py"
    script.write_text(RUNNER_WITHOUT_CUDA)
    out = run(["-m", "trt_runtime.as_tensorrt", str(script), str(plan)], fake_lean_path)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "constructed False"
    if not gpu_available():
        assert lines[-1] in ("activate failed OSError", "activate failed PolygraphyException")


def runner_plans(folder: pathlib.Path) -> list[str]:
    """A copy plan, and one with a data-dependent ("dds") output and a debug tensor (tests/double/README.md)."""
    copy = folder / "copy.plan"
    copy.write_bytes(make_plan("copy", TENSORS, profiles=PROFILES, device_memory_size=256))
    dds = folder / "dds.plan"
    dds.write_bytes(make_plan("dds", [("x", 1, 0, (-1, 4)), ("debug_flags", 1, 3, (3,)), ("dds_y", 2, 0, (-1, 4)),
                                      ("flags_out", 2, 3, (3,))],
                              profile_min={"x": (1, 4)}, profile_opt={"x": (3, 4)}, profile_max={"x": (8, 4)}))
    return [str(copy), str(dds)]


# What polygraphy_client.py prints: outputs equal to inputs, the "dds" output's shape
# known only from the inference, the debug tensor read back by Polygraphy's listener.
RUNNER_OUTPUT = [
    "plan copy shapes before [(-1, 4), (3,)]",
    "output y (2, 4) [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]",
    "output flags_out (3,) [1, 2, 3]",
    "same True debug tensors {}",
    "plan dds shapes before [(-1, 4), (3,)]",
    "output dds_y (3, 4) [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0]",
    "output flags_out (3,) [1, 2, 3]",
    "same True debug tensors {'debug_flags': [1, 2, 3]}",
]


def check_runner_output(out: subprocess.CompletedProcess[str]) -> None:
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == RUNNER_OUTPUT


def run_runner(lean: pathlib.Path, folder: pathlib.Path, library_path: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """polygraphy_client.py through the drop-in, on the lean double in CUDA mode, with ``library_path`` first on
    LD_LIBRARY_PATH (where Polygraphy finds libcudart, and the double libcuda.so.1)."""
    paths = [library_path, *filter(None, os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep))]
    return run(["-m", "trt_runtime.as_tensorrt", str(POLYGRAPHY_CLIENT), *runner_plans(folder)], lean,
               FAKE_TRT_CUDA="1", LD_LIBRARY_PATH=os.pathsep.join(paths), **extra)


@needs_polygraphy
def test_polygraphy_trt_runner_on_the_host_stand_in_for_cuda(fake_lean_path: pathlib.Path,
                                                             tmp_path: pathlib.Path) -> None:
    cuda = build_fake_cuda(tmp_path / "cuda")
    # The copies go through the driver: one it refuses fails the inference, with the double's reason.
    refused = run_runner(fake_lean_path, tmp_path, str(cuda.parent), FAKE_CUDA_FAIL="memcpy")
    assert refused.returncode != 0
    assert "cuMemcpyAsync from input 'x' to output 'y' (32 bytes) failed: CUDA_ERROR_INVALID_VALUE (1)" in refused.stderr
    check_runner_output(run_runner(fake_lean_path, tmp_path, str(cuda.parent)))


def cuda_runtime_folder() -> str | None:
    """A folder holding libcudart: an installed ``nvidia`` wheel's (torch brings one; cu12 wheels put it in
    nvidia/cuda_runtime/lib, cu13 ones in nvidia/cu13/lib), else the CUDA toolkit's; None when there is none."""
    for entry in sys.path:
        if entry and os.path.isdir(os.path.join(entry, "nvidia")):
            found = sorted(glob.glob(os.path.join(entry, "nvidia", "**", "libcudart.so*"), recursive=True))
            if found:
                return os.path.dirname(found[0])
    for folder in (*os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep), "/usr/local/cuda/lib64"):
        if folder and glob.glob(os.path.join(folder, "libcudart.so*")):
            return folder
    return None


@pytest.mark.gpu
@needs_polygraphy
def test_polygraphy_trt_runner_on_a_gpu(fake_lean_path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    folder = cuda_runtime_folder()
    if folder is None:
        pytest.skip("no libcudart here (Polygraphy needs the CUDA runtime: an nvidia-cuda-runtime wheel, or torch)")
    check_runner_output(run_runner(fake_lean_path, tmp_path, folder))


# A stand-in for the onnx package: only what Polygraphy's dtype table reads (ONNX's
# TensorProto type numbers).
ONNX_STAND_IN = (
    "class TensorProto:\n"
    "    class DataType:\n"
    "        @staticmethod\n"
    "        def items():\n"
    "            return [('FLOAT', 1), ('UINT8', 2), ('INT8', 3), ('UINT16', 4), ('INT16', 5), ('INT32', 6),\n"
    "                    ('INT64', 7), ('STRING', 8), ('BOOL', 9), ('FLOAT16', 10), ('DOUBLE', 11)]\n"
)


@needs_polygraphy
def test_polygraphy_guesses_data_types_with_onnx_installed(fake_lean_path: pathlib.Path,
                                                           tmp_path: pathlib.Path) -> None:
    """Polygraphy's DataType.from_dtype tries each known table in turn, onnx's (plain ints)
    before tensorrt's: trt_runtime's enums, like the official ones, equal no int, so
    DataType.INT32 (3) is not taken for onnx's INT8 (3)."""
    (tmp_path / "onnx").mkdir()
    (tmp_path / "onnx" / "__init__.py").write_text(ONNX_STAND_IN)
    script = tmp_path / "guess.py"
    script.write_text("import tensorrt as trt\n"
                      "from polygraphy.datatype import DataType\n"
                      "print(DataType.from_dtype(trt.int32), DataType.from_dtype(trt.float16))\n")
    out = run(["-m", "trt_runtime.as_tensorrt", str(script)], fake_lean_path, PYTHONPATH=str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["int32", "float16"]  # as with the official bindings
