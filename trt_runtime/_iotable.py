"""The I/O tensors of an engine, read once and shared by its contexts and bindings."""

from __future__ import annotations

from typing import Any

from ._errors import InvalidArgumentError
from ._ffi import lib
from ._types import Dims, TensorIOMode

__all__ = ["IOTable", "shape_tuple"]


class IOTable:
    """The I/O tensors of an engine: names, their C strings, modes and shapes as built.

    Parameters
    ----------
    engine_name : str
        The engine's name, for messages.
    names : list of str
        The I/O tensor names, in I/O order.
    raw : list of bytes
        The same names as the C strings TensorRT gave.
    modes : list of TensorIOMode
        Input or output, by name.
    shapes : list of Dims
        Shapes as built (-1 for a dynamic extent), by name.
    """

    __slots__ = ("engine_name", "names", "encoded", "modes", "shapes")

    def __init__(self, engine_name: str, names: list[str], raw: list[bytes], modes: list[TensorIOMode],
                 shapes: list[Dims]) -> None:
        self.engine_name = engine_name
        self.names = tuple(names)
        self.encoded = dict(zip(names, raw))
        self.modes = dict(zip(names, modes))
        self.shapes = dict(zip(names, shapes))  # as built: -1 for dynamic extents

    def encode(self, name: Any) -> bytes:
        """The C string for tensor ``name``.

        Raises
        ------
        TypeError
            ``name`` is not a str.
        InvalidArgumentError
            ``name`` is not an I/O tensor of the engine.
        """
        raw = self.encoded.get(name) if isinstance(name, str) else None
        if raw is not None:
            return raw
        if not isinstance(name, str):
            raise TypeError(f"a tensor name must be a str, not {type(name).__name__}")
        raise InvalidArgumentError(self.unknown(name), lib.TRT_E_INVALID_ARGUMENT)

    def unknown(self, name: str) -> str:
        """The message for a ``name`` that is not an I/O tensor, listing the first names there are."""
        listed = ", ".join(repr(n) for n in self.names[:16])
        more = f" and {len(self.names) - 16} more" if len(self.names) > 16 else ""
        return f"the engine has no I/O tensor named {name!r} (it has {listed}{more})"


def shape_tuple(shape: Any, name: str) -> tuple[int, ...]:
    """``shape`` given for tensor ``name`` as a tuple of ints.

    Raises
    ------
    TypeError
        ``shape`` is not a sequence of ints.
    InvalidArgumentError
        It has more extents than TensorRT allows.
    """
    try:
        dims = Dims(shape)
    except TypeError:
        raise TypeError(f"the shape of {name!r} must be a sequence of ints, not {shape!r}") from None
    except ValueError as exc:
        raise InvalidArgumentError(f"the shape of {name!r}: {exc}", lib.TRT_E_INVALID_ARGUMENT) from None
    return tuple(dims)
