// The C++ adapters of the execution context's callbacks: the application's
// output allocators, profiler and debug listener (adapters_context.cpp).
// Each forwards to a table of C function pointers (trt_shim.h) and is
// reference counted like the GPU allocator: its creator's handle and the
// context that has it set hold references (Owner::swap_slot).
#pragma once

#include <atomic>
#include <cstdint>

#include "objects.hpp"

// Memory for outputs of unknown size, and their final shapes. 10.x and 11.x
// have the same slots (tools/abi_check.py), so one adapter serves both.
struct trt_output_allocator final : shim::nv::IOutputAllocator {
    trt_output_allocator_fns fns;
    void* ctx;
    std::atomic<int32_t> refs{1};

    trt_output_allocator(trt_output_allocator_fns const& f, void* c) : fns(f), ctx(c) {}

    void* reallocateOutput(char const* tensorName, void* currentMemory, uint64_t size,
                           uint64_t alignment) noexcept override;
    void* reallocateOutputAsync(char const* tensorName, void* currentMemory, uint64_t size, uint64_t alignment,
                                trt_abi::cudaStream_t stream) noexcept override;
    void notifyShape(char const* tensorName, shim::nv::Dims const& dims) noexcept override;

private:
    void* reallocate(char const* name, void* memory, uint64_t size, uint64_t alignment, void* stream,
                     int32_t async) noexcept;
};

struct trt_profiler;

namespace shim {

// The profiler in one major's layout: 10.x's is a plain class (the method in
// slot 0), 11.x's a versioned interface (the method after the base's slots).
template <typename Base>
class ProfilerAs final : public Base {
public:
    explicit ProfilerAs(trt_profiler& owner) : owner_(owner) {}
    void reportLayerTime(char const* layerName, float ms) noexcept override;

private:
    trt_profiler& owner_;
};

}  // namespace shim

// Layer times. Holds the profiler in both layouts; the context is given the
// one of its library's major (abi<A>() below).
struct trt_profiler final {
    trt_profiler_fns fns;
    void* ctx;
    std::atomic<int32_t> refs{1};
    shim::ProfilerAs<trt_abi::v10::IProfiler> as10{*this};
    shim::ProfilerAs<trt_abi::v11::IProfiler> as11{*this};

    trt_profiler(trt_profiler_fns const& f, void* c) : fns(f), ctx(c) {}
    void report(char const* layerName, float ms) noexcept;
};

// Values of debug tensors. Same slots in 10.x and 11.x.
struct trt_debug_listener final : shim::nv::IDebugListener {
    trt_debug_listener_fns fns;
    void* ctx;
    std::atomic<int32_t> refs{1};

    trt_debug_listener(trt_debug_listener_fns const& f, void* c) : fns(f), ctx(c) {}

    bool processDebugTensor(void const* addr, shim::nv::TensorLocation location, shim::nv::DataType type,
                            shim::nv::Dims const& shape, char const* name,
                            trt_abi::cudaStream_t stream) noexcept override;
};

namespace shim {

template <typename ProfilerBase>
void ProfilerAs<ProfilerBase>::reportLayerTime(char const* layerName, float ms) noexcept {
    owner_.report(layerName, ms);
}

// The adapters above, in the types of the library's major version.
template <typename A>
typename A::IOutputAllocator* abi(trt_output_allocator* a) {
    nv::IOutputAllocator* base = a;
    return reinterpret_cast<typename A::IOutputAllocator*>(base);
}
template <typename A>
typename A::IProfiler* abi(trt_profiler* p) {
    if constexpr (A::major == 10) {
        return &p->as10;
    } else {
        return &p->as11;
    }
}
template <typename A>
typename A::IDebugListener* abi(trt_debug_listener* l) {
    nv::IDebugListener* base = l;
    return reinterpret_cast<typename A::IDebugListener*>(base);
}

}  // namespace shim
