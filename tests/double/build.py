"""Build the test-double TensorRT runtime library, and make plans it can load.

`build()` compiles fake_nvinfer.cpp against the project's own ABI header
(shim/trt_abi.hpp for TensorRT 11.x, shim/trt_abi_v10.hpp for 10.x) into a
shared library named like the real one, so the shim loads it as it would load
TensorRT. `make_plan()` writes the double's plan format (README.md beside this
file, and the comment atop fake_nvinfer.cpp).

`build_fake_cuda()` compiles fake_libcuda.cpp, a host stand-in for the few
CUDA functions the double's CUDA mode (FAKE_TRT_CUDA=1) and Polygraphy call.

`python tests/double/build.py` builds both majors and runs the 10.x smoke
driver (smoke10.cpp) against the 10.x build.
"""

from __future__ import annotations

import pathlib
import shlex
import struct
import subprocess
import zlib

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
SOURCE = HERE / "fake_nvinfer.cpp"
SMOKE10 = HERE / "smoke10.cpp"
FAKE_CUDA = HERE / "fake_libcuda.cpp"
MAJORS = (10, 11)  # TensorRT majors the double can present

MAGIC = b"FTRT"
FORMAT_VERSION = 1
HEADER_SIZE = 32
INPUT = 1  # TensorIOMode.INPUT
OUTPUT = 2  # TensorIOMode.OUTPUT
MAX_DIMS = 8
MAX_DATA_TYPE = 11  # DataType values 0..11 (FLOAT .. E8M0)
# Extents a dynamic input gets in a profile when the caller names none.
DEFAULT_DYNAMIC_MIN, DEFAULT_DYNAMIC_OPT, DEFAULT_DYNAMIC_MAX = 1, 4, 16


class BuildError(RuntimeError):
    """The double could not be compiled; the message holds g++'s output."""


def _compile(cmd: list[str], what: str) -> None:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BuildError(f"cannot build {what}: g++ not found ({exc})") from exc
    if proc.returncode != 0:
        raise BuildError(
            f"building {what} failed (g++ exit status {proc.returncode})\n"
            f"$ {shlex.join(cmd)}\n{proc.stderr.strip()}")


def build(out_dir: pathlib.Path, soname: str | None = None, major: int = 11) -> pathlib.Path:
    """Compile the double into out_dir/soname and return that path.

    major: the TensorRT major it presents, 11 (trt_abi.hpp, version 11.4.0)
        or 10 (trt_abi_v10.hpp and 10.x's vtables, version 10.16.1); the
        environment variable FAKE_TRT_VERSION overrides the version at run time.
    soname: the file name; libnvinfer.so.<major> when not given.
    """
    if major not in MAJORS:
        raise ValueError(f"major={major!r}: the double presents TensorRT {' or '.join(map(str, MAJORS))}")
    if soname is None:
        soname = f"libnvinfer.so.{major}"
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / soname
    cmd = ["g++", "-std=c++17", "-O1", "-g", "-shared", "-fPIC", f"-DFAKE_TRT_MAJOR={major}",
           f"-Wl,-soname,{soname}", "-I", str(REPO / "shim"), str(SOURCE), "-o", str(target), "-ldl"]
    _compile(cmd, f"the fake TensorRT {major}.x library")
    return target


def build_fake_cuda(out_dir: pathlib.Path) -> pathlib.Path:
    """Compile fake_libcuda.cpp (a host stand-in for CUDA) into out_dir/libcuda.so.1 and return that path.

    out_dir also gets libcudart.so.13, a link to the same library, so that a
    process whose LD_LIBRARY_PATH names out_dir finds both the driver (the
    double's CUDA mode opens libcuda.so.1) and the runtime (Polygraphy looks
    for libcudart.so*) there, with one set of counters.
    """
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "libcuda.so.1"
    _compile(["g++", "-std=c++17", "-O1", "-g", "-shared", "-fPIC", "-Wl,-soname,libcuda.so.1", str(FAKE_CUDA),
              "-o", str(target)], "the host stand-in for CUDA")
    runtime = out_dir / "libcudart.so.13"
    if not runtime.is_symlink():
        runtime.symlink_to(target.name)
    return target


