// trt_runtime's shim: a C interface (trt_shim.h) over TensorRT's C++ runtime,
// which it opens at run time with dlopen. It links no TensorRT or CUDA
// library and needs no TensorRT header: the ABI it calls is declared in
// trt_abi.hpp.
//
// Rules kept throughout:
// - every exported function is noexcept and catches everything (guard());
// - TensorRT's failures that are only logged or recorded are caught by a
//   per-thread Frame that is active while a call runs, and turned into a
//   status plus a list of reports the Python layer puts into its exception;
// - application callbacks are C function pointers plus a context; a failing
//   callback marks the Frame, so the call returns TRT_E_CALLBACK.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trt_abi.hpp"

#include "trt_shim.h"

namespace abi = trt_abi::v11;

namespace {

constexpr int32_t kSupportedMajor = 11;

// -------------------------------------------------------------- error state

struct Report {
    int32_t source;
    int32_t code;
    std::string text;
};

thread_local std::string tl_last_error;
thread_local std::vector<Report> tl_last_reports;

std::atomic<bool> g_shutdown{false};

// The record of one shim call on one thread: what TensorRT logged or
// recorded while it ran, and whether a callback failed.
struct Frame {
    trt_log_fn log = nullptr;  // the calling object's logger
    void* log_ctx = nullptr;
    std::vector<Report> reports;
    int errors = 0;
    bool callback_failed = false;

    void add(int32_t source, int32_t code, const char* text) {
        try {
            reports.push_back(Report{source, code, text ? text : ""});
        } catch (...) {
            // Out of memory while recording: the count below still marks the failure.
        }
    }
};

// Read on every call; initial-exec keeps the access a single load (8 bytes of static TLS).
thread_local Frame* tl_frame __attribute__((tls_model("initial-exec"))) = nullptr;

// Makes a Frame current for the scope of a call; frames nest when a
// callback calls back into the shim.
class FrameScope {
public:
    FrameScope(trt_log_fn log, void* ctx) : previous_(tl_frame) {
        frame_.log = log;
        frame_.log_ctx = ctx;
        tl_frame = &frame_;
    }
    ~FrameScope() { tl_frame = previous_; }
    FrameScope(FrameScope const&) = delete;
    FrameScope& operator=(FrameScope const&) = delete;
    Frame& frame() { return frame_; }

private:
    Frame frame_;
    Frame* previous_;
};

int32_t fail(int32_t status, std::string message, std::vector<Report>* reports = nullptr) {
    try {
        tl_last_error = std::move(message);
        if (reports) {
            tl_last_reports = std::move(*reports);
        } else {
            tl_last_reports.clear();
        }
    } catch (...) {
    }
    return status;
}

// Status of a call that has finished: a failed callback wins over TensorRT's
// own errors, which win over success.
int32_t conclude(Frame& frame, bool ok, char const* what) {
    if (frame.callback_failed) {
        return fail(TRT_E_CALLBACK, std::string("a callback raised during ") + what, &frame.reports);
    }
    if (!ok || frame.errors > 0) {
        std::string message = std::string(what) + " failed";
        for (auto const& r : frame.reports) {
            if (r.source == TRT_REPORT_RECORDER || r.code <= static_cast<int32_t>(abi::LogSeverity::kERROR)) {
                message += ": " + r.text;
                break;
            }
        }
        return fail(TRT_E_FAILED, message, &frame.reports);
    }
    return TRT_OK;
}

template <typename F>
int32_t guard(F&& body) noexcept {
    try {
        return body();
    } catch (std::bad_alloc const&) {
        return fail(TRT_E_OUT_OF_MEMORY, "out of memory in trt_runtime's shim");
    } catch (std::exception const& e) {
        return fail(TRT_E_INTERNAL, std::string("internal error in trt_runtime's shim: ") + e.what());
    } catch (...) {
        return fail(TRT_E_INTERNAL, "internal error in trt_runtime's shim");
    }
}

// Pointers below one page are never valid objects; TensorRT returns one
// (0x228) when CUDA cannot be initialised.
bool plausible(void const* p) { return reinterpret_cast<uintptr_t>(p) >= 4096; }

// -------------------------------------------------------------- logger

// The one logger the shim registers with a library (TensorRT keeps the first
// logger of the process and ignores later ones). It routes each message to the
// logger of the object whose call is running on this thread, else to the
// library's sink, which fans out to every live runtime's logger.
class RoutingLogger final : public abi::ILogger {
public:
    void log(abi::LogSeverity severity, char const* message) noexcept override {
        if (g_shutdown.load(std::memory_order_relaxed)) return;
        auto const sev = static_cast<int32_t>(severity);
        Frame* frame = tl_frame;
        if (frame) {
            if (severity <= abi::LogSeverity::kWARNING) frame->add(TRT_REPORT_LOGGER, sev, message);
            if (severity <= abi::LogSeverity::kERROR) ++frame->errors;
            if (frame->log && frame->log(frame->log_ctx, sev, message ? message : "") != 0) {
                frame->callback_failed = true;
            }
            return;
        }
        trt_log_fn fn = sink.load(std::memory_order_acquire);
        if (fn) fn(sink_ctx.load(std::memory_order_acquire), sev, message ? message : "");
    }

    std::atomic<trt_log_fn> sink{nullptr};
    std::atomic<void*> sink_ctx{nullptr};
};

// -------------------------------------------------------------- library

using CreateRuntimeFn = void* (*)(void*, int32_t);
using VersionFn = int32_t (*)();

}  // namespace

struct trt_library {
    void* handle = nullptr;
    std::string path;
    trt_library_info info{};
    CreateRuntimeFn create_runtime = nullptr;
    RoutingLogger logger;
};

namespace {

std::mutex g_libraries_mutex;
// Libraries are never closed: TensorRT's static state does not survive dlclose.
std::map<std::string, trt_library*>& libraries() {
    static auto* m = new std::map<std::string, trt_library*>();
    return *m;
}

// dlopen maps a shared object's segments as the file claims them; a file cut
// short faults (SIGBUS) on first touch instead of failing. So a file given by
// path is checked first: an ELF header for this machine, and every loadable
// segment inside the file. Returns "" when it looks whole.
std::string elf_problem(char const* path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "";  // let dlopen say why
    struct FdCloser {
        int fd;
        ~FdCloser() { close(fd); }
    } closer{fd};
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return "";
    auto const size = static_cast<uint64_t>(st.st_size);
    ElfW(Ehdr) eh{};
    if (pread(fd, &eh, sizeof eh, 0) != static_cast<ssize_t>(sizeof eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
        return "not an ELF shared object";
    }
    if (eh.e_ident[EI_CLASS] != (sizeof(void*) == 8 ? ELFCLASS64 : ELFCLASS32)) return "an ELF file of another word size";
    if (eh.e_phentsize != sizeof(ElfW(Phdr)) || eh.e_phoff + uint64_t(eh.e_phnum) * eh.e_phentsize > size) {
        return "truncated or corrupt: its program headers lie beyond the end of the file";
    }
    for (int i = 0; i < eh.e_phnum; ++i) {
        ElfW(Phdr) ph{};
        if (pread(fd, &ph, sizeof ph, static_cast<off_t>(eh.e_phoff + uint64_t(i) * sizeof ph)) != static_cast<ssize_t>(sizeof ph)) {
            return "truncated: cannot read its program headers";
        }
        if (ph.p_type == PT_LOAD && ph.p_offset + ph.p_filesz > size) {
            return "truncated: a loadable segment ends at byte " + std::to_string(ph.p_offset + ph.p_filesz) +
                   " but the file has " + std::to_string(size) + " bytes";
        }
    }
    return "";
}

}  // namespace

// -------------------------------------------------------------- adapters

struct trt_recorder final : abi::IErrorRecorder {
    trt_recorder_fns fns;
    void* ctx;
    std::atomic<int32_t> refs{1};

