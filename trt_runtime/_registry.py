"""Plugin registries: a runtime's, and the process's (``get_plugin_registry()``).

Where TensorRT answers ``false`` (``register_creator``, ``deregister_creator``)
the official-named method raises :class:`TensorRTError` with TensorRT's
reports; its ``*_nocheck`` twin returns TensorRT's bool.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, NamedTuple

from ._bridge import Bridge
from ._callbacks import IErrorRecorder, give_callback
from ._enums import APILanguage
from ._errors import check_bool, raise_status
from ._ffi import ffi, lib
from ._handle import Maker
from ._versioned import InterfaceInfo

if TYPE_CHECKING:
    from ._library import Library

__all__ = ["IPluginRegistry", "PluginCreatorInfo", "PluginCreator"]

_SOFT = frozenset((lib.TRT_E_FAILED, lib.TRT_E_INVALID_ARGUMENT))


class PluginCreatorInfo(NamedTuple):
    """What a registered plugin creator says about itself."""

    name: str | None
    version: str | None
    plugin_namespace: str | None
    kind: str | None  # "PLUGIN CREATOR_V1", "PLUGIN CREATOR_V3ONE", ...


def _s(p: Any) -> str | None:
    return None if p == ffi.NULL else ffi.string(p).decode("utf-8", "replace")


class PluginCreator:
    """A plugin creator found in a registry (:meth:`IPluginRegistry.get_creator`).

    The official bindings give an ``IPluginCreator`` or ``IPluginCreatorV3One``;
    this is a handle on TensorRT's creator that can be registered in, or
    deregistered from, a registry of the same library. Creators written in
    Python (plugin authoring) are not offered.

    Attributes
    ----------
    name, plugin_version, plugin_namespace : str or None
        What the creator says about itself.
    kind : str or None
        Its interface, ``"PLUGIN CREATOR_V1"``, ``"PLUGIN CREATOR_V3ONE"`` ...
    handle : int
        The ``IPluginCreatorInterface*``.
    """

    __slots__ = ("handle", "name", "plugin_version", "plugin_namespace", "kind", "_registry")

    def __init__(self, registry: IPluginRegistry, pointer: Any) -> None:
        strings = ffi.new("const char *[4]")
        status = lib.trt_registry_creator_of(registry._reg(), pointer, strings + 0, strings + 1, strings + 2, strings + 3)
        if status:
            raise_status(status)
        self.handle: int = int(ffi.cast("uintptr_t", pointer))
        self.kind, self.name, self.plugin_version, self.plugin_namespace = (_s(strings[i]) for i in range(4))
        self._registry = registry  # keeps the registry's runtime (and library) alive

    @property
    def api_language(self) -> APILanguage:
        """``APILanguage.CPP``: TensorRT's own creators."""
        return APILanguage.CPP

    @property
    def interface_info(self) -> InterfaceInfo:
        """The creator's interface kind (version 1.0)."""
        return InterfaceInfo(self.kind or "", 1, 0)

    def __repr__(self) -> str:
        return f"<trt_runtime.PluginCreator {self.name} version {self.plugin_version} namespace {self.plugin_namespace!r}>"


