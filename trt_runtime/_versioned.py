"""Versioned interfaces: :class:`InterfaceInfo` and :class:`IVersionedInterface`.

TensorRT's application interfaces (allocators, recorders, plugin creators
...) derive from ``IVersionedInterface``, which says what the interface is
(``InterfaceInfo``: kind, major, minor) and which language implements it
(``APILanguage``). The official bindings expose both; here they are plain
Python, and the Python interfaces that TensorRT calls (``IGpuAllocator``,
``IGpuAsyncAllocator``) derive from :class:`IVersionedInterface`.
"""

from __future__ import annotations

from typing import NamedTuple

from ._enums import APILanguage

__all__ = ["InterfaceInfo", "IVersionedInterface"]


class InterfaceInfo(NamedTuple):
    """Version information of a TensorRT interface: its ``kind`` (the name TensorRT
    gives it, ``"IGpuAllocator"``) and its ``major`` and ``minor`` version."""

    kind: str
    major: int
    minor: int


class IVersionedInterface:
    """Base of the versioned interfaces written in Python.

    ``api_language`` is ``APILanguage.PYTHON``; ``interface_info`` names the
    interface (the class's ``_INTERFACE``, version 1.0, unless overridden).
    """

    __slots__ = ()

    _INTERFACE = "IVersionedInterface"

    @property
    def api_language(self) -> APILanguage:
        """The language the interface is implemented in: ``APILanguage.PYTHON`` here."""
        return APILanguage.PYTHON

    @property
    def interface_info(self) -> InterfaceInfo:
        """The interface's kind and version."""
        return InterfaceInfo(self._INTERFACE, 1, 0)