    trt_recorder(trt_recorder_fns const& f, void* c) : fns(f), ctx(c) {}

    bool called(int32_t rc) const noexcept {
        if (rc == 0) return true;
        if (Frame* f = tl_frame) f->callback_failed = true;
        return false;
    }
    int32_t getNbErrors() const noexcept override {
        int32_t n = 0;
        return called(fns.num_errors(ctx, &n)) ? n : 0;
    }
    abi::ErrorCode getErrorCode(int32_t index) const noexcept override {
        int32_t code = 0;
        return called(fns.error_code(ctx, index, &code)) ? static_cast<abi::ErrorCode>(code)
                                                          : abi::ErrorCode::kUNSPECIFIED_ERROR;
    }
    char const* getErrorDesc(int32_t index) const noexcept override {
        // TensorRT reads the text right away; one buffer per thread suffices.
        thread_local char buffer[128];
        buffer[0] = '\0';
        if (!called(fns.error_desc(ctx, index, buffer, sizeof buffer))) buffer[0] = '\0';
        buffer[sizeof buffer - 1] = '\0';
        return buffer;
    }
    bool hasOverflowed() const noexcept override {
        int32_t v = 0;
        return called(fns.has_overflowed(ctx, &v)) && v != 0;
    }
    void clear() noexcept override { called(fns.clear(ctx)); }
    bool reportError(abi::ErrorCode code, char const* description) noexcept override {
        if (Frame* f = tl_frame) {
            f->add(TRT_REPORT_RECORDER, static_cast<int32_t>(code), description);
            ++f->errors;
        }
        if (g_shutdown.load(std::memory_order_relaxed)) return false;
        int32_t stop = 0;
        called(fns.report_error(ctx, static_cast<int32_t>(code), description ? description : "", &stop));
        return stop != 0;
    }
    int32_t incRefCount() noexcept override { return ++refs; }
    int32_t decRefCount() noexcept override {
        int32_t const left = --refs;
        if (left == 0) {
            if (!g_shutdown.load()) fns.release(ctx);
            delete this;
        }
        return left;
    }
};

struct trt_allocator final : abi::IGpuAsyncAllocator {
    trt_allocator_fns fns;
    void* ctx;

    trt_allocator(trt_allocator_fns const& f, void* c) : fns(f), ctx(c) {}
    ~trt_allocator() override {
        if (!g_shutdown.load()) fns.release(ctx);
    }

    bool called(int32_t rc) noexcept {
        if (rc == 0) return true;
        if (Frame* f = tl_frame) f->callback_failed = true;
        return false;
    }
    void* take(uint64_t size, uint64_t alignment, uint32_t flags, void* stream, int32_t async) noexcept {
        uint64_t address = 0;
        if (!called(fns.allocate(ctx, size, alignment, flags, stream, async, &address))) return nullptr;
        return reinterpret_cast<void*>(static_cast<uintptr_t>(address));
    }
    bool give(void* address, void* stream, int32_t async) noexcept {
        int32_t ok = 0;
        return called(fns.deallocate(ctx, reinterpret_cast<uintptr_t>(address), stream, async, &ok)) && ok != 0;
    }
    void* allocate(uint64_t const size, uint64_t const alignment, abi::AllocatorFlagBits const flags) noexcept override {
        return take(size, alignment, flags, nullptr, 0);
    }
    void* reallocate(void* const address, uint64_t alignment, uint64_t newSize) noexcept override {
        uint64_t out = 0;
        if (!called(fns.reallocate(ctx, reinterpret_cast<uintptr_t>(address), alignment, newSize, &out))) return nullptr;
        return reinterpret_cast<void*>(static_cast<uintptr_t>(out));
    }
    bool deallocate(void* const address) noexcept override { return give(address, nullptr, 0); }
    void* allocateAsync(uint64_t const size, uint64_t const alignment, abi::AllocatorFlagBits const flags,
        trt_abi::cudaStream_t stream) noexcept override {
        return take(size, alignment, flags, stream, 1);
    }
    bool deallocateAsync(void* const address, trt_abi::cudaStream_t stream) noexcept override {
        return give(address, stream, 1);
    }
};

namespace {

class StreamReader final : public abi::IStreamReaderV2 {
public:
    StreamReader(trt_stream_reader_fns const& fns, void* ctx) : fns_(fns), ctx_(ctx) {}
    int64_t read(void* destination, int64_t size, trt_abi::cudaStream_t stream) noexcept override {
        int64_t got = -1;
        if (fns_.read(ctx_, destination, size, stream, &got) != 0) {
            if (Frame* f = tl_frame) f->callback_failed = true;
            return -1;
        }
        return got;
    }
    bool seek(int64_t offset, abi::SeekPosition origin) noexcept override {
        int32_t ok = 0;
        if (fns_.seek(ctx_, offset, static_cast<int32_t>(origin), &ok) != 0) {
            if (Frame* f = tl_frame) f->callback_failed = true;
            return false;
        }
        return ok != 0;
    }

private:
    trt_stream_reader_fns fns_;
    void* ctx_;
};

}  // namespace

// -------------------------------------------------------------- objects

struct trt_plugin_registry {
    abi::IPluginRegistry* registry;
};

struct trt_runtime {
    std::atomic<int32_t> refs{1};
    trt_library* library;
    abi::IRuntime* runtime;
    abi::VRuntime* impl;
    trt_runtime* parent;  // the runtime a loaded runtime came from, kept alive
    trt_log_fn log;
    trt_release_fn release_log;
    void* log_ctx;
    std::mutex mutex;  // guards the members below
    trt_recorder* recorder = nullptr;
    std::vector<std::unique_ptr<trt_allocator>> allocators;  // every one TensorRT may still use
    std::unique_ptr<trt_plugin_registry> registry;

