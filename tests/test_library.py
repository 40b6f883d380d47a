"""Choosing and opening the library: lazily, in a documented order, with clear errors.

Import opens no TensorRT library (and loads no numpy); an explicit path wins,
then TRT_RUNTIME_LIBRARY, then the installed wheels and the system loader; the
real wheels report their version and flavour. Every file that is not a usable
TensorRT 10.x or 11.x runtime library is refused with a LibraryError naming it:
files that are not libraries, truncated libraries, shared objects without
TensorRT's entry points, other major versions (the double made to report 9.0 or
12.0). Both majors are accepted, one per process (the double built as 10.x, the
real 10.16 dispatch library where one is at hand); TRT_RUNTIME_MAJOR restricts
the search to one. Tests of the real libraries skip when they are not
installed; none needs a GPU.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import struct

import pytest

import trt_runtime as trt
from conftest import DISPATCH10, DOUBLE_MAJOR, DOUBLE_VERSION, REAL_LIBS
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
    assert fake_library.version == DOUBLE_VERSION  # 11.4.0.106; 10.16.1.11 (or another minor) in a 10.x run
    default = {11: "11.4.0.106", 10: "10.16.1.11"}[DOUBLE_MAJOR]
    expected = str(DOUBLE_VERSION) if os.environ.get("FAKE_TRT_VERSION") else default
    assert str(fake_library.version) == expected
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
    lib = trt.load_library(path)  # the run's major: 11.x wheels, or 10.x with TRT_RUNTIME_TEST_MAJOR=10
    assert lib.version.major == DOUBLE_MAJOR and lib.version >= ((11, 4) if DOUBLE_MAJOR == 11 else (10, 0))
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


# ------------------------------------------------------------------ major versions: 10.x and 11.x, one per process

# The doubles of both majors are built once per module: each build takes a few seconds.
@pytest.fixture(scope="module")
def doubles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pathlib.Path]:
    """Both majors' doubles, full and lean, and a folder holding libnvinfer.so.10 and .so.11 (for the
    system loader's search)."""
    root = tmp_path_factory.mktemp("majors")
    out = {}
    for major in (10, 11):
        out[f"full{major}"] = build(root / f"full{major}", major=major)
        out[f"lean{major}"] = build(root / f"lean{major}", f"libnvinfer_lean.so.{major}", major=major)
        (root / "both").mkdir(exist_ok=True)
        shutil.copy(out[f"full{major}"], root / "both" / f"libnvinfer.so.{major}")
    out["both"] = root / "both"
    return out


# The doubles read FAKE_TRT_VERSION at each call: a subprocess that must see a double's own version
# drops whatever the run set (TRT_RUNTIME_TEST_MAJOR=10 FAKE_TRT_VERSION=100000, say).
UNPINNED = "import os\nos.environ.pop('FAKE_TRT_VERSION', None)\n"

SUPPORTS = "but this build of trt_runtime supports TensorRT 10.x and 11.x only."
ONE_MAJOR = "TensorRT keeps process-wide state, so one process uses one major version: use another process for it"


@pytest.mark.parametrize("fake_version,expected", [(None, "10.16.1.11"), ("100600", "10.6.0.11"),
                                                   ("100000", "10.0.0.11")])
