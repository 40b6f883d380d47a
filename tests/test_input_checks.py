"""A hostile caller's arguments: memory smaller than its tensor, shapes and names that used to be coerced
silently, 64-bit values out of range, and the command line's inputs and output files.

On the test double (CPU). A case that used to write past a buffer runs in a
fresh interpreter, or writes into a view of a larger buffer, so that the old
behaviour fails the test instead of the run.
"""

from __future__ import annotations

import os
import pathlib
import struct
import threading
import tracemalloc
import zlib

import numpy as np
import pytest

import trt_runtime as trt
from conftest import make_plan
from copy_engine import arrays, ctx, engine, wire  # noqa: F401 - fixtures ctx, engine
from support import run_python
from trt_runtime._cli import main
from trt_runtime._errors import check_int64
from trt_runtime._iotable import needed_bytes

INPUT, OUTPUT = 1, 2
FLOAT, INT4, FP4 = 0, 9, 10


def view(shape: tuple[int, ...], room: int = 64) -> np.ndarray:
    """A float32 array of ``shape`` at the start of a larger one: writing past it stays in memory we own."""
    base = np.zeros(int(np.prod(shape)) + room, np.float32)
    return base[: int(np.prod(shape))].reshape(shape)


# ------------------------------------------------------------------ item 9: memory sizes


def test_bind_refuses_an_output_smaller_than_its_tensor_instead_of_writing_past_it(
        fake_lib_path: pathlib.Path) -> None:
    proc = run_python("""
import sys
import numpy as np
import trt_runtime as trt
from double.build import make_plan
lib = trt.load_library(sys.argv[1])
class Quiet(trt.ILogger):
    def log(self, severity, msg):
        pass
rt = trt.Runtime(Quiet(), library=lib)
n = 4 << 20  # 16 MiB of float32
engine = rt.deserialize(make_plan("big", [("in", 1, 0, (n,)), ("out", 2, 0, (n,))]))
ctx = engine.create_execution_context()
src = np.ones(n, np.float32)
tiny = np.zeros(1, np.float32)
try:
    binding = ctx.bind({"in": src, "out": tiny})
except trt.InvalidArgumentError as exc:
    print("refused:", exc)
else:
    binding.execute()
    print("executed")
""", argv=[str(fake_lib_path)])
    assert proc.returncode == 0, f"exit status {proc.returncode}\n{proc.stderr}"
    assert "refused:" in proc.stdout
    assert "'out'" in proc.stdout and "4 bytes" in proc.stdout and str(16 << 20) in proc.stdout


def test_binding_address_change_refuses_memory_too_small(ctx: trt.IExecutionContext) -> None:
    data = arrays()
    binding = ctx.bind(data)
    binding.execute()
    small = view((1, 4))
    with pytest.raises(trt.InvalidArgumentError, match=r"'y' holds 16 bytes, but its shape \(2, 4\) needs 32 bytes"):
        binding["y"] = small
    with pytest.raises(trt.InvalidArgumentError, match="'y' holds 16 bytes"):
        binding.set_address("y", small)
    assert binding["y"] == data["y"].ctypes.data  # the refused memory was not bound
    with pytest.raises(trt.InvalidArgumentError, match="'x' holds 16 bytes"):
        binding["x"] = small  # an input read past its end is refused too
    binding["y"] = np.zeros((2, 4), np.float32)  # big enough: fine
    assert binding.execute() is True


def test_binding_checks_an_object_put_where_an_int_was_bound(ctx: trt.IExecutionContext) -> None:
    data = arrays()
    wire(ctx, data)
    binding = ctx.bind({"y": data["y"].ctypes.data})  # an int: nothing to check at bind
    with pytest.raises(trt.InvalidArgumentError, match="'y' holds 16 bytes, but its shape \\(2, 4\\) needs 32"):
        binding["y"] = view((1, 4))
    binding["y"] = data["y"]
    assert binding.execute() is True