    void retain() { ++refs; }
    void release() {
        if (--refs != 0) return;
        if (!g_shutdown.load()) {
            FrameScope scope(log, log_ctx);
            delete runtime;  // TensorRT drops its references to the recorder here
        }
        trt_runtime* p = parent;
        if (!g_shutdown.load()) {
            if (recorder) recorder->decRefCount();  // our own reference
            allocators.clear();
            trt_release_fn const done = release_log;
            void* const ctx = log_ctx;
            delete this;
            if (done) done(ctx);
        }
        if (p) p->release();
    }
};

// An engine holds its runtime; each of its contexts holds it in turn.
struct trt_engine {
    std::atomic<int32_t> refs{1};
    trt_runtime* runtime;
    abi::ICudaEngine* engine;
    abi::VCudaEngine* impl;
    std::mutex mutex;  // guards recorder
    trt_recorder* recorder = nullptr;  // the one set through the shim; own reference

    trt_engine(trt_runtime* rt, abi::ICudaEngine* e) : runtime(rt), engine(e), impl(e->mImpl) { rt->retain(); }

    void retain() { ++refs; }
    void release() {
        if (--refs != 0) return;
        trt_runtime* rt = runtime;
        if (!g_shutdown.load()) {
            {
                FrameScope scope(rt->log, rt->log_ctx);
                delete engine;  // TensorRT drops its references to the recorder here
            }
            if (recorder) recorder->decRefCount();
            delete this;
        }
        rt->release();
    }
};

namespace {

trt_runtime* wrap_runtime(trt_library* library, abi::IRuntime* rt, trt_runtime* parent, trt_log_fn log,
                          trt_release_fn release, void* ctx) {
    auto* out = new trt_runtime();
    out->library = library;
    out->runtime = rt;
    out->impl = rt->mImpl;
    out->parent = parent;
    out->log = log;
    out->release_log = release;
    out->log_ctx = ctx;
    if (parent) parent->retain();
    return out;
}

}  // namespace

// ================================================================== exports

extern "C" {

const char* trt_last_error(void) noexcept { return tl_last_error.c_str(); }

int32_t trt_last_report_count(void) noexcept { return static_cast<int32_t>(tl_last_reports.size()); }

int32_t trt_last_report(int32_t index, int32_t* source, int32_t* code, const char** text) noexcept {
    if (index < 0 || static_cast<size_t>(index) >= tl_last_reports.size()) return TRT_E_INVALID_ARGUMENT;
    Report const& r = tl_last_reports[static_cast<size_t>(index)];
    *source = r.source;
    *code = r.code;
    *text = r.text.c_str();
    return TRT_OK;
}

int32_t trt_thread_in_call(void) noexcept { return tl_frame != nullptr; }

void trt_shutdown(void) noexcept { g_shutdown.store(true); }

// -------------------------------------------------------------- library

int32_t trt_library_open(const char* path, trt_library** out) noexcept {
    return guard([&]() -> int32_t {
        *out = nullptr;
        if (!path || !*path) return fail(TRT_E_INVALID_ARGUMENT, "empty library path");
        std::lock_guard<std::mutex> lock(g_libraries_mutex);
        if (std::strchr(path, '/')) {
            std::string const problem = elf_problem(path);
            if (!problem.empty()) return fail(TRT_E_LIBRARY, std::string("cannot load ") + path + ": " + problem);
        }
        dlerror();
        void* handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            char const* why = dlerror();
            return fail(TRT_E_LIBRARY, std::string("cannot load ") + path + ": " + (why ? why : "unknown error"));
        }
        std::string real = path;
        struct link_map* map = nullptr;
        if (dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map && map->l_name && *map->l_name) real = map->l_name;
        auto& known = libraries();
        auto found = known.find(real);
        if (found != known.end()) {
            dlclose(handle);  // drops only the extra reference taken just now
            *out = found->second;
            return TRT_OK;
        }
        auto version = reinterpret_cast<VersionFn>(dlsym(handle, "getInferLibVersion"));
        auto create = reinterpret_cast<CreateRuntimeFn>(dlsym(handle, "createInferRuntime_INTERNAL"));
        if (!version || !create) {
            dlclose(handle);
            return fail(TRT_E_LIBRARY, real + " is not a TensorRT runtime library (it exports no " +
                                           (version ? "createInferRuntime_INTERNAL" : "getInferLibVersion") + ")");
        }
        auto lib = std::make_unique<trt_library>();
        lib->handle = handle;
        lib->path = real;
        lib->create_runtime = create;
        trt_library_info& info = lib->info;
        info.encoded = version();
        auto part = [&](char const* name, int32_t fallback) {
            auto fn = reinterpret_cast<VersionFn>(dlsym(handle, name));
            return fn ? fn() : fallback;
        };
        // The encoded form is major*10000 + minor*100 + patch.
        info.major = part("getInferLibMajorVersion", info.encoded / 10000);
        info.minor = part("getInferLibMinorVersion", (info.encoded / 100) % 100);
        info.patch = part("getInferLibPatchVersion", info.encoded % 100);
        info.build = part("getInferLibBuildVersion", 0);
        info.has_builder = dlsym(handle, "createInferBuilder_INTERNAL") != nullptr;
        info.abi_supported = info.major == kSupportedMajor;
        *out = lib.get();
        known.emplace(real, lib.release());
        return TRT_OK;
    });
}

int32_t trt_library_get_info(trt_library* library, trt_library_info* out) noexcept {
    *out = library->info;
    return TRT_OK;
}

const char* trt_library_path(trt_library* library) noexcept { return library->path.c_str(); }

int32_t trt_library_has_symbol(trt_library* library, const char* name) noexcept {
    return dlsym(library->handle, name) != nullptr;
}

void trt_library_set_log_sink(trt_library* library, trt_log_fn fn, void* ctx) noexcept {
    library->logger.sink_ctx.store(ctx, std::memory_order_release);
    library->logger.sink.store(fn, std::memory_order_release);
}

// -------------------------------------------------------------- runtime

int32_t trt_runtime_create(trt_library* library, trt_log_fn log, trt_release_fn release, void* log_ctx,
                           trt_runtime** out) noexcept {
    return guard([&]() -> int32_t {
        *out = nullptr;
        if (!library->info.abi_supported) {
            return fail(TRT_E_UNSUPPORTED, "TensorRT " + std::to_string(library->info.major) +
                                               ".x is not supported by this build of trt_runtime (it supports " +
                                               std::to_string(kSupportedMajor) + ".x)");
        }
        FrameScope scope(log, log_ctx);
        void* raw = library->create_runtime(&library->logger, library->info.encoded);
        Frame& frame = scope.frame();
        if (frame.callback_failed) {
            // The runtime may be fine, but the caller must see the exception;
            // a good pointer is released, a bogus one left alone.
            if (plausible(raw) && frame.errors == 0) delete static_cast<abi::IRuntime*>(raw);
            return conclude(frame, false, "createInferRuntime");
        }
        if (!raw || !plausible(raw) || frame.errors > 0) {
            // Without a usable GPU TensorRT logs errors and returns a bogus
            // pointer: never touch it.
            std::string message = "TensorRT could not create a runtime";
            for (auto const& r : frame.reports) {
                if (r.code <= static_cast<int32_t>(abi::LogSeverity::kERROR)) {
                    message += ": " + r.text;
                    break;
                }
            }
            bool const no_device = !plausible(raw) && raw != nullptr;
            return fail(no_device ? TRT_E_NO_DEVICE : TRT_E_FAILED, message, &frame.reports);
        }
        *out = wrap_runtime(library, static_cast<abi::IRuntime*>(raw), nullptr, log, release, log_ctx);
        return TRT_OK;
    });
}

void trt_runtime_release(trt_runtime* runtime) noexcept {
    try {
        if (runtime) runtime->release();
    } catch (...) {
    }
}

void* trt_runtime_native(trt_runtime* runtime) noexcept { return runtime->runtime; }

int32_t trt_runtime_get_dla_core(trt_runtime* rt) noexcept { return rt->impl->getDLACore(); }
int32_t trt_runtime_get_num_dla_cores(trt_runtime* rt) noexcept { return rt->impl->getNbDLACores(); }
int32_t trt_runtime_get_max_threads(trt_runtime* rt) noexcept { return rt->impl->getMaxThreads(); }
uint32_t trt_runtime_get_tempfile_control_flags(trt_runtime* rt) noexcept {
    return rt->impl->getTempfileControlFlags();
}
int32_t trt_runtime_get_engine_host_code_allowed(trt_runtime* rt) noexcept {
    return rt->impl->getEngineHostCodeAllowed() ? 1 : 0;
}
const char* trt_runtime_get_temporary_directory(trt_runtime* rt) noexcept {
    return rt->impl->getTemporaryDirectory();
}

// Setters: TensorRT reports most refused values only through its logger or
// recorder, which the frame catches; where it says nothing at all (a DLA
// core that does not exist, a boolean) the setter reads the value back.
int32_t trt_runtime_set_dla_core(trt_runtime* rt, int32_t core) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(rt->log, rt->log_ctx);
        rt->impl->setDLACore(core);
        bool const ok = rt->impl->getDLACore() == core;
        if (!ok && scope.frame().reports.empty() && !scope.frame().callback_failed) {
            // TensorRT refused without a word: the shim's own text, not a fake report.
            return fail(TRT_E_FAILED, "setDLACore failed: DLA core " + std::to_string(core) +
                                          " was not accepted (the device has " +
                                          std::to_string(rt->impl->getNbDLACores()) + " DLA cores)");
        }
        return conclude(scope.frame(), ok, "setDLACore");
    });
}

