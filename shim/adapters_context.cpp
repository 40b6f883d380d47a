// The execution context's callbacks into the application: output allocators,
// profilers and debug listeners. Each forwards to the application's C
// function pointers through invoke(), so a failure marks the running call's
// frame, as in adapters.cpp.

#include "adapters_context.hpp"
#include "tensors.hpp"

namespace nv = shim::nv;
using shim::as_pointer;
using shim::callback_ok;
using shim::invoke;

namespace {

// Lets a reference go; after the last one the adapter is deleted and the
// application told (in a frame that collects nothing: a failure there
// belongs to no call).
template <typename T>
void let_go(T* adapter) noexcept {
    if (adapter->refs.fetch_sub(1, std::memory_order_acq_rel) != 1 || shim::shutting_down()) return;
    shim::FrameScope scope(nullptr, nullptr, false);
    void (*done)(void*) = adapter->fns.release;
    void* c = adapter->ctx;
    delete adapter;
    invoke([&] {
        done(c);
        return 0;
    });
}

template <typename T, typename Fns>
int32_t create(Fns const* fns, void* ctx, T** out, char const* what) noexcept {
    return shim::guard([&]() -> int32_t {
        *out = nullptr;
        if (!fns) return shim::fail(TRT_E_INVALID_ARGUMENT, std::string(what) + ": fns is NULL");
        *out = new T(*fns, ctx);
        return TRT_OK;
    });
}

}  // namespace

namespace shim {

void retain(trt_output_allocator* a) noexcept { a->refs.fetch_add(1, std::memory_order_relaxed); }
void release(trt_output_allocator* a) noexcept { let_go(a); }
void retain(trt_profiler* p) noexcept { p->refs.fetch_add(1, std::memory_order_relaxed); }
void release(trt_profiler* p) noexcept { let_go(p); }
void retain(trt_debug_listener* l) noexcept { l->refs.fetch_add(1, std::memory_order_relaxed); }
void release(trt_debug_listener* l) noexcept { let_go(l); }

}  // namespace shim

// ------------------------------------------------------------------ output allocator

void* trt_output_allocator::reallocate(char const* name, void* memory, uint64_t size, uint64_t alignment,
                                       void* stream, int32_t async) noexcept {
    uint64_t address = 0;
    auto const current = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(memory));
    char const* tensor = name ? name : "";
    if (!callback_ok(invoke([&] { return fns.reallocate(ctx, tensor, current, size, alignment, stream, async, &address); }))) {
        return nullptr;
    }
    return as_pointer(address);
}

void* trt_output_allocator::reallocateOutput(char const* tensorName, void* currentMemory, uint64_t size,
                                             uint64_t alignment) noexcept {
    return reallocate(tensorName, currentMemory, size, alignment, nullptr, 0);
}

void* trt_output_allocator::reallocateOutputAsync(char const* tensorName, void* currentMemory, uint64_t size,
                                                  uint64_t alignment, trt_abi::cudaStream_t stream) noexcept {
    return reallocate(tensorName, currentMemory, size, alignment, stream, 1);
}

void trt_output_allocator::notifyShape(char const* tensorName, nv::Dims const& dims) noexcept {
    trt_dims const shape = shim::from_abi(dims);
    char const* tensor = tensorName ? tensorName : "";
    callback_ok(invoke([&] { return fns.notify_shape(ctx, tensor, &shape); }));
}

// ------------------------------------------------------------------ profiler

void trt_profiler::report(char const* layerName, float ms) noexcept {
    char const* layer = layerName ? layerName : "";
    callback_ok(invoke([&] { return fns.report_layer_time(ctx, layer, ms); }));
}

// ------------------------------------------------------------------ debug listener

bool trt_debug_listener::processDebugTensor(void const* addr, nv::TensorLocation location, nv::DataType type,
                                            nv::Dims const& shape, char const* name,
                                            trt_abi::cudaStream_t stream) noexcept {
    int32_t ok = 0;
    trt_dims const dims = shim::from_abi(shape);
    auto const address = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(addr));
    auto const where = static_cast<int32_t>(location);
    auto const dtype = static_cast<int32_t>(type);
    char const* tensor = name ? name : "";
    return callback_ok(invoke([&] { return fns.process(ctx, address, where, dtype, &dims, tensor, stream, &ok); })) &&
           ok != 0;
}

// ================================================================== exports

extern "C" {

int32_t trt_output_allocator_create(const trt_output_allocator_fns* fns, void* ctx, trt_output_allocator** out) noexcept {
    return create(fns, ctx, out, "trt_output_allocator_create");
}

void trt_output_allocator_release(trt_output_allocator* allocator) noexcept {
    if (allocator) shim::release(allocator);
}

int32_t trt_profiler_create(const trt_profiler_fns* fns, void* ctx, trt_profiler** out) noexcept {
    return create(fns, ctx, out, "trt_profiler_create");
}

void trt_profiler_release(trt_profiler* profiler) noexcept {
    if (profiler) shim::release(profiler);
}

int32_t trt_debug_listener_create(const trt_debug_listener_fns* fns, void* ctx, trt_debug_listener** out) noexcept {
    return create(fns, ctx, out, "trt_debug_listener_create");
}

void trt_debug_listener_release(trt_debug_listener* listener) noexcept {
    if (listener) shim::release(listener);
}

}  // extern "C"
