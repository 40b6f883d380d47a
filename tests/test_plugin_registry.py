"""The plugin registry: Runtime.get_plugin_registry, its creators and parent search.

On the double (two creators in the process's registry, none in a runtime's own)
and, in the GPU tier, on the real libraries.
"""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest
from hypothesis import given

import trt_runtime as trt
from conftest import RecordingLogger
from fuzzing import ANY_VALUE, FUZZ, mentions


def test_plugin_registry_lists_creators_and_keeps_runtime(fake_library: trt.Library) -> None:
    rt = trt.Runtime(RecordingLogger(), library=fake_library)
    registry = rt.get_plugin_registry()
    ref = weakref.ref(rt)
    del rt
    gc.collect()
    assert ref() is not None
    names = {(c.name, c.version, c.plugin_namespace, c.kind) for c in registry.all_creators_recursive}
    assert ("FakeV1Plugin", "1", "", "PLUGIN CREATOR_V1") in names
    assert ("FakeV3Plugin", "2", "fake", "PLUGIN CREATOR_V3ONE") in names
    registry.parent_search_enabled = False
    assert registry.parent_search_enabled is False
    with pytest.raises(TypeError):
        registry.parent_search_enabled = "yes"  # type: ignore[assignment]


def test_registry_of_a_closed_runtime_raises(runtime: trt.Runtime) -> None:
    registry = runtime.get_plugin_registry()
    runtime.close()
    with pytest.raises(trt.ClosedError):
        registry.all_creators  # noqa: B018


def test_registry_cannot_be_constructed_directly() -> None:
    with pytest.raises(TypeError):
        trt.IPluginRegistry()


@FUZZ
@given(value=ANY_VALUE)
def test_registry_parent_search_enabled_accepts_or_refuses_clearly(runtime: trt.Runtime, value: Any) -> None:
    registry = runtime.get_plugin_registry()
    before = registry.parent_search_enabled
    try:
        registry.parent_search_enabled = value
    except (TypeError, ValueError) as exc:
        assert mentions(exc, "parent_search_enabled"), str(exc)
        assert registry.parent_search_enabled is before
    else:
        assert registry.parent_search_enabled is bool(value)


@pytest.mark.gpu
def test_plugin_registry_lists_creators(real_runtime: trt.Runtime) -> None:
    registry = real_runtime.get_plugin_registry()
    creators = registry.all_creators
    assert isinstance(creators, list)
    for c in creators + registry.all_creators_recursive:
        assert c.kind and c.kind.startswith("PLUGIN CREATOR")
    assert isinstance(registry.parent_search_enabled, bool)
