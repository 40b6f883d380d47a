"""Builds trt_runtime's native extension, ``trt_runtime._native``, with cffi.

Out-of-line API mode: the C interface in ``shim/trt_shim.h`` and the Python
callbacks in ``shim/trt_callbacks.h`` are declared to cffi, and compiled
together with the shim's sources (``shim/*.cpp``) as C++. Nothing of TensorRT
or CUDA is needed at build time: the shim opens the library at run time.
Paths come from this file's location, never from the working directory.
"""

from __future__ import annotations

import os
import platform
import re
import sys
import shutil
from pathlib import Path

from cffi import FFI

HERE = Path(__file__).resolve().parent
SHIM = HERE / "shim"
# Binds glibc functions to versions old enough for manylinux_2_28 (see the header).
GLIBC_COMPAT = HERE / "compat" / "glibc_compat.h"


def compat_args() -> list[str]:
    """The compiler arguments that force-include :data:`GLIBC_COMPAT` on x86-64 Linux (nothing elsewhere)."""
    if sys.platform.startswith("linux") and platform.machine() == "x86_64":
        return ["-include", str(GLIBC_COMPAT)]
    return []


def cdef_text(header: Path = SHIM / "trt_shim.h") -> str:
    """The shim's header as cffi reads it: without preprocessor lines and C++ markers."""
    kept = []
    cplusplus_only = False  # inside the C++ branch of an #ifdef __cplusplus
    for line in header.read_text().splitlines():
        directive = line.strip()
        if directive.startswith("#"):
            if directive == "#ifdef __cplusplus":
                cplusplus_only = True
            elif directive in ("#else", "#endif"):
                cplusplus_only = False
            continue
        if not cplusplus_only:
            kept.append(line)
    return re.sub(r"\bTRT_NOEXCEPT\b", "", "\n".join(kept))


def make_builder(absolute_sources: bool = False) -> FFI:
    """The cffi builder of ``trt_runtime._native``.

    setuptools wants source paths relative to where it runs (the project
    root: relpath keeps them right from any working directory); cffi's own
    ``compile`` runs elsewhere and takes absolute ones.
    """
    sources = sorted(SHIM.glob("*.cpp"))
    builder = FFI()
    builder.cdef(cdef_text() + (SHIM / "trt_callbacks.h").read_text())
    builder.set_source(
        "trt_runtime._native",
        '#include "trt_shim.h"',
        sources=[str(s) if absolute_sources else os.path.relpath(s) for s in sources],
        source_extension=".cpp",
        include_dirs=[str(SHIM)],
        extra_compile_args=["-std=c++17", "-O2", "-fvisibility=hidden", *compat_args()],
        # -s: no debug information or symbol table in the shipped .so (1.5 MB -> about 0.3 MB).
        extra_link_args=["-s"],
        libraries=["dl"],
        # Only CPython's limited API: one abi3 wheel for every CPython >= 3.10
        # (setup.py tags it cp310-abi3).
        py_limited_api=True,
        depends=[str(p) for p in sorted(SHIM.glob("*.h*"))] + [str(GLIBC_COMPAT)],
    )
    return builder


# What setup.py's cffi_modules names.
ffibuilder = make_builder()

if __name__ == "__main__":
    # A build in place, without pip: compiled under build/, copied into trt_runtime/.
    built = make_builder(absolute_sources=True).compile(tmpdir=str(HERE / "build" / "cffi"))
    target = HERE / "trt_runtime" / Path(built).name
    shutil.copy(built, target)
    # An older build under another name (_native.abi3.so from `pip install -e .`, another
    # Python's tag) would be imported instead of this one, or by another Python: remove it.
    for stale in (HERE / "trt_runtime").glob("_native.*"):
        if stale != target and stale.suffix in (".so", ".pyd"):
            stale.unlink()