int32_t trt_runtime_set_max_threads(trt_runtime* rt, int32_t count) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(rt->log, rt->log_ctx);
        bool const ok = rt->impl->setMaxThreads(count);  // false on refusal: no read-back needed
        return conclude(scope.frame(), ok, "setMaxThreads");
    });
}

int32_t trt_runtime_set_tempfile_control_flags(trt_runtime* rt, uint32_t flags) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(rt->log, rt->log_ctx);
        rt->impl->setTempfileControlFlags(flags);  // a refusal is logged, which the frame catches
        return conclude(scope.frame(), true, "setTempfileControlFlags");
    });
}

int32_t trt_runtime_set_engine_host_code_allowed(trt_runtime* rt, int32_t allowed) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(rt->log, rt->log_ctx);
        rt->impl->setEngineHostCodeAllowed(allowed != 0);
        return conclude(scope.frame(), rt->impl->getEngineHostCodeAllowed() == (allowed != 0),
                        "setEngineHostCodeAllowed");
    });
}

int32_t trt_runtime_set_temporary_directory(trt_runtime* rt, const char* path) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(rt->log, rt->log_ctx);
        rt->impl->setTemporaryDirectory(path);
        char const* now = rt->impl->getTemporaryDirectory();
        bool const ok = path ? (now && std::strcmp(now, path) == 0) : now == nullptr;
        return conclude(scope.frame(), ok, "setTemporaryDirectory");
    });
}

int32_t trt_runtime_set_error_recorder(trt_runtime* rt, trt_recorder* recorder) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(rt->log, rt->log_ctx);
        trt_recorder* old = nullptr;
        {
            std::lock_guard<std::mutex> lock(rt->mutex);
            if (recorder) recorder->incRefCount();  // the runtime's own reference
            rt->impl->setErrorRecorder(recorder);
            old = rt->recorder;
            rt->recorder = recorder;
        }
        if (old) old->decRefCount();
        return conclude(scope.frame(), true, "setErrorRecorder");
    });
}

int32_t trt_runtime_set_gpu_allocator(trt_runtime* rt, trt_allocator* allocator) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(rt->log, rt->log_ctx);
        std::lock_guard<std::mutex> lock(rt->mutex);
        if (allocator) rt->allocators.emplace_back(allocator);  // owned from here on
        rt->impl->setGpuAllocator(allocator);
        return conclude(scope.frame(), true, "setGpuAllocator");
    });
}

namespace {

abi::VRuntimeFrom11_4* runtime_11_4(trt_runtime* rt) {
    auto const& v = rt->library->info;
    if (v.major != 11 || v.minor < 4) return nullptr;
    return static_cast<abi::VRuntimeFrom11_4*>(rt->impl);
}

int32_t no_dla_workspace(trt_runtime* rt) {
    auto const& v = rt->library->info;
    return fail(TRT_E_UNSUPPORTED, "the DLA workspace allocation strategy needs TensorRT 11.4 or later; the loaded "
                                   "library is " + std::to_string(v.major) + "." + std::to_string(v.minor));
}

}  // namespace

int32_t trt_runtime_get_dla_workspace_strategy(trt_runtime* rt, int32_t* out) noexcept {
    return guard([&]() -> int32_t {
        abi::VRuntimeFrom11_4* impl = runtime_11_4(rt);
        if (!impl) return no_dla_workspace(rt);
        *out = static_cast<int32_t>(impl->getDLAWorkspaceAllocationStrategy());
        return TRT_OK;
    });
}

int32_t trt_runtime_set_dla_workspace_strategy(trt_runtime* rt, int32_t strategy) noexcept {
    return guard([&]() -> int32_t {
        abi::VRuntimeFrom11_4* impl = runtime_11_4(rt);
        if (!impl) return no_dla_workspace(rt);
        FrameScope scope(rt->log, rt->log_ctx);
        bool const ok = impl->setDLAWorkspaceAllocationStrategy(
            static_cast<abi::DLAWorkspaceAllocationStrategy>(strategy));
        return conclude(scope.frame(), ok, "setDLAWorkspaceAllocationStrategy");
    });
}