def test_a_10x_double_is_accepted_and_creates_a_runtime(doubles: dict[str, pathlib.Path], fake_version: str | None,
                                                        expected: str) -> None:
    """The double built as 10.x (10.16.1 build 11, or another minor through FAKE_TRT_VERSION): loaded,
    its version and flavour reported (full, and lean by its name), a runtime created with TensorRT's
    defaults that deserializes a plan; the interpreter exits cleanly."""
    pin = "" if fake_version is None else f"os.environ['FAKE_TRT_VERSION'] = {fake_version!r}\n"
    proc = run_python(UNPINNED + pin + f"""
import trt_runtime as trt
from conftest import RecordingLogger
from support import PLAN
for path, flavour in (({str(doubles["full10"])!r}, "full"), ({str(doubles["lean10"])!r}, "lean")):
    lib = trt.load_library(path)
    assert str(lib.version) == {expected!r} and lib.version.major == 10, lib.version
    assert lib.flavour == flavour and trt.loaded_library() is lib, lib
    assert repr(lib) == f"<trt_runtime.Library {{flavour}} {expected} at {{lib.path!r}}>", repr(lib)
    log = RecordingLogger()
    rt = trt.Runtime(log, library=lib)
    assert rt.max_threads == 1 and rt.DLA_core == -1 and rt.num_DLA_cores == 0
    assert rt.deserialize(PLAN).tensor_names == ("x", "y")
    assert not log.errors(), log.errors()
print("ok")
""")
    assert (proc.returncode, proc.stderr, proc.stdout.strip()) == (0, "", "ok")


@pytest.mark.parametrize("version", ["120000", "90000", "110400", "101601"])
def test_a_double_of_an_unsupported_major_is_refused(tmp_path: pathlib.Path, fake_lib_path: pathlib.Path,
                                                    version: str) -> None:
    """The session's double made to report TensorRT 12.0.0 or 9.0.0, through Runtime(library=path)
    and through TRT_RUNTIME_LIBRARY: UnsupportedVersionError (a LibraryError, an OSError) naming the
    file, the version and the supported majors, again on a second try; the library in use stays in
    use; a clean exit. Reporting a supported version (11.4.0, 10.16.1) it loads: the control."""
    other = tmp_path / fake_lib_path.name
    shutil.copy(fake_lib_path, other)
    real = os.path.realpath(other)
    major, minor, patch = int(version) // 10000, int(version) // 100 % 100, int(version) % 100
    text = f"{major}.{minor}.{patch}.{DOUBLE_VERSION.build}"
    supported = major in (10, 11)
    if supported and major != DOUBLE_MAJOR:
        pytest.skip("the other supported major's double is tested with its own build (vtables differ)")
    proc = run_python(f"""
        import os, trt_runtime as trt
        from conftest import RecordingLogger
        good = trt.load_library({str(fake_lib_path)!r})
        os.environ["FAKE_TRT_VERSION"] = {version!r}
        for _ in range(2):
            try:
                lib = trt.load_library({str(other)!r})
            except trt.UnsupportedVersionError as e:
                assert not {supported!r}, e
                assert isinstance(e, trt.LibraryError) and isinstance(e, OSError)
                assert str(e).startswith({f"{real} is TensorRT {text}, {SUPPORTS} "!r}), e
                try:
                    trt.Runtime(RecordingLogger(), library={str(other)!r})
                except trt.UnsupportedVersionError as e2:
                    assert str(e2) == str(e), (e2, e)
                else:
                    raise SystemExit("Runtime accepted it")
                assert trt.loaded_library() is good
            else:
                assert {supported!r} and str(lib.version) == {text!r}, lib
        print("ok")
    """)
    assert (proc.returncode, proc.stderr, proc.stdout.strip()) == (0, "", "ok")
    if supported:
        return
    proc = run_python("""
        import trt_runtime as trt
        try:
            trt.Runtime(trt.Logger())
        except trt.UnsupportedVersionError as e:
            print(type(e).__name__, e)
    """, env={"TRT_RUNTIME_LIBRARY": str(other), "FAKE_TRT_VERSION": version})
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout.startswith(f"UnsupportedVersionError {real} is TensorRT {text}, {SUPPORTS}"), proc.stdout