class IPluginRegistry:
    """A plugin registry: a runtime's (it keeps the runtime alive; usable while the
    runtime is open) or the process's (:func:`trt_runtime.get_plugin_registry`)."""

    __slots__ = ("_ptr", "_runtime", "_library", "_recorder", "_recorder_bridge")

    _ptr: Any
    _runtime: Maker | None
    _library: Library | None
    _recorder: IErrorRecorder | None
    _recorder_bridge: Bridge | None

    def __init__(self) -> None:
        raise TypeError("get an IPluginRegistry from Runtime.get_plugin_registry() or trt_runtime.get_plugin_registry()")

    @classmethod
    def _adopt(cls, ptr: Any, runtime: Maker | None, library: Library | None = None) -> IPluginRegistry:
        """Wrap the registry ``ptr`` of ``runtime`` (a :class:`Runtime`), or the process's of ``library``."""
        self = object.__new__(cls)
        self._ptr = ptr
        self._runtime = runtime
        self._library = library
        self._recorder = None
        self._recorder_bridge = None
        return self

    def _reg(self) -> Any:
        if self._runtime is not None:
            self._runtime._handle()  # raises ClosedError once the runtime is closed
        return self._ptr

    @property
    def runtime(self) -> Any:
        """The :class:`Runtime` whose registry this is; None for the process's registry."""
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

    # ---------------------------------------------------------- creators

    def get_creator(self, type: str, version: str, plugin_namespace: str = "") -> PluginCreator | None:  # noqa: A002 - official name
        """The creator of plugin ``type`` version ``version`` in ``plugin_namespace``, or None.

        Searches the parent registry too while parent search is enabled.
        """
        out = ffi.new("void **")
        status = lib.trt_registry_get_creator(self._reg(), _c(type, "type"), _c(version, "version"),
                                              _c(plugin_namespace, "plugin_namespace"), out)
        if status:
            raise_status(status)
        return None if out[0] == ffi.NULL else PluginCreator(self, out[0])

    def _creator_call(self, fn: Any, creator: Any, *args: Any) -> int:
        if not isinstance(creator, PluginCreator):
            raise TypeError("creator must be a trt_runtime.PluginCreator (from get_creator()); "
                            f"creators written in Python are not offered, got {type(creator).__name__}")
        return fn(self._reg(), ffi.cast("void *", creator.handle), *args)  # type: ignore[no-any-return]

    def register_creator(self, creator: PluginCreator, plugin_namespace: str = "") -> bool:
        """Register ``creator`` under ``plugin_namespace``. True, or raises TensorRTError
        with TensorRT's reasons (one of that name, version and namespace is already there)."""
        status = self._creator_call(lib.trt_registry_register_creator, creator, _c(plugin_namespace, "plugin_namespace"))
        if status:
            raise_status(status)
        return True

    def register_creator_nocheck(self, creator: PluginCreator, plugin_namespace: str = "") -> bool:
        """:meth:`register_creator`, returning TensorRT's False instead of raising."""
        status = self._creator_call(lib.trt_registry_register_creator, creator, _c(plugin_namespace, "plugin_namespace"))
        return _soft(status)

    def deregister_creator(self, creator: PluginCreator) -> bool:
        """Deregister ``creator``. True, or raises TensorRTError (it was not registered here)."""
        status = self._creator_call(lib.trt_registry_deregister_creator, creator)
        if status:
            raise_status(status)
        return True

    def deregister_creator_nocheck(self, creator: PluginCreator) -> bool:
        """:meth:`deregister_creator`, returning TensorRT's False instead of raising."""
        return _soft(self._creator_call(lib.trt_registry_deregister_creator, creator))

    # ---------------------------------------------------------- plugin libraries, resources

    def load_library(self, plugin_path: str | os.PathLike[str]) -> int:
        """Load the plugin library at ``plugin_path`` and register its creators.

        Returns its handle (an int; the official bindings give a capsule), for
        :meth:`deregister_library`. Raises LibraryError with TensorRT's reasons.
        """
        out = ffi.new("void **")
        status = lib.trt_registry_load_library(self._reg(), os.fsencode(plugin_path), out)
        if status:
            raise_status(status)
        return int(ffi.cast("uintptr_t", out[0]))

    def deregister_library(self, handle: int) -> None:
        """Deregister the creators of a library loaded with :meth:`load_library`, and unload it."""
        status = lib.trt_registry_deregister_library(self._reg(), ffi.cast("void *", handle))
        if status:
            raise_status(status)

    def release_plugin_resource(self, key: str) -> int:
        """Release one reference to the plugin resource ``key``: TensorRT's answer (0 done, -1 no such key)."""
        out = ffi.new("int32_t *")
        status = lib.trt_registry_release_plugin_resource(self._reg(), _c(key, "key"), out)
        if status:
            raise_status(status)
        return out[0]  # type: ignore[no-any-return]

    @property
    def error_recorder(self) -> IErrorRecorder | None:
        """The registry's error recorder (None: TensorRT logs instead)."""
        return self._recorder

    @error_recorder.setter
    def error_recorder(self, value: IErrorRecorder | None) -> None:
        self._recorder, self._recorder_bridge = give_callback(
            self._reg(), lib.trt_registry_set_error_recorder, value, IErrorRecorder, "error_recorder")

    def __repr__(self) -> str:
        if self._runtime is None:
            return f"<trt_runtime.IPluginRegistry of the process ({self._library!r})>"
        return f"<trt_runtime.IPluginRegistry of {self._runtime!r}>"


def _c(value: Any, name: str) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    raw = value.encode()
    if b"\0" in raw:
        raise ValueError(f"{name} must not contain NUL characters: {value!r}")
    return raw


def _soft(status: int) -> bool:
    if not status:
        return True
    if status in _SOFT:
        return False
    raise_status(status)
