"""Per-call overhead of the engine/context layer, on the test-double library.

    python bench/bench_engine.py [--number N] [--repeat R]

Each row times one operation through trt_runtime's Python API and the same
shim function called straight through cffi (the floor: what any cffi
wrapper pays), on the project's test double (tests/double), whose calls are
cheap host-side work, so the numbers are the wrapper's and the crossing's.

- execute_async_v3, set_tensor_address, set_input_shape: wrapper / raw
  cffi call of the same shim function (target <= 1.5x).
- one inference with 4 I/O tensors: the official way (4 set_tensor_address
  + execute_async_v3, through the wrapper) against Binding.execute, one
  crossing (target <= 0.4x).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import timeit
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "double"))

import build as double  # noqa: E402

import trt_runtime  # noqa: E402
from trt_runtime._ffi import lib  # noqa: E402


def best(stmt: str, names: dict, number: int, repeat: int) -> float:
    """Best per-call time of ``stmt`` in ns over ``repeat`` runs of ``number`` calls.

    Statements are strings run with ``names`` as globals, so no lambda call
    is counted in either column.
    """
    timeit.repeat(stmt, globals=names, number=max(number // 10, 1), repeat=1)  # warm up
    times = timeit.repeat(stmt, globals=names, number=number, repeat=repeat)
    return min(times) / number * 1e9


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--number", type=int, default=200_000, help="calls per timing run")
    parser.add_argument("--repeat", type=int, default=7, help="timing runs; the best is kept")
    parser.add_argument("--out", help="also write the table as engine.md and engine.json in this folder")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path = double.build(Path(tmp))
        trt_runtime.load_library(path)
        runtime = trt_runtime.Runtime(trt_runtime.Logger())
        # Four I/O tensors: two inputs (one dynamic), two outputs, tiny so the copy costs nothing.
        plan = double.make_plan(
            "bench",
            [("in0", 1, 0, (-1, 4)), ("in1", 1, 0, (1, 4)), ("out0", 2, 0, (-1, 4)), ("out1", 2, 0, (1, 4))],
            device_memory_size=0,
        )
        engine = runtime.deserialize(plan)
        ctx = engine.create_execution_context()
        arrays = {n: np.zeros((1, 4), np.float32) for n in ("in0", "in1", "out0", "out1")}
        ptrs = {n: a.ctypes.data for n, a in arrays.items()}
        raw_names = {n: n.encode() for n in ptrs}
        ctx.set_input_shape("in0", (1, 4))
        for n, p in ptrs.items():
            ctx.set_tensor_address(n, p)
        h = ctx._h

        set_addr = lib.trt_context_set_tensor_address
        set_shape = lib.trt_context_set_input_shape
        enqueue = lib.trt_context_enqueue
        p0 = ptrs["in0"]
        shape = (1, 4)
        b_in0 = raw_names["in0"]

        n, r = args.number, args.repeat
        rows = []

        items = list(ptrs.items())
        binding_shaped = ctx.bind(arrays, shapes={"in0": shape})
        names = dict(globals(), **locals())

        def pair(label, wrapped, raw, target):
            w = best(wrapped, names, n, r)
            f = best(raw, names, n, r)
            rows.append((label, w, f, w / f, target))

        pair("execute_async_v3", "ctx.execute_async_v3(0)", "enqueue(h, 0)", 1.5)
        pair("set_tensor_address", "ctx.set_tensor_address('in0', p0)", "set_addr(h, b_in0, p0)", 1.5)
        pair("set_input_shape", "ctx.set_input_shape('in0', shape)", "set_shape(h, b_in0, 2, shape)", 1.5)

        # The official way, written out as a user would (no helper function call).
        official = (
            "ctx.set_tensor_address('in0', p_in0)\n"
            "ctx.set_tensor_address('in1', p_in1)\n"
            "ctx.set_tensor_address('out0', p_out0)\n"
            "ctx.set_tensor_address('out1', p_out1)\n"
            "ctx.execute_async_v3(0)"
        )
        names.update(p_in0=ptrs["in0"], p_in1=ptrs["in1"], p_out0=ptrs["out0"], p_out1=ptrs["out1"],
                     raw_exec=lib.trt_context_execute, desc=binding_shaped._desc)
        nn = max(n // 4, 1)
        o = best(official, names, nn, r)
        o2 = best("ctx.set_input_shape('in0', shape)\n" + official, names, nn, r)
        b = best("binding_shaped.execute(0)", names, nn, r)
        rows.append(("4-tensor inference: official / Binding", o, b, b / o, 0.4))
        rows.append(("  official incl. set_input_shape / Binding", o2, b, b / o2, 0.4))
        f = best("raw_exec(h, desc, 0)", names, nn, r)
        rows.append(("Binding.execute / raw trt_context_execute", b, f, b / f, 1.5))

        if not np.array_equal(arrays["out0"], arrays["in0"]):
            raise SystemExit("the double did not copy input to output")

    print(f"trt_runtime {trt_runtime.__version__}, Python {sys.version.split()[0]}, "
          f"{n} calls x {r} runs, best run (ns per call)\n")
    print(f"{'operation':44} {'ours/A':>10} {'floor/B':>10} {'ratio':>7} {'target':>7}")
    for label, a, bb, ratio, target in rows:
        ok = "ok" if ratio <= target else "MISS"
        print(f"{label:44} {a:10.1f} {bb:10.1f} {ratio:7.2f} {'<=' + str(target):>7} {ok}")
    print("\nrows 1-3 and 6: A = through trt_runtime, B = raw cffi call of the same shim function, ratio = A/B;"
          "\nrows 4-5: A = official way (4 set_tensor_address [+ set_input_shape] + execute_async_v3),"
          "\n          B = Binding.execute (sets the dynamic input's shape, 4 addresses, enqueues), ratio = B/A")
    if args.out:
        import json

        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        lines = ["| operation | A (ns) | B (ns) | ratio | target |", "| --- | ---: | ---: | ---: | --- |"]
        lines += [f"| {label.strip()} | {a:.1f} | {bb:.1f} | {ratio:.2f} | <= {target} |" for label, a, bb, ratio, target in rows]
        (out / "engine.md").write_text("\n".join(lines) + "\n")
        (out / "engine.json").write_text(json.dumps(
            [{"operation": label.strip(), "a_ns": a, "b_ns": bb, "ratio": ratio, "target": target}
             for label, a, bb, ratio, target in rows], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
