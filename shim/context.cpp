// Execution contexts: settings, shapes, addresses, device memory, enqueue,
// and bindings that run an inference in one call.

#include "objects.hpp"
#include "tensors.hpp"

using namespace shim;

trt_context::trt_context(trt_engine* e, void* native, void* vimpl) : engine(e), context(native), impl(vimpl) {
    e->retain();
    log = e->log;
    log_ctx = e->log_ctx;
    major = e->major;
    minor = e->minor;
    device = e->device;
}

void trt_context::delete_native() noexcept {
    with_abi(major, [&](auto tag) { delete static_cast<typename decltype(tag)::IExecutionContext*>(context); });
}

namespace {

template <typename Get, typename E>
int32_t tensor_dims(E* engine, Frame& frame, const char* name, trt_dims* out, char const* what, Get&& get) {
    if (!is_io_tensor(engine, name)) return no_tensor(name);
    auto const d = get();
    if (d.nbDims < 0 || d.nbDims > kMaxDims) {
        return conclude(frame, false, std::string(what) + "(" + quoted(name) + ")", TRT_E_INVALID_ARGUMENT);
    }
    *out = from_abi(d);
    return conclude(frame, true, what, TRT_E_INVALID_ARGUMENT);
}


}  // namespace

// ================================================================== exports

