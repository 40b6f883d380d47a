"""``python -m trt_runtime``: runs :func:`trt_runtime._cli.main`."""

import sys

from ._cli import main

__all__: list[str] = []

sys.exit(main())
