"""Sphinx configuration of trt_runtime's API reference.

Build: ``pip install -e '.[docs]'`` then ``python -m sphinx -W -b html docs docs/_build/html``
(CI runs it with warnings as errors). autodoc imports ``trt_runtime`` from
this checkout, so the compiled extension must be built (the editable install
builds it); nothing opens a TensorRT library.
"""

from __future__ import annotations

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trt_runtime  # noqa: E402

project = "trt_runtime"
author = "trt_runtime's authors"
release = version = trt_runtime.__version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.intersphinx"]
# docs/abi-10x.md is a maintainers' note on TensorRT's ABI, not part of the reference.
exclude_patterns = ["_build", "abi-10x.md"]
source_suffix = {".rst": "restructuredtext"}

# napoleon reads the numpydoc sections (Parameters, Returns, Raises) of the docstrings.
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "show-inheritance": True}
# Docstring cross references that name no documented object (private helpers,
# cffi handles) stay plain text; nitpicky stays off for that reason.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}

html_theme = "alabaster"
html_title = f"trt_runtime {release}"
