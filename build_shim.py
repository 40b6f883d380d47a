"""Builds trt_runtime's native extension, ``trt_runtime._native``, with cffi.

Out-of-line API mode: the C interface in ``shim/trt_shim.h`` is declared to
cffi and compiled together with ``shim/shim.cpp`` as C++. Nothing of TensorRT
or CUDA is needed at build time: the shim opens the library at run time.
Paths come from this file's location, never from the working directory.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from cffi import FFI

HERE = Path(__file__).resolve().parent
SHIM = HERE / "shim"

# The Python functions the shim calls back, passed to it as function pointers.
CALLBACKS = """
extern "Python" int32_t _trt_py_log(void *ctx, int32_t severity, const char *message);
extern "Python" int32_t _trt_py_broadcast_log(void *ctx, int32_t severity, const char *message);
extern "Python" int32_t _trt_py_rec_num_errors(void *ctx, int32_t *out);
extern "Python" int32_t _trt_py_rec_error_code(void *ctx, int32_t index, int32_t *out);
extern "Python" int32_t _trt_py_rec_error_desc(void *ctx, int32_t index, char *buffer, size_t capacity);
extern "Python" int32_t _trt_py_rec_has_overflowed(void *ctx, int32_t *out);
extern "Python" int32_t _trt_py_rec_clear(void *ctx);
extern "Python" int32_t _trt_py_rec_report_error(void *ctx, int32_t code, const char *description, int32_t *out_stop);
extern "Python" void _trt_py_release(void *ctx);
extern "Python" int32_t _trt_py_alloc(void *ctx, uint64_t size, uint64_t alignment, uint32_t flags, void *stream, int32_t is_async, uint64_t *out);
extern "Python" int32_t _trt_py_realloc(void *ctx, uint64_t address, uint64_t alignment, uint64_t new_size, uint64_t *out);
extern "Python" int32_t _trt_py_dealloc(void *ctx, uint64_t address, void *stream, int32_t is_async, int32_t *out_ok);
extern "Python" int32_t _trt_py_read(void *ctx, void *destination, int64_t size, void *stream, int64_t *out_read);
extern "Python" int32_t _trt_py_seek(void *ctx, int64_t offset, int32_t origin, int32_t *out_ok);
"""


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
    source = SHIM / "shim.cpp"
    builder = FFI()
    builder.cdef(cdef_text() + CALLBACKS)
    builder.set_source(
        "trt_runtime._native",
        '#include "trt_shim.h"',
        sources=[str(source) if absolute_sources else os.path.relpath(source)],
        source_extension=".cpp",
        include_dirs=[str(SHIM)],
        extra_compile_args=["-std=c++17", "-O2", "-fvisibility=hidden"],
        libraries=["dl"],
        depends=[str(p) for p in sorted(SHIM.glob("*.h*"))],
    )
    return builder


# What setup.py's cffi_modules names.
ffibuilder = make_builder()

if __name__ == "__main__":
    # A build in place, without pip: compiled under build/, copied into trt_runtime/.
    built = make_builder(absolute_sources=True).compile(tmpdir=str(HERE / "build" / "cffi"))
    shutil.copy(built, HERE / "trt_runtime" / Path(built).name)
