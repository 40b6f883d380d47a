"""The official fixed-rank shapes: :class:`Dims2`, :class:`Dims3`, :class:`Dims4`, :class:`DimsHW`.

Each is a :class:`~trt_runtime.Dims` (a tuple) of exactly its rank, made as
the official ones are: from nothing (zeros), from one extent per argument,
or from one sequence.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ._types import Dims

__all__ = ["Dims2", "Dims3", "Dims4", "DimsHW"]


def _extents(cls: type[Dims], rank: int, args: tuple[Any, ...]) -> tuple[Any, ...]:
    if not args:
        return (0,) * rank
    if len(args) == 1 and not isinstance(args[0], int):
        items = tuple(Dims(args[0]))
    else:
        items = args
    if len(items) != rank:
        raise ValueError(f"{cls.__name__} has {rank} extents, got {len(items)}: {items!r}")
    return items


class _FixedRank(Dims):
    __slots__ = ()

    RANK: ClassVar[int] = 0

    def __new__(cls, *args: Any) -> Any:
        return Dims.__new__(cls, _extents(cls, cls.RANK, args))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({tuple(self)!r})"


class Dims2(_FixedRank):
    """A shape of two extents: ``Dims2()``, ``Dims2(d0, d1)`` or ``Dims2((d0, d1))``."""

    __slots__ = ()
    RANK = 2


class Dims3(_FixedRank):
    """A shape of three extents: ``Dims3()``, ``Dims3(d0, d1, d2)`` or ``Dims3(sequence)``."""

    __slots__ = ()
    RANK = 3


class Dims4(_FixedRank):
    """A shape of four extents: ``Dims4()``, ``Dims4(d0, d1, d2, d3)`` or ``Dims4(sequence)``."""

    __slots__ = ()
    RANK = 4


class DimsHW(Dims2):
    """A height and a width: ``DimsHW(h, w)``; read them as :attr:`h` and :attr:`w`.

    Immutable (a tuple), unlike the official one, whose ``h`` and ``w`` can be assigned.
    """

    __slots__ = ()

    @property
    def h(self) -> int:
        """The height (extent 0)."""
        return self[0]

    @property
    def w(self) -> int:
        """The width (extent 1)."""
        return self[1]
