"""An unmodified program written against Polygraphy and the official tensorrt module.

Not a test: tests/test_dropin.py runs it through ``python -m trt_runtime.as_tensorrt``
with the lean test double in CUDA mode (``FAKE_TRT_CUDA=1``: the double copies
input k to output k with the CUDA driver), on a GPU or on the host stand-in
for CUDA (tests/double/fake_libcuda.cpp). Polygraphy's ``TrtRunner`` puts the
feeds in device memory, gives every output its own ``trt.IOutputAllocator``
and reads the outputs back. Usage: ``polygraphy_client.py PLAN...``; prints,
per plan, each output's name, shape and values, then whether every output
equals its input, and the debug tensors Polygraphy's debug listener read.
"""

import sys

import numpy as np
import tensorrt as trt
from polygraphy.backend.trt import EngineFromBytes, TrtRunner

for path in sys.argv[1:]:
    with open(path, "rb") as f:
        engine = EngineFromBytes(f.read())()
    names = [engine.get_tensor_name(i) for i in range(engine.num_io_tensors)]
    inputs = [n for n in names if engine.get_tensor_mode(n) == trt.TensorIOMode.INPUT]
    outputs = [n for n in names if engine.get_tensor_mode(n) == trt.TensorIOMode.OUTPUT]
    feeds = {}
    for name in inputs:
        shape = tuple(engine.get_tensor_profile_shape(name, 0)[1])  # the profile's opt shape
        size = int(np.prod(shape))
        feeds[name] = (np.arange(size) + 1).astype(trt.nptype(engine.get_tensor_dtype(name))).reshape(shape)
    print("plan", engine.name, "shapes before", [tuple(engine.get_tensor_shape(n)) for n in outputs])
    with TrtRunner(engine) as runner:
        for _ in range(2):  # the second inference reuses the runner's buffers
            results = runner.infer(feeds)
        for name in outputs:
            print("output", name, tuple(results[name].shape), results[name].ravel().tolist())
        same = all(np.array_equal(results[o], feeds[i]) for i, o in zip(inputs, outputs))
        debug = {n: results[n].ravel().tolist() for n in sorted(set(results) - set(outputs))}
        print("same", same, "debug tensors", debug)
