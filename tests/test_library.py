"""Choosing and opening the library: lazily, in a documented order, with clear errors."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import pytest

import trt_runtime as trt
from conftest import REAL_LIBS, gpu_available
from double.build import build


def run_python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=full_env, timeout=120)


def test_import_opens_no_tensorrt_library() -> None:
    proc = run_python("""
        import trt_runtime
        maps = open('/proc/self/maps').read()
        assert 'libnvinfer' not in maps, 'a TensorRT library was mapped at import'
        assert trt_runtime.loaded_library() is None
        print('ok')
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_runtime_with_a_non_logger_raises_type_error_before_loading() -> None:
    proc = run_python("""
        import trt_runtime
        for bad in (object(), None, print, 'logger'):
            try:
                trt_runtime.Runtime(bad)
            except TypeError as e:
                assert 'ILogger' in str(e)
            else:
                raise SystemExit('no TypeError')
        assert trt_runtime.loaded_library() is None
        assert 'libnvinfer' not in open('/proc/self/maps').read()
        print('ok')
    """)
    assert proc.returncode == 0, proc.stderr


def test_explicit_path_wins_and_reports_version_and_flavour(fake_library: trt.Library,
                                                            fake_lib_path: pathlib.Path) -> None:
    assert fake_library.version == trt.Version(11, 4, 0, 106)
    assert str(fake_library.version) == "11.4.0.106"
    assert fake_library.flavour is trt.Flavour.FULL
    assert pathlib.Path(fake_library.path).resolve() == fake_lib_path.resolve()
    assert trt.load_library(fake_lib_path) is fake_library


def test_environment_variable_is_used(fake_lib_path: pathlib.Path) -> None:
    proc = run_python("""
        import trt_runtime
        lib = trt_runtime.load_library()
        print(lib.path)
    """, env={"TRT_RUNTIME_LIBRARY": str(fake_lib_path)})
    assert proc.returncode == 0, proc.stderr
    assert pathlib.Path(proc.stdout.strip()).resolve() == fake_lib_path.resolve()


