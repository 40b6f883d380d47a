// What every major version's ABI declarations share: CUDA's handle types,
// declared without CUDA's headers. Each major has its own header
// (trt_abi.hpp for 11.x, trt_abi_v10.hpp for 10.x) and namespace.
#pragma once

#include <cstddef>
#include <cstdint>

namespace trt_abi {

// CUDA's stream handle, without CUDA's headers.
struct CUstream_st;
using cudaStream_t = CUstream_st*;
// CUDA's event handle, likewise.
struct CUevent_st;
using cudaEvent_t = CUevent_st*;

}  // namespace trt_abi