namespace {

int32_t finish_engine(trt_runtime* rt, Frame& frame, void* engine, char const* what, trt_engine** out) {
    auto* native = static_cast<abi::ICudaEngine*>(engine);
    if (native && (frame.callback_failed || !plausible(native))) {
        // Succeeded, but a callback raised: the caller sees the exception, so
        // the engine nobody will receive is destroyed.
        if (plausible(native)) delete native;
        native = nullptr;
    }
    int32_t const status = conclude(frame, native != nullptr && !frame.callback_failed, what);
    if (status != TRT_OK) {
        if (native) delete native;  // TensorRT logged an error yet returned an engine
        return status;
    }
    *out = new trt_engine(rt, native);
    return TRT_OK;
}

}  // namespace

int32_t trt_runtime_deserialize(trt_runtime* rt, const void* data, size_t size, trt_engine** out) noexcept {
    return guard([&]() -> int32_t {
        *out = nullptr;
        FrameScope scope(rt->log, rt->log_ctx);
        void* engine = rt->impl->deserializeCudaEngine(data, size);
        return finish_engine(rt, scope.frame(), engine, "deserializeCudaEngine", out);
    });
}

int32_t trt_runtime_deserialize_stream(trt_runtime* rt, const trt_stream_reader_fns* fns, void* ctx,
                                       trt_engine** out) noexcept {
    return guard([&]() -> int32_t {
        *out = nullptr;
        FrameScope scope(rt->log, rt->log_ctx);
        StreamReader reader(*fns, ctx);
        void* engine = rt->impl->deserializeCudaEngineV2(reader);
        return finish_engine(rt, scope.frame(), engine, "deserializeCudaEngineV2", out);
    });
}

int32_t trt_runtime_load_runtime(trt_runtime* rt, const char* path, trt_log_fn log, trt_release_fn release,
                                 void* log_ctx, trt_runtime** out) noexcept {
    return guard([&]() -> int32_t {
        *out = nullptr;
        FrameScope scope(log, log_ctx);
        abi::IRuntime* loaded = rt->impl->loadRuntime(path);
        Frame& frame = scope.frame();
        if (loaded && (frame.callback_failed || !plausible(loaded))) {
            if (plausible(loaded)) delete loaded;
            loaded = nullptr;
        }
        int32_t const status = conclude(frame, loaded != nullptr, "loadRuntime");
        if (status != TRT_OK) {
            if (loaded) delete loaded;
            return status;
        }
        *out = wrap_runtime(rt->library, loaded, rt, log, release, log_ctx);
        return TRT_OK;
    });
}

int32_t trt_runtime_get_plugin_registry(trt_runtime* rt, trt_plugin_registry** out) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(rt->log, rt->log_ctx);
        std::lock_guard<std::mutex> lock(rt->mutex);
        if (!rt->registry) {
            abi::IPluginRegistry& reg = rt->impl->getPluginRegistry();
            rt->registry.reset(new trt_plugin_registry{&reg});
        }
        *out = rt->registry.get();
        return conclude(scope.frame(), true, "getPluginRegistry");
    });
}

// -------------------------------------------------------------- plugin registry

namespace {

abi::IPluginCreatorInterface* const* creators(trt_plugin_registry* r, int32_t recursive, int32_t* count) {
    *count = 0;
    auto* list = recursive ? r->registry->getAllCreatorsRecursive(count) : r->registry->getAllCreators(count);
    if (!list) *count = 0;
    return list;
}

}  // namespace

int32_t trt_registry_num_creators(trt_plugin_registry* r, int32_t recursive, int32_t* out) noexcept {
    return guard([&]() -> int32_t {
        creators(r, recursive, out);
        return TRT_OK;
    });
}

int32_t trt_registry_creator(trt_plugin_registry* r, int32_t recursive, int32_t index, const char** kind,
                             const char** name, const char** version, const char** plugin_namespace) noexcept {
    return guard([&]() -> int32_t {
        *kind = *name = *version = *plugin_namespace = nullptr;
        int32_t count = 0;
        auto* list = creators(r, recursive, &count);
        if (index < 0 || index >= count) {
            return fail(TRT_E_INVALID_ARGUMENT, "creator index " + std::to_string(index) + " out of range [0, " +
                                                    std::to_string(count) + ")");
        }
        abi::IPluginCreatorInterface* c = list[index];
        if (!c) return fail(TRT_E_FAILED, "the registry returned no creator at index " + std::to_string(index));
        abi::InterfaceInfo const info = c->getInterfaceInfo();
        *kind = info.kind;
        if (info.kind && std::strcmp(info.kind, "PLUGIN CREATOR_V1") == 0) {
            auto* v1 = static_cast<abi::IPluginCreator*>(c);
            *name = v1->getPluginName();
            *version = v1->getPluginVersion();
            *plugin_namespace = v1->getPluginNamespace();
        } else if (info.kind && std::strcmp(info.kind, "PLUGIN CREATOR_V3ONE") == 0) {
            auto* v3 = static_cast<abi::IPluginCreatorV3One*>(c);
            *name = v3->getPluginName();
            *version = v3->getPluginVersion();
            *plugin_namespace = v3->getPluginNamespace();
        }
        return TRT_OK;
    });
}

int32_t trt_registry_get_parent_search_enabled(trt_plugin_registry* r, int32_t* out) noexcept {
    return guard([&]() -> int32_t {
        *out = r->registry->isParentSearchEnabled() ? 1 : 0;
        return TRT_OK;
    });
}

int32_t trt_registry_set_parent_search_enabled(trt_plugin_registry* r, int32_t enabled) noexcept {
    return guard([&]() -> int32_t {
        r->registry->setParentSearchEnabled(enabled != 0);
        return TRT_OK;
    });
}

// -------------------------------------------------------------- recorder, allocator

int32_t trt_recorder_create(const trt_recorder_fns* fns, void* ctx, trt_recorder** out) noexcept {
    return guard([&]() -> int32_t {
        *out = new trt_recorder(*fns, ctx);
        return TRT_OK;
    });
}

void trt_recorder_release(trt_recorder* recorder) noexcept {
    if (recorder) recorder->decRefCount();
}

int32_t trt_recorder_ref_count(trt_recorder* recorder) noexcept { return recorder->refs.load(); }

int32_t trt_allocator_create(const trt_allocator_fns* fns, void* ctx, trt_allocator** out) noexcept {
    return guard([&]() -> int32_t {
        *out = new trt_allocator(*fns, ctx);
        return TRT_OK;
    });
}

void trt_allocator_release(trt_allocator* allocator) noexcept { delete allocator; }

// -------------------------------------------------------------- engine

