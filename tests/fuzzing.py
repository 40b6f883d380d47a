"""Hypothesis settings and strategies shared by the fuzz tests.

Each fuzz test runs ``FUZZ_EXAMPLES`` examples (``@FUZZ``); its twin decorated
with ``@stress`` runs ``STRESS_EXAMPLES`` and carries the ``stress`` marker (so
it runs only with ``-m stress`` or TRT_RUNTIME_STRESS=1). ``ANY_VALUE`` draws
values of every type a property setter or argument may be handed.
"""

from __future__ import annotations

import fractions
import os
import pathlib
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import trt_runtime as trt
from conftest import RecordingLogger


FUZZ_EXAMPLES = 200


STRESS_EXAMPLES = 5000


_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                      HealthCheck.data_too_large])


FUZZ = settings(max_examples=FUZZ_EXAMPLES, **_COMMON)  # type: ignore[arg-type]


def stress(test: Any) -> Any:
    """The stress twin of a fuzz test: many more examples, marker ``stress``."""
    return pytest.mark.stress(settings(max_examples=STRESS_EXAMPLES, **_COMMON)(test))  # type: ignore[arg-type]


# ------------------------------------------------------------------ values of every type


class Index:
    """An object that is an integer only through ``__index__``."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value

    def __repr__(self) -> str:
        return f"Index({self.value})"


class FsPath(os.PathLike):  # type: ignore[type-arg]
    def __init__(self, value: Any) -> None:
        self.value = value

    def __fspath__(self) -> Any:
        return self.value

    def __repr__(self) -> str:
        return f"FsPath({self.value!r})"


class MyInt(int):
    pass


class MyStr(str):
    pass


class NullAllocator(trt.IGpuAllocator):
    def allocate(self, size: int, alignment: int, flags: int) -> int:
        return 0

    def deallocate(self, memory: int) -> bool:
        return True


_INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]


_BOUNDARY_INTS = [0, 1, -1, 2, 3, 4, 7, (1 << 31) - 1, 1 << 31, -(1 << 31), -(1 << 31) - 1, (1 << 32) - 1, 1 << 32,
                  1 << 63, (1 << 64) - 1, 1 << 64, -(1 << 64), 10**100, -(10**100)]


def _numpy_ints() -> st.SearchStrategy[Any]:
    return st.sampled_from(_INT_DTYPES).flatmap(
        lambda t: st.integers(int(np.iinfo(t).min), int(np.iinfo(t).max)).map(t))


#: Values of every type a setter may be handed.
ANY_VALUE = st.one_of(
    st.integers(), st.sampled_from(_BOUNDARY_INTS), st.integers(-3, 20),
    st.floats(), st.sampled_from([0.0, 1.0, 2.0, -1.0, 1.5, float("inf"), float("nan")]),
    st.none(), st.booleans(),
    st.text(), st.text().map(lambda s: s + "\0" + s), st.text(st.characters(categories=["Cs"]), min_size=1),
    st.binary(), st.binary().map(bytearray),
    st.builds(pathlib.Path, st.text()), st.builds(pathlib.PurePosixPath, st.text()),
    st.builds(FsPath, st.one_of(st.text(), st.binary(), st.integers(), st.none())),
    st.builds(MyStr, st.text()), st.builds(MyInt, st.integers()), st.builds(Index, st.integers()),
    _numpy_ints(), st.floats(width=32).map(np.float32), st.floats().map(np.float64), st.booleans().map(np.bool_),
    st.integers(-5, 5).map(np.array), st.text(max_size=8).map(np.str_),
    st.sampled_from([*trt.TempfileControlFlag, *trt.DLAWorkspaceAllocationStrategy, *trt.Severity,
                     *trt.ErrorCode, trt.SeekPosition.END]),
    st.complex_numbers(), st.builds(fractions.Fraction, st.integers(-9, 9), st.integers(1, 9)),
    st.decimals(allow_nan=False), st.lists(st.integers(), max_size=3), st.tuples(st.integers()),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2), st.just(object()),
    st.builds(trt.ErrorRecorder), st.builds(NullAllocator), st.builds(RecordingLogger),
)


def mentions(exc: BaseException, name: str) -> bool:
    text = str(exc).lower()
    return name.lower() in text or name.replace("_", " ").lower() in text
