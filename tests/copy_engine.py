"""The engine the context and binding tests run on (test_context.py, test_binding.py).

Import the fixtures ``engine`` and ``ctx`` into a test module to use them there
(``ctx`` needs ``engine`` imported too); ``arrays()`` gives matching host
arrays and ``wire()`` sets shapes and addresses the plain way.
"""

from __future__ import annotations

import numpy as np
import pytest

import trt_runtime as trt
from conftest import make_plan


# Two inputs (one dynamic), two outputs: the double copies input k to output k.
TENSORS = [
    ("x", 1, 0, (-1, 4)),
    ("flags", 1, 3, (3,)),
    ("y", 2, 0, (-1, 4)),
    ("flags_out", 2, 3, (3,)),
]


PROFILES = [{"x": ((1, 4), (2, 4), (4, 4))}, {"x": ((8, 4), (8, 4), (16, 4))}]


@pytest.fixture
def engine(runtime: trt.Runtime) -> trt.ICudaEngine:
    return runtime.deserialize(make_plan("copy", TENSORS, profiles=PROFILES, device_memory_size=256))


@pytest.fixture
def ctx(engine: trt.ICudaEngine) -> trt.IExecutionContext:
    c = engine.create_execution_context()
    yield c
    c.close()


def arrays(batch: int = 2) -> dict[str, np.ndarray]:
    return {
        "x": np.arange(batch * 4, dtype=np.float32).reshape(batch, 4) + 1,
        "flags": np.array([7, 8, 9], dtype=np.int32),
        "y": np.zeros((batch, 4), np.float32),
        "flags_out": np.zeros(3, np.int32),
    }


def wire(ctx: trt.IExecutionContext, data: dict[str, np.ndarray]) -> None:
    ctx.set_input_shape("x", data["x"].shape)
    for name, a in data.items():
        assert ctx.set_tensor_address(name, a.ctypes.data) is True