def test_binding_execute_rechecks_sizes_after_set_shape(ctx: trt.IExecutionContext) -> None:
    data = arrays()
    data["y"] = view((2, 4))
    binding = ctx.bind(data)
    binding.execute()
    binding["x"] = np.ones((4, 4), np.float32)
    binding.set_shape("x", (4, 4))
    with pytest.raises(trt.InvalidArgumentError, match=r"'y' holds 32 bytes, but its shape \(4, 4\) needs 64"):
        binding.execute()
    with pytest.raises(trt.InvalidArgumentError, match="'y' holds 32 bytes"):
        binding.execute_nocheck()  # not TensorRT's refusal: raises too
    binding["y"] = np.zeros((4, 4), np.float32)  # now the sizes are current again: checked at once
    assert binding.execute() is True


def test_binding_execute_rechecks_sizes_after_the_context_shape_changes(ctx: trt.IExecutionContext) -> None:
    data = arrays()
    wire(ctx, data)
    small_y = view((2, 4))
    binding = ctx.bind({"y": small_y})  # no shapes of its own: sized by the context's (2, 4)
    assert binding.execute() is True
    big_x = np.ones((4, 4), np.float32)
    ctx.set_input_shape("x", (4, 4))
    ctx.set_tensor_address("x", big_x)
    with pytest.raises(trt.InvalidArgumentError, match=r"'y' holds 32 bytes, but its shape \(4, 4\) needs 64"):
        binding.execute()


def test_another_bindings_shapes_make_a_binding_check_again(ctx: trt.IExecutionContext) -> None:
    data = arrays()
    wire(ctx, data)
    small = ctx.bind({"y": view((2, 4))})
    big = ctx.bind({"x": np.ones((4, 4), np.float32), "y": np.zeros((4, 4), np.float32)})
    assert small.execute() is True
    assert big.execute() is True  # sets x to (4, 4)
    with pytest.raises(trt.InvalidArgumentError, match="'y' holds 32 bytes"):
        small.execute()
    assert big.execute() is True
    assert big.execute() is True  # unchanged shapes: no re-check needed, still right


def test_binding_execute_reports_a_refused_shape_as_before(ctx: trt.IExecutionContext,
                                                           logger: trt.ILogger) -> None:
    binding = ctx.bind(arrays(), shapes={"x": (2, 4)})
    binding.set_shape("x", (99, 4))
    with pytest.raises(trt.InvalidArgumentError, match=r"setInputShape\('x'\) failed"):
        binding.execute()
    assert binding.execute_nocheck() is False
    assert len([m for m in logger.errors() if "out of the bounds" in m]) == 2  # once per execute, not twice


def test_sizes_that_cannot_be_known_are_not_refused(ctx: trt.IExecutionContext) -> None:
    # A dynamic output before any input shape: its shape has a -1, so nothing to compare with.
    tiny = view((1,))
    binding = ctx.bind({"y": tiny})
    assert binding.names == ("y",)
    # Raw int addresses: never checked (documented).
    data = arrays()
    ints = ctx.bind({"x": data["x"].ctypes.data, "y": data["y"].ctypes.data}, shapes={"x": (2, 4)})
    ints["y"] = tiny.ctypes.data
    ints["y"] = data["y"].ctypes.data
    assert ctx.set_tensor_address("y", tiny.ctypes.data) is True


def test_set_tensor_address_refuses_a_sized_object_too_small(ctx: trt.IExecutionContext) -> None:
    ctx.set_input_shape("x", (2, 4))
    small = view((1, 4))
    with pytest.raises(trt.InvalidArgumentError, match=r"'y' holds 16 bytes, but its shape \(2, 4\) needs 32"):
        ctx.set_tensor_address("y", small)
    with pytest.raises(trt.InvalidArgumentError, match="'x' holds 16 bytes"):
        ctx.set_tensor_address_nocheck("x", small)
    with pytest.raises(trt.InvalidArgumentError, match="'flags' holds 8 bytes, but its shape \\(3,\\) needs 12"):
        ctx.set_tensor_address("flags", np.zeros(2, np.int32))
    assert ctx.get_tensor_address("y") == 0
    assert ctx.set_tensor_address("y", np.zeros((2, 4), np.float32)) is True


def test_sub_byte_types_need_their_bytes_rounded_up(runtime: trt.Runtime) -> None:
    assert needed_bytes((5,), 4) == 3 and needed_bytes((4,), 4) == 2 and needed_bytes((2, 3), 32) == 24
    assert needed_bytes((-1, 3), 32) is None and needed_bytes((3,), None) is None
    plan = make_plan("nibbles", [("i4", INPUT, INT4, (5,)), ("f4", OUTPUT, FP4, (5,))])
    ctx = runtime.deserialize(plan).create_execution_context()
    with pytest.raises(trt.InvalidArgumentError, match="'i4' holds 2 bytes, but its shape \\(5,\\) needs 3"):
        ctx.bind({"i4": np.zeros(2, np.uint8)})
    ctx.bind({"i4": np.zeros(3, np.uint8), "f4": np.zeros(3, np.uint8)})


# ------------------------------------------------------------------ item 15: shapes and names


COERCED = [
    pytest.param([np.float32(2.9), 4], id="numpy-float"),
    pytest.param([True, 4], id="bool"),
    pytest.param([np.True_, 4], id="numpy-bool"),
    pytest.param(b"\x02\x04", id="bytes"),
    pytest.param(bytearray(b"\x02\x04"), id="bytearray"),
    pytest.param("24", id="str"),
]


@pytest.mark.parametrize("shape", COERCED)
def test_shapes_of_floats_bools_and_byte_strings_are_refused(ctx: trt.IExecutionContext, shape: object) -> None:
    for call in (ctx.set_input_shape, ctx.set_input_shape_nocheck):
        with pytest.raises(TypeError, match="the shape of 'x' must be a sequence of ints"):
            call("x", shape)
    assert ctx.get_tensor_shape("x") == (-1, 4)
    binding = ctx.bind({"x": 0})
    with pytest.raises(TypeError, match="the shape of 'x'"):
        binding.set_shape("x", shape)
    with pytest.raises(TypeError, match="shape"):
        trt.Dims(shape)  # type: ignore[arg-type]


def test_numpy_integer_extents_are_still_taken(ctx: trt.IExecutionContext) -> None:
    assert ctx.set_input_shape("x", [np.int64(2), np.uint8(4)]) is True
    assert ctx.get_tensor_shape("x") == (2, 4)
    assert ctx.set_input_shape("x", np.array([3, 4])) is True
    assert trt.Dims([np.int32(1), 2]) == (1, 2)


def test_dims_names_the_extent_it_refuses() -> None:
    with pytest.raises(TypeError, match=r"shape\[1\] must be an int, not bool"):
        trt.Dims([2, True])
    with pytest.raises(TypeError, match=r"shape\[0\] must be an int, not float32"):
        trt.Dims([np.float32(2.0)])
    with pytest.raises(TypeError, match="shape must be a sequence of ints, not bytes"):
        trt.Dims(b"\x01")
    with pytest.raises(ValueError, match=r"shape\[0\] = 9223372036854775808 does not fit in 64 bits"):
        trt.Dims([1 << 63])


def test_tensor_names_with_a_nul_are_refused(ctx: trt.IExecutionContext) -> None:
    data = arrays()
    with pytest.raises(trt.InvalidArgumentError, match="NUL"):
        ctx.set_tensor_address_nocheck("x\0bogus", data["x"].ctypes.data)
    assert ctx.get_tensor_address("x") == 0  # "x" was not touched
    with pytest.raises(trt.InvalidArgumentError, match="NUL"):
        ctx.set_tensor_address("x\0bogus", data["x"])
    with pytest.raises(trt.InvalidArgumentError, match="NUL"):
        ctx.set_input_shape_nocheck("x\0", (2, 4))
    assert ctx.get_tensor_shape("x") == (-1, 4)
    with pytest.raises(trt.InvalidArgumentError, match="NUL"):
        ctx.get_tensor_shape("x\0")
    with pytest.raises(trt.InvalidArgumentError, match="NUL"):
        ctx.bind({"x\0": 0})
    assert ctx.set_tensor_address_nocheck("nope", 0) is False  # an unknown name stays TensorRT's refusal


def _plan_with_raw_names(first: bytes, second: bytes) -> bytes:
    plan = bytearray(make_plan("raw", [("nA", INPUT, FLOAT, (2,)), ("nB", OUTPUT, FLOAT, (2,))]))
    for placeholder, raw in ((b"nA", first), (b"nB", second)):
        at = plan.index(struct.pack("<I", 2) + placeholder)
        plan[at + 4:at + 6] = raw
    plan[24:28] = struct.pack("<I", zlib.crc32(bytes(plan[32:])))
    return bytes(plan)


def test_non_utf8_tensor_names_stay_distinct_and_round_trip(runtime: trt.Runtime) -> None:
    engine = runtime.deserialize(_plan_with_raw_names(b"n\xff", b"n\xfe"))
    names = engine.tensor_names
    assert names == ("n\udcff", "n\udcfe")
    assert engine.get_tensor_mode(names[0]) == trt.TensorIOMode.INPUT
    assert engine.get_tensor_mode(names[1]) == trt.TensorIOMode.OUTPUT
    ctx = engine.create_execution_context()
    src = np.array([1.5, 2.5], np.float32)
    out = np.zeros(2, np.float32)
    assert ctx.set_tensor_address(names[0], src) and ctx.set_tensor_address(names[1], out)
    assert ctx.get_tensor_address(names[1]) == out.ctypes.data
    assert ctx.execute_async_v3(0) is True
    np.testing.assert_array_equal(out, src)


# ------------------------------------------------------------------ item 16: 64-bit values


def test_weight_streaming_budget_out_of_64_bits_is_an_invalid_argument(runtime: trt.Runtime) -> None:
    engine = runtime.deserialize(make_plan("ws", [("in", INPUT, FLOAT, (2,)), ("out", OUTPUT, FLOAT, (2,))]))
    for value in (1 << 63, -(1 << 63) - 1):
        with pytest.raises(trt.InvalidArgumentError, match="weight_streaming_budget_v2 must fit in 64 bits"):
            engine.weight_streaming_budget_v2 = value
    with pytest.raises(TypeError, match="weight_streaming_budget_v2 must be an int, not bool"):
        engine.weight_streaming_budget_v2 = True
    with pytest.raises(TypeError, match="not float"):
        engine.weight_streaming_budget_v2 = 1.0  # type: ignore[assignment]


def test_check_int64_takes_index_objects_and_refuses_the_rest() -> None:
    assert check_int64(np.int64(-5), "v") == -5 and check_int64((1 << 63) - 1, "v") == (1 << 63) - 1
    with pytest.raises(trt.InvalidArgumentError, match="v must fit in 64 bits"):
        check_int64(1 << 63, "v")
    for bad in (True, np.True_, 2.0, "3", None):
        with pytest.raises(TypeError, match="v must be an int"):
            check_int64(bad, "v")


def test_set_device_memory_size_checks_64_bits(runtime: trt.Runtime) -> None:
    engine = runtime.deserialize(make_plan("dm", [("in", INPUT, FLOAT, (2,)), ("out", OUTPUT, FLOAT, (2,))]))
    ctx = engine.create_execution_context(trt.ExecutionContextAllocationStrategy.USER_MANAGED)
    with pytest.raises(trt.InvalidArgumentError, match="size must fit in 64 bits"):
        ctx.set_device_memory(0, 1 << 63)
    with pytest.raises(TypeError, match="size must be an int, not bool"):
        ctx.set_device_memory(0, True)


# ------------------------------------------------------------------ item 16: the command line


