"""The API reference and the docstrings' examples.

- Every ``>>>`` example in trt_runtime's docstrings runs, on the test double,
  in a folder holding ``model.plan`` (the README's engine: ``images`` in,
  ``logits`` out), so none drifts from the code. (The README's own examples
  run in test_readme.py.)
- Collecting them imports nothing native: ``import trt_runtime`` stays lazy.
- The Sphinx reference (docs/) builds with warnings as errors and documents
  every public name, each page saying what the official counterpart is.
  Sphinx comes with ``pip install -e '.[docs]'``; without it that test skips,
  except where ``TRT_RUNTIME_DOCS=1`` (CI, ``.ci/run``) makes it a failure.
"""

from __future__ import annotations

import doctest
import importlib
import os
import pathlib
import pkgutil
import subprocess
import sys

import pytest

import trt_runtime as trt
from conftest import make_plan
from support import run_bare_python

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _modules() -> list[str]:
    names = ["trt_runtime"]
    for info in pkgutil.walk_packages(trt.__path__, "trt_runtime."):
        if not info.name.endswith(("._native", ".__main__")):  # the extension; the CLI's entry point runs
            names.append(info.name)
    return names


def _doctests() -> list[doctest.DocTest]:
    """The examples of every module, and of every public class and function.

    The public classes are named ``trt_runtime.X`` (their ``__module__`` is
    the package's), which a search by module would skip: they are searched by
    name as well, and each example kept once.
    """
    finder = doctest.DocTestFinder()
    found = []
    for name in _modules():
        found += finder.find(importlib.import_module(name))
    for name in trt.__all__:
        value = getattr(trt, name)
        if isinstance(value, type) or callable(value):
            # The module it is defined in: its source lines, and its members (not int's, for an enum).
            module = sys.modules[f"trt_runtime.{trt._EXPORTS[name][0]}"]
            found += finder.find(value, f"trt_runtime.{name}", module=module)
    tests: dict[str | None, doctest.DocTest] = {}
    for test in found:
        if test.examples:
            tests.setdefault(test.docstring, test)
    return list(tests.values())


def test_docstring_examples_run(fake_library: trt.Library, tmp_path: pathlib.Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "model.plan").write_bytes(
        make_plan("classifier", [("images", 1, 0, (-1, 3, 224, 224)), ("logits", 2, 0, (-1, 1000))]))
    monkeypatch.chdir(tmp_path)
    trt.load_library(fake_library.path)  # the library new runtimes use: the double, whatever else was opened
    tests = _doctests()
    assert len(tests) >= 5 and sum(len(t.examples) for t in tests) >= 25, [t.name for t in tests]
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    failures = []
    for test in tests:
        test.globs = {"__name__": "__doctest__"}  # as a user's program: only what the example imports
        out: list[str] = []
        result = runner.run(test, out=out.append)
        if result.failed:
            failures.append("".join(out))
    assert not failures, "\n".join(failures)


def test_collecting_examples_imports_nothing_native() -> None:
    """Finding the examples of ``trt_runtime`` itself (as ``pytest --doctest-modules`` would) stays lazy."""
    code = (
        "import doctest, sys, trt_runtime\n"
        "doctest.DocTestFinder().find(trt_runtime)\n"
        "print(sorted(m for m in sys.modules if m.startswith('trt_runtime._') or m == '_cffi_backend'))\n"
    )
    proc = run_bare_python(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]", proc.stdout


def _sphinx() -> None:
    try:
        importlib.import_module("sphinx.util.inventory")  # all of Sphinx, not a stray namespace package
    except ImportError:
        if os.environ.get("TRT_RUNTIME_DOCS") == "1":
            pytest.fail("sphinx is not installed: pip install -e '.[docs]'")
        pytest.skip("sphinx is not installed: pip install -e '.[docs]'")


def test_reference_builds_and_documents_every_public_name(tmp_path: pathlib.Path) -> None:
    _sphinx()
    from sphinx.util.inventory import InventoryFile

    out = tmp_path / "html"
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                           "-d", str(tmp_path / "doctrees"), str(DOCS), str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(out / "objects.inv", "rb") as f:
        inventory = InventoryFile.load(f, "", lambda base, uri: uri)
    documented = {name for kind, entries in inventory.items() if kind.startswith("py:") for name in entries}
    missing = [name for name in trt.__all__ if f"trt_runtime.{name}" not in documented]
    assert not missing, f"public names without an entry in docs/: {missing}"
    for page in sorted((DOCS / "api").glob("*.rst")):
        assert "Official" in page.read_text(), f"{page.name} says nothing of the official counterparts"
