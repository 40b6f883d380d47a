// The objects behind trt_shim.h's handles, and the C++ adapters that let
// TensorRT call the application.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "shim.hpp"

// ------------------------------------------------------------------ library

namespace shim {

// Where messages logged outside any shim call go (TensorRT's own threads,
// library teardown): the library's sink, which fans out to every live
// runtime's logger.
struct Sink {
    std::atomic<trt_log_fn> fn{nullptr};
    std::atomic<void*> ctx{nullptr};
};

// Routes one message: to the logger of the object whose call runs on this
// thread, else to the sink.
void route(Sink const& sink, int32_t severity, char const* message) noexcept;

// The one logger the shim registers with a library (TensorRT keeps the first
// logger of the process and ignores later ones), in the layout of the
// library's major version: a plain class in 10.x, a versioned interface in 11.x.
template <typename Base, typename Severity>
class RoutingLogger final : public Base {
public:
    explicit RoutingLogger(Sink const& sink) : sink_(sink) {}
    void log(Severity severity, char const* message) noexcept override {
        route(sink_, static_cast<int32_t>(severity), message);
    }

private:
    Sink const& sink_;
};

using CreateRuntimeFn = void* (*)(void*, int32_t);

}  // namespace shim

struct trt_library {
    void* handle = nullptr;
    std::string path;
    std::string soname;
    trt_library_info info{};
    shim::CreateRuntimeFn create_runtime = nullptr;
    shim::Sink sink;
    shim::RoutingLogger<trt_abi::v10::ILogger, trt_abi::v10::LogSeverity> logger10{sink};
    shim::RoutingLogger<trt_abi::v11::ILogger, trt_abi::v11::LogSeverity> logger11{sink};

    // The logger to register, in the layout of this library's major version.
    void* logger() noexcept {
        return info.major == 10 ? static_cast<void*>(static_cast<trt_abi::v10::ILogger*>(&logger10))
                                : static_cast<void*>(static_cast<trt_abi::v11::ILogger*>(&logger11));
    }
};

// ------------------------------------------------------------------ adapters

// The application's error recorder. TensorRT counts its references with
// incRefCount/decRefCount; the shim's own references use the same count.
struct trt_recorder final : shim::nv::IErrorRecorder {
    trt_recorder_fns fns;
    void* ctx;
    std::atomic<int32_t> refs{1};

    trt_recorder(trt_recorder_fns const& f, void* c) : fns(f), ctx(c) {}

    int32_t getNbErrors() const noexcept override;
    shim::nv::ErrorCode getErrorCode(int32_t index) const noexcept override;
    char const* getErrorDesc(int32_t index) const noexcept override;
    bool hasOverflowed() const noexcept override;
    void clear() noexcept override;
    bool reportError(shim::nv::ErrorCode code, char const* description) noexcept override;
    int32_t incRefCount() noexcept override;
    int32_t decRefCount() noexcept override;
};

// The application's GPU allocator. TensorRT does not count references to an
// allocator, so the shim does: the runtime that has it set, each engine
// deserialized while it was set, and the creator's handle.
struct trt_allocator final : shim::nv::IGpuAsyncAllocator {
    trt_allocator_fns fns;
    void* ctx;
    std::atomic<int32_t> refs{1};

    trt_allocator(trt_allocator_fns const& f, void* c) : fns(f), ctx(c) {}

    void* allocate(uint64_t size, uint64_t alignment, shim::nv::AllocatorFlagBits flags) noexcept override;
    void* reallocate(void* address, uint64_t alignment, uint64_t newSize) noexcept override;
    bool deallocate(void* address) noexcept override;
    void* allocateAsync(uint64_t size, uint64_t alignment, shim::nv::AllocatorFlagBits flags,
                        trt_abi::cudaStream_t stream) noexcept override;
    bool deallocateAsync(void* address, trt_abi::cudaStream_t stream) noexcept override;

private:
    void* take(uint64_t size, uint64_t alignment, uint32_t flags, void* stream, int32_t async) noexcept;
    bool give(void* address, void* stream, int32_t async) noexcept;
};

