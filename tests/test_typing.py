"""Users' code type-checks: every public name resolves for mypy and pyright.

``import trt_runtime`` loads its names lazily (``__getattr__``); type checkers
read them from the ``if TYPE_CHECKING:`` imports and the literal ``__all__``
of ``trt_runtime/__init__.py``. The programs in ``typing_programs/`` (the
README's examples and more: callbacks subclassed, engines and contexts used,
errors caught by class) must pass ``mypy --strict`` and pyright in strict
mode, with the versions pinned in pyproject.toml's ``[typecheck]`` extra; a
program with deliberate mistakes must fail both (the annotations are not Any).

The checkers come with ``pip install -e '.[typecheck]'``. Without them these
tests skip, except where ``TRT_RUNTIME_TYPECHECK=1`` (CI, ``.ci/run``) makes
a missing checker a failure.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

import trt_runtime

ROOT = pathlib.Path(__file__).resolve().parents[1]
PROGRAMS = ROOT / "tests" / "typing_programs"
REQUIRED = os.environ.get("TRT_RUNTIME_TYPECHECK") == "1"

# Mistakes each checker must report (one per line marked "# error").
WRONG = '''
import trt_runtime as trt

rt = trt.Runtime(trt.Logger(trt.Logger.WARNING))
rt.max_threads = "4"  # error
engine = rt.deserialize("model.plan")
engine.get_tensor_shape(3)  # error
n: str = engine.num_io_tensors  # error
trt.Runtime()  # error


class Bad(trt.ILogger):
    def log(self, severity: str, msg: str) -> None:  # error
        print(severity, msg)
'''


def _pins() -> dict[str, str]:
    text = (ROOT / "pyproject.toml").read_text()
    line = re.search(r"^typecheck = \[(.*)\]$", text, flags=re.M)
    assert line, "pyproject.toml has no [typecheck] extra"
    return dict(re.findall(r'"([a-z]+)==([^"]+)"', line.group(1)))


def _checker(name: str) -> None:
    """Skip (or fail, in CI) unless ``name`` is installed at its pinned version."""
    try:
        have = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        if REQUIRED:
            pytest.fail(f"{name} is not installed: pip install -e '.[typecheck]'")
        pytest.skip(f"{name} is not installed: pip install -e '.[typecheck]'")
    want = _pins()[name]
    assert have == want, f"{name} {have} is installed; pyproject.toml's [typecheck] pins {want}"


def _programs() -> list[pathlib.Path]:
    return sorted(PROGRAMS.glob("*.py"))


def _mypy(paths: list[pathlib.Path], cache: pathlib.Path) -> subprocess.CompletedProcess[str]:
    # The project's own configuration (the overrides for cuda-python and the
    # extension, followed into trt_runtime); the package from this checkout.
    env = {**os.environ, "MYPYPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--config-file", str(ROOT / "pyproject.toml"),
         "--cache-dir", str(cache), "--no-error-summary", *map(str, paths)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def _pyright(paths: list[pathlib.Path], folder: pathlib.Path) -> dict[str, object]:
    config = folder / "pyrightconfig.json"
    config.write_text(json.dumps({
        "typeCheckingMode": "strict",
        "include": [os.path.relpath(p, folder) for p in paths],
        "extraPaths": [str(ROOT)],
        "pythonPlatform": "Linux",
        # The package's own sources are checked by `pyright trt_runtime` (CI);
        # here only the users' files count.
        "reportMissingModuleSource": "warning",
    }))
    proc = subprocess.run([sys.executable, "-m", "pyright", "--outputjson", "-p", str(config)],
                          cwd=folder, capture_output=True, text=True, timeout=600)
    try:
        return json.loads(proc.stdout)  # type: ignore[no-any-return]
    except json.JSONDecodeError:
        pytest.fail(f"pyright gave no JSON (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")


def _errors(report: dict[str, object]) -> list[str]:
    diagnostics = report["generalDiagnostics"]
    assert isinstance(diagnostics, list)
    return [f"{d['file']}:{d['range']['start']['line'] + 1}: {d['message']} ({d.get('rule')})"
            for d in diagnostics if d["severity"] == "error"]


# ---------------------------------------------------------------- the names


def test_all_is_a_literal_list_of_the_exports() -> None:
    """``__all__`` is written out (type checkers cannot read a computed one) and equals the exports."""
    tree = ast.parse((ROOT / "trt_runtime" / "__init__.py").read_text())
    value = next(node.value for node in tree.body if isinstance(node, ast.Assign)
                 and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets))
    assert isinstance(value, ast.List) and all(isinstance(e, ast.Constant) for e in value.elts)
    assert trt_runtime.__all__ == sorted(trt_runtime._EXPORTS)


def test_type_checking_imports_cover_every_export() -> None:
    """Each public name is imported for type checkers from the module that ``__getattr__`` loads it from."""
    tree = ast.parse((ROOT / "trt_runtime" / "__init__.py").read_text())
    block = next(node for node in tree.body if isinstance(node, ast.If)
                 and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
    seen = {}
    for node in ast.walk(block):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                seen[alias.asname or alias.name] = (node.module, alias.name)
    assert seen == dict(trt_runtime._EXPORTS)


def test_programs_exist() -> None:
    names = {p.stem for p in _programs()}
    assert {"first_program", "readme_use", "readme_engines", "callbacks", "errors"} <= names


# ---------------------------------------------------------------- the checkers


def test_user_programs_pass_mypy_strict(tmp_path: pathlib.Path) -> None:
    _checker("mypy")
    proc = _mypy(_programs(), tmp_path / "cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_user_programs_pass_pyright_strict(tmp_path: pathlib.Path) -> None:
    _checker("pyright")
    report = _pyright(_programs(), tmp_path)
    assert _errors(report) == []
    assert report["summary"]["filesAnalyzed"] == len(_programs())  # type: ignore[index]


def test_mistakes_are_caught(tmp_path: pathlib.Path) -> None:
    """Wrong types, wrong arguments, a wrong override: each checker reports every marked line."""
    _checker("mypy")
    _checker("pyright")
    program = tmp_path / "wrong.py"
    program.write_text(WRONG)
    marked = {i for i, line in enumerate(WRONG.splitlines(), 1) if line.endswith("# error")}
    proc = _mypy([program], tmp_path / "cache")
    found = {int(m) for m in re.findall(r"wrong\.py:(\d+): error", proc.stdout)}
    assert found == marked, proc.stdout
    found = {int(e.split(":")[1]) for e in _errors(_pyright([program], tmp_path))}
    assert marked <= found, found