@pytest.mark.parametrize("first,second", [(11, 10), (10, 11)])
def test_one_major_per_process(doubles: dict[str, pathlib.Path], first: int, second: int) -> None:
    """A library of one major open (a runtime and an engine on it): opening the other major's, by
    load_library, Runtime(library=...) or its lean copy, is refused with UnsupportedVersionError
    naming both versions and the one-major rule, each time; the first stays the library in use and
    keeps working; another library of the first major still opens. A clean exit."""
    versions = {11: "11.4.0.106", 10: "10.16.1.11"}
    a, b = str(doubles[f"full{first}"]), str(doubles[f"full{second}"])
    proc = run_python(UNPINNED + f"""
import trt_runtime as trt
from conftest import RecordingLogger
from support import PLAN
lib = trt.load_library({a!r})
rt = trt.Runtime(RecordingLogger(), library=lib)
engine = rt.deserialize(PLAN)
for attempt in (lambda: trt.load_library({b!r}), lambda: trt.Runtime(RecordingLogger(), library={b!r}),
                lambda: trt.load_library({str(doubles[f"lean{second}"])!r}), lambda: trt.load_library({b!r})):
    try:
        attempt()
    except trt.UnsupportedVersionError as e:
        text = str(e)
        assert f" is TensorRT {versions[second]}, but this process already uses TensorRT {versions[first]} ({{lib.path}}); " in text, text
        assert text.endswith({ONE_MAJOR!r}), text
    else:
        raise SystemExit("accepted a second major")
    assert trt.loaded_library() is lib
assert rt.deserialize(PLAN).name == engine.name == "static"
lean = trt.load_library({str(doubles[f"lean{first}"])!r})
assert lean.version == lib.version and lean.flavour == "lean"
assert trt.Runtime(RecordingLogger(), library=lean).max_threads == 1
print("ok")
""")
    assert (proc.returncode, proc.stderr, proc.stdout.strip()) == (0, "", "ok")


def test_the_search_tries_both_majors_newest_first_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    """candidates(): the wheels, then the system loader's names, each with every 11.x name before any
    10.x one; with
    TRT_RUNTIME_MAJOR=10 (or 11, spaces allowed) only that major's, in the same order."""
    monkeypatch.delenv("TRT_RUNTIME_LIBRARY", raising=False)
    monkeypatch.delenv("TRT_RUNTIME_MAJOR", raising=False)
    both = trt._library.candidates()
    names = [(origin, os.path.basename(path)) for origin, path in both]
    for where in ("wheel", "system loader"):  # wheels first; in each, every 11.x name before any 10.x one
        majors = [int(name.rsplit(".", 1)[1]) for origin, name in names if origin == where]
        if where == "wheel" and not majors:
            continue  # no TensorRT wheel installed
        assert majors == sorted(majors, reverse=True) and set(majors) == {10, 11}, names
    assert [origin for origin, _ in names] == sorted((o for o, _ in names), key=("wheel", "system loader").index)
    system = [name for origin, name in names if origin == "system loader"]
    assert system == [f"libnvinfer{kind}.so.{m}" for m in (11, 10) for kind in ("", "_lean", "_dispatch")]
    for wanted in ("10", "11", " 10 "):
        monkeypatch.setenv("TRT_RUNTIME_MAJOR", wanted)
        only = trt._library.candidates()
        assert only == [(o, p) for o, p in both if p.endswith(f".so.{wanted.strip()}")], only
        assert only


@pytest.mark.parametrize("value", ["9", "12", "abc", "10.0", "-10", "1O"])
def test_an_invalid_major_setting_is_a_clear_library_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TRT_RUNTIME_MAJOR", value)
    with pytest.raises(trt.LibraryError) as info:
        trt._library.candidates()
    assert str(info.value) == f"TRT_RUNTIME_MAJOR={value!r}: expected one of 11, 10"
    proc = run_bare_python("""
        import trt_runtime as trt
        try:
            trt.Runtime(trt.Logger())
        except trt.LibraryError as e:
            print(type(e).__name__, e)
    """, env={"TRT_RUNTIME_MAJOR": value, "TRT_RUNTIME_LIBRARY": ""})
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout.strip() == f"LibraryError TRT_RUNTIME_MAJOR={value!r}: expected one of 11, 10"