namespace shim {

// The application's stream reader, for the length of one deserialization.
class StreamReader final : public nv::IStreamReaderV2 {
public:
    StreamReader(trt_stream_reader_fns const& fns, void* ctx) : fns_(fns), ctx_(ctx) {}
    int64_t read(void* destination, int64_t size, trt_abi::cudaStream_t stream) noexcept override;
    bool seek(int64_t offset, nv::SeekPosition origin) noexcept override;

private:
    trt_stream_reader_fns fns_;
    void* ctx_;
};

// The same reader for 10.x libraries before 10.7, which only take the older
// interface: sequential reads, no stream, no seeking.
class StreamReaderV1 final : public trt_abi::v10::IStreamReader {
public:
    StreamReaderV1(trt_stream_reader_fns const& fns, void* ctx) : fns_(fns), ctx_(ctx) {}
    int64_t read(void* destination, int64_t size) noexcept override;

private:
    trt_stream_reader_fns fns_;
    void* ctx_;
};

// The adapters above, in the types of the library's major version. The
// application-side interfaces (recorder, allocator, stream reader V2) have
// the same slots in 10.x and 11.x (tools/abi_check.py proves each against
// NVIDIA's headers), so one adapter serves both.
template <typename A>
typename A::IErrorRecorder* abi(trt_recorder* r) {
    nv::IErrorRecorder* base = r;
    return reinterpret_cast<typename A::IErrorRecorder*>(base);
}
template <typename A>
typename A::IGpuAllocator* abi(trt_allocator* a) {
    nv::IGpuAllocator* base = a;
    return reinterpret_cast<typename A::IGpuAllocator*>(base);
}
template <typename A>
typename A::IStreamReaderV2& abi(StreamReader& r) {
    nv::IStreamReaderV2& base = r;
    return reinterpret_cast<typename A::IStreamReaderV2&>(base);
}

}  // namespace shim

// ------------------------------------------------------------------ objects

struct trt_plugin_registry {
    void* registry;        // the major's IPluginRegistry
    trt_runtime* runtime;  // borrowed: the registry lives as long as its runtime
    // The process's registry (getPluginRegistry()) has no runtime: its
    // library, and that library's version, instead (registry.cpp).
    trt_library* library = nullptr;
    int32_t major = 0;
    int32_t minor = 0;
};

// A logger shared by the runtimes made with it. `users` counts its holders
// (the creator until it gives its hold back, and each runtime), and becomes -1
// for good once the last is gone: `release(ctx)` then runs, once, and a
// runtime can no longer take it. The creator's hold means a target is never
// released between its creation and its first runtime. `refs` counts the
// holders of its memory: the creator's handle, and one until it is released.
struct trt_log_target {
    trt_log_fn log = nullptr;
    trt_release_fn release = nullptr;
    void* ctx = nullptr;
    std::atomic<int64_t> users{1};
    std::atomic<int32_t> refs{2};

    // Takes one runtime's hold; false once released.
    bool take() noexcept {
        int64_t n = users.load(std::memory_order_acquire);
        do {
            if (n < 0) return false;
        } while (!users.compare_exchange_weak(n, n + 1, std::memory_order_acq_rel));
        return true;
    }
    // Gives one runtime's hold back; the last one releases.
    void give() noexcept {
        int64_t n = users.load(std::memory_order_acquire);
        for (;;) {
            if (n <= 0) return;  // released already: a hold given twice changes nothing
            int64_t const next = n == 1 ? -1 : n - 1;
            if (users.compare_exchange_weak(n, next, std::memory_order_acq_rel)) break;
        }
        if (n == 1) finish(true);
    }
    // The creator gives its hold back, with no runtime ever holding the
    // target: released without telling `release` (nobody took the logger).
    void abandon() noexcept {
        int64_t only = 1;
        if (users.compare_exchange_strong(only, -1, std::memory_order_acq_rel)) finish(false);
        else give();
    }
    void drop() noexcept {
        if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }

private:
    void finish(bool call_release) noexcept;
};