void trt_engine_release(trt_engine* engine) noexcept {
    try {
        if (engine) engine->release();
    } catch (...) {
    }
}

void* trt_engine_native(trt_engine* engine) noexcept { return engine->engine; }

}  // extern "C"

// A context holds its engine (which holds the runtime).
struct trt_context {
    trt_engine* engine;
    abi::IExecutionContext* context;
    abi::VExecutionContext* impl;
    std::mutex mutex;  // guards recorder
    trt_recorder* recorder = nullptr;  // the one set through the shim; own reference

    trt_context(trt_engine* e, abi::IExecutionContext* c) : engine(e), context(c), impl(c->mImpl) { e->retain(); }

    trt_runtime* runtime() const { return engine->runtime; }

    void release() {
        trt_engine* e = engine;
        if (!g_shutdown.load()) {
            {
                trt_runtime* rt = e->runtime;
                FrameScope scope(rt->log, rt->log_ctx);
                delete context;
            }
            if (recorder) recorder->decRefCount();
            delete this;
        }
        e->release();
    }
};

struct trt_host_memory {
    abi::IHostMemory* memory;
};

namespace {

static_assert(sizeof(trt_dims) == sizeof(abi::Dims64), "trt_dims must match Dims64");
static_assert(offsetof(trt_dims, d) == offsetof(abi::Dims64, d), "trt_dims must match Dims64");

constexpr int32_t kMaxDims = 8;
constexpr int32_t kModeNone = 0;  // TensorIOMode::kNONE

abi::Dims64 to_abi(trt_dims const& d) {
    abi::Dims64 out{};
    out.nbDims = d.nb_dims;
    for (int32_t i = 0; i < d.nb_dims && i < kMaxDims; ++i) out.d[i] = d.d[i];
    return out;
}

trt_dims from_abi(abi::Dims64 const& d) {
    trt_dims out{};
    out.nb_dims = d.nbDims;
    for (int32_t i = 0; i < d.nbDims && i < kMaxDims; ++i) out.d[i] = d.d[i];
    return out;
}

std::string quoted(char const* name) { return std::string("'") + (name ? name : "(null)") + "'"; }

int32_t no_tensor(char const* name) {
    return fail(TRT_E_INVALID_ARGUMENT, "the engine has no I/O tensor named " + quoted(name));
}

bool is_io_tensor(abi::VCudaEngine* impl, char const* name) {
    return name && static_cast<int32_t>(impl->getTensorIOMode(name)) != kModeNone;
}

// Swaps the shim's own reference to a recorder; `set` installs it in TensorRT.
template <typename Owner, typename Set>
void swap_recorder(Owner* owner, trt_recorder* recorder, Set&& set) {
    trt_recorder* old = nullptr;
    {
        std::lock_guard<std::mutex> lock(owner->mutex);
        if (recorder) recorder->incRefCount();
        set(recorder);
        old = owner->recorder;
        owner->recorder = recorder;
    }
    if (old) old->decRefCount();
}

template <typename Get>
int32_t tensor_dims(trt_context* c, const char* name, trt_dims* out, char const* what, Get&& get) {
    FrameScope scope(c->runtime()->log, c->runtime()->log_ctx);
    if (!is_io_tensor(c->engine->impl, name)) return no_tensor(name);
    abi::Dims64 const d = get();
    if (d.nbDims < 0 || d.nbDims > kMaxDims) {
        return conclude(scope.frame(), false, (std::string(what) + "(" + quoted(name) + ")").c_str());
    }
    *out = from_abi(d);
    return conclude(scope.frame(), true, what);
}

}  // namespace

extern "C" {

int32_t trt_engine_get_info(trt_engine* e, trt_engine_info* out) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(e->runtime->log, e->runtime->log_ctx);
        abi::VCudaEngine* impl = e->impl;
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
        out->device_memory_size_v2 = impl->getDeviceMemorySizeV2();
        out->streamable_weights_size = impl->getStreamableWeightsSize();
        return conclude(scope.frame(), true, "ICudaEngine queries");
    });
}

int32_t trt_engine_get_weight_streaming(trt_engine* e, int32_t which, int64_t* out) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(e->runtime->log, e->runtime->log_ctx);
        abi::VCudaEngine* impl = e->impl;
        switch (which) {
            case 0:
                *out = impl->getWeightStreamingBudgetV2();
                return conclude(scope.frame(), true, "getWeightStreamingBudgetV2");
            case 1:
                *out = impl->getWeightStreamingAutomaticBudget();
                return conclude(scope.frame(), true, "getWeightStreamingAutomaticBudget");
            case 2:
                *out = impl->getWeightStreamingScratchMemorySize();
                return conclude(scope.frame(), true, "getWeightStreamingScratchMemorySize");
            default:
                return fail(TRT_E_INVALID_ARGUMENT, "unknown weight streaming query " + std::to_string(which));
        }
    });
}

int32_t trt_engine_tensor_name(trt_engine* e, int32_t index, const char** out) noexcept {
    return guard([&]() -> int32_t {
        *out = nullptr;
        FrameScope scope(e->runtime->log, e->runtime->log_ctx);
        int32_t const count = e->impl->getNbIOTensors();
        if (index < 0 || index >= count) {
            return fail(TRT_E_INVALID_ARGUMENT, "I/O tensor index " + std::to_string(index) + " out of range [0, " +
                                                    std::to_string(count) + ")");
        }
        *out = e->impl->getIOTensorName(index);
        if (!*out) return conclude(scope.frame(), false, "getIOTensorName");
        return conclude(scope.frame(), true, "getIOTensorName");
    });
}

int32_t trt_engine_tensor_mode(trt_engine* e, const char* name) noexcept {
    try {
        if (!name) return kModeNone;
        FrameScope scope(e->runtime->log, e->runtime->log_ctx);
        return static_cast<int32_t>(e->impl->getTensorIOMode(name));
    } catch (...) {
        return kModeNone;
    }
}

int32_t trt_engine_tensor_info(trt_engine* e, const char* name, int32_t profile, trt_tensor_info* out) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(e->runtime->log, e->runtime->log_ctx);
        abi::VCudaEngine* impl = e->impl;
        if (!is_io_tensor(impl, name)) return no_tensor(name);
        if (profile >= 0) {
            int32_t const n = impl->getNbOptimizationProfiles();
            if (profile >= n) {
                return fail(TRT_E_INVALID_ARGUMENT, "optimization profile " + std::to_string(profile) +
                                                        " out of range [0, " + std::to_string(n) + ")");
            }
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
        return conclude(scope.frame(), true, ("queries of tensor " + quoted(name)).c_str());
    });
}

