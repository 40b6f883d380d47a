"""Choosing and opening the library: lazily, in a documented order, with clear errors.

Import opens no TensorRT library (and loads no numpy); an explicit path wins,
then TRT_RUNTIME_LIBRARY, then the installed wheels and the system loader; the
real wheels report their version and flavour. Every file that is not a usable
TensorRT 11.x runtime library is refused with a LibraryError naming it: files
that are not libraries, truncated libraries, shared objects without TensorRT's
entry points, other major versions (the double made to report them, and a real
10.x library where one is at hand). Tests of the real libraries skip when the
wheels are not installed; none needs a GPU.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import struct

import pytest

import trt_runtime as trt
from conftest import REAL_LIBS
from double.build import build
from support import Quiet, run_bare_python, run_python


# ------------------------------------------------------------------ import


def test_import_opens_no_tensorrt_library() -> None:
    proc = run_bare_python("""
        import trt_runtime
        maps = open('/proc/self/maps').read()
        assert 'libnvinfer' not in maps, 'a TensorRT library was mapped at import'
        assert trt_runtime.loaded_library() is None
        print('ok')
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_import_does_not_load_numpy() -> None:
    import subprocess
    import sys

    code = "import sys, trt_runtime; print('numpy' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_runtime_with_a_non_logger_raises_type_error_before_loading() -> None:
    proc = run_bare_python("""
        import trt_runtime
        for bad in (object(), None, print, 'logger'):
            try:
                trt_runtime.Runtime(bad)
            except TypeError as e:
                assert 'ILogger' in str(e)
            else:
                raise SystemExit('no TypeError')
        assert trt_runtime.loaded_library() is None
        assert 'libnvinfer' not in open('/proc/self/maps').read()
        print('ok')
    """)
    assert proc.returncode == 0, proc.stderr


# ------------------------------------------------------------------ finding the library


def test_explicit_path_wins_and_reports_version_and_flavour(fake_library: trt.Library,
                                                            fake_lib_path: pathlib.Path) -> None:
    assert fake_library.version == trt.Version(11, 4, 0, 106)
    assert str(fake_library.version) == "11.4.0.106"
    assert fake_library.flavour is trt.Flavour.FULL
    assert pathlib.Path(fake_library.path).resolve() == fake_lib_path.resolve()
    assert trt.load_library(fake_lib_path) is fake_library


def test_environment_variable_is_used(fake_lib_path: pathlib.Path) -> None:
    proc = run_bare_python("""
        import trt_runtime
        lib = trt_runtime.load_library()
        print(lib.path)
    """, env={"TRT_RUNTIME_LIBRARY": str(fake_lib_path)})
    assert proc.returncode == 0, proc.stderr
    assert pathlib.Path(proc.stdout.strip()).resolve() == fake_lib_path.resolve()