def test_environment_variable_pointing_nowhere_raises_clearly() -> None:
    proc = run_python("""
        import trt_runtime
        try:
            trt_runtime.load_library()
        except trt_runtime.LibraryError as e:
            print(type(e).__name__, e)
    """, env={"TRT_RUNTIME_LIBRARY": "/nonexistent/libnvinfer.so.11"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("LibraryNotFoundError") and "/nonexistent/libnvinfer.so.11" in proc.stdout


def test_nothing_found_lists_what_was_tried_and_how_to_install() -> None:
    # Hide the wheels: a fresh interpreter whose path lacks site-packages' TensorRT.
    proc = run_python("""
        import importlib.util, sys
        real = importlib.util.find_spec
        def hidden(name, *a, **k):
            return None if name.startswith('tensorrt') else real(name, *a, **k)
        importlib.util.find_spec = hidden
        import trt_runtime
        try:
            trt_runtime.load_library()
        except trt_runtime.LibraryNotFoundError as e:
            assert isinstance(e, FileNotFoundError)
            print(e)
        else:
            print('FOUND', trt_runtime.loaded_library())
    """, env={"TRT_RUNTIME_LIBRARY": ""})
    assert proc.returncode == 0, proc.stderr
    if proc.stdout.startswith("FOUND"):
        pytest.skip("a TensorRT library is installed system-wide")
    assert "libnvinfer_lean.so.11 (system loader)" in proc.stdout
    assert "pip install tensorrt-lean-cu13-libs" in proc.stdout
    assert "trt-runtime[lean]" in proc.stdout


def test_text_file_is_not_a_library(tmp_path: pathlib.Path) -> None:
    fake = tmp_path / "libnvinfer.so.11"
    fake.write_text("this is not a shared object\n")
    with pytest.raises(trt.LibraryError, match="cannot load"):
        trt.load_library(fake)


def test_truncated_library_is_refused(tmp_path: pathlib.Path, fake_lib_path: pathlib.Path) -> None:
    data = fake_lib_path.read_bytes()
    cut = tmp_path / "libnvinfer_truncated.so.11"
    cut.write_bytes(data[:8192])  # the ELF header survives, the segments do not
    with pytest.raises(trt.LibraryError, match="cannot load"):
        trt.load_library(cut)


def test_shared_object_without_tensorrt_entry_points_is_refused() -> None:
    libm = next((p for p in ("/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib64/libm.so.6") if os.path.exists(p)), None)
    if libm is None:
        pytest.skip("no libm.so.6 at the usual places")
    with pytest.raises(trt.LibraryError, match="not a TensorRT runtime library"):
        trt.load_library(libm)


def test_wrong_major_version_is_refused(tmp_path: pathlib.Path) -> None:
    path = build(tmp_path, "libnvinfer.so.10")
    proc = run_python(f"""
        import trt_runtime
        try:
            trt_runtime.load_library({str(path)!r})
        except trt_runtime.UnsupportedVersionError as e:
            print(e)
    """, env={"FAKE_TRT_VERSION": "101601"})
    assert proc.returncode == 0, proc.stderr
    assert "TensorRT 10.16.1" in proc.stdout and "supports TensorRT 11.x" in proc.stdout


@pytest.mark.parametrize("flavour", ["lean", "dispatch"])
def test_real_wheel_version_and_flavour(flavour: str) -> None:
    path = REAL_LIBS[flavour]
    if path is None:
        pytest.skip(f"tensorrt-{flavour}-cu13-libs is not installed")
    lib = trt.load_library(path)
    assert lib.version.major == 11 and lib.version >= (11, 4)
    assert lib.flavour.value == flavour
    assert not lib.has_symbol("createInferBuilder_INTERNAL")
    assert lib.has_symbol("createInferRuntime_INTERNAL")


def test_real_10x_dispatch_library_is_refused_as_unsupported() -> None:
    candidates = [pathlib.Path(p) for p in (os.environ.get("TRT_RUNTIME_TEST_DISPATCH10", ""),
                                            ".whl/trt10/libnvinfer_dispatch.so.10") if p]
    path = next((p for p in candidates if p.exists()), None)
    if path is None:
        pytest.skip("no TensorRT 10.x dispatch library at hand")
    with pytest.raises(trt.UnsupportedVersionError, match="10.16"):
        trt.load_library(path)


@pytest.mark.parametrize("flavour", ["lean", "dispatch"])
def test_real_runtime_without_gpu_raises_cleanly_in_a_subprocess(flavour: str) -> None:
    path = REAL_LIBS[flavour]
    if path is None:
        pytest.skip(f"tensorrt-{flavour}-cu13-libs is not installed")
    if gpu_available():
        pytest.skip("this machine has a GPU")
    proc = run_python(f"""
        import trt_runtime as trt
        lib = trt.load_library({str(path)!r})
        class Quiet(trt.ILogger):
            def log(self, s, m): pass
        for _ in range(3):
            try:
                trt.Runtime(Quiet(), library=lib)
            except trt.NoDeviceError as e:
                assert isinstance(e, RuntimeError)
                assert any('CUDA' in r.message for r in e.reports), e.reports
        print('survived')
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "survived"


def test_info_command_without_gpu_says_so_plainly() -> None:
    if REAL_LIBS["lean"] is None:
        pytest.skip("tensorrt-lean-cu13-libs is not installed")
    if gpu_available():
        pytest.skip("this machine has a GPU")
    proc = subprocess.run([sys.executable, "-m", "trt_runtime", "info", "--library", str(REAL_LIBS["lean"])],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "no usable GPU" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "11.4" in proc.stdout and "lean" in proc.stdout


def test_info_command_on_the_double(fake_lib_path: pathlib.Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "trt_runtime", "info", "--library", str(fake_lib_path), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    import json

    report = json.loads(proc.stdout)
    assert report["library"]["version"] == "11.4.0.106"
    assert report["defaults"]["max_threads"] == 1


def test_no_gpu_double_gives_no_device_error_without_touching_the_pointer(tmp_path: pathlib.Path) -> None:
    path = build(tmp_path, "libnvinfer.so.11")
    proc = run_python(f"""
        import trt_runtime as trt
        lib = trt.load_library({str(path)!r})
        class L(trt.ILogger):
            def __init__(self): self.seen = []
            def log(self, s, m): self.seen.append(m)
        log = L()
        try:
            trt.Runtime(log, library=lib)
        except trt.NoDeviceError as e:
            assert len(log.seen) == 2 and 'CUDA initialization failure' in log.seen[0]
            assert e.code == 6 and len(e.reports) == 2
            print('ok')
    """, env={"FAKE_TRT_NO_GPU": "1"})
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert proc.stdout.strip() == "ok"


def test_copying_the_library_elsewhere_gives_a_distinct_library(tmp_path: pathlib.Path,
                                                                fake_lib_path: pathlib.Path) -> None:
    other = tmp_path / "libnvinfer.so.11"
    shutil.copy(fake_lib_path, other)
    assert trt.load_library(other) is not trt.load_library(fake_lib_path)
