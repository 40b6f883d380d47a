"""An unmodified "client" program written against the official tensorrt module, as NVIDIA's samples are.

Not a test: tests/test_dropin.py runs it through ``python -m trt_runtime.as_tensorrt``
and through ``PYTHONPATH``, with a plan of the test double (host pointers: the double
copies input k to output k). Usage: ``dropin_client.py PLAN``.
"""

import sys

import numpy as np
import tensorrt as trt

TRT_LOGGER = trt.Logger(trt.Logger.WARNING)
TRT_LOGGER.min_severity = trt.Logger.ERROR
trt.init_libnvinfer_plugins(TRT_LOGGER, namespace="")

with open(sys.argv[1], "rb") as f, trt.Runtime(TRT_LOGGER) as runtime:
    engine = runtime.deserialize_cuda_engine(f.read())
assert engine is not None

context = engine.create_execution_context()
names = [engine.get_tensor_name(i) for i in range(engine.num_io_tensors)]
buffers = {}
for name in names:
    shape = tuple(engine.get_tensor_shape(name))
    if engine.get_tensor_mode(name) == trt.TensorIOMode.INPUT and -1 in shape:
        shape = tuple(engine.get_tensor_profile_shape(name, 0)[1])
        context.set_input_shape(name, shape)
    dtype = trt.nptype(engine.get_tensor_dtype(name))
    size = trt.volume(context.get_tensor_shape(name))
    if engine.get_tensor_mode(name) == trt.TensorIOMode.INPUT:
        buffers[name] = (np.arange(size) + 1).astype(dtype)
    else:
        buffers[name] = np.zeros(size, dtype)

# The synchronous way: one int address per I/O tensor, in the engine's order.
bindings = [int(buffers[name].ctypes.data) for name in names]
assert context.execute_v2(bindings)
outputs = [n for n in names if engine.get_tensor_mode(n) == trt.TensorIOMode.OUTPUT]
first = [buffers[n].copy() for n in outputs]

# The asynchronous way: addresses by name, then a stream.
for name in outputs:
    buffers[name][:] = 0
for name in names:
    context.set_tensor_address(name, int(buffers[name].ctypes.data))
context.execute_async_v3(stream_handle=0)
second = [buffers[n] for n in outputs]

print("version", trt.__version__)
print("outputs", [a.tolist() for a in second])
print("same", all(np.array_equal(a, b) for a, b in zip(first, second)))
