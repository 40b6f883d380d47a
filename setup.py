# setuptools needs this file only to pass cffi_modules and the wheel's tag;
# everything else is in pyproject.toml.
#
# The extension uses only CPython's limited API (cffi defines Py_LIMITED_API;
# build_shim.py asks for py_limited_api), so one wheel serves every CPython
# from 3.10 on: it is tagged cp310-abi3. The platform tag (manylinux_2_28 or
# lower) is given by `auditwheel repair` after the build: see README.md.
from setuptools import setup

setup(
    cffi_modules=["build_shim.py:ffibuilder"],
    options={"bdist_wheel": {"py_limited_api": "cp310"}},
)
