"""The plugin registry: Runtime.get_plugin_registry, its creators and parent search.

On the double (two creators in the process's registry, none in a runtime's own)
and, in the GPU tier, on the real libraries. A 10.x library before 10.10 has no
recursive listing (getAllCreatorsRecursive): asking for it raises
UnsupportedError naming 10.10, without calling into the library.
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


def has_recursive_listing(library: trt.Library) -> bool:
    """getAllCreatorsRecursive came in TensorRT 10.10 (every 11.x has it)."""
    return library.version.major != 10 or library.version.minor >= 10


def expect_no_recursive_listing(registry: trt.IPluginRegistry) -> None:
    version = registry.runtime.library.version
    for _ in range(2):  # refused again: nothing was left half done
        with pytest.raises(trt.UnsupportedError) as info:
            registry.all_creators_recursive  # noqa: B018
        assert str(info.value) == (f"getAllCreatorsRecursive needs TensorRT 10.10 or later; the loaded library is "
                                   f"10.{version.minor}")
        assert isinstance(info.value, NotImplementedError)


def test_plugin_registry_lists_creators_and_keeps_runtime(fake_library: trt.Library) -> None:
    rt = trt.Runtime(RecordingLogger(), library=fake_library)
    registry = rt.get_plugin_registry()
    ref = weakref.ref(rt)
    del rt
    gc.collect()
    assert ref() is not None
    assert registry.all_creators == []  # a runtime's own registry is empty; its parent has the creators
    if has_recursive_listing(fake_library):
        names = {(c.name, c.version, c.plugin_namespace, c.kind) for c in registry.all_creators_recursive}
        assert ("FakeV1Plugin", "1", "", "PLUGIN CREATOR_V1") in names
        assert ("FakeV3Plugin", "2", "fake", "PLUGIN CREATOR_V3ONE") in names
    else:
        expect_no_recursive_listing(registry)
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
    if not has_recursive_listing(real_runtime.library):
        expect_no_recursive_listing(registry)
    else:
        creators += registry.all_creators_recursive
    for c in creators:
        assert c.kind and c.kind.startswith("PLUGIN CREATOR")
    assert isinstance(registry.parent_search_enabled, bool)
