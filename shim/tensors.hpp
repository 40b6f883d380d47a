// Shapes and tensor names, shared by the engine and context exports.
#pragma once

#include <cstddef>

#include "objects.hpp"

namespace shim {

static_assert(sizeof(trt_dims) == sizeof(nv::Dims64), "trt_dims must match Dims64");
static_assert(offsetof(trt_dims, d) == offsetof(nv::Dims64, d), "trt_dims must match Dims64");

constexpr int32_t kMaxDims = 8;
constexpr int32_t kModeNone = 0;  // TensorIOMode::kNONE

inline nv::Dims64 to_abi(trt_dims const& d) {
    nv::Dims64 out{};
    out.nbDims = d.nb_dims;
    for (int32_t i = 0; i < d.nb_dims && i < kMaxDims; ++i) out.d[i] = d.d[i];
    return out;
}

inline trt_dims from_abi(nv::Dims64 const& d) {
    trt_dims out{};
    out.nb_dims = d.nbDims;
    for (int32_t i = 0; i < d.nbDims && i < kMaxDims; ++i) out.d[i] = d.d[i];
    return out;
}

// TRT_OK, or the failure for a profile index outside the engine's.
int32_t check_profile(nv::VCudaEngine* impl, int32_t profile);
// The failure for a name that is not an I/O tensor.
int32_t no_tensor(char const* name);
bool is_io_tensor(nv::VCudaEngine* impl, char const* name);

}  // namespace shim
