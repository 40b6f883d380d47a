"""Finding and opening TensorRT's runtime library, lazily.

Nothing is opened at import. The library is opened by :func:`load_library` or
by the first :class:`~trt_runtime.Runtime`, looking in this order:

1. the path given to :func:`load_library`;
2. the environment variable ``TRT_RUNTIME_LIBRARY`` (a file path);
3. the installed wheels ``tensorrt_libs`` (full), ``tensorrt_lean_libs``,
   ``tensorrt_dispatch_libs`` (found without importing them, since importing
   them loads every library they hold);
4. the system loader: ``libnvinfer.so.N``, ``libnvinfer_lean.so.N``,
   ``libnvinfer_dispatch.so.N``.

Steps 3 and 4 try every supported major N (:data:`SUPPORTED_MAJORS`: 11, then
10), newest first, so 11.x wins where both are installed; the environment
variable ``TRT_RUNTIME_MAJOR`` (``10`` or ``11``) restricts them to one.

TensorRT keeps process-wide state, so one process uses one major version:
once a library of one major is open, opening one of another is refused.
"""

from __future__ import annotations

import os
import threading
from enum import Enum
from typing import Any, NamedTuple

from ._bridge import _PINNED, Bridge
from ._errors import LibraryError, LibraryNotFoundError, UnsupportedVersionError
from ._ffi import ffi, lib

__all__ = [
    "Library",
    "Flavour",
    "Version",
    "load_library",
    "loaded_library",
    "candidates",
    "ENV_VAR",
    "SUPPORTED_MAJOR",
    "SUPPORTED_MAJORS",
]

ENV_VAR = "TRT_RUNTIME_LIBRARY"
MAJOR_ENV_VAR = "TRT_RUNTIME_MAJOR"
# The TensorRT majors whose ABI the shim declares, newest (preferred) first:
# the one place they are written in Python.
SUPPORTED_MAJORS = (11, 10)
SUPPORTED_MAJOR = SUPPORTED_MAJORS[0]  # the newest
_WHEELS = (
    ("tensorrt_libs", "libnvinfer.so.{major}"),
    ("tensorrt_lean_libs", "libnvinfer_lean.so.{major}"),
    ("tensorrt_dispatch_libs", "libnvinfer_dispatch.so.{major}"),
)
_SYSTEM = ("libnvinfer.so.{major}", "libnvinfer_lean.so.{major}", "libnvinfer_dispatch.so.{major}")
INSTALL_HINT = (
    "Install one with `pip install tensorrt-lean-cu13-libs` (or `tensorrt-dispatch-cu13-libs`; from a "
    "checkout of trt_runtime, `pip install '.[lean]'` installs it with the package), or point "
    f"TRT_RUNTIME_LIBRARY or trt_runtime.load_library(path) at a libnvinfer*.so.{SUPPORTED_MAJOR}."
)


def _hint() -> str:
    """How to get a library: the installed one when there is one (a wrong path was given), else INSTALL_HINT."""
    installed = [p for p in _wheel_candidates() if os.path.exists(p)]
    if installed:
        return (f"An installed TensorRT library is found without a path: {installed[0]} "
                f"(leave the path and {ENV_VAR} out to use it).")
    return INSTALL_HINT

class Flavour(str, Enum):
    """Which TensorRT runtime library: with the builder, lean, or dispatch.

    A member is its value as a string (``Flavour.LEAN == "lean"``) and prints
    as it: ``str()``, ``print()`` and ``f"{...}"`` give ``lean`` on every Python.
    """

    FULL = "full"
    LEAN = "lean"
    DISPATCH = "dispatch"

    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, spec: str) -> str:
        return format(str.__str__(self), spec)


class Version(NamedTuple):
    major: int
    minor: int
    patch: int
    build: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}.{self.build}"


