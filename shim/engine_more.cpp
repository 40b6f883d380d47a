// More of ICudaEngine's official API: engine statistics, aliased inputs, and
// the values of shape inputs in optimization profiles.

#include "objects.hpp"
#include "tensors.hpp"

using namespace shim;

extern "C" {

int32_t trt_engine_get_engine_stat(trt_engine* e, int32_t stat, int64_t* out) noexcept {
    *out = -1;
    return call(e, "getEngineStat", [&](Frame& frame) {
        return on_engine(e, [&](auto tag, auto* impl) -> int32_t {
            using A = decltype(tag);
            if (lacks<A>(e, first::VCudaEngine_getEngineStat)) return needs(e, "getEngineStat", first::VCudaEngine_getEngineStat);
            *out = impl->getEngineStat(static_cast<typename A::EngineStat>(stat));
            return conclude(frame, *out >= 0, "getEngineStat(" + std::to_string(stat) + ")", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_engine_aliased_input_tensor(trt_engine* e, const char* name, const char** out) noexcept {
    *out = nullptr;
    return call(e, "getAliasedInputTensor", [&](Frame& frame) {
        return on_engine(e, [&](auto tag, auto* impl) -> int32_t {
            if (lacks<decltype(tag)>(e, first::VCudaEngine_getAliasedInputTensor)) {
                return needs(e, "getAliasedInputTensor", first::VCudaEngine_getAliasedInputTensor);
            }
            if (!is_io_tensor(impl, name)) return no_tensor(name);
            *out = impl->getAliasedInputTensor(name);
            return conclude(frame, true, "getAliasedInputTensor(" + quoted(name) + ")", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_engine_profile_tensor_values(trt_engine* e, const char* name, int32_t profile, int32_t selector,
                                         int32_t count, int64_t* values) noexcept {
    if (selector < 0 || selector > 2) return fail(TRT_E_INVALID_ARGUMENT, "selector must be 0 (min), 1 (opt) or 2 (max)");
    return call(e, "getProfileTensorValues", [&](Frame& frame) {
        return on_engine(e, [&](auto tag, auto* impl) -> int32_t {
            using A = decltype(tag);
            if (!is_io_tensor(impl, name)) return no_tensor(name);
            if (int32_t const status = check_profile(impl->getNbOptimizationProfiles(), profile)) return status;
            auto const select = static_cast<typename A::OptProfileSelector>(selector);
            std::string const what = "getProfileTensorValues(" + quoted(name) + ", " + std::to_string(profile) + ")";
            if constexpr (A::major == 10) {
                if (lacks<A>(e, first::VCudaEngine_getProfileTensorValuesV2)) {
                    int32_t const* v32 = impl->getProfileTensorValues(name, profile, select);
                    if (!v32) return conclude(frame, false, what, TRT_E_INVALID_ARGUMENT);
                    for (int32_t i = 0; i < count; ++i) values[i] = v32[i];
                    return conclude(frame, true, what, TRT_E_INVALID_ARGUMENT);
                }
            }
            int64_t const* v = impl->getProfileTensorValuesV2(name, profile, select);
            if (!v) {
                if (frame.reports.empty() && frame.callback_failures == 0) {
                    return fail(TRT_E_INVALID_ARGUMENT, "tensor " + quoted(name) + " is not a shape input: it has no "
                                                        "values in optimization profiles");
                }
                return conclude(frame, false, what, TRT_E_INVALID_ARGUMENT);
            }
            for (int32_t i = 0; i < count; ++i) values[i] = v[i];
            return conclude(frame, true, what, TRT_E_INVALID_ARGUMENT);
        });
    });
}

}  // extern "C"
