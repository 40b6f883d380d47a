"""Packaging: the wheel's build settings, a vendored copy, public names, how values print, the CLI's rough edges.

The wheel itself is built and installed on every CPython by CI
(``.ci/wheel_smoke.py``); here: what a test in this environment can hold.
A vendored copy runs with ``python -S`` (no site-packages, so not the editable
install's import hook) and a PYTHONPATH of the application folder and of a
folder holding only what it needs (cffi's ``_cffi_backend``).
"""

from __future__ import annotations

import os
import pathlib
import pickle
import shutil
import subprocess
import sys
import traceback

import pytest

import trt_runtime as trt
from conftest import DOUBLE_VERSION, REAL_LIBS, gpu_available, make_plan

REPO = pathlib.Path(__file__).resolve().parents[1]
PLAN = make_plan("vendored", [("x", 1, 0, (2, 3)), ("y", 2, 0, (2, 3))])


# ------------------------------------------------------------------ build settings


def test_the_extension_is_built_for_the_limited_api_and_stripped() -> None:
    sys.path.insert(0, str(REPO))
    try:
        import build_shim
    finally:
        sys.path.remove(str(REPO))
    kwargs = build_shim.make_builder()._assigned_source[3]
    assert kwargs["py_limited_api"] is True
    assert "-s" in kwargs["extra_link_args"]
    setup_text = (REPO / "setup.py").read_text()
    assert '"py_limited_api": "cp310"' in setup_text
    manifest = (REPO / "MANIFEST.in").read_text()
    for needed in ("build_shim.py", "recursive-include shim *.cpp *.h *.hpp", "compat/*.h"):
        assert needed in manifest


# ------------------------------------------------------------------ vendoring


@pytest.fixture(scope="module")
def vendored(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pathlib.Path]:
    """An application folder with a copy of trt_runtime/ (and its built extension); a folder with _cffi_backend only."""
    import _cffi_backend

    import trt_runtime._native as native

    root = tmp_path_factory.mktemp("vendoring")
    app = root / "app"
    package = pathlib.Path(trt.__file__).parent
    shutil.copytree(package, app / "trt_runtime", ignore=shutil.ignore_patterns("__pycache__", "_native*"))
    shutil.copy2(native.__file__, app / "trt_runtime" / pathlib.Path(native.__file__).name)
    cffi_only = root / "cffi_runtime"
    cffi_only.mkdir()
    os.symlink(_cffi_backend.__file__, cffi_only / pathlib.Path(_cffi_backend.__file__).name)
    no_extension = root / "no_extension"
    shutil.copytree(package, no_extension / "trt_runtime", ignore=shutil.ignore_patterns("__pycache__", "_native*"))
    (root / "model.plan").write_bytes(PLAN)
    return {"root": root, "app": app, "cffi": cffi_only, "no_extension": no_extension}


