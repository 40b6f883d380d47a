"""trt_runtime's public names against the official runtime API (``tensorrt_lean_bindings`` 11.4).

The official module is listed in a subprocess (importing it loads the real
lean library; no GPU is needed). Counted: every class, each of its public
members, module functions and the ``trt.float32``-style aliases, enum members
included; left out as FACTS.md describes: builder-only classes and Python
plugin authoring (``IPluginV2*``, ``IPluginV3*``, creators, fields ...).
Every counted name must be offered, or be in :data:`NOT_OFFERED` (a class
there stands for all its members), each of which the README's "Not offered"
section lists with its reason.
"""

from __future__ import annotations

import importlib.util
import json
import pathlib
import re
import subprocess
import sys
from enum import Enum

import pytest

import trt_runtime

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"

LIST = """
import json, sys
import tensorrt_lean_bindings as t
out = {}
for n in dir(t):
    if n.startswith("_"):
        continue
    v = getattr(t, n)
    if isinstance(v, type):
        out[n] = sorted(m for m in dir(v) if not m.startswith("_"))
    elif callable(v) or type(v).__name__ == "DataType":
        out[n] = None
print(json.dumps(out))
"""

# Builder-only classes, and what only plugin authoring uses.
BUILDER = {
    "BuilderFlag", "DeviceType", "DimensionOperation", "DimsExprs", "DynamicPluginTensorDesc", "IDimensionExpr",
    "IExprBuilder", "IOptimizationProfile", "IProgressMonitor", "IStreamWriter", "ISymExpr", "ISymExprs",
    "ITimingCache", "TimingCacheKey", "TimingCacheValue", "MemoryPoolType", "PreviewFeature", "RuntimePlatform",
    "TilingOptimizationLevel",
}
PLUGIN_AUTHORING = {"KernelLaunchParams", "QuickPluginCreationRequest", "TensorRTPhase", "FallbackString"}
PLUGIN_PREFIX = re.compile(r"(IPluginV2|IPluginV3|IPluginCreator|IPluginCapability|IPluginResource|"
                           r"Plugin(Field|Arg|Capability|CreatorVersion|TensorDesc))")
# The official module's helpers that are not API: its context-manager functions.
HELPERS = {"common_enter", "common_exit"}


def counted(name: str) -> bool:
    return not (name in BUILDER or name in PLUGIN_AUTHORING or name in HELPERS or PLUGIN_PREFIX.match(name))


# The official names trt_runtime does not offer (the README's "Not offered" section gives the reasons).
NOT_OFFERED = {
    "Refitter",  # the full library's refitter: not a runtime path
    "Weights",  # only the refitter takes them
    "WeightsRole",  # only the refitter uses it
    "IPluginRegistry.acquire_plugin_resource",  # takes an IPluginResource written in Python (plugin authoring)
}


def readme_not_offered() -> set[str]:
    """The names the README's "Not offered" section lists (``- `Name`` items)."""
    text = README.read_text()
    section = text.split("### Not offered", 1)[1].split("\n#", 1)[0]
    return set(re.findall(r"^- `([A-Za-z_.]+)`", section, re.M))


def official_surface() -> dict[str, list[str] | None]:
    if importlib.util.find_spec("tensorrt_lean_bindings") is None:  # never imported here: it loads the real library
        pytest.skip("the official bindings (pip install tensorrt-lean-cu13-bindings==11.4.0.106) are not installed "
                    f"for Python {sys.version_info.major}.{sys.version_info.minor}")
    out = subprocess.run([sys.executable, "-c", LIST], capture_output=True, text=True, timeout=120)
    if out.returncode:
        pytest.skip(f"the official bindings cannot be listed here: {out.stderr.strip()[-300:]}")
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def has(obj: object, member: str) -> bool:
    if isinstance(obj, type) and issubclass(obj, Enum) and member in ("name", "value"):
        return all(hasattr(m, member) for m in obj)
    return hasattr(obj, member)


def test_every_official_name_is_offered_or_listed() -> None:
    surface = official_surface()
    listed = NOT_OFFERED
    total = offered = 0
    missing = []
    for name, members in sorted(surface.items()):
        if not counted(name):
            continue
        obj = getattr(trt_runtime, name, None)
        for full, ok in [(name, obj is not None)] + [
            (f"{name}.{m}", obj is not None and has(obj, m)) for m in members or []
        ]:
            total += 1
            if ok:
                offered += 1
            elif full not in listed and full.split(".")[0] not in listed:
                missing.append(full)
    print(f"\nofficial runtime API names offered: {offered} of {total}")
    assert not missing, f"official names neither offered nor in NOT_OFFERED: {missing}"
    stale = {n for n in listed if getattr(trt_runtime, n.split(".")[0], None) is not None and (
        "." not in n and True or has(getattr(trt_runtime, n.split(".")[0]), n.split(".", 1)[1]))}
    assert not stale, f"NOT_OFFERED lists names that are offered: {sorted(stale)}"


def test_readme_gives_a_reason_for_each_name_not_offered() -> None:
    readme = readme_not_offered()
    undocumented = NOT_OFFERED - readme
    assert not undocumented, f"README's 'Not offered' section does not list: {sorted(undocumented)}"
    stale = readme - NOT_OFFERED
    assert not stale, f"README's 'Not offered' section lists names that are offered: {sorted(stale)}"
