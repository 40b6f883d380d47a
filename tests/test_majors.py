"""The whole suite again, as TensorRT 10.x: the CPU tier of "one package for 10.x and 11.x".

In the default (11.x) run, each test here runs the suite (this module left
out, ``stress`` skipped as in the default run) in a fresh interpreter whose
double presents another version: (a) TRT_RUNTIME_TEST_MAJOR=10, the 10.x
double as 10.16.1 (and the real 10.16 dispatch library where one is at hand);
(b) the same as 10.0 (FAKE_TRT_VERSION=100000), the oldest minor, where the
shim gates or maps every later method. One process uses one major, so the
majors cannot share an interpreter. Each asserts exit status 0 and reports
pytest's summary line (printed at the end of this run's summary).

Marker ``majors``: ``-m "not majors"`` leaves them out for a quick local run
(each takes about as long as the default run). They skip when
TRT_RUNTIME_TEST_MAJOR is already set: a 10.x run does not start more runs.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

import conftest

REPO = pathlib.Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.majors,
    pytest.mark.skipif("TRT_RUNTIME_TEST_MAJOR" in os.environ,
                       reason="already a run of one major (TRT_RUNTIME_TEST_MAJOR is set): no nested runs"),
]


def _summary(output: str) -> str:
    """pytest -q's last line: '123 passed, 4 skipped in 56.78s'."""
    lines = [line.strip("= ") for line in output.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


@pytest.mark.parametrize("label,env", [
    ("10.16", {"TRT_RUNTIME_TEST_MAJOR": "10"}),
    ("10.0", {"TRT_RUNTIME_TEST_MAJOR": "10", "FAKE_TRT_VERSION": "100000"}),
], ids=["10.16", "10.0"])
def test_the_suite_passes_as_tensorrt_10(label: str, env: dict[str, str], tmp_path: pathlib.Path) -> None:
    full_env = {k: v for k, v in os.environ.items() if k not in ("FAKE_TRT_VERSION", "TRT_RUNTIME_STRESS",
                                                                  "PYTEST_ADDOPTS", "TRT_RUNTIME_MAJOR")}
    full_env.update(env)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", "--basetemp", str(tmp_path / "run"),
           "--ignore", str(REPO / "tests" / "test_majors.py"), "-m", "not stress", str(REPO / "tests")]
    proc = subprocess.run(cmd, cwd=REPO, env=full_env, capture_output=True, text=True, timeout=900, check=False)
    summary = _summary(proc.stdout)
    conftest.MAJOR_RUNS.append(f"TensorRT {label} ({' '.join(f'{k}={v}' for k, v in env.items())}): {summary}")
    assert proc.returncode == 0, (f"the suite as TensorRT {label} exited with {proc.returncode}: {summary}\n"
                                  f"{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}")
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary
