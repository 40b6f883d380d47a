// The execution context's callback slots and their settings: output
// allocators, the profiler, the debug listener and debug states. The
// adapters set here are in adapters_context.cpp; the context holds each one
// set (Owner::swap_slot) for as long as TensorRT may call it.

#include <string>

#include "adapters_context.hpp"
#include "tensors.hpp"

using namespace shim;

namespace {

template <typename T>
T* as(void* adapter) {
    return static_cast<T*>(adapter);
}

}  // namespace

extern "C" {

int32_t trt_context_set_output_allocator(trt_context* c, const char* name, trt_output_allocator* allocator) noexcept {
    if (!name) return fail(TRT_E_INVALID_ARGUMENT, "setOutputAllocator: the tensor name is NULL");
    return call(c, "setOutputAllocator", [&](Frame& frame) {
        return on_context(c, [&](auto tag, auto* impl, auto*) -> int32_t {
            using A = decltype(tag);
            bool const ok = c->swap_slot(std::string("output allocator:") + name, kept(allocator), [&](void* a) {
                return impl->setOutputAllocator(name, a ? abi<A>(as<trt_output_allocator>(a)) : nullptr);
            });
            if (!refused(frame, ok)) return TRT_OK;
            return conclude(frame, ok, "setOutputAllocator(" + quoted(name) + ")", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_context_get_max_output_size(trt_context* c, const char* name, int64_t* out) noexcept {
    *out = -1;
    if (!name) return fail(TRT_E_INVALID_ARGUMENT, "getMaxOutputSize: the tensor name is NULL");
    return call(c, "getMaxOutputSize", [&](Frame&) {
        return on_context(c, [&](auto, auto* impl, auto*) -> int32_t {
            *out = impl->getMaxOutputSize(name);  // -1 is TensorRT's answer, not a failure
            return TRT_OK;
        });
    });
}

int32_t trt_context_set_profiler(trt_context* c, trt_profiler* profiler) noexcept {
    return call(c, "setProfiler", [&](Frame& frame) {
        return on_context(c, [&](auto tag, auto* impl, auto*) -> int32_t {
            using A = decltype(tag);
            c->swap_slot("profiler", kept(profiler), [&](void* p) {
                impl->setProfiler(p ? abi<A>(as<trt_profiler>(p)) : nullptr);
                return true;
            });
            return conclude(frame, true, "setProfiler", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_context_get_enqueue_emits_profile(trt_context* c) noexcept {
    return on_context(c, [](auto, auto* impl, auto*) { return impl->getEnqueueEmitsProfile() ? 1 : 0; });
}

int32_t trt_context_set_enqueue_emits_profile(trt_context* c, int32_t emits) noexcept {
    return call(c, "setEnqueueEmitsProfile", [&](Frame& frame) {
        return on_context(c, [&](auto, auto* impl, auto*) -> int32_t {
            impl->setEnqueueEmitsProfile(emits != 0);
            return conclude(frame, true, "setEnqueueEmitsProfile", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_context_report_to_profiler(trt_context* c) noexcept {
    return call(c, "reportToProfiler", [&](Frame& frame) {
        return on_context(c, [&](auto, auto* impl, auto*) -> int32_t {
            bool const ok = impl->reportToProfiler();
            if (!refused(frame, ok)) return TRT_OK;
            return conclude(frame, ok, "reportToProfiler");
        });
    });
}

int32_t trt_context_set_debug_listener(trt_context* c, trt_debug_listener* listener) noexcept {
    return call(c, "setDebugListener", [&](Frame& frame) {
        return on_context(c, [&](auto tag, auto* impl, auto*) -> int32_t {
            using A = decltype(tag);
            bool const ok = c->swap_slot("debug listener", kept(listener), [&](void* l) {
                return impl->setDebugListener(l ? abi<A>(as<trt_debug_listener>(l)) : nullptr);
            });
            if (!refused(frame, ok)) return TRT_OK;
            return conclude(frame, ok, "setDebugListener", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_context_set_tensor_debug_state(trt_context* c, const char* name, int32_t flag) noexcept {
    if (!name) return fail(TRT_E_INVALID_ARGUMENT, "setTensorDebugState: the tensor name is NULL");
    return call(c, "setTensorDebugState", [&](Frame& frame) {
        return on_context(c, [&](auto, auto* impl, auto*) -> int32_t {
            bool const ok = impl->setTensorDebugState(name, flag != 0);
            if (!refused(frame, ok)) return TRT_OK;
            return conclude(frame, ok, "setTensorDebugState(" + quoted(name) + ")", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_context_get_debug_state(trt_context* c, const char* name, int32_t* out) noexcept {
    *out = 0;
    if (!name) return fail(TRT_E_INVALID_ARGUMENT, "getDebugState: the tensor name is NULL");
    return call(c, "getDebugState", [&](Frame& frame) {
        return on_context(c, [&](auto, auto* impl, auto*) -> int32_t {
            *out = impl->getDebugState(name) ? 1 : 0;
            return conclude(frame, true, "getDebugState(" + quoted(name) + ")", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_context_set_all_tensors_debug_state(trt_context* c, int32_t flag) noexcept {
    return call(c, "setAllTensorsDebugState", [&](Frame& frame) {
        return on_context(c, [&](auto, auto* impl, auto*) -> int32_t {
            bool const ok = impl->setAllTensorsDebugState(flag != 0);
            if (!refused(frame, ok)) return TRT_OK;
            return conclude(frame, ok, "setAllTensorsDebugState", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_context_set_unfused_tensors_debug_state(trt_context* c, int32_t flag) noexcept {
    return call(c, "setUnfusedTensorsDebugState", [&](Frame& frame) {
        return on_context(c, [&](auto tag, auto* impl, auto*) -> int32_t {
            if (lacks<decltype(tag)>(c, first::VExecutionContext_setUnfusedTensorsDebugState)) {
                return needs(c, "setUnfusedTensorsDebugState", first::VExecutionContext_setUnfusedTensorsDebugState);
            }
            bool const ok = impl->setUnfusedTensorsDebugState(flag != 0);
            if (!refused(frame, ok)) return TRT_OK;
            return conclude(frame, ok, "setUnfusedTensorsDebugState", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_context_get_unfused_tensors_debug_state(trt_context* c, int32_t* out) noexcept {
    *out = 0;
    return call(c, "getUnfusedTensorsDebugState", [&](Frame& frame) {
        return on_context(c, [&](auto tag, auto* impl, auto*) -> int32_t {
            if (lacks<decltype(tag)>(c, first::VExecutionContext_getUnfusedTensorsDebugState)) {
                return needs(c, "getUnfusedTensorsDebugState", first::VExecutionContext_getUnfusedTensorsDebugState);
            }
            *out = impl->getUnfusedTensorsDebugState() ? 1 : 0;
            return conclude(frame, true, "getUnfusedTensorsDebugState");
        });
    });
}

}  // extern "C"