int32_t trt_engine_profile_shape(trt_engine* e, const char* name, int32_t profile, trt_dims* out) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(e->runtime->log, e->runtime->log_ctx);
        abi::VCudaEngine* impl = e->impl;
        if (!is_io_tensor(impl, name)) return no_tensor(name);
        int32_t const n = impl->getNbOptimizationProfiles();
        if (profile < 0 || profile >= n) {
            return fail(TRT_E_INVALID_ARGUMENT, "optimization profile " + std::to_string(profile) +
                                                    " out of range [0, " + std::to_string(n) + ")");
        }
        for (int32_t which = 0; which < 3; ++which) {
            abi::Dims64 const d = impl->getProfileShape(name, profile, static_cast<abi::OptProfileSelector>(which));
            if (d.nbDims < 0 || d.nbDims > kMaxDims) {
                std::string const what = "getProfileShape(" + quoted(name) + ", " + std::to_string(profile) + ")";
                int32_t const status = conclude(scope.frame(), false, what.c_str());
                if (scope.frame().reports.empty()) {
                    return fail(TRT_E_INVALID_ARGUMENT, "tensor " + quoted(name) + " has no shapes in optimization "
                                                        "profile " + std::to_string(profile) +
                                                        " (only inputs that are not shape tensors have)");
                }
                return status;
            }
            out[which] = from_abi(d);
        }
        return conclude(scope.frame(), true, "getProfileShape");
    });
}

int32_t trt_engine_device_memory_size_for_profile(trt_engine* e, int32_t profile, int64_t* out) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(e->runtime->log, e->runtime->log_ctx);
        int32_t const n = e->impl->getNbOptimizationProfiles();
        if (profile < 0 || profile >= n) {
            return fail(TRT_E_INVALID_ARGUMENT, "optimization profile " + std::to_string(profile) +
                                                    " out of range [0, " + std::to_string(n) + ")");
        }
        *out = e->impl->getDeviceMemorySizeForProfileV2(profile);
        return conclude(scope.frame(), *out >= 0, "getDeviceMemorySizeForProfileV2");
    });
}

int32_t trt_engine_set_weight_streaming_budget(trt_engine* e, int64_t budget) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(e->runtime->log, e->runtime->log_ctx);
        bool const ok = e->impl->setWeightStreamingBudgetV2(budget);
        return conclude(scope.frame(), ok, "setWeightStreamingBudgetV2");
    });
}

int32_t trt_engine_set_error_recorder(trt_engine* e, trt_recorder* recorder) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(e->runtime->log, e->runtime->log_ctx);
        swap_recorder(e, recorder, [&](trt_recorder* r) { e->impl->setErrorRecorder(r); });
        return conclude(scope.frame(), true, "setErrorRecorder");
    });
}

int32_t trt_engine_serialize(trt_engine* e, trt_host_memory** out) noexcept {
    return guard([&]() -> int32_t {
        *out = nullptr;
        FrameScope scope(e->runtime->log, e->runtime->log_ctx);
        abi::IHostMemory* memory = e->impl->serialize();
        if (memory && !plausible(memory)) memory = nullptr;
        std::unique_ptr<abi::IHostMemory> owned(memory);
        int32_t const status = conclude(scope.frame(), memory != nullptr, "serialize");
        if (status != TRT_OK) return status;
        *out = new trt_host_memory{owned.get()};
        owned.release();
        return TRT_OK;
    });
}

int32_t trt_engine_create_context(trt_engine* e, int32_t strategy, trt_context** out) noexcept {
    return guard([&]() -> int32_t {
        *out = nullptr;
        FrameScope scope(e->runtime->log, e->runtime->log_ctx);
        abi::IExecutionContext* raw =
            e->impl->createExecutionContext(static_cast<abi::ExecutionContextAllocationStrategy>(strategy));
        if (raw && !plausible(raw)) raw = nullptr;
        std::unique_ptr<abi::IExecutionContext> owned(raw);
        Frame& frame = scope.frame();
        int32_t const status = conclude(frame, raw != nullptr, "createExecutionContext");
        if (status != TRT_OK) return status;  // the unique_ptr destroys a context nobody receives
        *out = new trt_context(e, owned.get());
        owned.release();
        return TRT_OK;
    });
}

// -------------------------------------------------------------- host memory

int32_t trt_host_memory_get(trt_host_memory* m, uint64_t* address, uint64_t* size, int32_t* dtype) noexcept {
    return guard([&]() -> int32_t {
        abi::VHostMemory* impl = m->memory->mImpl;
        *address = reinterpret_cast<uintptr_t>(impl->data());
        *size = impl->size();
        *dtype = static_cast<int32_t>(impl->type());
        return TRT_OK;
    });
}

void trt_host_memory_release(trt_host_memory* m) noexcept {
    try {
        if (!m) return;
        if (!g_shutdown.load()) {
            delete m->memory;
            delete m;
        }
    } catch (...) {
    }
}

// -------------------------------------------------------------- execution context

void trt_context_release(trt_context* c) noexcept {
    try {
        if (c) c->release();
    } catch (...) {
    }
}

void* trt_context_native(trt_context* c) noexcept { return c->context; }

const char* trt_context_get_name(trt_context* c) noexcept {
    try {
        char const* name = c->impl->getName();
        return name ? name : "";
    } catch (...) {
        return "";
    }
}

int32_t trt_context_set_name(trt_context* c, const char* name) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(c->runtime()->log, c->runtime()->log_ctx);
        c->impl->setName(name);
        return conclude(scope.frame(), true, "setName");
    });
}

int32_t trt_context_get_debug_sync(trt_context* c) noexcept { return c->impl->getDebugSync() ? 1 : 0; }

int32_t trt_context_set_debug_sync(trt_context* c, int32_t sync) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(c->runtime()->log, c->runtime()->log_ctx);
        c->impl->setDebugSync(sync != 0);
        return conclude(scope.frame(), true, "setDebugSync");
    });
}

int32_t trt_context_get_optimization_profile(trt_context* c) noexcept { return c->impl->getOptimizationProfile(); }

int32_t trt_context_all_input_dimensions_specified(trt_context* c) noexcept {
    return c->impl->allInputDimensionsSpecified() ? 1 : 0;
}

int32_t trt_context_set_optimization_profile(trt_context* c, int32_t profile, uint64_t stream) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(c->runtime()->log, c->runtime()->log_ctx);
        bool const ok = c->impl->setOptimizationProfileAsync(
            profile, reinterpret_cast<trt_abi::cudaStream_t>(static_cast<uintptr_t>(stream)));
        return conclude(scope.frame(), ok, "setOptimizationProfileAsync");
    });
}

int32_t trt_context_set_error_recorder(trt_context* c, trt_recorder* recorder) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(c->runtime()->log, c->runtime()->log_ctx);
        swap_recorder(c, recorder, [&](trt_recorder* r) { c->impl->setErrorRecorder(r); });
        return conclude(scope.frame(), true, "setErrorRecorder");
    });
}

