// Engines: queries, tensors, profiles, serialization, contexts; and the host
// memory a serialized plan comes in.

#include <cstddef>

#include "objects.hpp"
#include "tensors.hpp"

using namespace shim;

trt_engine::trt_engine(trt_runtime* rt, void* native, void* vimpl) : runtime(rt), engine(native), impl(vimpl) {
    rt->retain();
    log = rt->log;
    log_ctx = rt->log_ctx;
    major = rt->major;
    minor = rt->minor;
    device = rt->device;
}

void trt_engine::delete_native() noexcept {
    with_abi(major, [&](auto tag) { delete static_cast<typename decltype(tag)::ICudaEngine*>(engine); });
}

void trt_engine::release_extras() noexcept {
    for (trt_allocator* a : allocators) {
        if (a) shim::release(a);
    }
}

namespace shim {

int32_t check_profile(int32_t count, int32_t profile) {
    if (profile >= 0 && profile < count) return TRT_OK;
    return fail(TRT_E_INVALID_ARGUMENT,
                "optimization profile " + std::to_string(profile) + " out of range [0, " + std::to_string(count) + ")");
}

int32_t no_tensor(char const* name) {
    return fail(TRT_E_INVALID_ARGUMENT, "the engine has no I/O tensor named " + quoted(name));
}

int32_t needs(Owner const* o, char const* what, int32_t first_minor) {
    return fail(TRT_E_UNSUPPORTED, needs_minor(o->major, o->minor, what, first_minor));
}

}  // namespace shim

namespace {

// getDeviceMemorySizeV2, or on 10.0 the 32-bit-era query it replaced (same value).
template <typename A, typename V>
int64_t device_memory_size(trt_engine const* e, V* impl) {
    if constexpr (A::major == 10) {
        if (lacks<A>(e, first::VCudaEngine_getDeviceMemorySizeV2)) return static_cast<int64_t>(impl->getDeviceMemorySize());
    }
    return impl->getDeviceMemorySizeV2();
}

}  // namespace

// ================================================================== exports

