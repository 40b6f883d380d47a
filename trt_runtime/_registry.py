"""The plugin registry of a runtime."""

from __future__ import annotations

from typing import Any, NamedTuple

from ._errors import check_bool, raise_status
from ._ffi import ffi, lib
from ._handle import Maker

__all__ = ["IPluginRegistry", "PluginCreatorInfo"]


class PluginCreatorInfo(NamedTuple):
    """What a registered plugin creator says about itself."""

    name: str | None
    version: str | None
    plugin_namespace: str | None
    kind: str | None  # "PLUGIN CREATOR_V1", "PLUGIN CREATOR_V3ONE", ...


def _s(p: Any) -> str | None:
    return None if p == ffi.NULL else ffi.string(p).decode("utf-8", "replace")


class IPluginRegistry:
    """A runtime's plugin registry. Keeps its runtime alive; usable while the runtime is open."""

    __slots__ = ("_ptr", "_runtime")

    _ptr: Any
    _runtime: Maker

    def __init__(self) -> None:
        raise TypeError("get an IPluginRegistry from Runtime.get_plugin_registry()")

    @classmethod
    def _adopt(cls, ptr: Any, runtime: Maker) -> IPluginRegistry:
        """Wrap the registry ``ptr`` of ``runtime`` (a :class:`Runtime`)."""
        self = object.__new__(cls)
        self._ptr = ptr
        self._runtime = runtime
        return self

    def _reg(self) -> Any:
        self._runtime._handle()  # raises ClosedError once the runtime is closed
        return self._ptr

    @property
    def runtime(self) -> Any:
        """The :class:`Runtime` whose registry this is."""
        return self._runtime

    def _creators(self, recursive: bool) -> list[PluginCreatorInfo]:
        reg = self._reg()
        count = ffi.new("int32_t *")
        status = lib.trt_registry_num_creators(reg, int(recursive), count)
        if status:
            raise_status(status)
        strings = ffi.new("const char *[4]")
        out = []
        for i in range(count[0]):
            status = lib.trt_registry_creator(reg, int(recursive), i, strings + 0, strings + 1, strings + 2, strings + 3)
            if status:
                raise_status(status)
            out.append(PluginCreatorInfo(_s(strings[1]), _s(strings[2]), _s(strings[3]), _s(strings[0])))
        return out

    @property
    def all_creators(self) -> list[PluginCreatorInfo]:
        """The creators registered in this registry."""
        return self._creators(False)

    @property
    def all_creators_recursive(self) -> list[PluginCreatorInfo]:
        """The creators of this registry and of its parents."""
        return self._creators(True)

    @property
    def parent_search_enabled(self) -> bool:
        out = ffi.new("int32_t *")
        status = lib.trt_registry_get_parent_search_enabled(self._reg(), out)
        if status:
            raise_status(status)
        return bool(out[0])

    @parent_search_enabled.setter
    def parent_search_enabled(self, value: bool) -> None:
        if value is not True and value is not False:
            value = check_bool(value, "parent_search_enabled")
        status = lib.trt_registry_set_parent_search_enabled(self._reg(), int(value))
        if status:
            raise_status(status)

    def __repr__(self) -> str:
        return f"<trt_runtime.IPluginRegistry of {self._runtime!r}>"