extern "C" {

void trt_context_release(trt_context* c) noexcept {
    if (c) c->release();
}

void* trt_context_native(trt_context* c) noexcept { return c ? c->context : nullptr; }

int32_t trt_context_adopt(trt_engine* e, void* native, int32_t owned, trt_context** out) noexcept {
    *out = nullptr;
    if (!plausible(native)) return fail(TRT_E_INVALID_ARGUMENT, "trt_context_adopt: not an IExecutionContext pointer");
    return call(e, "trt_context_adopt", [&](Frame&) {
        auto* c = with_abi(e->major, [&](auto tag) {
            auto* context = static_cast<typename decltype(tag)::IExecutionContext*>(native);
            return new trt_context(e, context, context->mImpl);
        });
        c->owned = owned != 0;
        *out = c;
        return TRT_OK;
    });
}

const char* trt_context_get_name(trt_context* c) noexcept {
    char const* name = on_context(c, [](auto, auto* impl, auto*) { return impl->getName(); });
    return name ? name : "";
}

int32_t trt_context_set_name(trt_context* c, const char* name) noexcept {
    return call(c, "setName", [&](Frame& frame) {
        return on_context(c, [&](auto, auto* impl, auto*) -> int32_t {
            impl->setName(name);
            return conclude(frame, true, "setName", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_context_get_debug_sync(trt_context* c) noexcept {
    return on_context(c, [](auto, auto* impl, auto*) { return impl->getDebugSync() ? 1 : 0; });
}

int32_t trt_context_set_debug_sync(trt_context* c, int32_t sync) noexcept {
    return call(c, "setDebugSync", [&](Frame& frame) {
        return on_context(c, [&](auto, auto* impl, auto*) -> int32_t {
            impl->setDebugSync(sync != 0);
            return conclude(frame, true, "setDebugSync", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_context_get_optimization_profile(trt_context* c) noexcept {
    return on_context(c, [](auto, auto* impl, auto*) { return impl->getOptimizationProfile(); });
}

int32_t trt_context_all_input_dimensions_specified(trt_context* c) noexcept {
    return on_context(c, [](auto, auto* impl, auto*) { return impl->allInputDimensionsSpecified() ? 1 : 0; });
}

int32_t trt_context_set_optimization_profile(trt_context* c, int32_t profile, uint64_t stream) noexcept {
    return call(c, "setOptimizationProfileAsync", [&](Frame& frame) {
        return on_context(c, [&](auto, auto* impl, auto*) -> int32_t {
            bool const ok = impl->setOptimizationProfileAsync(profile, as_stream(stream));
            return conclude(frame, ok, "setOptimizationProfileAsync", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_context_set_error_recorder(trt_context* c, trt_recorder* recorder) noexcept {
    return call(c, "setErrorRecorder", [&](Frame& frame) {
        return on_context(c, [&](auto tag, auto* impl, auto*) -> int32_t {
            using A = decltype(tag);
            c->swap_recorder(recorder, [&](trt_recorder* r) { impl->setErrorRecorder(r ? abi<A>(r) : nullptr); });
            return conclude(frame, true, "setErrorRecorder", TRT_E_INVALID_ARGUMENT);
        });
    });
}

uint64_t trt_context_get_persistent_cache_limit(trt_context* c) noexcept {
    return on_context(c, [](auto, auto* impl, auto*) { return static_cast<uint64_t>(impl->getPersistentCacheLimit()); });
}

int32_t trt_context_set_persistent_cache_limit(trt_context* c, uint64_t size) noexcept {
    return call(c, "setPersistentCacheLimit", [&](Frame& frame) {
        return on_context(c, [&](auto, auto* impl, auto*) -> int32_t {
            impl->setPersistentCacheLimit(static_cast<size_t>(size));
            return conclude(frame, true, "setPersistentCacheLimit", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_context_set_input_shape(trt_context* c, const char* name, int32_t nb_dims, const int64_t* extents) noexcept {
    if (nb_dims < 0 || nb_dims > kMaxDims || (nb_dims > 0 && !extents)) {
        return fail(TRT_E_INVALID_ARGUMENT, "a shape has 0 to 8 extents, got " + std::to_string(nb_dims));
    }
    return call(c, "setInputShape", [&](Frame& frame) {
        return on_context(c, [&](auto tag, auto* impl, auto*) -> int32_t {
            using A = decltype(tag);
            typename A::Dims64 dims{};
            dims.nbDims = nb_dims;
            for (int32_t i = 0; i < nb_dims; ++i) dims.d[i] = extents[i];
            bool const ok = impl->setInputShape(name, dims);
            if (!refused(frame, ok)) return TRT_OK;
            return conclude(frame, ok, "setInputShape(" + quoted(name) + ")", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_context_get_tensor_shape(trt_context* c, const char* name, trt_dims* out) noexcept {
    return call(c, "getTensorShape", [&](Frame& frame) {
        return on_context(c, [&](auto, auto* impl, auto* engine) -> int32_t {
            return tensor_dims(engine, frame, name, out, "getTensorShape", [&] { return impl->getTensorShape(name); });
        });
    });
}

int32_t trt_context_get_tensor_strides(trt_context* c, const char* name, trt_dims* out) noexcept {
    return call(c, "getTensorStrides", [&](Frame& frame) {
        return on_context(c, [&](auto, auto* impl, auto* engine) -> int32_t {
            return tensor_dims(engine, frame, name, out, "getTensorStrides", [&] { return impl->getTensorStrides(name); });
        });
    });
}

int32_t trt_context_set_tensor_address(trt_context* c, const char* name, uint64_t address) noexcept {
    return call(c, "setTensorAddress", [&](Frame& frame) {
        return on_context(c, [&](auto, auto* impl, auto*) -> int32_t {
            bool const ok = impl->setTensorAddress(name, as_pointer(address));
            if (!refused(frame, ok)) return TRT_OK;
            return conclude(frame, ok, "setTensorAddress(" + quoted(name) + ")", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_context_get_tensor_address(trt_context* c, const char* name, uint64_t* out) noexcept {
    return call(c, "getTensorAddress", [&](Frame& frame) {
        return on_context(c, [&](auto, auto* impl, auto* engine) -> int32_t {
            if (!is_io_tensor(engine, name)) return no_tensor(name);
            *out = reinterpret_cast<uintptr_t>(impl->getTensorAddress(name));
            return conclude(frame, true, "getTensorAddress", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_context_infer_shapes(trt_context* c, int32_t capacity, const char** names, int32_t* out_count) noexcept {
    *out_count = 0;
    if (capacity < 0 || (capacity > 0 && !names)) {
        return fail(TRT_E_INVALID_ARGUMENT, "inferShapes needs room for a non-negative number of names");
    }
    return call(c, "inferShapes", [&](Frame& frame) {
        return on_context(c, [&](auto, auto* impl, auto*) -> int32_t {
            int32_t const n = impl->inferShapes(capacity, names);
            if (n < 0) return conclude(frame, false, "inferShapes");
            *out_count = n;
            return conclude(frame, true, "inferShapes");
        });
    });
}

int32_t trt_context_set_device_memory(trt_context* c, uint64_t address, int64_t size) noexcept {
    return call(c, "setDeviceMemory", [&](Frame& frame) {
        return on_context(c, [&](auto tag, auto* impl, auto* engine) -> int32_t {
            using A = decltype(tag);
            if (size < 0) {
                impl->setDeviceMemory(as_pointer(address));
                return conclude(frame, true, "setDeviceMemory", TRT_E_INVALID_ARGUMENT);
            }
            if constexpr (A::major == 10) {
                if (c->minor < trt_abi::v10::first_minor::VExecutionContext_setDeviceMemoryV2) {
                    // 10.0 takes no size: the shim checks it against the engine's need itself.
                    auto const need = static_cast<int64_t>(engine->getDeviceMemorySize());
                    if (size < need) {
                        return fail(TRT_E_INVALID_ARGUMENT, "setDeviceMemory (10.0: the size is checked by trt_runtime): " + std::to_string(size) +
                                                                " bytes given, the engine needs " + std::to_string(need));
                    }
                    impl->setDeviceMemory(as_pointer(address));
                    return conclude(frame, true, "setDeviceMemory", TRT_E_INVALID_ARGUMENT);
                }
            }
            impl->setDeviceMemoryV2(as_pointer(address), size);
            return conclude(frame, true, "setDeviceMemoryV2", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_context_update_device_memory_size_for_shapes(trt_context* c, uint64_t* out) noexcept {
    return call(c, "updateDeviceMemorySizeForShapes", [&](Frame& frame) {
        return on_context(c, [&](auto, auto* impl, auto*) -> int32_t {
            *out = impl->updateDeviceMemorySizeForShapes();
            return conclude(frame, true, "updateDeviceMemorySizeForShapes");
        });
    });
}

int32_t trt_context_enqueue(trt_context* c, uint64_t stream) noexcept {
    return call(c, "enqueueV3", [&](Frame& frame) {
        return on_context(c, [&](auto, auto* impl, auto*) -> int32_t {
            bool const ok = impl->enqueueV3(as_stream(stream));
            if (!refused(frame, ok)) return TRT_OK;
            return conclude(frame, ok, "enqueueV3");
        });
    });
}

int32_t trt_context_execute(trt_context* c, const trt_binding* b, uint64_t stream) noexcept {
    if (!b || b->num_shapes < 0 || b->num_tensors < 0 || (b->num_shapes > 0 && (!b->shape_names || !b->shapes)) ||
        (b->num_tensors > 0 && (!b->names || !b->addresses))) {
        return fail(TRT_E_INVALID_ARGUMENT, "malformed binding");
    }
    return call(c, "execute", [&](Frame& frame) {
        return on_context(c, [&](auto tag, auto* impl, auto*) -> int32_t {
            using A = decltype(tag);
                        for (int32_t i = 0; i < b->num_shapes; ++i) {
                trt_dims const& d = b->shapes[i];
                if (d.nb_dims < 0 || d.nb_dims > kMaxDims) {
                    return fail(TRT_E_INVALID_ARGUMENT, "shape of " + quoted(b->shape_names[i]) + " has " +
                                                            std::to_string(d.nb_dims) + " extents (0 to 8)");
                }
                if (refused(frame, impl->setInputShape(b->shape_names[i], to_abi<A>(d)))) {
                    return conclude(frame, false, "setInputShape(" + quoted(b->shape_names[i]) + ")",
                                    TRT_E_INVALID_ARGUMENT);
                }
            }
            for (int32_t i = 0; i < b->num_tensors; ++i) {
                if (refused(frame, impl->setTensorAddress(b->names[i], as_pointer(b->addresses[i])))) {
                    return conclude(frame, false, "setTensorAddress(" + quoted(b->names[i]) + ")", TRT_E_INVALID_ARGUMENT);
                }
            }
            bool const ok = impl->enqueueV3(as_stream(stream));
            if (!refused(frame, ok)) return TRT_OK;
            return conclude(frame, ok, "enqueueV3");
        });
    });
}

}  // extern "C"