def run_isolated(args: list[str], *path: pathlib.Path, cwd: pathlib.Path) -> subprocess.CompletedProcess[str]:
    """``python -S args`` with PYTHONPATH = ``path`` only: no site-packages, no editable install."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "TRT_RUNTIME"))}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in path)
    return subprocess.run([sys.executable, "-S", *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_a_vendored_copy_runs_info_and_deserializes_without_numpy(vendored: dict[str, pathlib.Path],
                                                                  fake_lib_path: pathlib.Path) -> None:
    where = run_isolated(["-c", "import trt_runtime, importlib.util; print(trt_runtime.__file__); "
                                "print(importlib.util.find_spec('numpy'))"],
                         vendored["app"], vendored["cffi"], cwd=vendored["root"])
    assert where.returncode == 0, where.stderr
    assert where.stdout.splitlines() == [str(vendored["app"] / "trt_runtime" / "__init__.py"), "None"]
    info = run_isolated(["-m", "trt_runtime", "info", "--library", str(fake_lib_path)],
                        vendored["app"], vendored["cffi"], cwd=vendored["root"])
    assert info.returncode == 0, info.stderr
    assert f"TensorRT {DOUBLE_VERSION}" in info.stdout and "Traceback" not in info.stderr
    code = ("import sys, trt_runtime as trt\n"
            "rt = trt.Runtime(trt.Logger(), library=sys.argv[1])\n"
            "e = rt.deserialize('model.plan')\n"
            "print(e.name, [str(e.get_tensor_mode(n)) for n in e.tensor_names], e.get_tensor_dtype('x'))\n")
    des = run_isolated(["-c", code, str(fake_lib_path)], vendored["app"], vendored["cffi"], cwd=vendored["root"])
    assert des.returncode == 0, des.stderr
    assert des.stdout.strip() == "vendored ['TensorIOMode.INPUT', 'TensorIOMode.OUTPUT'] DataType.FLOAT"


def test_a_vendored_copy_without_cffi_says_to_install_cffi(vendored: dict[str, pathlib.Path]) -> None:
    proc = run_isolated(["-m", "trt_runtime", "info"], vendored["app"], cwd=vendored["root"])
    assert proc.returncode == 1
    assert "_cffi_backend" in proc.stderr and "pip install cffi" in proc.stderr
    assert "missing or broken" not in proc.stderr


def test_a_copy_without_its_extension_says_so(vendored: dict[str, pathlib.Path]) -> None:
    proc = run_isolated(["-c", "import trt_runtime; trt_runtime.Runtime"],
                        vendored["no_extension"], vendored["cffi"], cwd=vendored["root"])
    assert proc.returncode == 1
    assert "native extension (trt_runtime._native) is missing or broken" in proc.stderr
    assert "pip install cffi" not in proc.stderr


# ------------------------------------------------------------------ public names, printing


def test_every_public_class_has_its_public_name() -> None:
    for name in trt.__all__:
        value = getattr(trt, name)
        if isinstance(value, type):
            assert value.__module__ == "trt_runtime", name
            assert getattr(trt, value.__qualname__) is value  # pickle finds it by that name


def test_exceptions_print_and_pickle_by_their_public_name(fake_lib_path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    with pytest.raises(trt.LibraryNotFoundError) as info:
        trt.load_library(tmp_path / "libnvinfer.so.11")
    text = "".join(traceback.format_exception_only(info.type, info.value))
    assert text.startswith("trt_runtime.LibraryNotFoundError: ")
    error = trt.NoDeviceError("no GPU", 7, [trt.Report("logger", 1, "CUDA initialization failure")])
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is trt.NoDeviceError and again.code == 7 and again.reports == error.reports
    assert str(again) == str(error)
    # In a fresh process, before anything was resolved through the package: the traceback's name.
    proc = subprocess.run([sys.executable, "-c", "import trt_runtime as trt; trt.load_library('/nonexistent/x.so')"],
                          capture_output=True, text=True, timeout=60)
    assert "\ntrt_runtime.LibraryNotFoundError: cannot load /nonexistent/x.so" in proc.stderr


ENUMS = [trt.DataType.FLOAT, trt.TensorIOMode.INPUT, trt.Severity.WARNING, trt.ErrorCode.INVALID_ARGUMENT,
         trt.TempfileControlFlag.ALLOW_TEMPORARY_FILES, trt.ExecutionContextAllocationStrategy.STATIC]


@pytest.mark.parametrize("member", ENUMS, ids=lambda m: type(m).__name__)
def test_enums_print_by_name_as_the_official_bindings(member: trt.DataType) -> None:
    text = f"{type(member).__name__}.{member.name}"
    assert str(member) == f"{member}" == format(member) == "%s" % member == text
    assert f"{member:>40}" == text.rjust(40)
    assert f"{member:d}" == str(int(member)) and f"{member:#x}" == hex(int(member))
    assert repr(member) == f"<{text}: {int(member)}>"
    assert pickle.loads(pickle.dumps(member)) is member


def test_enums_print_the_same_on_every_supported_python() -> None:
    # One check per interpreter CI has; str() of IntEnum changed in 3.11.
    code = ("import trt_runtime as trt; x = trt.DataType.HALF; "
            "print(str(x), f'{x}', f'{trt.Flavour.LEAN}', str(trt.Flavour.DISPATCH))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.split() == ["DataType.HALF", "DataType.HALF", "lean", "dispatch"], proc.stderr


def test_a_librarys_flavour_prints_as_the_readme_says(fake_lean_path: pathlib.Path) -> None:
    flavour = trt.Flavour.LEAN
    assert str(flavour) == f"{flavour}" == "lean" and flavour == "lean" and flavour.value == "lean"
    assert repr(flavour) == "<Flavour.LEAN: 'lean'>"


# ------------------------------------------------------------------ command line


def _cli(*args: str, stdout: int | None = subprocess.PIPE, env: dict[str, str] | None = None,
         cwd: pathlib.Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trt_runtime", *args], stdout=stdout, stderr=subprocess.PIPE,
                          text=True, timeout=120, env=env, cwd=cwd)


def _closed_pipe_run(*args: str, cwd: pathlib.Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the CLI with a standard output whose reader has gone (``| head`` that exited)."""
    read, write = os.pipe()
    os.close(read)
    try:
        return _cli(*args, stdout=write, cwd=cwd)
    finally:
        os.close(write)


