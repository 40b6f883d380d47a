"""Run an unmodified program with ``import tensorrt`` resolving to trt_runtime.

::

    python -m trt_runtime.as_tensorrt program.py [args ...]
    python -m trt_runtime.as_tensorrt -m package.module [args ...]
    python -m trt_runtime.as_tensorrt --path      # a folder for PYTHONPATH (see below)

The first two install a meta-path finder that maps the module names
:data:`NAMES` (``tensorrt``, and the lean and dispatch modules' names
``tensorrt_lean`` and ``tensorrt_dispatch``) to :mod:`trt_runtime.tensorrt`,
then run the program as ``python program.py`` (or ``python -m``) would, with
``sys.argv`` set to the program and its arguments. A module of one of those
names that is already imported is replaced.

Without a wrapper command, the environment variable ``PYTHONPATH`` does the
same from interpreter start: the folder ``--path`` prints holds one small
module per name of :data:`NAMES`, each of which becomes the drop-in when
imported. It affects only the processes that have it in ``PYTHONPATH``::

    PYTHONPATH="$(python -m trt_runtime.as_tensorrt --path)" python program.py

In a program, :func:`install` does it for the rest of the process.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import runpy
import sys
import types
from collections.abc import Sequence

__all__ = ["NAMES", "install", "uninstall", "alias_module", "dropin_path", "main"]

#: The module names that resolve to the drop-in.
NAMES = ("tensorrt", "tensorrt_lean", "tensorrt_dispatch")


def alias_module(name: str) -> types.ModuleType:
    """A module named ``name`` whose attributes are :mod:`trt_runtime.tensorrt`'s."""
    import trt_runtime.tensorrt as dropin

    module = types.ModuleType(name, dropin.__doc__)
    module.__getattr__ = dropin.__getattr__  # type: ignore[method-assign]
    module.__dir__ = dropin.__dir__  # type: ignore[method-assign]
    module.__all__ = list(dropin.__all__)  # type: ignore[attr-defined]
    module.__file__ = dropin.__file__
    return module


class _Loader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return alias_module(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        return None


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
                  ) -> importlib.machinery.ModuleSpec | None:
        if fullname in NAMES:
            return importlib.machinery.ModuleSpec(fullname, _Loader())
        return None


_FINDER = _Finder()


def install() -> None:
    """Make ``import tensorrt`` (and the other :data:`NAMES`) give the drop-in, from now on in this process."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    for name in NAMES:
        module = sys.modules.get(name)
        if module is not None and not getattr(module, "__file__", "").endswith(os.path.join("trt_runtime", "tensorrt.py")):
            sys.modules[name] = alias_module(name)


def uninstall() -> None:
    """Undo :func:`install` for later imports (modules already imported stay what they are)."""
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)


def dropin_path() -> str:
    """The folder to put on ``PYTHONPATH`` for the drop-in without a wrapper command."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "_dropin")


_USAGE = """usage: python -m trt_runtime.as_tensorrt program.py [args ...]
       python -m trt_runtime.as_tensorrt -m module [args ...]
       python -m trt_runtime.as_tensorrt --path
Runs the program with `import tensorrt` (and tensorrt_lean, tensorrt_dispatch) resolving to trt_runtime."""


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; see the module documentation. Returns the exit status of usage errors."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(_USAGE, file=sys.stderr if not args else sys.stdout)
        return 2 if not args else 0
    if args[0] == "--path":
        print(dropin_path())
        return 0
    install()
    if args[0] == "-m":
        if len(args) < 2:
            print(_USAGE, file=sys.stderr)
            return 2
        sys.argv = args[1:]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
        return 0
    sys.argv = args
    sys.path[0] = os.path.dirname(os.path.abspath(args[0]))
    runpy.run_path(args[0], run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