uint64_t trt_context_get_persistent_cache_limit(trt_context* c) noexcept {
    return c->impl->getPersistentCacheLimit();
}

int32_t trt_context_set_persistent_cache_limit(trt_context* c, uint64_t size) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(c->runtime()->log, c->runtime()->log_ctx);
        c->impl->setPersistentCacheLimit(static_cast<size_t>(size));
        return conclude(scope.frame(), true, "setPersistentCacheLimit");
    });
}

int32_t trt_context_set_input_shape(trt_context* c, const char* name, int32_t nb_dims, const int64_t* extents) noexcept {
    return guard([&]() -> int32_t {
        if (nb_dims < 0 || nb_dims > kMaxDims || (nb_dims > 0 && !extents)) {
            return fail(TRT_E_INVALID_ARGUMENT, "a shape has 0 to 8 extents, got " + std::to_string(nb_dims));
        }
        abi::Dims64 dims{};
        dims.nbDims = nb_dims;
        for (int32_t i = 0; i < nb_dims; ++i) dims.d[i] = extents[i];
        FrameScope scope(c->runtime()->log, c->runtime()->log_ctx);
        bool const ok = c->impl->setInputShape(name, dims);
        return conclude(scope.frame(), ok, ("setInputShape(" + quoted(name) + ")").c_str());
    });
}


int32_t trt_context_get_tensor_shape(trt_context* c, const char* name, trt_dims* out) noexcept {
    return guard([&]() -> int32_t {
        return tensor_dims(c, name, out, "getTensorShape", [&] { return c->impl->getTensorShape(name); });
    });
}

int32_t trt_context_get_tensor_strides(trt_context* c, const char* name, trt_dims* out) noexcept {
    return guard([&]() -> int32_t {
        return tensor_dims(c, name, out, "getTensorStrides", [&] { return c->impl->getTensorStrides(name); });
    });
}

int32_t trt_context_set_tensor_address(trt_context* c, const char* name, uint64_t address) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(c->runtime()->log, c->runtime()->log_ctx);
        bool const ok = c->impl->setTensorAddress(name, reinterpret_cast<void*>(static_cast<uintptr_t>(address)));
        if (!ok || scope.frame().errors > 0) {
            return conclude(scope.frame(), ok, ("setTensorAddress(" + quoted(name) + ")").c_str());
        }
        return TRT_OK;
    });
}

int32_t trt_context_get_tensor_address(trt_context* c, const char* name, uint64_t* out) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(c->runtime()->log, c->runtime()->log_ctx);
        if (!is_io_tensor(c->engine->impl, name)) return no_tensor(name);
        *out = reinterpret_cast<uintptr_t>(c->impl->getTensorAddress(name));
        return conclude(scope.frame(), true, "getTensorAddress");
    });
}

int32_t trt_context_infer_shapes(trt_context* c, int32_t capacity, const char** names, int32_t* out_count) noexcept {
    return guard([&]() -> int32_t {
        *out_count = 0;
        if (capacity < 0 || (capacity > 0 && !names)) {
            return fail(TRT_E_INVALID_ARGUMENT, "inferShapes needs room for a non-negative number of names");
        }
        FrameScope scope(c->runtime()->log, c->runtime()->log_ctx);
        int32_t const n = c->impl->inferShapes(capacity, names);
        if (n < 0) return conclude(scope.frame(), false, "inferShapes");
        *out_count = n;
        return conclude(scope.frame(), true, "inferShapes");
    });
}

int32_t trt_context_set_device_memory(trt_context* c, uint64_t address, int64_t size) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(c->runtime()->log, c->runtime()->log_ctx);
        void* memory = reinterpret_cast<void*>(static_cast<uintptr_t>(address));
        if (size < 0) {
            c->impl->setDeviceMemory(memory);
            return conclude(scope.frame(), true, "setDeviceMemory");
        }
        c->impl->setDeviceMemoryV2(memory, size);
        return conclude(scope.frame(), true, "setDeviceMemoryV2");
    });
}

int32_t trt_context_update_device_memory_size_for_shapes(trt_context* c, uint64_t* out) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(c->runtime()->log, c->runtime()->log_ctx);
        *out = c->impl->updateDeviceMemorySizeForShapes();
        return conclude(scope.frame(), true, "updateDeviceMemorySizeForShapes");
    });
}

int32_t trt_context_enqueue(trt_context* c, uint64_t stream) noexcept {
    return guard([&]() -> int32_t {
        FrameScope scope(c->runtime()->log, c->runtime()->log_ctx);
        bool const ok = c->impl->enqueueV3(reinterpret_cast<trt_abi::cudaStream_t>(static_cast<uintptr_t>(stream)));
        if (!ok || scope.frame().errors > 0 || scope.frame().callback_failed) {
            return conclude(scope.frame(), ok, "enqueueV3");
        }
        return TRT_OK;
    });
}

int32_t trt_context_execute(trt_context* c, const trt_binding* b, uint64_t stream) noexcept {
    return guard([&]() -> int32_t {
        if (b->num_shapes < 0 || b->num_tensors < 0 || (b->num_shapes > 0 && (!b->shape_names || !b->shapes)) ||
            (b->num_tensors > 0 && (!b->names || !b->addresses))) {
            return fail(TRT_E_INVALID_ARGUMENT, "malformed binding");
        }
        FrameScope scope(c->runtime()->log, c->runtime()->log_ctx);
        Frame& frame = scope.frame();
        abi::VExecutionContext* impl = c->impl;
        for (int32_t i = 0; i < b->num_shapes; ++i) {
            trt_dims const& d = b->shapes[i];
            if (d.nb_dims < 0 || d.nb_dims > kMaxDims) {
                return fail(TRT_E_INVALID_ARGUMENT, "shape of " + quoted(b->shape_names[i]) + " has " +
                                                        std::to_string(d.nb_dims) + " extents (0 to 8)");
            }
            if (!impl->setInputShape(b->shape_names[i], to_abi(d)) || frame.errors > 0 || frame.callback_failed) {
                return conclude(frame, false, ("setInputShape(" + quoted(b->shape_names[i]) + ")").c_str());
            }
        }
        for (int32_t i = 0; i < b->num_tensors; ++i) {
            void* address = reinterpret_cast<void*>(static_cast<uintptr_t>(b->addresses[i]));
            if (!impl->setTensorAddress(b->names[i], address) || frame.errors > 0 || frame.callback_failed) {
                return conclude(frame, false, ("setTensorAddress(" + quoted(b->names[i]) + ")").c_str());
            }
        }
        bool const ok = impl->enqueueV3(reinterpret_cast<trt_abi::cudaStream_t>(static_cast<uintptr_t>(stream)));
        if (!ok || frame.errors > 0 || frame.callback_failed) return conclude(frame, ok, "enqueueV3");
        return TRT_OK;
    });
}

}  // extern "C"