// The TensorRT objects behind the handles are kept as untyped pointers: their
// type is that of the library's major version, known at run time (Owner's
// `major`); the accessors cast them for a tag of abi.hpp.
struct trt_runtime final : shim::Owner {
    trt_library* library = nullptr;
    void* runtime = nullptr;  // IRuntime*
    void* impl = nullptr;     // VRuntime*
    trt_runtime* parent = nullptr;  // the runtime a loaded runtime came from, held
    trt_log_target* target = nullptr;  // held; a loaded runtime logs through its parent's instead
    std::unique_ptr<trt_plugin_registry> registry;  // guarded by mutex()

    std::mutex& mutex() noexcept { return mutex_; }
    template <typename A>
    typename A::VRuntime* v() const noexcept {
        return static_cast<typename A::VRuntime*>(impl);
    }

protected:
    void delete_native() noexcept override;
    Owner* parent_owner() const noexcept override { return parent; }
    void release_extras() noexcept override;
};

// An engine holds its runtime, and the allocators it may use.
struct trt_engine final : shim::Owner {
    trt_runtime* runtime;
    void* engine;  // ICudaEngine*
    void* impl;    // VCudaEngine*
    trt_allocator* allocators[2] = {nullptr, nullptr};  // own references

    trt_engine(trt_runtime* rt, void* native, void* vimpl);
    template <typename A>
    typename A::VCudaEngine* v() const noexcept {
        return static_cast<typename A::VCudaEngine*>(impl);
    }

protected:
    void delete_native() noexcept override;
    Owner* parent_owner() const noexcept override { return runtime; }
    void release_extras() noexcept override;
};

// A context holds its engine (which holds the runtime).
struct trt_context final : shim::Owner {
    trt_engine* engine;
    void* context;  // IExecutionContext*
    void* impl;     // VExecutionContext*

    trt_context(trt_engine* e, void* native, void* vimpl);
    template <typename A>
    typename A::VExecutionContext* v() const noexcept {
        return static_cast<typename A::VExecutionContext*>(impl);
    }

protected:
    void delete_native() noexcept override;
    Owner* parent_owner() const noexcept override { return engine; }
};

namespace shim {

namespace first = trt_abi::v10::first_minor;

// Whether the loaded library (of tag A) is a 10.x minor that lacks a method
// which came in 10.<first> (trt_abi_v10.hpp's first_minor table).
template <typename A>
bool lacks(Owner const* o, int32_t first) {
    return A::major == 10 && o->minor < first;
}

// Runs `body(tag, engine's V-table object)`, typed for the library's major version.
template <typename Body>
decltype(auto) on_engine(trt_engine* e, Body&& body) {
    return with_abi(e->major, [&](auto tag) { return body(tag, e->v<decltype(tag)>()); });
}

// Runs `body(tag, context's V-table object, its engine's)`, typed likewise.
template <typename Body>
decltype(auto) on_context(trt_context* c, Body&& body) {
    return with_abi(c->major, [&](auto tag) {
        using A = decltype(tag);
        return body(tag, c->v<A>(), c->engine->v<A>());
    });
}

// Device addresses and CUDA streams travel through the C interface as uint64_t.
inline void* as_pointer(uint64_t address) { return reinterpret_cast<void*>(static_cast<uintptr_t>(address)); }
inline trt_abi::cudaStream_t as_stream(uint64_t stream) { return static_cast<trt_abi::cudaStream_t>(as_pointer(stream)); }

// A step of an inference that TensorRT refused (or that a callback failed in).
inline bool refused(Frame const& frame, bool ok) {
    return !ok || frame.errors > 0 || frame.callback_failures > 0;
}

}  // namespace shim

struct trt_host_memory {
    void* memory;  // IHostMemory*
    int32_t major;
};

namespace shim {

// Whether a file mapping lost pages to a truncation while it was read (the
// pages were replaced by zeros instead of faulting).
bool mapping_faulted(trt_mapping const* mapping) noexcept;
void const* mapping_data(trt_mapping const* mapping) noexcept;
uint64_t mapping_size(trt_mapping const* mapping) noexcept;

}  // namespace shim
