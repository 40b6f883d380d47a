"""trt_runtime's drop-in for the official module of this name (see trt_runtime.as_tensorrt).

On PYTHONPATH, this file makes ``import <name>`` give trt_runtime.tensorrt's namespace.
"""

import sys

from trt_runtime.as_tensorrt import alias_module

sys.modules[__name__] = alias_module(__name__)