extern "C" {

void trt_engine_release(trt_engine* engine) noexcept {
    if (engine) engine->release();
}

void* trt_engine_native(trt_engine* engine) noexcept { return engine ? engine->engine : nullptr; }

int32_t trt_engine_get_info(trt_engine* e, trt_engine_info* out) noexcept {
    return call(e, "ICudaEngine queries", [&](Frame& frame) {
        on_engine(e, [&](auto tag, auto* impl) {
        out->name = impl->getName();
        out->num_layers = impl->getNbLayers();
        out->num_io_tensors = impl->getNbIOTensors();
        out->num_optimization_profiles = impl->getNbOptimizationProfiles();
        out->num_aux_streams = impl->getNbAuxStreams();
        out->refittable = impl->isRefittable() ? 1 : 0;
        out->engine_capability = static_cast<int32_t>(impl->getEngineCapability());
        out->hardware_compatibility_level = static_cast<int32_t>(impl->getHardwareCompatibilityLevel());
        out->profiling_verbosity = static_cast<int32_t>(impl->getProfilingVerbosity());
        out->tactic_sources = impl->getTacticSources();
        out->device_memory_size_v2 = device_memory_size<decltype(tag)>(e, impl);
        out->streamable_weights_size = impl->getStreamableWeightsSize();
        });
        return conclude(frame, true, "ICudaEngine queries");
    });
}

int32_t trt_engine_get_weight_streaming(trt_engine* e, int32_t which, int64_t* out) noexcept {
    return call(e, "weight streaming query", [&](Frame& frame) { return on_engine(e, [&](auto tag, auto* impl) -> int32_t {
        if (lacks<decltype(tag)>(e, first::VCudaEngine_getWeightStreamingBudgetV2)) {
            return needs(e, "weight streaming (the V2 budget queries)", first::VCudaEngine_getWeightStreamingBudgetV2);
        }
        switch (which) {
            case 0:
                *out = impl->getWeightStreamingBudgetV2();
                return conclude(frame, true, "getWeightStreamingBudgetV2");
            case 1:
                *out = impl->getWeightStreamingAutomaticBudget();
                return conclude(frame, true, "getWeightStreamingAutomaticBudget");
            case 2:
                *out = impl->getWeightStreamingScratchMemorySize();
                return conclude(frame, true, "getWeightStreamingScratchMemorySize");
            default:
                return fail(TRT_E_INVALID_ARGUMENT, "unknown weight streaming query " + std::to_string(which));
        }
    }); });
}

int32_t trt_engine_tensor_name(trt_engine* e, int32_t index, const char** out) noexcept {
    *out = nullptr;
    return call(e, "getIOTensorName", [&](Frame& frame) { return on_engine(e, [&](auto, auto* impl) -> int32_t {
        int32_t const count = impl->getNbIOTensors();
        if (index < 0 || index >= count) {
            return fail(TRT_E_INVALID_ARGUMENT, "I/O tensor index " + std::to_string(index) + " out of range [0, " +
                                                    std::to_string(count) + ")");
        }
        *out = impl->getIOTensorName(index);
        return conclude(frame, *out != nullptr, "getIOTensorName");
    }); });
}

int32_t trt_engine_tensor_info(trt_engine* e, const char* name, int32_t profile, trt_tensor_info* out) noexcept {
    return call(e, "tensor queries", [&](Frame& frame) { return on_engine(e, [&](auto, auto* impl) -> int32_t {
        if (!is_io_tensor(impl, name)) return no_tensor(name);
        if (profile >= 0) {
            if (int32_t const status = check_profile(impl->getNbOptimizationProfiles(), profile)) return status;
        }
        out->shape = from_abi(impl->getTensorShape(name));
        out->dtype = static_cast<int32_t>(impl->getTensorDataType(name));
        out->mode = static_cast<int32_t>(impl->getTensorIOMode(name));
        out->location = static_cast<int32_t>(impl->getTensorLocation(name));
        out->is_shape_inference_io = impl->isShapeInferenceIO(name) ? 1 : 0;
        out->is_debug_tensor = impl->isDebugTensor(name) ? 1 : 0;
        if (profile < 0) {
            out->format = static_cast<int32_t>(impl->getTensorFormat(name));
            out->bytes_per_component = impl->getTensorBytesPerComponent(name);
            out->components_per_element = impl->getTensorComponentsPerElement(name);
            out->vectorized_dim = impl->getTensorVectorizedDim(name);
            out->format_desc = impl->getTensorFormatDesc(name);
        } else {
            out->format = static_cast<int32_t>(impl->getTensorFormatV2(name, profile));
            out->bytes_per_component = impl->getTensorBytesPerComponentV2(name, profile);
            out->components_per_element = impl->getTensorComponentsPerElementV2(name, profile);
            out->vectorized_dim = impl->getTensorVectorizedDimV2(name, profile);
            out->format_desc = impl->getTensorFormatDescV2(name, profile);
        }
        return conclude(frame, true, "queries of tensor " + quoted(name), TRT_E_INVALID_ARGUMENT);
    }); });
}

int32_t trt_engine_profile_shape(trt_engine* e, const char* name, int32_t profile, trt_dims* out) noexcept {
    return call(e, "getProfileShape", [&](Frame& frame) { return on_engine(e, [&](auto tag, auto* impl) -> int32_t {
        using A = decltype(tag);
        if (!is_io_tensor(impl, name)) return no_tensor(name);
        if (int32_t const status = check_profile(impl->getNbOptimizationProfiles(), profile)) return status;
        for (int32_t which = 0; which < 3; ++which) {
            auto const d = impl->getProfileShape(name, profile, static_cast<typename A::OptProfileSelector>(which));
            if (d.nbDims < 0 || d.nbDims > kMaxDims) {
                if (frame.reports.empty() && frame.callback_failures == 0) {
                    return fail(TRT_E_INVALID_ARGUMENT, "tensor " + quoted(name) + " has no shapes in optimization "
                                                        "profile " + std::to_string(profile) +
                                                        " (only inputs that are not shape tensors have)");
                }
                return conclude(frame, false, "getProfileShape(" + quoted(name) + ", " + std::to_string(profile) + ")",
                                TRT_E_INVALID_ARGUMENT);
            }
            out[which] = from_abi(d);
        }
        return conclude(frame, true, "getProfileShape", TRT_E_INVALID_ARGUMENT);
    }); });
}

int32_t trt_engine_device_memory_size_for_profile(trt_engine* e, int32_t profile, int64_t* out) noexcept {
    return call(e, "getDeviceMemorySizeForProfileV2", [&](Frame& frame) {
        return on_engine(e, [&](auto tag, auto* impl) -> int32_t {
            if (int32_t const status = check_profile(impl->getNbOptimizationProfiles(), profile)) return status;
            if constexpr (decltype(tag)::major == 10) {
                if (lacks<decltype(tag)>(e, first::VCudaEngine_getDeviceMemorySizeForProfileV2)) {
                    *out = static_cast<int64_t>(impl->getDeviceMemorySizeForProfile(profile));  // 10.0: same value
                    return conclude(frame, true, "getDeviceMemorySizeForProfile", TRT_E_INVALID_ARGUMENT);
                }
            }
            *out = impl->getDeviceMemorySizeForProfileV2(profile);
            return conclude(frame, *out >= 0, "getDeviceMemorySizeForProfileV2", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_engine_set_weight_streaming_budget(trt_engine* e, int64_t budget) noexcept {
    return call(e, "setWeightStreamingBudgetV2", [&](Frame& frame) {
        return on_engine(e, [&](auto tag, auto* impl) -> int32_t {
            if (lacks<decltype(tag)>(e, first::VCudaEngine_setWeightStreamingBudgetV2)) {
                return needs(e, "setWeightStreamingBudgetV2", first::VCudaEngine_setWeightStreamingBudgetV2);
            }
            bool const ok = impl->setWeightStreamingBudgetV2(budget);
            return conclude(frame, ok, "setWeightStreamingBudgetV2", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_engine_set_error_recorder(trt_engine* e, trt_recorder* recorder) noexcept {
    return call(e, "setErrorRecorder", [&](Frame& frame) {
        e->swap_recorder(recorder, [&](trt_recorder* r) {
            on_engine(e, [&](auto tag, auto* impl) { impl->setErrorRecorder(r ? abi<decltype(tag)>(r) : nullptr); });
        });
        return conclude(frame, true, "setErrorRecorder", TRT_E_INVALID_ARGUMENT);
    });
}

int32_t trt_engine_serialize(trt_engine* e, trt_host_memory** out) noexcept {
    *out = nullptr;
    return call(e, "serialize", [&](Frame& frame) { return on_engine(e, [&](auto tag, auto* impl) -> int32_t {
        auto* memory = impl->serialize();
        if (memory && !plausible(memory)) memory = nullptr;
        std::unique_ptr<typename decltype(tag)::IHostMemory> owned(memory);
        int32_t const status = conclude(frame, memory != nullptr, "serialize");
        if (status != TRT_OK) return status;
        *out = new trt_host_memory{owned.get(), e->major};
        owned.release();
        return TRT_OK;
    }); });
}

int32_t trt_engine_create_context(trt_engine* e, int32_t strategy, trt_context** out) noexcept {
    *out = nullptr;
    return call(e, "createExecutionContext", [&](Frame& frame) { return on_engine(e, [&](auto tag, auto* impl) -> int32_t {
        using A = decltype(tag);
        auto* raw = impl->createExecutionContext(static_cast<typename A::ExecutionContextAllocationStrategy>(strategy));
        if (raw && !plausible(raw)) raw = nullptr;
        std::unique_ptr<typename A::IExecutionContext> owned(raw);  // destroys a context nobody receives
        int32_t const status = conclude(frame, raw != nullptr, "createExecutionContext");
        if (status != TRT_OK) return status;
        *out = new trt_context(e, raw, raw->mImpl);
        owned.release();
        return TRT_OK;
    }); });
}

int32_t trt_engine_adopt(trt_runtime* rt, void* native, int32_t owned, trt_engine** out) noexcept {
    *out = nullptr;
    if (!plausible(native)) return fail(TRT_E_INVALID_ARGUMENT, "trt_engine_adopt: not an ICudaEngine pointer");
    return call(rt, "trt_engine_adopt", [&](Frame&) {
        auto* e = with_abi(rt->major, [&](auto tag) {
            auto* engine = static_cast<typename decltype(tag)::ICudaEngine*>(native);
            return new trt_engine(rt, engine, engine->mImpl);
        });
        e->owned = owned != 0;
        *out = e;
        return TRT_OK;
    });
}

// ------------------------------------------------------------------ host memory

int32_t trt_host_memory_get(trt_host_memory* m, uint64_t* address, uint64_t* size, int32_t* dtype) noexcept {
    if (!m) return fail(TRT_E_CLOSED, "trt_host_memory_get: the handle is NULL");
    return guard([&]() -> int32_t {
        with_abi(m->major, [&](auto tag) {
            auto* impl = static_cast<typename decltype(tag)::IHostMemory*>(m->memory)->mImpl;
            *address = reinterpret_cast<uintptr_t>(impl->data());
            *size = impl->size();
            *dtype = static_cast<int32_t>(impl->type());
        });
        return TRT_OK;
    });
}

void trt_host_memory_release(trt_host_memory* m) noexcept {
    if (!m || shutting_down()) return;
    try {
        FrameScope scope(nullptr, nullptr, false);
        with_abi(m->major, [&](auto tag) { delete static_cast<typename decltype(tag)::IHostMemory*>(m->memory); });
        delete m;
    } catch (...) {
    }
}

}  // extern "C"
