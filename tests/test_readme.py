"""README.md's Python examples run as written, on the test double.

Every ```python block runs, in order, in one namespace (a later example uses
the ``runtime`` of an earlier one), in a fresh process whose working folder
holds ``model.plan`` (a plan of the double with the README's tensors
``images`` and ``logits``) and whose ``TRT_RUNTIME_LIBRARY`` is the double.
What a block leaves to the reader (``images``, ``logits``: device buffers;
``stream``) the prelude gives as host buffers, which the double accepts. A
block preceded by ``<!-- not run: REASON -->`` is skipped.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys

from conftest import make_plan

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"

PRELUDE = """
import numpy as _np
_images = _np.zeros((8, 3, 224, 224), _np.float32)
_logits = _np.zeros((8, 1000), _np.float32)
images, logits, stream = _images.ctypes.data, _logits.ctypes.data, 0
"""

DRIVER = r"""
import json, sys, traceback
blocks = json.load(open(sys.argv[1]))
namespace = {"__name__": "__readme__"}
exec(blocks.pop(0)["code"], namespace)
for block in blocks:
    print(f"--- README line {block['line']}", flush=True)
    try:
        exec(compile(block["code"], f"README.md:{block['line']}", "exec"), namespace)
    except BaseException:
        traceback.print_exc()
        sys.exit(1)
"""


def python_blocks(text: str) -> list[dict[str, object]]:
    """The ```python blocks of ``text`` to run: their first line number and code (``not run`` ones left out)."""
    blocks = []
    for match in re.finditer(r"^```python\n(.*?)^```", text, flags=re.S | re.M):
        before = text[:match.start()].rstrip().splitlines()
        if before and re.fullmatch(r"<!--\s*not run:.*-->", before[-1].strip()):
            continue
        blocks.append({"line": text.count("\n", 0, match.start()) + 2, "code": match.group(1)})
    return blocks


def test_readme_has_python_examples() -> None:
    assert len(python_blocks(README.read_text())) >= 2


def test_readme_python_examples_run(fake_lean_path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    (tmp_path / "model.plan").write_bytes(
        make_plan("classifier", [("images", 1, 0, (-1, 3, 224, 224)), ("logits", 2, 0, (-1, 1000))]))
    blocks = python_blocks(README.read_text())
    (tmp_path / "blocks.json").write_text(json.dumps([{"line": 0, "code": PRELUDE}, *blocks]))
    env = {**os.environ, "TRT_RUNTIME_LIBRARY": str(fake_lean_path)}
    proc = subprocess.run([sys.executable, "-c", DRIVER, str(tmp_path / "blocks.json")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # The engines example prints each tensor's mode and type by name, on every Python.
    assert "\nimages TensorIOMode.INPUT " in proc.stdout and " DataType.FLOAT\n" in proc.stdout, proc.stdout