@pytest.fixture
def plan_file(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "demo.plan"
    path.write_bytes(make_plan("demo", [("image", INPUT, FLOAT, (-1, 3)), ("score", OUTPUT, FLOAT, (-1, 3))],
                               profile_min={"image": (1, 3)}, profile_opt={"image": (2, 3)},
                               profile_max={"image": (16, 3)}))
    return path


def run_cli(plan: pathlib.Path, library: pathlib.Path, *args: object) -> int:
    return main(["run", str(plan), "--library", str(library), "--memory", "host", "-n", "2", *map(str, args)])


def test_run_refuses_an_npz_input_with_a_usage_error(plan_file: pathlib.Path, fake_lib_path: pathlib.Path,
                                                     tmp_path: pathlib.Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "inputs.npz"
    np.savez(archive, image=np.zeros((2, 3), np.float32))
    assert run_cli(plan_file, fake_lib_path, "--input", f"image={archive}") == 2
    err = capsys.readouterr().err
    assert f"{archive} for 'image' is an .npz archive (of image)" in err and ".npy" in err
    assert "Traceback" not in err


def test_run_checks_the_outputs_directory_before_running(plan_file: pathlib.Path, fake_lib_path: pathlib.Path,
                                                         tmp_path: pathlib.Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nonexistent" / "o.npz"
    assert run_cli(plan_file, fake_lib_path, "--save-outputs", missing) == 2
    captured = capsys.readouterr()
    assert f"the directory {missing.parent} does not exist" in captured.err
    assert "inferences/s" not in captured.out  # refused before running
    folder = tmp_path / "taken.npz"
    folder.mkdir()
    assert run_cli(plan_file, fake_lib_path, "--save-outputs", folder) == 2
    assert f"{folder} is a directory" in capsys.readouterr().err
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if not os.access(locked, os.W_OK):  # root writes anywhere
        assert run_cli(plan_file, fake_lib_path, "--save-outputs", locked / "o.npz") == 2
        assert "is not writable" in capsys.readouterr().err


def test_run_reports_the_file_numpy_writes_for_save_outputs(plan_file: pathlib.Path, fake_lib_path: pathlib.Path,
                                                            tmp_path: pathlib.Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "outs"
    assert run_cli(plan_file, fake_lib_path, "--save-outputs", target) == 0
    assert f"outputs written to {target}.npz" in capsys.readouterr().out
    assert (tmp_path / "outs.npz").is_file() and not target.exists()
    assert set(np.load(tmp_path / "outs.npz").files) == {"score"}


@pytest.mark.parametrize(("args", "message"), [
    (["--shape", "image=" + "9" * 20 + "x3"], "must fit in 64 bits"),
    (["--seed", "-1"], "--seed must be >= 0"),
])
def test_run_refuses_a_huge_extent_and_a_negative_seed(plan_file: pathlib.Path, fake_lib_path: pathlib.Path,
                                                       capsys: pytest.CaptureFixture[str], args: list[str],
                                                       message: str) -> None:
    assert run_cli(plan_file, fake_lib_path, *args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_run_checks_a_shape_against_the_profile_before_allocating(plan_file: pathlib.Path,
                                                                  fake_lib_path: pathlib.Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    tracemalloc.start()
    try:
        code = run_cli(plan_file, fake_lib_path, "--shape", "image=100000000x3")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == 2
    err = capsys.readouterr().err
    assert "input 'image' cannot run with shape (100000000, 3)" in err
    assert "profile 0 allows (1, 3) to (16, 3)" in err
    assert peak < 64 << 20  # the 1.2 GB of random data were never made


def test_inspect_reads_an_engine_from_a_pipe(plan_file: pathlib.Path, fake_lib_path: pathlib.Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    r, w = os.pipe()
    data = plan_file.read_bytes()

    def feed() -> None:
        with os.fdopen(w, "wb") as f:
            f.write(data)

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        code = main(["inspect", f"/dev/fd/{r}", "--library", str(fake_lib_path)])
    finally:
        writer.join(timeout=30)
        os.close(r)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "engine:     'demo'" in captured.out and "streamed" in captured.out

