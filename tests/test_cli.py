"""The command line: ``python -m trt_runtime info``, ``inspect`` and ``run``.

``info`` on the double, and on the real lean library on a machine without a GPU
(exit status 2, a plain message); ``inspect`` and ``run`` on the test double's
engines (host memory; the device-memory path through a stand-in for
cuda-python's runtime API).
"""

from __future__ import annotations

import ctypes
import io
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import trt_runtime as trt
from conftest import DOUBLE_MAJOR, DOUBLE_VERSION, REAL_LIBS, gpu_available, make_plan
from trt_runtime._cli import engine as _cli_engine
from trt_runtime._cli import memory as _cli_memory
from trt_runtime._cli.common import UsageError
from trt_runtime._cli import main


# ------------------------------------------------------------------ info


def test_info_command_on_the_double(fake_lib_path: pathlib.Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "trt_runtime", "info", "--library", str(fake_lib_path), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    import json

    report = json.loads(proc.stdout)
    assert report["library"]["version"] == str(DOUBLE_VERSION)  # 11.4.0.106, or 10.16.1.11 ...
    assert report["defaults"]["max_threads"] == 1


@pytest.mark.parametrize("flavour", ["lean", "dispatch"])
def test_info_command_without_gpu_says_so_plainly(flavour: str) -> None:
    """The real libraries of the run's major (11.4 wheels; 10.x with TRT_RUNTIME_TEST_MAJOR=10)."""
    if REAL_LIBS[flavour] is None:
        pytest.skip(f"the real TensorRT {DOUBLE_MAJOR}.x {flavour} library is not installed")
    if gpu_available():
        pytest.skip("this machine has a GPU")
    proc = subprocess.run([sys.executable, "-m", "trt_runtime", "info", "--library", str(REAL_LIBS[flavour])],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "no usable GPU" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert ("TensorRT 11.4" if DOUBLE_MAJOR == 11 else "TensorRT 10.") in proc.stdout, proc.stdout
    assert f"({flavour})" in proc.stdout, proc.stdout


TENSORS = [
    ("image", 1, 0, (-1, 3)),
    ("mask", 1, 4, (2,)),
    ("half", 1, 1, (2,)),
    ("bf", 1, 7, (3,)),
    ("score", 2, 0, (-1, 3)),
    ("mask_out", 2, 4, (2,)),
    ("half_out", 2, 1, (2,)),
    ("bf_out", 2, 7, (3,)),
]


@pytest.fixture
def engine_file(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "demo.plan"
    path.write_bytes(make_plan("demo", TENSORS, profile_min={"image": (1, 3)}, profile_opt={"image": (2, 3)},
                               profile_max={"image": (5, 3)}, device_memory_size=512))
    return path


def cli(*argv: str) -> int:
    args = [str(a) for a in argv]
    if args and args[0] == "run" and "--memory" not in args:
        args += ["--memory", "host"]  # the double reads tensors on the host, also where a GPU answers
    return main(args)


# ------------------------------------------------------------------ inspect


def test_inspect_text(engine_file: pathlib.Path, fake_lib_path: pathlib.Path,
                      capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("inspect", engine_file, "--library", fake_lib_path) == 0
    out = capsys.readouterr().out
    assert "engine:     'demo'" in out
    assert f"TensorRT {DOUBLE_VERSION} (full)" in out
    assert "I/O tensors: 8" in out and "profiles: 1" in out
    assert "device 512 bytes" in out
    lines = {line.split()[0]: line.split() for line in out.splitlines() if line.startswith("  ") and line.split()}
    assert lines["image"][1:4] == ["INPUT", "FLOAT", "(-1,"]
    assert lines["bf_out"][1:3] == ["OUTPUT", "BF16"]
    assert "image: min (1, 3)  opt (2, 3)  max (5, 3)" in out


def test_inspect_json(engine_file: pathlib.Path, fake_lib_path: pathlib.Path,
                      capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("inspect", engine_file, "--library", fake_lib_path, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["size"] == engine_file.stat().st_size
    assert report["library"]["version"] == str(DOUBLE_VERSION)
    engine = report["engine"]
    assert engine["name"] == "demo" and engine["num_io_tensors"] == 8
    assert engine["device_memory_size_v2"] == 512
    assert engine["tensors"][0] == {"name": "image", "mode": "INPUT", "dtype": "FLOAT", "shape": [-1, 3],
                                    "location": "DEVICE", "format": "LINEAR",
                                    "format_desc": "row-major linear (fake_nvinfer)", "shape_inference_io": False}
    assert engine["profiles"][0]["inputs"]["image"] == {"min": [1, 3], "opt": [2, 3], "max": [5, 3]}
    assert set(engine["profiles"][0]["inputs"]) == {"image", "mask", "half", "bf"}


def test_inspect_missing_and_corrupt_files(tmp_path: pathlib.Path, fake_lib_path: pathlib.Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("inspect", tmp_path / "none.plan", "--library", fake_lib_path) == 2
    assert "no such engine file" in capsys.readouterr().err
    junk = tmp_path / "junk.plan"
    junk.write_bytes(b"FTRT" + bytes(60))
    assert cli("inspect", junk, "--library", fake_lib_path) == 1
    assert "cannot deserialize the engine" in capsys.readouterr().err
    assert cli("inspect", junk, "--library", fake_lib_path, "--json") == 1
    report = json.loads(capsys.readouterr().out)
    assert "cannot deserialize" in report["error"] and report["reports"]


def test_inspect_bad_library(engine_file: pathlib.Path, tmp_path: pathlib.Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "libnvinfer.so.11"
    bogus.write_bytes(b"not a library")
    assert cli("inspect", engine_file, "--library", bogus) == 3
    assert "error:" in capsys.readouterr().err


def test_module_entry_point(engine_file: pathlib.Path, fake_lib_path: pathlib.Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "trt_runtime", "inspect", str(engine_file), "--library",
                           str(fake_lib_path), "--json"], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["engine"]["name"] == "demo"


# ------------------------------------------------------------------ run


def test_run_random_inputs_json(engine_file: pathlib.Path, fake_lib_path: pathlib.Path, tmp_path: pathlib.Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "out.npz"
    assert cli("run", engine_file, "--library", fake_lib_path, "-n", 50, "--warmup", 3, "--json",
               "--save-outputs", out_file) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["memory"] == "host"
    assert report["iterations"] == 50 and report["warmup"] == 3
    assert report["inputs"]["image"] == {"shape": [2, 3], "dtype": "float32", "source": "random"}  # profile opt
    assert report["inputs"]["bf"] == {"shape": [6], "dtype": "uint8", "source": "random"}  # BF16: raw bytes
    assert report["outputs"]["score"] == {"shape": [2, 3], "dtype": "float32"}
    assert 0 < report["min_ms"] <= report["p50_ms"] <= report["p90_ms"] <= report["p99_ms"] <= report["max_ms"]
    assert report["min_ms"] <= report["mean_ms"] <= report["max_ms"]
    assert report["throughput_per_s"] > 0
    saved = np.load(out_file)
    assert set(saved.files) == {"score", "mask_out", "half_out", "bf_out"}
    assert saved["score"].shape == (2, 3) and np.all(np.abs(saved["score"]) <= 1) and np.any(saved["score"] != 0)
    assert saved["half_out"].dtype == np.float16


def test_run_with_input_files_and_shapes(engine_file: pathlib.Path, fake_lib_path: pathlib.Path,
                                         tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = np.arange(12, dtype=np.float64).reshape(4, 3)  # float64: cast to the engine's float32
    np.save(tmp_path / "image.npy", image)
    np.save(tmp_path / "mask.npy", np.array([True, False]))
    out_file = tmp_path / "out.npz"
    assert cli("run", engine_file, "--library", fake_lib_path, "-n", 5, "--input", f"image={tmp_path / 'image.npy'}",
               "--input", f"mask={tmp_path / 'mask.npy'}", "--save-outputs", out_file) == 0
    text = capsys.readouterr().out
    assert "input  image: (4, 3) float32 (file)" in text
    assert "input  half: (2,) float16 (random)" in text
    assert "p50" in text and "p99" in text and "inferences/s" in text
    saved = np.load(out_file)
    np.testing.assert_array_equal(saved["score"], image.astype(np.float32))
    np.testing.assert_array_equal(saved["mask_out"], [True, False])
    assert cli("run", engine_file, "--library", fake_lib_path, "-n", 2, "--shape", "image=5x3", "--json") == 0
    assert json.loads(capsys.readouterr().out)["outputs"]["score"]["shape"] == [5, 3]


@pytest.mark.parametrize(("args", "message"), [
    (["--input", "nope=x.npy"], "'nope' is not an input"),
    (["--input", "image"], "NAME=VALUE"),
    (["--shape", "image=2xq"], "extents separated by 'x'"),
    (["--shape", "image=2x3x4"], "has 2 dimensions"),
    (["--shape", "image=9x3"], "out of the bounds"),
    (["--input", "image=missing.npy"], "cannot read"),
    (["-n", "0"], "-n must be at least 1"),
    (["--warmup", "-1"], "--warmup"),
    (["--profile", "3"], "--profile 3"),
    (["--memory", "device"], "--memory device needs"),
])
def test_run_usage_errors(engine_file: pathlib.Path, fake_lib_path: pathlib.Path, tmp_path: pathlib.Path,
                          capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: list[str],
                          message: str) -> None:
    monkeypatch.setattr(_cli_memory, "gpu_present", lambda: False)  # as on a machine without a GPU
    os.chdir(tmp_path)
    code = cli("run", engine_file, "--library", fake_lib_path, "-n", 2, *args)
    err = capsys.readouterr().err
    assert message in err
    assert code == 2


def test_run_input_file_of_wrong_shape_or_type(engine_file: pathlib.Path, fake_lib_path: pathlib.Path,
                                               tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    np.save(tmp_path / "bad.npy", np.zeros((2, 4), np.float32))
    assert cli("run", engine_file, "--library", fake_lib_path, "--input", f"image={tmp_path / 'bad.npy'}") == 2
    err = capsys.readouterr().err
    assert "input 'image' cannot run with shape (2, 4): setInputShape('image') failed: " in err
    assert "static dimension mismatch" in err and err.count("static dimension mismatch") == 1
    np.save(tmp_path / "mask.npy", np.zeros(2, np.float32))
    assert cli("run", engine_file, "--library", fake_lib_path, "--input", f"mask={tmp_path / 'mask.npy'}") == 2
    assert "holds float32" in capsys.readouterr().err
    np.save(tmp_path / "image.npy", np.zeros((3, 3), np.float32))
    assert cli("run", engine_file, "--library", fake_lib_path, "--input", f"image={tmp_path / 'image.npy'}",
               "--shape", "image=2x3") == 2
    assert "runs with (2, 3)" in capsys.readouterr().err


def test_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    stream = io.StringIO()
    bar = _cli_engine.Progress(200, True, stream, width=10)
    for i in range(1, 201):
        bar.update(i)
    bar.finish()
    text = stream.getvalue()
    assert text.count("\r") == 100  # every 1%
    assert text.endswith("\r[##########] 200/200\n")
    quiet = io.StringIO()
    off = _cli_engine.Progress(10, False, quiet)
    off.update(10)
    off.finish()
    assert quiet.getvalue() == ""


def test_run_shows_progress_when_asked(engine_file: pathlib.Path, fake_lib_path: pathlib.Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("run", engine_file, "--library", fake_lib_path, "-n", 20, "--progress") == 0
    assert capsys.readouterr().err.endswith("20/20\n")
    assert cli("run", engine_file, "--library", fake_lib_path, "-n", 20) == 0  # not a terminal: no bar
    assert capsys.readouterr().err == ""


def test_percentiles_match_numpy() -> None:
    rng = np.random.default_rng(1)
    values = sorted(rng.exponential(size=101).tolist())
    for q in (0, 50, 90, 99, 100):
        assert _cli_engine.percentile(values, q) == pytest.approx(np.percentile(values, q))
    stats = _cli_engine.summarize([0.001, 0.002, 0.003, 0.004], 0.02)
    assert stats["p50_ms"] == pytest.approx(2.5) and stats["throughput_per_s"] == pytest.approx(200)


# ------------------------------------------------------------------ device memory path


class FakeCudaRuntime:
    """cuda-python's runtime API as `run` uses it, over host memory (for the double)."""

    class cudaMemcpyKind:  # noqa: N801 - cuda-python's name
        cudaMemcpyHostToDevice = 1
        cudaMemcpyDeviceToHost = 2

    class Stream:
        def __init__(self, handle: int) -> None:
            self.handle = handle

        def __int__(self) -> int:
            return self.handle

    def __init__(self) -> None:
        self.buffers: dict[int, ctypes.Array[ctypes.c_char]] = {}
        self.calls: list[str] = []

    def cudaStreamCreate(self) -> tuple[int, Stream]:  # noqa: N802
        self.calls.append("cudaStreamCreate")
        return 0, self.Stream(0x51)

    def cudaMalloc(self, size: int) -> tuple[int, int]:  # noqa: N802
        buf = ctypes.create_string_buffer(size)
        self.buffers[ctypes.addressof(buf)] = buf
        return 0, ctypes.addressof(buf)

    def cudaMemcpy(self, dst: int, src: int, count: int, kind: int) -> tuple[int]:  # noqa: N802
        self.calls.append(f"cudaMemcpy{kind}")
        ctypes.memmove(dst, src, count)
        return (0,)

    def cudaStreamSynchronize(self, stream: Stream) -> tuple[int]:  # noqa: N802
        assert int(stream) == 0x51
        self.calls.append("sync")
        return (0,)

    def cudaFree(self, ptr: int) -> tuple[int]:  # noqa: N802
        del self.buffers[ptr]
        return (0,)

    def cudaStreamDestroy(self, stream: Stream) -> tuple[int]:  # noqa: N802
        self.calls.append("cudaStreamDestroy")
        return (0,)


def test_run_through_device_memory(engine_file: pathlib.Path, fake_lib_path: pathlib.Path, tmp_path: pathlib.Path,
                                   monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    fake = FakeCudaRuntime()
    monkeypatch.setattr(_cli_engine, "choose_memory", lambda mode: _cli_memory.DeviceMemory(fake))
    image = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.save(tmp_path / "image.npy", image)
    out_file = tmp_path / "out.npz"
    assert cli("run", engine_file, "--library", fake_lib_path, "-n", 7, "--warmup", 2, "--json",
               "--input", f"image={tmp_path / 'image.npy'}", "--save-outputs", out_file) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["memory"] == "device"
    np.testing.assert_array_equal(np.load(out_file)["score"], image)
    assert fake.calls.count("sync") == 8  # once after warm-up, once per timed inference
    assert fake.calls.count("cudaMemcpy1") == 4 and fake.calls.count("cudaMemcpy2") == 4
    assert fake.calls[-1] == "cudaStreamDestroy" and not fake.buffers


def test_device_memory_reports_cuda_errors() -> None:
    fake = FakeCudaRuntime()
    fake.cudaMalloc = lambda size: (2, None)  # type: ignore[method-assign]
    memory = _cli_memory.DeviceMemory(fake)
    with pytest.raises(trt.TensorRTError, match="cudaMalloc failed: 2"):
        memory.allocate(np.zeros(4))


def test_memory_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_cli_memory, "gpu_present", lambda: False)
    assert isinstance(_cli_memory.choose_memory("auto"), _cli_memory.HostMemory)
    assert isinstance(_cli_memory.choose_memory("host"), _cli_memory.HostMemory)
    with pytest.raises(UsageError, match="needs a CUDA device"):
        _cli_memory.choose_memory("device")
