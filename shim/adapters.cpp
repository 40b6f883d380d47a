// One C++ adapter per TensorRT callback interface: each forwards to the
// application's C function pointers through invoke(), so a failure marks the
// running call's frame and the interpreter's exit never aborts the process.

#include "objects.hpp"

namespace nv = shim::nv;
using shim::callback_ok;
using shim::invoke;

// ------------------------------------------------------------------ error recorder

int32_t trt_recorder::getNbErrors() const noexcept {
    int32_t n = 0;
    return callback_ok(invoke([&] { return fns.num_errors(ctx, &n); })) ? n : 0;
}

nv::ErrorCode trt_recorder::getErrorCode(int32_t index) const noexcept {
    int32_t code = 0;
    return callback_ok(invoke([&] { return fns.error_code(ctx, index, &code); })) ? static_cast<nv::ErrorCode>(code)
                                                                                 : nv::ErrorCode::kUNSPECIFIED_ERROR;
}

char const* trt_recorder::getErrorDesc(int32_t index) const noexcept {
    // TensorRT reads the text right away; one buffer per thread suffices.
    thread_local char buffer[128];
    buffer[0] = '\0';
    if (!callback_ok(invoke([&] { return fns.error_desc(ctx, index, buffer, sizeof buffer); }))) buffer[0] = '\0';
    buffer[sizeof buffer - 1] = '\0';
    return buffer;
}

bool trt_recorder::hasOverflowed() const noexcept {
    int32_t v = 0;
    return callback_ok(invoke([&] { return fns.has_overflowed(ctx, &v); })) && v != 0;
}

void trt_recorder::clear() noexcept { callback_ok(invoke([&] { return fns.clear(ctx); })); }

bool trt_recorder::reportError(nv::ErrorCode code, char const* description) noexcept {
    if (shim::Frame* f = shim::current_frame()) {
        f->add(TRT_REPORT_RECORDER, static_cast<int32_t>(code), description);
        ++f->errors;
    }
    int32_t stop = 0;
    char const* text = description ? description : "";
    callback_ok(invoke([&] { return fns.report_error(ctx, static_cast<int32_t>(code), text, &stop); }));
    return stop != 0;
}

int32_t trt_recorder::incRefCount() noexcept { return refs.fetch_add(1, std::memory_order_relaxed) + 1; }

int32_t trt_recorder::decRefCount() noexcept {
    int32_t const left = refs.fetch_sub(1, std::memory_order_acq_rel) - 1;
    if (left == 0 && !shim::shutting_down()) {
        // Released in a frame that does not collect: a failure here belongs
        // to no call, so it goes to the application's last-resort hook.
        shim::FrameScope scope(nullptr, nullptr, false);
        void (*done)(void*) = fns.release;
        void* c = ctx;
        delete this;
        invoke([&] {
            done(c);
            return 0;
        });
    }
    return left;
}

namespace shim {

void retain(trt_recorder* r) noexcept { r->incRefCount(); }
void release(trt_recorder* r) noexcept { r->decRefCount(); }

// ------------------------------------------------------------------ GPU allocator

void retain(trt_allocator* a) noexcept { a->refs.fetch_add(1, std::memory_order_relaxed); }

void release(trt_allocator* a) noexcept {
    if (a->refs.fetch_sub(1, std::memory_order_acq_rel) != 1 || shutting_down()) return;
    FrameScope scope(nullptr, nullptr, false);
    void (*done)(void*) = a->fns.release;
    void* c = a->ctx;
    delete a;
    invoke([&] {
        done(c);
        return 0;
    });
}

}  // namespace shim

void* trt_allocator::take(uint64_t size, uint64_t alignment, uint32_t flags, void* stream, int32_t async) noexcept {
    uint64_t address = 0;
    if (!callback_ok(invoke([&] { return fns.allocate(ctx, size, alignment, flags, stream, async, &address); }))) {
        return nullptr;
    }
    return reinterpret_cast<void*>(static_cast<uintptr_t>(address));
}

bool trt_allocator::give(void* address, void* stream, int32_t async) noexcept {
    int32_t ok = 0;
    auto const a = reinterpret_cast<uintptr_t>(address);
    return callback_ok(invoke([&] { return fns.deallocate(ctx, a, stream, async, &ok); })) && ok != 0;
}

void* trt_allocator::allocate(uint64_t size, uint64_t alignment, nv::AllocatorFlagBits flags) noexcept {
    return take(size, alignment, flags, nullptr, 0);
}

void* trt_allocator::reallocate(void* address, uint64_t alignment, uint64_t newSize) noexcept {
    uint64_t out = 0;
    auto const a = reinterpret_cast<uintptr_t>(address);
    if (!callback_ok(invoke([&] { return fns.reallocate(ctx, a, alignment, newSize, &out); }))) return nullptr;
    return reinterpret_cast<void*>(static_cast<uintptr_t>(out));
}

bool trt_allocator::deallocate(void* address) noexcept { return give(address, nullptr, 0); }

void* trt_allocator::allocateAsync(uint64_t size, uint64_t alignment, nv::AllocatorFlagBits flags,
                                   trt_abi::cudaStream_t stream) noexcept {
    return take(size, alignment, flags, stream, 1);
}

bool trt_allocator::deallocateAsync(void* address, trt_abi::cudaStream_t stream) noexcept {
    return give(address, stream, 1);
}

// ------------------------------------------------------------------ stream reader

namespace shim {

int64_t StreamReader::read(void* destination, int64_t size, trt_abi::cudaStream_t stream) noexcept {
    int64_t got = -1;
    if (!callback_ok(invoke([&] { return fns_.read(ctx_, destination, size, stream, &got); }))) return -1;
    return got;
}

bool StreamReader::seek(int64_t offset, nv::SeekPosition origin) noexcept {
    int32_t ok = 0;
    auto const where = static_cast<int32_t>(origin);
    return callback_ok(invoke([&] { return fns_.seek(ctx_, offset, where, &ok); })) && ok != 0;
}

int64_t StreamReaderV1::read(void* destination, int64_t size) noexcept {
    int64_t got = -1;
    if (!callback_ok(invoke([&] { return fns_.read(ctx_, destination, size, nullptr, &got); }))) return -1;
    return got;
}

}  // namespace shim

// ================================================================== exports

extern "C" {

int32_t trt_recorder_create(const trt_recorder_fns* fns, void* ctx, trt_recorder** out) noexcept {
    return shim::guard([&]() -> int32_t {
        *out = nullptr;
        if (!fns) return shim::fail(TRT_E_INVALID_ARGUMENT, "trt_recorder_create: fns is NULL");
        *out = new trt_recorder(*fns, ctx);
        return TRT_OK;
    });
}

void trt_recorder_release(trt_recorder* recorder) noexcept {
    if (recorder) shim::release(recorder);
}

int32_t trt_allocator_create(const trt_allocator_fns* fns, void* ctx, trt_allocator** out) noexcept {
    return shim::guard([&]() -> int32_t {
        *out = nullptr;
        if (!fns) return shim::fail(TRT_E_INVALID_ARGUMENT, "trt_allocator_create: fns is NULL");
        *out = new trt_allocator(*fns, ctx);
        return TRT_OK;
    });
}

void trt_allocator_release(trt_allocator* allocator) noexcept {
    if (allocator) shim::release(allocator);
}

}  // extern "C"