class Library:
    """An opened TensorRT runtime library. Obtain one with :func:`load_library`.

    It stays loaded for the life of the process (TensorRT does not support
    being unloaded).
    """

    __slots__ = ("_h", "path", "flavour", "version", "_bridge", "__weakref__")

    def __init__(self, handle: Any) -> None:
        info = ffi.new("trt_library_info *")
        lib.trt_library_get_info(handle, info)
        self._h = handle
        self.path: str = os.fsdecode(ffi.string(lib.trt_library_path(handle)))
        self.version = Version(info.major, info.minor, info.patch, info.build)
        soname = os.fsdecode(ffi.string(lib.trt_library_soname(handle)))
        self.flavour = _flavour(self.path, soname, bool(info.has_builder))
        # Messages from outside any call are fanned out by broadcast().
        self._bridge = Bridge(self)
        lib.trt_library_set_log_sink(handle, lib._trt_py_broadcast_log, self._bridge.handle)

    def __repr__(self) -> str:
        return f"<trt_runtime.Library {self.flavour.value} {self.version} at {self.path!r}>"

    @property
    def handle(self) -> int:
        """The shim's library handle, as an int."""
        return int(ffi.cast("uintptr_t", self._h))

    def has_symbol(self, name: str) -> bool:
        """Whether the library exports the C symbol ``name``."""
        return bool(lib.trt_library_has_symbol(self._h, name.encode()))

    def broadcast(self, severity: int, message: str) -> None:
        """Deliver a message logged outside any call to every live runtime's logger."""
        # The loggers of the runtimes the shim still holds (pinned bridges),
        # also those kept alive only by their engines.
        loggers = {id(b.target): b.target for b in list(_PINNED.values()) if b.logs_for is self}
        if not loggers:
            import logging  # only here: it is slow to import and rarely needed

            level = _PY_LEVELS.get(int(severity), logging.DEBUG)
            logging.getLogger("trt_runtime").log(level, "TensorRT: %s", message)
        errors = []
        for logger in loggers.values():
            try:
                logger.log(severity, message)
            except BaseException as exc:  # noqa: BLE001 - each logger gets the message
                errors.append(exc)
        if errors:
            raise errors[0]


# logging's CRITICAL, ERROR, WARNING, INFO, DEBUG by TensorRT severity.
_PY_LEVELS = {0: 50, 1: 40, 2: 30, 3: 20, 4: 10}

_lock = threading.Lock()
_current: Library | None = None
_opened: dict[str, Library] = {}


def _flavour(path: str, soname: str, has_builder: bool) -> Flavour:
    # The library's own name first: renaming the file does not change it.
    name = soname or os.path.basename(path)
    if "lean" in name:
        return Flavour.LEAN
    if "dispatch" in name:
        return Flavour.DISPATCH
    return Flavour.FULL if has_builder or name.startswith("libnvinfer.") else Flavour.LEAN


def _open(path: str) -> Library:
    if os.sep in path:
        try:
            os.stat(path)
        except FileNotFoundError:
            raise LibraryNotFoundError(f"cannot load {path}: no such file. {_hint()}", lib.TRT_E_LIBRARY) from None
        except OSError as exc:  # a symlink loop, a name too long, no permission ...
            raise LibraryError(f"cannot load {path}: {exc.strerror}", lib.TRT_E_LIBRARY) from None
    out = ffi.new("trt_library **")
    status = lib.trt_library_open(os.fsencode(path), out)
    if status:
        message = ffi.string(lib.trt_last_error()).decode("utf-8", "replace")
        raise LibraryError(message, status)
    real = os.fsdecode(ffi.string(lib.trt_library_path(out[0])))
    library = _opened.get(real)
    if library is not None:
        return library
    library = Library(out[0])
    if library.version.major not in SUPPORTED_MAJORS:
        raise UnsupportedVersionError(
            f"{library.path} is TensorRT {library.version}, but this build of trt_runtime supports "
            f"TensorRT {_majors_text()} only. {INSTALL_HINT}",
            lib.TRT_E_UNSUPPORTED_VERSION,
        )
    for other in _opened.values():
        if other.version.major != library.version.major and other.version.major in SUPPORTED_MAJORS:
            raise UnsupportedVersionError(
                f"{library.path} is TensorRT {library.version}, but this process already uses TensorRT "
                f"{other.version} ({other.path}); TensorRT keeps process-wide state, so one process uses one "
                "major version: use another process for it",
                lib.TRT_E_UNSUPPORTED_VERSION,
            )
    _opened[real] = library  # only what passed: a refused library never blocks another
    return library


