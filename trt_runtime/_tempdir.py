"""Where TensorRT puts temporary files, and whether that place works."""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from ._runtime import Runtime

__all__ = ["TempDirCheck", "effective_temporary_directory", "check_temporary_directory"]


def effective_temporary_directory(configured: str | os.PathLike[str] | None = None) -> str:
    """The directory TensorRT uses: the configured one, else ``$TMPDIR``, else ``/tmp``."""
    if configured is not None:
        return os.fspath(configured)
    return os.environ.get("TMPDIR") or "/tmp"


class TempDirCheck:
    """Result of :func:`check_temporary_directory`; true when usable.

    ``path`` is the directory checked, ``problems`` what is wrong with it.
    """

    __slots__ = ("path", "problems")

    def __init__(self, path: str, problems: list[str] | None = None) -> None:
        self.path = path
        self.problems: list[str] = list(problems or [])

    def __repr__(self) -> str:
        return f"TempDirCheck(path={self.path!r}, problems={self.problems!r})"

    def __bool__(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        return f"{self.path}: " + ("usable" if not self.problems else "; ".join(self.problems))


def check_temporary_directory(where: Runtime | str | os.PathLike[str] | None = None) -> TempDirCheck:
    """Check that TensorRT can load engine host code from the temporary directory.

    Version-compatible engines write a library there and load it, so the
    directory must exist and be readable, writable and searchable; a directory
    that others can write to must have the sticky bit. A runtime's
    ``temporary_directory`` is used when a runtime is given.
    """
    configured = cast("str | os.PathLike[str] | None", getattr(where, "temporary_directory", where))
    path = effective_temporary_directory(configured)
    check = TempDirCheck(path)
    try:
        st = os.stat(path)
    except OSError as exc:
        check.problems.append(f"cannot be used: {exc.strerror}")
        return check
    if not stat.S_ISDIR(st.st_mode):
        check.problems.append("is not a directory")
        return check
    for flag, word in ((os.R_OK, "readable"), (os.W_OK, "writable"), (os.X_OK, "searchable")):
        if not os.access(path, flag):
            check.problems.append(f"is not {word}")
    if st.st_mode & (stat.S_IWOTH | stat.S_IWGRP) and not st.st_mode & stat.S_ISVTX:
        check.problems.append("is writable by others but has no sticky bit")
    return check
