#!/usr/bin/env python3
"""Anonymous memory used while deserializing a large plan by path vs from bytes read in Python.

On the test-double library (tests/double), which reads every byte of the plan,
a 512 MiB plan is deserialized in a fresh process in two ways:

- ``path``: ``runtime.deserialize(path)`` (trt_runtime maps the file);
- ``read``: ``runtime.deserialize(open(path, "rb").read())``, the usual way.

A sampler thread reads ``RssAnon`` from ``/proc/self/status`` every
millisecond during the call (the shim releases the GIL); the table gives the
peak growth over the value before the call, as a share of the file size.
Target (the project's issue): under 5% for ``path``.

Usage: python3 bench/bench_memory.py [--size-mib 512] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

WORKER = textwrap.dedent("""
    import json, sys, threading, time
    sys.path.insert(0, {tests!r})
    import trt_runtime as trt

    def rss_anon():
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('RssAnon:'):
                    return int(line.split()[1]) * 1024
        raise RuntimeError('no RssAnon')

    class Quiet(trt.ILogger):
        def log(self, severity, msg):
            pass

    rt = trt.Runtime(Quiet(), library=trt.load_library({lib!r}))
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_anon())
            time.sleep(0.001)

    before = rss_anon()
    peak[0] = before
    sampler = threading.Thread(target=sample)
    sampler.start()
    t0 = time.perf_counter()
    if {mode!r} == 'path':
        engine = rt.deserialize({plan!r})
    else:
        engine = rt.deserialize(open({plan!r}, 'rb').read())
    elapsed = time.perf_counter() - t0
    done.set()
    sampler.join()
    peak[0] = max(peak[0], rss_anon())
    engine.close()
    print(json.dumps({{'before': before, 'peak': peak[0], 'seconds': elapsed}}))
""")


def make_plan_file(path: Path, size: int) -> None:
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO / 'tests')!r})
        from double.build import make_plan
        open({str(path)!r}, 'wb').write(make_plan('big', [('i', 1, 0, (1,)), ('o', 2, 0, (1,))], size={size}))
    """)
    subprocess.run([sys.executable, "-c", code], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=512)
    parser.add_argument("--out", default=str(HERE / "results"))
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "tests"))
    from double.build import build

    size = args.size_mib << 20
    with tempfile.TemporaryDirectory() as tmp:
        lib = build(Path(tmp) / "lib")
        plan = Path(tmp) / "big.plan"
        make_plan_file(plan, size)
        rows = {}
        for mode in ("path", "read"):
            code = WORKER.format(tests=str(REPO / "tests"), lib=str(lib), plan=str(plan), mode=mode)
            proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            rows[mode] = json.loads(proc.stdout)
    lines = [
        f"# Anonymous memory while deserializing a {args.size_mib} MiB plan (test-double library)",
        "",
        "| way | RssAnon growth (MiB) | share of file | time (s) | target |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    result = {}
    for mode, label in (("path", "deserialize(path)"), ("read", "deserialize(open().read())")):
        r = rows[mode]
        growth = r["peak"] - r["before"]
        share = growth / size
        target = ("PASS" if share < 0.05 else "MISS") + " (< 5%)" if mode == "path" else "baseline"
        lines.append(f"| {label} | {growth / 2**20:.1f} | {share:.1%} | {r['seconds']:.3f} | {target} |")
        result[mode] = {"growth_bytes": growth, "share": share, "seconds": r["seconds"]}
    text = "\n".join(lines)
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "memory.md").write_text(text + "\n")
    (out / "memory.json").write_text(json.dumps({"size_bytes": size, **result}, indent=2) + "\n")
    return 0 if result["path"]["share"] < 0.05 else 1


if __name__ == "__main__":
    sys.exit(main())