@pytest.mark.parametrize("setting,expected", [(None, 11), ("11", 11), ("10", 10)])
def test_the_system_loader_search_picks_the_major_asked_for(doubles: dict[str, pathlib.Path],
                                                            setting: str | None, expected: int) -> None:
    """libnvinfer.so.10 and .so.11 both on LD_LIBRARY_PATH (wheels hidden): without TRT_RUNTIME_MAJOR
    the search picks 11.x, with TRT_RUNTIME_MAJOR=10 the 10.x library, with 11 the 11.x one."""
    env = {"LD_LIBRARY_PATH": str(doubles["both"]), "TRT_RUNTIME_LIBRARY": ""}
    if setting is not None:
        env["TRT_RUNTIME_MAJOR"] = setting
    proc = run_python(UNPINNED + """
import importlib.util
real = importlib.util.find_spec
importlib.util.find_spec = lambda name, *a, **k: None if name.startswith('tensorrt') else real(name, *a, **k)
import trt_runtime as trt
rt = trt.Runtime(trt.Logger())
print(rt.library.version.major, rt.library.path)
""", env=env)
    if setting is None:  # run_python keeps the run's environment: drop a TRT_RUNTIME_MAJOR set outside
        assert "TRT_RUNTIME_MAJOR" not in os.environ
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    major, path = proc.stdout.split()
    assert int(major) == expected and os.path.basename(path) == f"libnvinfer.so.{expected}", proc.stdout


def test_the_real_10x_dispatch_library(tmp_path: pathlib.Path) -> None:
    """The real TensorRT 10.16 dispatch library (TRT_RUNTIME_TEST_DISPATCH10 or .whl/trt10): through
    load_library, Runtime(library=path) and TRT_RUNTIME_LIBRARY, version 10.16.1 and flavour
    dispatch; without a GPU, Runtime() raises NoDeviceError (with a GPU, it creates a runtime with
    max_threads 1); in a process that uses 11.x it is refused (one major per process). Each in a
    subprocess that has the library mapped and exits cleanly."""
    path = DISPATCH10
    if path is None:
        pytest.skip("no TensorRT 10.x dispatch library at hand")
    has_gpu = os.path.exists("/dev/nvidiactl") or os.path.exists("/dev/nvidia0")
    code = """
        import sys, trt_runtime as trt
        explicit = sys.argv[1] if len(sys.argv) > 1 else None
        lib = trt.load_library(explicit)
        assert lib.version[:3] == (10, 16, 1) and lib.flavour == "dispatch", lib
        assert not lib.has_symbol("createInferBuilder_INTERNAL") and lib.has_symbol("createInferRuntime_INTERNAL")
        for _ in range(2):
            try:
                rt = trt.Runtime(trt.Logger(trt.Logger.INTERNAL_ERROR), library=explicit)
            except trt.NoDeviceError as e:
                assert isinstance(e, RuntimeError) and str(e).startswith("no usable GPU"), e
                print("no device")
            else:
                assert rt.library is lib and rt.max_threads == 1
                rt.close()
                print("runtime")
    """
    for proc in (run_python(code, argv=[str(path)]), run_python(code, env={"TRT_RUNTIME_LIBRARY": str(path)})):
        assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr[-2000:]
        assert proc.stdout.split("\n")[:2] == ["runtime" if has_gpu else "no device"] * 2, proc.stdout
    double11 = build(tmp_path, major=11)
    proc = run_python(UNPINNED + f"""
import trt_runtime as trt
lib = trt.load_library({str(double11)!r})
try:
    trt.load_library({str(path)!r})
except trt.UnsupportedVersionError as e:
    assert "is TensorRT 10.16.1." in str(e) and "already uses TensorRT 11.4.0.106" in str(e), e
    assert str(e).endswith({ONE_MAJOR!r}), e
    print("refused")
assert trt.loaded_library() is lib
""")
    assert (proc.returncode, proc.stderr, proc.stdout.strip()) == (0, "", "refused")
