// Shapes and tensor names, shared by the engine and context exports.
#pragma once

#include <cstddef>

#include "objects.hpp"

namespace shim {

static_assert(sizeof(trt_dims) == sizeof(trt_abi::v11::Dims64), "trt_dims must match Dims64");
static_assert(offsetof(trt_dims, d) == offsetof(trt_abi::v11::Dims64, d), "trt_dims must match Dims64");
static_assert(sizeof(trt_dims) == sizeof(trt_abi::v10::Dims64), "trt_dims must match 10.x's Dims64");
static_assert(offsetof(trt_dims, d) == offsetof(trt_abi::v10::Dims64, d), "trt_dims must match 10.x's Dims64");

constexpr int32_t kMaxDims = 8;
constexpr int32_t kModeNone = 0;  // TensorIOMode::kNONE

template <typename A>
typename A::Dims64 to_abi(trt_dims const& d) {
    typename A::Dims64 out{};
    out.nbDims = d.nb_dims;
    for (int32_t i = 0; i < d.nb_dims && i < kMaxDims; ++i) out.d[i] = d.d[i];
    return out;
}

template <typename D>
trt_dims from_abi(D const& d) {
    trt_dims out{};
    out.nb_dims = d.nbDims;
    for (int32_t i = 0; i < d.nbDims && i < kMaxDims; ++i) out.d[i] = d.d[i];
    return out;
}

// TRT_OK, or the failure for a profile index outside the engine's `count`.
int32_t check_profile(int32_t count, int32_t profile);
// The failure for a name that is not an I/O tensor.
int32_t no_tensor(char const* name);
// The failure for a method that the loaded 10.x minor lacks.
int32_t needs(Owner const* o, char const* what, int32_t first_minor);

template <typename V>
bool is_io_tensor(V* engine_impl, char const* name) {
    return name && static_cast<int32_t>(engine_impl->getTensorIOMode(name)) != kModeNone;
}

}  // namespace shim
