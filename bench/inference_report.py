"""The rows of bench/bench_inference.py, and its table and plot (also redrawn from a run's JSON)."""

from __future__ import annotations

import statistics
import textwrap
from pathlib import Path
from typing import Any

OURS, OFFICIAL = "ours", "official"
SIZES = (1, 4, 16)

# key, label, target (ours / official) or None, the sides that run it
ROWS: list[tuple[str, str, float | None]] = []
for _n in SIZES:
    _t = {4: 1.2}.get(_n)
    ROWS.append((f"seq_{_n}", f"official sequence, {_n} tensor{'s' if _n > 1 else ''}", _t))
    ROWS.append((f"binding_{_n}", f"Binding.execute vs official sequence, {_n} tensor{'s' if _n > 1 else ''}",
                 0.5 if _n == 4 else None))
    ROWS.append((f"v2_{_n}", f"execute_v2, {_n} tensor{'s' if _n > 1 else ''}", None))
ROWS.append(("graph_4", "CUDA graph replay, 4 tensors", 1.05))
ROWS.append(("devseq_4", "official sequence, 4 tensors, trt_runtime's runtime made with device=0", None))
CUDA_ONLY = ("graph_4", "devseq_4")
ONCE = ("set_threads", "set_floor", "runtime_create", "create_floor", "load_runtime")  # measured once, in host mode
ROWS += [
    ("set_threads", "max_threads set", 1.0),
    ("set_floor", "floor: property setter + bare cffi call vs official set", None),
    ("runtime_create", "later Runtime creation", 1.5),
    ("create_floor", "floor: one cffi create call, ffi.gc, release vs official Runtime(logger)", None),
    ("load_runtime", "load_runtime(lean)", None),
]


def labelled(result: dict[str, Any]) -> list[tuple[str, str, float | None, dict[str, Any]]]:
    """The measured rows in table order: (key, label, target, row); inference rows once per mode."""
    out = []
    for mode in ("cuda", "host"):
        for key, label, target in ROWS:
            row = result["inference"].get(f"{mode}:{key}")
            if row is not None:
                out.append((f"{mode}:{key}", f"[{mode}] {label}", target, row))
    for key, label, target in ROWS:
        if key in ONCE and key in result["inference"]:
            out.append((key, label, target, result["inference"][key]))
    return out


def ratio_of(row: dict[str, Any]) -> float:
    """trt_runtime / official: the median of the per-repeat ratios.

    Each repeat pairs the two sides run back to back, so a change of the
    machine's speed during a row (clock steps of a shared host) moves both
    halves of a pair alike and cancels out of their ratio.
    """
    pairs = zip(row["repeats"][OURS], row["repeats"][OFFICIAL]) if "repeats" in row else ()
    ratios = [a / b for a, b in pairs if b > 0]
    return statistics.median(ratios) if ratios else row[OURS] / row[OFFICIAL]


def bindings_only(row: dict[str, Any], side: str) -> float | None:
    """The median over repeats of the wall time less the time spent inside the engine, or None."""
    inside = row.get("engine_repeats")
    if not inside or not any(inside[OURS] + inside[OFFICIAL]):
        return None
    return statistics.median(s - e for s, e in zip(row["repeats"][side], inside[side]))


def bindings_ratio(row: dict[str, Any]) -> float | None:
    """Like :func:`ratio_of`, on each repeat's time less the time inside the engine (None: not measured)."""
    inside = row.get("engine_repeats")
    if not inside or not any(inside[OURS] + inside[OFFICIAL]):
        return None
    ours = [s - e for s, e in zip(row["repeats"][OURS], inside[OURS])]
    official = [s - e for s, e in zip(row["repeats"][OFFICIAL], inside[OFFICIAL])]
    return statistics.median(a / b for a, b in zip(ours, official) if b > 0)


def judged(row: dict[str, Any]) -> float:
    """The ratio a target is read on: the bindings' share where the engine's time was measured."""
    only = bindings_ratio(row)
    return ratio_of(row) if only is None else only