def _majors_text() -> str:
    return " and ".join(f"{m}.x" for m in sorted(SUPPORTED_MAJORS))


def _search_majors() -> tuple[int, ...]:
    """The majors to search for, newest first, or the one ``TRT_RUNTIME_MAJOR`` names."""
    wanted = os.environ.get(MAJOR_ENV_VAR, "").strip()
    if not wanted:
        return SUPPORTED_MAJORS
    if not wanted.isdigit() or int(wanted) not in SUPPORTED_MAJORS:
        raise LibraryError(f"{MAJOR_ENV_VAR}={wanted!r}: expected one of {', '.join(map(str, SUPPORTED_MAJORS))}",
                           lib.TRT_E_INVALID_ARGUMENT)
    return (int(wanted),)


def _wheel_candidates() -> list[str]:
    import importlib.util

    folders = []
    for module, pattern in _WHEELS:
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        folders += [(folder, pattern) for folder in ((spec.submodule_search_locations or []) if spec else [])]
    return [os.path.join(folder, pattern.format(major=major)) for major in _search_majors() for folder, pattern in folders]


def candidates() -> list[tuple[str, str]]:
    """Where :func:`load_library` looks without an explicit path, in order: (origin, path)."""
    found: list[tuple[str, str]] = []
    env = os.environ.get(ENV_VAR)
    if env:
        found.append((f"${ENV_VAR}", env))
    found += [("wheel", p) for p in _wheel_candidates()]
    found += [("system loader", n.format(major=m)) for m in _search_majors() for n in _SYSTEM]
    return found


def load_library(path: str | os.PathLike[str] | None = None) -> Library:
    """Open TensorRT's runtime library and make it the one new runtimes use.

    Parameters
    ----------
    path : str or os.PathLike, optional
        The library file. Without it, the library already loaded is returned,
        or the search order of this module's documentation is followed.

    Raises
    ------
    LibraryNotFoundError
        Nothing was found; the message lists every place tried.
    LibraryError
        A file was found but is not a usable TensorRT library.
    UnsupportedVersionError
        The library's major version is not supported.
    """
    global _current
    current = _current
    if path is None and current is not None:
        return current  # the common case, every Runtime(): no lock (the global is read once, atomically)
    with _lock:
        if path is not None:
            if not isinstance(path, (str, os.PathLike)):
                raise TypeError(f"path must be str or os.PathLike, not {type(path).__name__}")
            library = _open(os.fspath(path))
            _current = library
            return library
        if _current is not None:
            return _current
        tried = []
        for origin, candidate in candidates():
            explicit = origin.startswith("$")
            if origin == "wheel" and not os.path.exists(candidate):
                tried.append(f"{candidate} ({origin}): no such file")
                continue
            try:
                _current = _open(candidate)
                return _current
            except LibraryError as exc:
                if explicit or origin == "wheel":
                    raise  # a file the user chose, or installed, that does not work
                tried.append(f"{candidate} ({origin}): {exc.message}")
        raise LibraryNotFoundError(
            "no TensorRT runtime library found. Tried:\n  " + "\n  ".join(tried) + "\n" + INSTALL_HINT,
            lib.TRT_E_LIBRARY,
        )


def loaded_library() -> Library | None:
    """The library new runtimes use, or None if none was opened yet (opens nothing)."""
    return _current
