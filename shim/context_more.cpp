// More of IExecutionContext's official API, none of it a callback interface:
// executeV2, the input-consumed event, auxiliary streams, the temporary
// storage allocator, NVTX verbosity, the communicator.

#include <vector>

#include "objects.hpp"
#include "tensors.hpp"

using namespace shim;

extern "C" {

int32_t trt_context_execute_v2(trt_context* c, const uint64_t* bindings, int32_t count) noexcept {
    if (count < 0 || (count > 0 && !bindings)) return fail(TRT_E_INVALID_ARGUMENT, "executeV2: no bindings");
    return call(c, "executeV2", [&](Frame& frame) {
        return on_context(c, [&](auto, auto* impl, auto* engine) -> int32_t {
            int32_t const n = engine->getNbIOTensors();
            if (count != n) {
                return fail(TRT_E_INVALID_ARGUMENT, "executeV2 needs one address per I/O tensor: " + std::to_string(n) +
                                                        ", got " + std::to_string(count));
            }
            // On the stack for the usual engines: no allocation per inference.
            void* small[64];
            std::vector<void*> large;
            void** pointers = small;
            if (n > 64) {
                large.resize(static_cast<size_t>(n));
                pointers = large.data();
            }
            for (int32_t i = 0; i < n; ++i) pointers[i] = as_pointer(bindings[i]);
            bool const ok = impl->executeV2(pointers);
            return conclude(frame, !refused(frame, ok), "executeV2");
        });
    });
}

int32_t trt_context_set_input_consumed_event(trt_context* c, uint64_t event) noexcept {
    return call(c, "setInputConsumedEvent", [&](Frame& frame) {
        return on_context(c, [&](auto, auto* impl, auto*) -> int32_t {
            bool const ok = impl->setInputConsumedEvent(static_cast<trt_abi::cudaEvent_t>(as_pointer(event)));
            return conclude(frame, ok, "setInputConsumedEvent", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_context_get_input_consumed_event(trt_context* c, uint64_t* out) noexcept {
    *out = 0;
    return call(c, "getInputConsumedEvent", [&](Frame& frame) {
        return on_context(c, [&](auto, auto* impl, auto*) -> int32_t {
            *out = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(impl->getInputConsumedEvent()));
            return conclude(frame, true, "getInputConsumedEvent");
        });
    });
}

int32_t trt_context_set_aux_streams(trt_context* c, const uint64_t* streams, int32_t count) noexcept {
    if (count < 0 || (count > 0 && !streams)) return fail(TRT_E_INVALID_ARGUMENT, "setAuxStreams: no streams");
    return call(c, "setAuxStreams", [&](Frame& frame) {
        return on_context(c, [&](auto, auto* impl, auto*) -> int32_t {
            std::vector<trt_abi::cudaStream_t> list(static_cast<size_t>(count) + 1, nullptr);
            for (int32_t i = 0; i < count; ++i) list[static_cast<size_t>(i)] = static_cast<trt_abi::cudaStream_t>(as_pointer(streams[i]));
            impl->setAuxStreams(list.data(), count);
            return conclude(frame, true, "setAuxStreams", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_context_set_temporary_allocator(trt_context* c, trt_allocator* allocator) noexcept {
    return call(c, "setTemporaryStorageAllocator", [&](Frame& frame) {
        return on_context(c, [&](auto tag, auto* impl, auto*) -> int32_t {
            using A = decltype(tag);
            bool const ok = c->swap_slot("temporary storage allocator", kept(allocator), [&](void* a) {
                return impl->setTemporaryStorageAllocator(a ? abi<A>(static_cast<trt_allocator*>(a)) : nullptr);
            });
            return conclude(frame, !refused(frame, ok), "setTemporaryStorageAllocator", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_context_get_nvtx_verbosity(trt_context* c, int32_t* out) noexcept {
    return call(c, "getNvtxVerbosity", [&](Frame& frame) {
        return on_context(c, [&](auto, auto* impl, auto*) -> int32_t {
            *out = static_cast<int32_t>(impl->getNvtxVerbosity());
            return conclude(frame, true, "getNvtxVerbosity");
        });
    });
}

int32_t trt_context_set_nvtx_verbosity(trt_context* c, int32_t verbosity) noexcept {
    return call(c, "setNvtxVerbosity", [&](Frame& frame) {
        return on_context(c, [&](auto tag, auto* impl, auto*) -> int32_t {
            using A = decltype(tag);
            bool const ok = impl->setNvtxVerbosity(static_cast<typename A::ProfilingVerbosity>(verbosity));
            return conclude(frame, ok, "setNvtxVerbosity(" + std::to_string(verbosity) + ")", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_context_set_communicator(trt_context* c, uint64_t communicator) noexcept {
    return call(c, "setCommunicator", [&](Frame& frame) {
        return on_context(c, [&](auto tag, auto* impl, auto*) -> int32_t {
            if (lacks<decltype(tag)>(c, first::VExecutionContext_setCommunicator)) {
                return needs(c, "setCommunicator", first::VExecutionContext_setCommunicator);
            }
            bool const ok = impl->setCommunicator(as_pointer(communicator));
            return conclude(frame, ok, "setCommunicator");
        });
    });
}

}  // extern "C"