def test_a_closed_pipe_ends_quietly(fake_lib_path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    proc = _closed_pipe_run("info", "--library", str(fake_lib_path), "--json")
    assert (proc.returncode, proc.stderr) == (141, "")
    (tmp_path / "model.plan").write_bytes(PLAN)
    proc = _closed_pipe_run("run", "model.plan", "--library", str(fake_lib_path), "-n", "3", "--json",
                            "--memory", "host", cwd=tmp_path)  # the double reads tensors on the host
    assert (proc.returncode, proc.stderr) == (141, "")
    proc = _closed_pipe_run("inspect", "model.plan", "--library", str(fake_lib_path), cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (141, "")


@pytest.mark.parametrize("command", ["inspect", "run"])
def test_a_directory_as_engine_is_called_a_directory(command: str, fake_lib_path: pathlib.Path,
                                                     tmp_path: pathlib.Path) -> None:
    proc = _cli(command, str(tmp_path), "--library", str(fake_lib_path))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: {tmp_path} is a directory, not an engine file"


@pytest.mark.parametrize("command", ["inspect", "run"])
def test_no_gpu_is_said_once(command: str, tmp_path: pathlib.Path) -> None:
    if REAL_LIBS.get("lean") is None:
        pytest.skip("tensorrt-lean-cu13-libs is not installed")
    if gpu_available():
        pytest.skip("a GPU is present")
    (tmp_path / "junk.plan").write_bytes(b"junk" * 8)
    proc = _cli(command, str(tmp_path / "junk.plan"), "--library", str(REAL_LIBS["lean"]))
    assert proc.returncode == 2
    assert proc.stderr.count("no usable GPU") == 1, proc.stderr
    assert "Traceback" not in proc.stderr


def test_an_explicit_library_that_fails_lists_only_itself(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "libnvinfer.so.11"
    proc = _cli("info", "--library", str(missing))
    assert proc.returncode == 3
    assert "searched:" not in proc.stderr and f"cannot load {missing}: no such file" in proc.stderr
    if REAL_LIBS.get("lean") is not None or REAL_LIBS.get("dispatch") is not None:
        assert "Install one" not in proc.stderr
        assert "An installed TensorRT library is found without a path" in proc.stderr


def test_info_tells_cuda_python_apart_from_no_gpu(fake_lib_path: pathlib.Path) -> None:
    import importlib.util

    proc = _cli("info", "--library", str(fake_lib_path))
    assert proc.returncode == 0, proc.stderr
    gpu = next(line for line in proc.stdout.splitlines() if line.startswith("GPU:"))
    has_cuda_python = importlib.util.find_spec("cuda") is not None and (
        importlib.util.find_spec("cuda.bindings") is not None or importlib.util.find_spec("cuda.cudart") is not None)
    assert ("cuda-python not installed" in gpu) == (not has_cuda_python), gpu
