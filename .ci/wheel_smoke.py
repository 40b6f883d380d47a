"""CI: install one built wheel on every CPython 3.10-3.13, with no compiler, and use it.

Usage: python .ci/wheel_smoke.py WHEEL

For each CPython 3.10, 3.11, 3.12, 3.13 found through pyenv (a missing one is
skipped with a message), in a fresh virtual environment:

1. install WHEEL, cffi, numpy and the real lean TensorRT library
   (``tensorrt-lean-cu13-libs``) from binaries only (``--only-binary=:all:``),
   with PATH holding only the environment's bin/ and CC=false CXX=false, so
   nothing can be compiled;
2. ``python -m trt_runtime info`` (from an empty folder, so the checkout is not
   imported): exit status 2 on a machine without a GPU (0 with one), and the
   output names the library's version, 11.4;
3. deserialize a plan on the test double (built once, before, with the normal
   toolchain) through the installed wheel, checking that the abi3 extension of
   the wheel is the one imported.

Exit status 0 when every Python found passed, 1 otherwise.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from double.build import build, make_plan  # noqa: E402

PYTHONS = ("3.10", "3.11", "3.12", "3.13")
LEAN = "tensorrt-lean-cu13-libs>=11.4,<12"
EXPECTED_VERSION = "11.4"

DESERIALIZE = r"""
import sys, trt_runtime as trt, trt_runtime._native as native
double, plan, venv = sys.argv[1:4]
assert trt.__file__.startswith(venv), f"imported {trt.__file__}, not the installed wheel"
assert native.__file__.endswith(".abi3.so"), native.__file__
runtime = trt.Runtime(trt.Logger(trt.Logger.WARNING), library=double)
engine = runtime.deserialize(plan)
names = [f"{n}:{engine.get_tensor_mode(n)}" for n in engine.tensor_names]
assert names == ["x:TensorIOMode.INPUT", "y:TensorIOMode.OUTPUT"], names
print(f"deserialized {engine.name!r} on {runtime.library.version}: {', '.join(names)}")
"""


def find_python(version: str) -> pathlib.Path | None:
    """The newest pyenv CPython ``version`` (e.g. 3.12), or None."""
    try:
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    found = sorted(pathlib.Path(root, "versions").glob(f"{version}.*"),
                   key=lambda p: tuple(int(x) if x.isdigit() else 0 for x in p.name.split(".")))
    for folder in reversed(found):
        exe = folder / "bin" / f"python{version}"
        if exe.exists() and "t" not in folder.name.split(".")[-1]:  # not a free-threaded build
            return exe
    return None


def run(cmd: list[str], env: dict[str, str], cwd: pathlib.Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)


def smoke(version: str, python: pathlib.Path, wheel: pathlib.Path, double: pathlib.Path,
          plan: pathlib.Path, work: pathlib.Path) -> list[str]:
    """The failures of one Python (empty when it passed)."""
    venv = work / f"venv{version}"
    subprocess.run([str(python), "-m", "venv", str(venv)], check=True)
    bin_dir = venv / "bin"
    # Only the environment's own bin/: no gcc, g++, cc or c++ to find. CC/CXX fail if anything asks.
    env = {"PATH": str(bin_dir), "HOME": os.environ.get("HOME", str(work)), "CC": "false", "CXX": "false",
           "PIP_DISABLE_PIP_VERSION_CHECK": "1", "LANG": "C.UTF-8"}
    for key in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CACHE_DIR", "XDG_CACHE_HOME"):
        if key in os.environ:
            env[key] = os.environ[key]
    assert shutil.which("gcc", path=env["PATH"]) is None and shutil.which("g++", path=env["PATH"]) is None
    failures = []
    empty = work / f"cwd{version}"
    empty.mkdir()
    install = run([str(bin_dir / "python"), "-m", "pip", "install", "-q", "--only-binary=:all:",
                   str(wheel), "cffi", "numpy", LEAN], env, empty)
    if install.returncode != 0:
        return [f"pip install failed ({install.returncode}):\n{install.stdout}{install.stderr}"]
    info = run([str(bin_dir / "python"), "-m", "trt_runtime", "info"], env, empty)
    text = info.stdout + info.stderr
    print(f"  info: exit {info.returncode}; " + " | ".join(line.strip() for line in text.splitlines()[:3]))
    if info.returncode not in (0, 2):
        failures.append(f"info exited {info.returncode} (expected 2 without a GPU, 0 with one):\n{text}")
    if EXPECTED_VERSION not in text or "Traceback" in text:
        failures.append(f"info does not name TensorRT {EXPECTED_VERSION} (or raised):\n{text}")
    des = run([str(bin_dir / "python"), "-c", DESERIALIZE, str(double), str(plan), str(venv)], env, empty)
    print(f"  deserialize on the double: exit {des.returncode}; {(des.stdout + des.stderr).strip()[-300:]}")
    if des.returncode != 0:
        failures.append(f"deserialize on the double failed:\n{des.stdout}{des.stderr}")
    return failures


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    wheel = pathlib.Path(argv[0]).resolve()
    print(f"wheel: {wheel.name} ({wheel.stat().st_size} bytes)")
    results: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="wheel-smoke-") as tmp:
        work = pathlib.Path(tmp)
        # The double, once, with the normal toolchain (its soname as the real lean library's).
        double = build(work / "double", soname="libnvinfer_lean.so.11")
        plan = work / "smoke.plan"
        plan.write_bytes(make_plan("smoke", [("x", 1, 0, (2, 3)), ("y", 2, 0, (2, 3))]))
        for version in PYTHONS:
            python = find_python(version)
            if python is None:
                print(f"Python {version}: SKIPPED (no CPython {version} under pyenv)")
                results[version] = "skipped"
                continue
            print(f"Python {version} ({python}):")
            start = time.monotonic()
            failures = smoke(version, python, wheel, double, plan, work)
            results[version] = "FAILED" if failures else "passed"
            for failure in failures:
                print("  FAILED: " + failure.replace("\n", "\n    "))
            print(f"  {results[version]} in {time.monotonic() - start:.1f} s")
    print("wheel smoke: " + ", ".join(f"{v} {r}" for v, r in results.items()))
    if not any(r == "passed" for r in results.values()):
        print("no Python was tested", file=sys.stderr)
        return 1
    return 1 if "FAILED" in results.values() else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
