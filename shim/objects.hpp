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

// The one logger the shim registers with a library (TensorRT keeps the first
// logger of the process and ignores later ones). A message goes to the
// logger of the object whose call runs on this thread, else to the library's
// sink, which fans it out to every live runtime's logger.
class RoutingLogger final : public nv::ILogger {
public:
    void log(nv::LogSeverity severity, char const* message) noexcept override;

    std::atomic<trt_log_fn> sink{nullptr};
    std::atomic<void*> sink_ctx{nullptr};
};

using CreateRuntimeFn = void* (*)(void*, int32_t);

}  // namespace shim

struct trt_library {
    void* handle = nullptr;
    std::string path;
    std::string soname;
    trt_library_info info{};
    shim::CreateRuntimeFn create_runtime = nullptr;
    shim::RoutingLogger logger;
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

}  // namespace shim

// ------------------------------------------------------------------ objects

struct trt_plugin_registry {
    shim::nv::IPluginRegistry* registry;
    trt_runtime* runtime;  // borrowed: the registry lives as long as its runtime
};

struct trt_runtime final : shim::Owner {
    trt_library* library = nullptr;
    shim::nv::IRuntime* runtime = nullptr;
    shim::nv::VRuntime* impl = nullptr;
    trt_runtime* parent = nullptr;  // the runtime a loaded runtime came from, held
    trt_release_fn release_log = nullptr;
    std::unique_ptr<trt_plugin_registry> registry;  // guarded by mutex()

    std::mutex& mutex() noexcept { return mutex_; }

protected:
    void destroy() noexcept override;
};

// An engine holds its runtime, and the allocators it may use.
struct trt_engine final : shim::Owner {
    trt_runtime* runtime;
    shim::nv::ICudaEngine* engine;
    shim::nv::VCudaEngine* impl;
    trt_allocator* allocators[2] = {nullptr, nullptr};  // own references

    trt_engine(trt_runtime* rt, shim::nv::ICudaEngine* e);

protected:
    void destroy() noexcept override;
};

// A context holds its engine (which holds the runtime).
struct trt_context final : shim::Owner {
    trt_engine* engine;
    shim::nv::IExecutionContext* context;
    shim::nv::VExecutionContext* impl;

    trt_context(trt_engine* e, shim::nv::IExecutionContext* c);

protected:
    void destroy() noexcept override;
};

struct trt_host_memory {
    shim::nv::IHostMemory* memory;
};

namespace shim {

// Whether a file mapping lost pages to a truncation while it was read (the
// pages were replaced by zeros instead of faulting).
bool mapping_faulted(trt_mapping const* mapping) noexcept;
void const* mapping_data(trt_mapping const* mapping) noexcept;
uint64_t mapping_size(trt_mapping const* mapping) noexcept;

}  // namespace shim