def test_environment_variable_pointing_nowhere_raises_clearly() -> None:
    proc = run_bare_python("""
        import trt_runtime
        try:
            trt_runtime.load_library()
        except trt_runtime.LibraryError as e:
            print(type(e).__name__, e)
    """, env={"TRT_RUNTIME_LIBRARY": "/nonexistent/libnvinfer.so.11"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("LibraryNotFoundError") and "/nonexistent/libnvinfer.so.11" in proc.stdout


def test_nothing_found_lists_what_was_tried_and_how_to_install() -> None:
    # Hide the wheels: a fresh interpreter whose path lacks site-packages' TensorRT.
    proc = run_bare_python("""
        import importlib.util, sys
        real = importlib.util.find_spec
        def hidden(name, *a, **k):
            return None if name.startswith('tensorrt') else real(name, *a, **k)
        importlib.util.find_spec = hidden
        import trt_runtime
        try:
            trt_runtime.load_library()
        except trt_runtime.LibraryNotFoundError as e:
            assert isinstance(e, FileNotFoundError)
            print(e)
        else:
            print('FOUND', trt_runtime.loaded_library())
    """, env={"TRT_RUNTIME_LIBRARY": ""})
    assert proc.returncode == 0, proc.stderr
    if proc.stdout.startswith("FOUND"):
        pytest.skip("a TensorRT library is installed system-wide")
    assert "libnvinfer_lean.so.11 (system loader)" in proc.stdout
    assert "pip install tensorrt-lean-cu13-libs" in proc.stdout
    assert "pip install '.[lean]'" in proc.stdout  # no index has trt-runtime: the text says how to install from a checkout


def test_explicit_missing_library_path_is_file_not_found(tmp_path: pathlib.Path) -> None:
    """Was: load_library(missing path) raised a plain LibraryError, though the docstring keeps
    LibraryError for a file found but unusable; now LibraryNotFoundError, a FileNotFoundError."""
    with pytest.raises(trt.LibraryNotFoundError) as info:
        trt.load_library(tmp_path / "libnvinfer.so.11")
    assert isinstance(info.value, FileNotFoundError) and str(tmp_path) in str(info.value)


def test_copying_the_library_elsewhere_gives_a_distinct_library(tmp_path: pathlib.Path,
                                                                fake_lib_path: pathlib.Path) -> None:
    other = tmp_path / "libnvinfer.so.11"
    shutil.copy(fake_lib_path, other)
    assert trt.load_library(other) is not trt.load_library(fake_lib_path)


@pytest.mark.parametrize("flavour", ["lean", "dispatch"])
def test_real_wheel_version_and_flavour(flavour: str) -> None:
    path = REAL_LIBS[flavour]
    if path is None:
        pytest.skip(f"tensorrt-{flavour}-cu13-libs is not installed")
    lib = trt.load_library(path)
    assert lib.version.major == 11 and lib.version >= (11, 4)
    assert lib.flavour.value == flavour
    assert not lib.has_symbol("createInferBuilder_INTERNAL")
    assert lib.has_symbol("createInferRuntime_INTERNAL")


# ------------------------------------------------------------------ files that are not libraries


def test_text_file_is_not_a_library(tmp_path: pathlib.Path) -> None:
    fake = tmp_path / "libnvinfer.so.11"
    fake.write_text("this is not a shared object\n")
    with pytest.raises(trt.LibraryError, match="cannot load"):
        trt.load_library(fake)


def _not_libraries(tmp: pathlib.Path) -> dict[str, pathlib.Path]:
    files = {"empty file": b"", "text file": b"this is not a shared object\n", "linker script": b"INPUT(-lm)\n",
             "ELF magic only": b"\x7fELF", "random bytes": os.urandom(64 << 10)}
    out = {}
    for name, content in files.items():
        path = tmp / name.replace(" ", "_") / "libnvinfer.so.11"
        path.parent.mkdir()
        path.write_bytes(content)
        out[name] = path
    out["directory"] = tmp / "adir"
    out["directory"].mkdir()
    out["/dev/null"] = pathlib.Path("/dev/null")
    return out


@pytest.mark.parametrize("kind", ["empty file", "text file", "linker script", "ELF magic only", "random bytes",
                                  "directory", "/dev/null"])
def test_files_that_are_not_libraries_give_library_error(tmp_path: pathlib.Path, kind: str) -> None:
    """Through Runtime(library=path) (test_library.py covers load_library of a text file): a
    LibraryError (an OSError) naming the file, and the library in use stays the one before."""
    path = _not_libraries(tmp_path)[kind]
    before = trt.loaded_library()
    with pytest.raises(trt.LibraryError, match="cannot load") as info:
        trt.Runtime(Quiet(), library=path)
    assert isinstance(info.value, OSError) and str(path) in str(info.value)
    assert trt.loaded_library() is before


def test_library_environment_variable_naming_a_text_file(tmp_path: pathlib.Path) -> None:
    """TRT_RUNTIME_LIBRARY pointing at a text file: the first Runtime() raises LibraryError naming
    it (no fall-back to other places); the interpreter exits cleanly."""
    text = tmp_path / "libnvinfer.so.11"
    text.write_text("not a library\n")
    proc = run_python("""
        import trt_runtime as trt
        try:
            trt.Runtime(trt.Logger())
        except trt.LibraryError as e:
            print(type(e).__name__, e)
    """, env={"TRT_RUNTIME_LIBRARY": str(text)})
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout.startswith("LibraryError cannot load") and str(text) in proc.stdout


def test_shared_object_without_tensorrt_entry_points_is_refused() -> None:
    libm = next((p for p in ("/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib64/libm.so.6") if os.path.exists(p)), None)
    if libm is None:
        pytest.skip("no libm.so.6 at the usual places")
    with pytest.raises(trt.LibraryError, match="not a TensorRT runtime library"):
        trt.load_library(libm)


# ------------------------------------------------------------------ truncated libraries


def test_truncated_library_is_refused(tmp_path: pathlib.Path, fake_lib_path: pathlib.Path) -> None:
    data = fake_lib_path.read_bytes()
    cut = tmp_path / "libnvinfer_truncated.so.11"
    cut.write_bytes(data[:8192])  # the ELF header survives, the segments do not
    with pytest.raises(trt.LibraryError, match="cannot load"):
        trt.load_library(cut)


def _loadable_end(data: bytes) -> int:
    """Where the last PT_LOAD segment of an ELF64 file ends."""
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    ends = []
    for i in range(phnum):
        p_type, _flags, p_offset, _vaddr, _paddr, p_filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if p_type == 1:  # PT_LOAD
            ends.append(p_offset + p_filesz)
    return max(ends)


def test_truncated_double_at_every_kind_of_cut(tmp_path: pathlib.Path, fake_lib_path: pathlib.Path) -> None:
    """The double cut at ~20 places (inside the ELF header, the program headers, each loadable
    segment, just before and at their end, in the debug sections after them): LibraryError exactly
    when a loadable segment is cut; a cut after them loads and works (the loader needs nothing
    beyond). Never a crash: one interpreter tries them all and exits with status 0."""
    data = fake_lib_path.read_bytes()
    size, end = len(data), _loadable_end(data)
    cuts = sorted({0, 1, 4, 16, 52, 63, 64, 65, 200, 1024, 4096, end // 4, end // 2, end - 4096, end - 1, end,
                   end + 1, (end + size) // 2, size - 1})
    paths = []
    for cut in cuts:
        path = tmp_path / f"cut{cut}" / "libnvinfer.so.11"
        path.parent.mkdir()
        path.write_bytes(data[:cut])
        paths.append(str(path))
    proc = run_python(f"""
        import trt_runtime as trt
        from conftest import RecordingLogger
        for path in {paths!r}:
            try:
                lib = trt.load_library(path)
            except trt.LibraryError as e:
                assert "cannot load" in str(e) and path in str(e), e
                print("refused", path)
            else:
                trt.Runtime(RecordingLogger(), library=lib).deserialize_cuda_engine(b"")
                print("works", path)
    """)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr[-2000:]
    outcome = {path: status for status, path in (line.split(" ", 1) for line in proc.stdout.splitlines())}
    assert outcome == {p: "refused" if c < end else "works" for c, p in zip(cuts, paths)}


@pytest.mark.parametrize("flavour,cut", [("lean", 4 << 20), ("lean", 64), ("dispatch", 1 << 19)])
def test_truncated_real_library_is_refused(tmp_path: pathlib.Path, flavour: str, cut: int) -> None:
    """The real libnvinfer_lean.so.11 cut to its first 4 MiB (or 64 bytes), the dispatch library to
    512 KiB: LibraryError saying it is truncated, before the loader touches it (in a subprocess,
    which exits cleanly)."""
    path = REAL_LIBS[flavour]
    if path is None:
        pytest.skip(f"the real {flavour} library is not installed")
    cut_path = tmp_path / path.name
    with open(path, "rb") as src:
        cut_path.write_bytes(src.read(cut))
    proc = run_python(f"""
        import trt_runtime as trt
        try:
            trt.Runtime(trt.Logger(), library={str(cut_path)!r})
        except trt.LibraryError as e:
            print(type(e).__name__, e)
    """)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr[-2000:]
    assert proc.stdout.startswith("LibraryError cannot load") and "truncated" in proc.stdout, proc.stdout


# ------------------------------------------------------------------ other major versions


def test_wrong_major_version_is_refused(tmp_path: pathlib.Path) -> None:
    path = build(tmp_path, "libnvinfer.so.10")
    proc = run_bare_python(f"""
        import trt_runtime
        try:
            trt_runtime.load_library({str(path)!r})
        except trt_runtime.UnsupportedVersionError as e:
            print(e)
    """, env={"FAKE_TRT_VERSION": "101601"})
    assert proc.returncode == 0, proc.stderr
    assert "TensorRT 10.16.1" in proc.stdout and "supports TensorRT 11.x" in proc.stdout


@pytest.mark.parametrize("version", ["101601", "120000", "90000"])
def test_double_of_another_major_version(tmp_path: pathlib.Path, fake_lib_path: pathlib.Path, version: str) -> None:
    """A double reporting TensorRT 10.16.1, 12.0.0 or 9.0.0, through Runtime(library=path) and
    through TRT_RUNTIME_LIBRARY: UnsupportedVersionError (a LibraryError) naming the version, again
    on a second try; the library already in use stays in use; a clean exit."""
    other = tmp_path / "libnvinfer.so.11"
    shutil.copy(fake_lib_path, other)
    major, minor, patch = int(version) // 10000, int(version) // 100 % 100, int(version) % 100
    proc = run_python(f"""
        import os, trt_runtime as trt
        from conftest import RecordingLogger
        good = trt.load_library({str(fake_lib_path)!r})
        os.environ["FAKE_TRT_VERSION"] = {version!r}
        for _ in range(2):
            try:
                trt.Runtime(RecordingLogger(), library={str(other)!r})
            except trt.UnsupportedVersionError as e:
                assert isinstance(e, trt.LibraryError) and isinstance(e, OSError)
                assert "TensorRT {major}.{minor}.{patch}" in str(e) and "supports TensorRT 11.x" in str(e), e
            else:
                raise SystemExit("accepted")
        assert trt.loaded_library() is good
        print("ok")
    """)
    assert (proc.returncode, proc.stderr, proc.stdout.strip()) == (0, "", "ok")
    proc = run_python("""
        import trt_runtime as trt
        try:
            trt.Runtime(trt.Logger())
        except trt.UnsupportedVersionError as e:
            print(type(e).__name__, e)
    """, env={"TRT_RUNTIME_LIBRARY": str(other), "FAKE_TRT_VERSION": version})
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout.startswith(f"UnsupportedVersionError {other}") and f"{major}.{minor}.{patch}" in proc.stdout


def test_real_10x_dispatch_library_is_refused_as_unsupported() -> None:
    candidates = [pathlib.Path(p) for p in (os.environ.get("TRT_RUNTIME_TEST_DISPATCH10", ""),
                                            ".whl/trt10/libnvinfer_dispatch.so.10") if p]
    path = next((p for p in candidates if p.exists()), None)
    if path is None:
        pytest.skip("no TensorRT 10.x dispatch library at hand")
    with pytest.raises(trt.UnsupportedVersionError, match="10.16"):
        trt.load_library(path)


def _dispatch10() -> pathlib.Path | None:
    repo = pathlib.Path(__file__).resolve().parents[1]
    for p in (os.environ.get("TRT_RUNTIME_TEST_DISPATCH10", ""), str(repo / ".whl/trt10/libnvinfer_dispatch.so.10")):
        if p and pathlib.Path(p).exists():
            return pathlib.Path(p)
    return None


def test_real_10x_dispatch_library_through_runtime_and_environment() -> None:
    """The real TensorRT 10.x dispatch library (TRT_RUNTIME_TEST_DISPATCH10 or .whl/trt10): through
    Runtime(library=path) and TRT_RUNTIME_LIBRARY, UnsupportedVersionError naming 10.x; the
    interpreter, which has that library mapped, exits cleanly."""
    path = _dispatch10()
    if path is None:
        pytest.skip("no TensorRT 10.x dispatch library at hand")
    code = """
        import sys, trt_runtime as trt
        for _ in range(2):
            try:
                trt.Runtime(trt.Logger(), library=sys.argv[1] if len(sys.argv) > 1 else None)
            except trt.UnsupportedVersionError as e:
                assert "TensorRT 10." in str(e) and "supports TensorRT 11.x" in str(e), e
        print("ok")
    """
    for proc in (run_python(code, argv=[str(path)]), run_python(code, env={"TRT_RUNTIME_LIBRARY": str(path)})):
        assert (proc.returncode, proc.stderr, proc.stdout.strip()) == (0, "", "ok")
