"""Where TensorRT writes temporary files: effective_temporary_directory and check_temporary_directory.

TensorRT's rule (TMPDIR, else /tmp), the problems reported (missing, not a
directory, not writable, shared without the sticky bit), and runtimes that still
work with an unusable TMPDIR: on the double, and in the GPU tier on the real
libraries. The Runtime.temporary_directory property: test_runtime.py.
"""

from __future__ import annotations

import ctypes
import os
import pathlib
import stat
import sys
from typing import Any

import pytest

import trt_runtime as trt
from support import PLAN


def test_effective_directory_follows_tensorrts_rule(monkeypatch: pytest.MonkeyPatch, runtime: trt.Runtime,
                                                    tmp_path: pathlib.Path) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert trt.effective_temporary_directory() == str(tmp_path)
    monkeypatch.delenv("TMPDIR")
    assert trt.effective_temporary_directory() == "/tmp"
    runtime.temporary_directory = tmp_path / "x"
    assert trt.check_temporary_directory(runtime).path == str(tmp_path / "x")


def test_check_reports_usable_and_unusable_directories(tmp_path: pathlib.Path) -> None:
    assert trt.check_temporary_directory(tmp_path)
    missing = trt.check_temporary_directory(tmp_path / "missing")
    assert not missing and "No such file" in str(missing)
    afile = tmp_path / "file"
    afile.write_text("")
    assert "not a directory" in str(trt.check_temporary_directory(afile))
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    assert "sticky" in str(trt.check_temporary_directory(shared))
    shared.chmod(0o777 | stat.S_ISVTX)
    assert trt.check_temporary_directory(shared)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_check_reports_read_only_directory(tmp_path: pathlib.Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    assert "not writable" in str(trt.check_temporary_directory(ro))


# ------------------------------------------------------------------ an unusable TMPDIR, in a fresh interpreter


_TMPDIR_CHECK = """
import os, sys, trt_runtime as trt
from conftest import RecordingLogger
expected = sys.argv[1]
if expected == "is not writable" and os.access(os.environ["TMPDIR"], os.W_OK):
    print("SKIP: this process can write to a mode 0o555 directory")
    raise SystemExit(0)
assert trt.effective_temporary_directory() == os.environ["TMPDIR"]
check = trt.check_temporary_directory()
assert not check and expected in str(check), str(check)
rt = trt.Runtime(RecordingLogger(), library=sys.argv[2])
by_runtime = trt.check_temporary_directory(rt)
assert not by_runtime and by_runtime.path == os.environ["TMPDIR"] and expected in str(by_runtime)
assert rt.temporary_directory is None
{work}
print("ok", check)
"""


TMPDIR_KINDS = ["missing", "a file", "read-only"]


def _tmpdir(tmp_path: pathlib.Path, kind: str) -> tuple[pathlib.Path, str]:
    """(TMPDIR, the problem check_temporary_directory reports) for ``kind``."""
    if kind == "missing":
        return tmp_path / "missing", "No such file or directory"
    if kind == "a file":
        (tmp_path / "afile").write_text("")
        return tmp_path / "afile", "is not a directory"
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    return ro, "is not writable"


def _without_dac_override() -> None:
    """In the child before exec: root keeps only the bounding set's capabilities across exec, so
    dropping CAP_DAC_OVERRIDE (1) and CAP_DAC_READ_SEARCH (2) there makes a 0o555 directory
    read-only even for root. Without the privilege to drop them the child just checks and skips."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):
        libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP


def _run_with_tmpdir(tmpdir: pathlib.Path, problem: str, lib: pathlib.Path, work: str) -> Any:
    import subprocess
    import textwrap

    from support import TESTS

    env = {**os.environ, "TMPDIR": str(tmpdir), "PYTHONPATH": os.pathsep.join(
        p for p in (str(TESTS), os.environ.get("PYTHONPATH", "")) if p)}
    code = textwrap.dedent(_TMPDIR_CHECK.format(work=work))
    proc = subprocess.run([sys.executable, "-c", code, problem, str(lib)], capture_output=True, text=True, env=env,
                          timeout=120, check=False, preexec_fn=_without_dac_override if os.geteuid() == 0 else None)
    if proc.returncode == 0 and proc.stdout.startswith("SKIP"):
        pytest.skip(proc.stdout.strip())
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr[-2000:]
    assert proc.stdout.startswith("ok") and problem in proc.stdout, proc.stdout
    return proc


@pytest.mark.parametrize("kind", TMPDIR_KINDS)
def test_unusable_tmpdir_is_reported_and_runtimes_still_work(tmp_path: pathlib.Path, fake_lib_path: pathlib.Path,
                                                             kind: str) -> None:
    """TMPDIR missing, a file, or read-only (mode 0o555; for root the child runs without
    CAP_DAC_OVERRIDE): check_temporary_directory() and check_temporary_directory(runtime) report
    it; Runtime creation and deserialization still work; a clean exit."""
    tmpdir, problem = _tmpdir(tmp_path, kind)
    _run_with_tmpdir(tmpdir, problem, fake_lib_path, f"rt.deserialize({PLAN!r}).close()\nassert rt.max_threads == 1")


@pytest.mark.gpu
@pytest.mark.parametrize("kind", TMPDIR_KINDS)
def test_unusable_tmpdir_on_the_real_library(tmp_path: pathlib.Path, real_lib_path: pathlib.Path, kind: str) -> None:
    """The same on the real lean/dispatch library: reported, and a runtime is created and refuses junk
    as usual."""
    tmpdir, problem = _tmpdir(tmp_path, kind)
    _run_with_tmpdir(tmpdir, problem, real_lib_path, "assert rt.deserialize_cuda_engine(b'\\x01' * 4096) is None")
