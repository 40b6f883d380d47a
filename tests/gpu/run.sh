#!/usr/bin/env bash
# The GPU tier, with one command, on a machine with an NVIDIA GPU:
#   bash tests/gpu/run.sh [OUT_DIR]
# Uses the wheels in ./.whl when present (machines without a package
# registry: fill it elsewhere with `bash ../shared/gpu/wheels.sh`), otherwise
# pip's registry. Builds trt_runtime, runs the whole test suite (the gpu
# tests run on the real lean and dispatch 11.4 libraries), then the
# benchmarks; logs and results go to OUT_DIR (default: gpu-results/).
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:-gpu-results}
mkdir -p "$out"
export PYTHONUNBUFFERED=1
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --upgrade --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
  python3 -m pip install -q --no-index --no-deps --no-build-isolation -e . 2>&1 | tail -3 \
    || python3 build_shim.py >/dev/null || exit 1
  export PYTHONPATH=$PYTHONPATH:$PWD
  [ -f .whl/trt10/libnvinfer_dispatch.so.10 ] && export TRT_RUNTIME_TEST_DISPATCH10=$PWD/.whl/trt10/libnvinfer_dispatch.so.10
else
  python3 -m pip install -q -e '.[test]' || exit 1
fi
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$out/gpu.txt"
status=0
python3 -m trt_runtime info | tee "$out/info.txt" || status=1
python3 -m pytest -q -rs -p no:cacheprovider tests 2>&1 | tee "$out/pytest.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
python3 -m pytest -q -p no:cacheprovider -m gpu tests 2>&1 | tail -3 | tee "$out/pytest-gpu-summary.txt"
# The GPU tier again on the real TensorRT 10.x libraries, when one is at hand (tests/README.md, "Both majors").
if [ -n "${TRT_RUNTIME_TEST_LEAN10:-}${TRT_RUNTIME_TEST_DISPATCH10:-}" ] || ls .whl-lean10/libnvinfer_lean.so.10 .whl/trt10/libnvinfer_*.so.10 >/dev/null 2>&1; then
  TRT_RUNTIME_TEST_MAJOR=10 python3 -m pytest -q -rs -p no:cacheprovider -m gpu tests 2>&1 | tee "$out/pytest-gpu10.txt" | tail -3 | tee "$out/pytest-gpu10-summary.txt"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
fi
# The long reliability tests on the real libraries (leaks, threads).
TRT_RUNTIME_STRESS=1 python3 -m pytest -q -p no:cacheprovider -m "gpu and stress" tests 2>&1 | tail -3 | tee "$out/pytest-gpu-stress.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
if [ "${SKIP_BENCH:-0}" != 1 ]; then
  for b in bench/bench_*.py; do
    python3 "$b" --out "$out" 2>&1 | tee "$out/$(basename "$b" .py).txt"
  done
fi
exit $status