def _str(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("<I", len(raw)) + raw


def _dims(values) -> bytes:
    return struct.pack(f"<{len(values)}q", *values)


def _input_profile(name, shape, lo, opt, hi):
    """min/opt/max of one input: its fixed extents, the given shapes, or defaults."""
    bounds = []
    for given, fallback in ((lo, DEFAULT_DYNAMIC_MIN), (opt, DEFAULT_DYNAMIC_OPT), (hi, DEFAULT_DYNAMIC_MAX)):
        if given is None:
            given = tuple(fallback if e < 0 else e for e in shape)
        given = tuple(int(e) for e in given)
        if len(given) != len(shape):
            raise ValueError(f"profile shape {given} of input {name!r} does not match the rank of {tuple(shape)}")
        bounds.append(given)
    return bounds


def make_plan(name: str, tensors: list[tuple[str, int, int, tuple[int, ...]]], *,
              size: int | None = None,
              profile_min: dict[str, tuple[int, ...]] | None = None,
              profile_opt: dict[str, tuple[int, ...]] | None = None,
              profile_max: dict[str, tuple[int, ...]] | None = None,
              profiles: list[dict[str, tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]]] | None = None,
              device_memory_size: int = 4096) -> bytes:
    """A plan that the double deserializes into an engine.

    tensors: (name, mode, dtype, shape) per I/O tensor in order; mode 1 input,
        2 output; dtype a TensorRT DataType value; -1 in shape = dynamic.
    size: total length; the plan is zero-padded up to it (the double reads
        and checks every byte).
    profile_min/opt/max: one optimization profile, by input name; inputs or
        bounds left out take their fixed extents, or 1/4/16 for dynamic ones.
    profiles: several profiles instead, each {input name: (min, opt, max)}.
    device_memory_size: what getDeviceMemorySizeV2 returns; allocated once
        per engine and once per non-user-managed context.
    """
    if profiles is not None and any(p is not None for p in (profile_min, profile_opt, profile_max)):
        raise ValueError("give either profiles= or profile_min/opt/max=, not both")
    body = struct.pack("<Q", device_memory_size) + _str(name) + struct.pack("<I", len(tensors))
    inputs = []
    for tname, mode, dtype, shape in tensors:
        shape = tuple(int(e) for e in shape)
        if mode not in (INPUT, OUTPUT):
            raise ValueError(f"tensor {tname!r}: mode {mode} (1 input, 2 output)")
        if not 0 <= dtype <= MAX_DATA_TYPE:
            raise ValueError(f"tensor {tname!r}: data type {dtype} (0..{MAX_DATA_TYPE})")
        if len(shape) > MAX_DIMS or any(e < -1 for e in shape):
            raise ValueError(f"tensor {tname!r}: shape {shape}")
        body += _str(tname) + struct.pack("<iii", mode, dtype, len(shape)) + _dims(shape)
        if mode == INPUT:
            inputs.append((tname, shape))
    known = {t for t, _ in inputs}
    if profiles is None:
        one = {}
        for tname in (profile_min or {}).keys() | (profile_opt or {}).keys() | (profile_max or {}).keys():
            one[tname] = tuple((d or {}).get(tname) for d in (profile_min, profile_opt, profile_max))
        profiles = [one]
    if not profiles:
        raise ValueError("a plan needs at least one optimization profile")
    body += struct.pack("<I", len(profiles))
    for profile in profiles:
        unknown = set(profile) - known
        if unknown:
            raise ValueError(f"profile names tensors that are not inputs: {sorted(unknown)}")
        for tname, shape in inputs:
            lo, opt, hi = profile.get(tname, (None, None, None))
            for bound in _input_profile(tname, shape, lo, opt, hi):
                body += _dims(bound)
    natural = HEADER_SIZE + len(body)
    total = natural if size is None else size
    if total < natural:
        raise ValueError(f"size={size} is smaller than the plan's {natural} bytes")
    padding = bytes(total - natural)
    checksum = zlib.crc32(padding, zlib.crc32(body))
    header = MAGIC + struct.pack("<IQQII", FORMAT_VERSION, total, len(body), checksum, 0)
    assert len(header) == HEADER_SIZE
    return b"".join((header, body, padding))


def smoke10(out_dir: pathlib.Path) -> None:
    """Build the 10.x double and smoke10.cpp, and run the driver against it."""
    out_dir = pathlib.Path(out_dir)
    lib = build(out_dir, major=10)
    plan = out_dir / "smoke10.plan"
    plan.write_bytes(make_plan("smoke", [("x", INPUT, 0, (-1, 3)), ("y", OUTPUT, 0, (-1, 3))],
                               profile_min={"x": (1, 3)}, profile_opt={"x": (2, 3)},
                               profile_max={"x": (4, 3)}, size=3 * (1 << 20) + 123))
    driver = out_dir / "smoke10"
    _compile(["g++", "-std=c++17", "-O1", "-g", "-Wall", "-Wextra", "-I", str(REPO / "shim"), str(SMOKE10),
              "-o", str(driver), "-ldl"], "the 10.x smoke driver")
    subprocess.run([str(driver), str(lib), str(plan)], check=True)


if __name__ == "__main__":
    import sys
    import tempfile

    with tempfile.TemporaryDirectory(prefix="fake_nvinfer_") as tmp:
        for major in MAJORS:
            print("built", build(pathlib.Path(tmp) / str(major), major=major))
        smoke10(pathlib.Path(tmp) / "smoke")
        print("built", build_fake_cuda(pathlib.Path(tmp) / "cuda"))
    sys.exit(0)
