"""The base of the objects that own a shim handle: Runtime, ICudaEngine, IExecutionContext.

It holds the handle in the slot ``_h`` (None once closed) and gives the
plumbing they share: :meth:`_Owned._handle`, :meth:`_Owned._closed`,
:meth:`_Owned.close`, :attr:`_Owned.closed` and the context-manager methods.
Hot paths (property getters and setters) do not go through ``_handle()``:
they pass ``self._h`` to the shim directly and turn the TypeError cffi
raises for None into :meth:`_Owned._closed`.

It also declares, as a :class:`Protocol`, what an engine asks of its runtime
and a context of its engine, so that neither module imports the one above it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from ._errors import ClosedError
from ._ffi import ffi, lib

if TYPE_CHECKING:
    from ._bridge import Bridge
    from ._callbacks import IErrorRecorder

__all__ = ["_Owned", "Maker"]

_T = TypeVar("_T", bound="_Owned")


class _Owned:
    """An object owning one shim handle, released by :meth:`close` or by garbage collection.

    Subclasses name themselves in ``_KIND`` (for "the ICudaEngine is
    closed") and set ``_h`` to ``ffi.gc(handle, release)``.

    As context managers, engines and execution contexts close on
    ``__exit__``; :class:`~trt_runtime.Runtime` overrides both methods to
    warn and do nothing, as TensorRT's runtime does.
    """

    __slots__ = ("_h",)

    _KIND: ClassVar[str] = "object"

    _h: Any

    def _closed(self) -> ClosedError:
        """The error to raise for a use after :meth:`close`."""
        return ClosedError(f"the {self._KIND} is closed", lib.TRT_E_CLOSED)

    def _handle(self) -> Any:
        """The shim handle, or :class:`ClosedError` once closed."""
        h = self._h
        if h is None:
            raise self._closed()
        return h

    def close(self) -> None:
        """Release the handle now, or as soon as calls running on it return; safe to call twice.

        The handle is dropped, not destroyed: a call running on another
        thread, or the call whose callback closes its own object, holds the
        handle until it returns, and the shim releases the object then.
        """
        # The one place a handle is let go early. Dropping the last reference
        # runs the release at once (ffi.gc); a call in flight holds another.
        self._h = None

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._h is None

    def __enter__(self: _T) -> _T:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Maker(Protocol):
    """What an object asks of the one that made it: an engine of its runtime, a context of its engine.

    TensorRT gives a new engine its runtime's error recorder, and a new
    context its engine's; a failing call may have been reported by the
    callbacks of the whole chain.
    """

    _recorder: IErrorRecorder | None
    _recorder_bridge: Bridge | None

    def _handle(self) -> Any: ...
