"""The issue's five-line program: a new user's first use of the package."""

import trt_runtime as trt

rt = trt.Runtime(trt.Logger(trt.Logger.WARNING))
rt.max_threads = 4
print(rt.library.version, rt.num_DLA_cores)
rt.close()