def fmt(seconds: float) -> str:
    return f"{seconds * 1e6:.2f} us" if seconds < 1e-3 else f"{seconds * 1e3:.1f} ms"


def verdict(ratio: float, target: float | None) -> str:
    if target is None:
        return ""
    return f"<= {target}x" + ("" if ratio <= target else " (missed)")


def table(result: dict[str, Any]) -> str:
    lines = ["| row | trt_runtime | official | ratio | inside the engine (ours / official) | "
             "bindings only: trt_runtime | official | ratio | target |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for key, label, target, row in labelled(result):
        ratio, only = ratio_of(row), bindings_ratio(row)
        if only is None:
            extra = "| | | | "
        else:
            inside = row["engine_repeats"]
            extra = (f"| {fmt(statistics.median(inside[OURS]))} / {fmt(statistics.median(inside[OFFICIAL]))} | "
                     f"{fmt(bindings_only(row, OURS) or 0.0)} | {fmt(bindings_only(row, OFFICIAL) or 0.0)} | "
                     f"{only:.2f}x ")
        lines.append(f"| {label} | {fmt(row[OURS])} | {fmt(row[OFFICIAL])} | {ratio:.2f}x {extra}| "
                     f"{verdict(judged(row), target)} |")
    big = result.get("big_plan")
    if big:
        mib = big["size_bytes"] >> 20
        o, f = big[OURS], big[OFFICIAL]
        lines.append(f"| {mib} MiB plan: by path vs open().read() | {fmt(o['s'])} | {fmt(f['s'])} | "
                     f"{o['s'] / f['s']:.2f}x | | | | | {verdict(o['s'] / f['s'], 0.8)} |")
        lines.append(f"| {mib} MiB plan: peak anonymous memory | {o['anon'] / 2**20:.1f} MiB ({o['anon_share']:.1%}) | "
                     f"{f['anon'] / 2**20:.1f} MiB ({f['anon_share']:.1%}) | | | | | | < 5% of the plan"
                     f"{'' if o['anon_share'] < 0.05 else ' (missed)'} |")
    return "\n".join(lines)


def header(result: dict[str, Any]) -> str:
    return (f"{result['machine']}; medians of {result['repeat']} alternating repeats of at least {result['number']} "
            f"calls (about 50 ms each), both workers on CPU {result.get('pinned_cpu', '?')}; ratio: the median of "
            "the per-repeat ratios. Inside the engine: time spent in the double's enqueueV3/executeV2 (its "
            "copies; the same work on both sides); bindings only: wall time less that, per repeat. Targets "
            "are read on the bindings-only ratio where it is measured\n\n")


def plot(result: dict[str, Any], png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels, ratios, targets = [], [], []
    for key, label, target, row in labelled(result):
        labels.append(label)
        ratios.append(judged(row))
        targets.append(target)
    big = result.get("big_plan")
    if big:
        labels.append(f"{big['size_bytes'] >> 20} MiB plan by path, time")
        ratios.append(big[OURS]["s"] / big[OFFICIAL]["s"])
        targets.append(0.8)
    fig, ax = plt.subplots(figsize=(10, 0.42 * len(labels) + 1.6))
    ys = list(range(len(labels)))[::-1]
    colors = ["tab:green" if t is None or r <= t else "tab:red" for r, t in zip(ratios, targets)]
    ax.barh(ys, ratios, color=colors)
    for y, t in zip(ys, targets):
        if t is not None:
            ax.plot([t, t], [y - 0.4, y + 0.4], color="black", linewidth=2)
    ax.axvline(1.0, color="gray", linestyle="--", linewidth=1)
    ax.set_yticks(ys, labels, fontsize=8)
    ax.set_xlabel("time, trt_runtime / official, bindings only where the engine's time is measured "
                  "(lower is better; black ticks: targets)", fontsize=8)
    ax.set_title(textwrap.fill(result["machine"], 70), fontsize=9)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
