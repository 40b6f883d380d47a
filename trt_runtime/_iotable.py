"""The I/O tensors of an engine, read once and shared by its contexts and bindings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._errors import InvalidArgumentError
from ._ffi import lib
from ._types import _BITS, DataType, Dims, TensorIOMode

__all__ = ["IOTable", "shape_tuple", "decode_name", "encode_name", "needed_bytes", "too_small"]


def decode_name(raw: bytes) -> str:
    """A tensor name TensorRT gave, as str: UTF-8, with any other byte kept as a lone surrogate.

    Decoding with ``"surrogateescape"`` keeps two names that differ only in
    bytes that are not UTF-8 distinct, and :func:`encode_name` gives the
    exact bytes back.
    """
    return raw.decode("utf-8", "surrogateescape")


def encode_name(name: str) -> bytes:
    """The C string of tensor name ``name`` (the inverse of :func:`decode_name`).

    Raises
    ------
    InvalidArgumentError
        ``name`` holds a NUL character (TensorRT would see only what comes
        before it), or a surrogate no bytes stand for.
    """
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError as exc:
        raise InvalidArgumentError(f"tensor name {name!r} cannot be encoded: {exc.reason}",
                                   lib.TRT_E_INVALID_ARGUMENT) from None
    if b"\0" in raw:
        raise InvalidArgumentError(f"tensor name {name!r} contains a NUL character; no tensor name can",
                                   lib.TRT_E_INVALID_ARGUMENT)
    return raw


def needed_bytes(shape: Any, bits: int | None) -> int | None:
    """Bytes a tensor of ``shape`` with ``bits`` per element takes, or None where it cannot be known.

    Parameters
    ----------
    shape : sequence of int
        The tensor's shape; an extent < 0 (not yet resolved) makes it unknown.
    bits : int or None
        Bits per element (4 for FP4 and INT4); None for a data type this
        version does not know.

    Returns
    -------
    int or None
        ``ceil(volume * bits / 8)``, or None.
    """
    if bits is None:
        return None
    n = bits
    for e in shape:
        if e < 0:
            return None
        n *= e
    return (n + 7) // 8


def too_small(name: str, given: int, needed: int, shape: Any) -> InvalidArgumentError:
    """The error for memory of ``given`` bytes bound to tensor ``name``, whose ``shape`` takes ``needed``."""
    return InvalidArgumentError(
        f"the memory given for tensor {name!r} holds {given} bytes, but its shape {tuple(shape)} needs {needed} "
        "bytes", lib.TRT_E_INVALID_ARGUMENT)


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

    __slots__ = ("engine_name", "names", "encoded", "modes", "shapes", "bits")

    def __init__(self, engine_name: str, names: list[str], raw: list[bytes], modes: list[TensorIOMode | int],
                 shapes: list[Dims]) -> None:
        self.engine_name = engine_name
        self.names = tuple(names)
        self.encoded = dict(zip(names, raw))
        self.modes = dict(zip(names, modes))
        self.shapes = dict(zip(names, shapes))  # as built: -1 for dynamic extents
        # Bits per element by name (None: a type this version does not know); see learn_dtypes.
        self.bits: dict[str, int | None] | None = None

    def learn_dtypes(self, dtype_of: Callable[[str], Any]) -> None:
        """Fill :attr:`bits` once, asking ``dtype_of(name)`` (the engine's ``get_tensor_dtype``) per tensor."""
        if self.bits is None:
            bits: dict[str, int | None] = {}
            for name in self.names:
                dtype = dtype_of(name)
                bits[name] = _BITS.get(dtype) if isinstance(dtype, DataType) else None
            self.bits = bits

    def needed(self, name: str, shape: Any) -> int | None:
        """Bytes tensor ``name`` of ``shape`` takes, or None where it cannot be known."""
        bits = self.bits.get(name) if self.bits is not None else None
        return needed_bytes(shape, bits)

    def encode(self, name: Any) -> bytes:
        """The C string for tensor ``name``.

        Raises
        ------
        TypeError
            ``name`` is not a str.
        InvalidArgumentError
            ``name`` is not an I/O tensor of the engine (or holds a NUL character).
        """
        raw = self.encoded.get(name) if isinstance(name, str) else None
        if raw is not None:
            return raw
        if not isinstance(name, str):
            raise TypeError(f"a tensor name must be a str, not {type(name).__name__}")
        encode_name(name)  # a NUL character says so
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
        ``shape`` is not a sequence of ints (bools, floats, str and bytes are refused).
    InvalidArgumentError
        It has more extents than TensorRT allows, or an extent does not fit in 64 bits.
    """
    try:
        dims = Dims(shape)
    except TypeError as exc:
        raise TypeError(f"the shape of {name!r} must be a sequence of ints, not {shape!r}: {exc}") from None
    except ValueError as exc:
        raise InvalidArgumentError(f"the shape of {name!r}: {exc}", lib.TRT_E_INVALID_ARGUMENT) from None
    return tuple(dims)
