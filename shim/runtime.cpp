// The runtime: creation, settings, deserialization, sub-runtimes.

#include <cstring>

#include "objects.hpp"

using namespace shim;

namespace shim {
namespace {

template <typename A>
trt_runtime* wrap_runtime(trt_library* library, typename A::IRuntime* native, trt_runtime* parent, trt_log_fn log,
                          trt_log_target* target, void* ctx) {
    auto* out = new trt_runtime();
    out->library = library;
    out->major = library->info.major;
    out->minor = library->info.minor;
    out->runtime = native;
    out->impl = native->mImpl;
    out->parent = parent;
    out->log = log;
    out->log_ctx = ctx;
    out->target = target;
    if (parent) {
        parent->retain();
        out->device = parent->device;  // a loaded runtime runs on its parent's device
    }
    return out;
}

// The first error TensorRT logged, for a message.
std::string first_error(Frame const& frame) {
    for (auto const& r : frame.reports) {
        if (r.code <= static_cast<int32_t>(nv::LogSeverity::kERROR)) return ": " + r.text;
    }
    return "";
}

// Turns what a deserialization returned into the caller's engine. The engine
// holds the allocators that were set while it was deserialized.
template <typename A>
int32_t finish_engine(trt_runtime* rt, Frame& frame, typename A::ICudaEngine* native, trt_allocator* before,
                      char const* what, bool file_changed, trt_engine** out) {
    std::unique_ptr<trt_allocator, void (*)(trt_allocator*)> held(before, [](trt_allocator* a) {
        if (a) shim::release(a);
    });
    if (native && !plausible(native)) native = nullptr;
    std::unique_ptr<typename A::ICudaEngine> owned(native);
    if (file_changed && frame.callback_failures == 0) {
        // The file was cut short while TensorRT read it: what it read is not the plan.
        return fail(TRT_E_DESERIALIZE, std::string(what) + " failed: the plan file was truncated or replaced in "
                                       "place while it was read; the engine is discarded", &frame);
    }
    // An engine nobody receives (a callback raised, or TensorRT also logged
    // an error) is destroyed by `owned`.
    int32_t const status = conclude(frame, native != nullptr, what, TRT_E_DESERIALIZE);
    if (status != TRT_OK) return status;
    auto* e = new trt_engine(rt, native, native->mImpl);
    owned.release();
    e->allocators[0] = held.release();
    trt_allocator* after = rt->current_allocator();
    if (after == e->allocators[0] && after) shim::release(after);
    else e->allocators[1] = after;
    *out = e;
    return TRT_OK;
}

nv::VRuntimeFrom11_4* runtime_11_4(trt_runtime* rt) {
    if (rt->major != 11 || rt->minor < 4) return nullptr;
    return static_cast<nv::VRuntimeFrom11_4*>(rt->v<Abi11>());
}

int32_t no_dla_workspace(trt_runtime* rt) {
    return fail(TRT_E_UNSUPPORTED, "the DLA workspace allocation strategy needs TensorRT 11.4 or later; the loaded "
                                   "library is " + std::to_string(rt->major) + "." + std::to_string(rt->minor));
}

// The runtime's V-table object, typed for the library's major version, given to `body`.
template <typename Body>
decltype(auto) on_runtime(trt_runtime* rt, Body&& body) {
    return with_abi(rt->major, [&](auto tag) { return body(tag, rt->v<decltype(tag)>()); });
}

}  // namespace
}  // namespace shim

void trt_runtime::delete_native() noexcept {
    with_abi(major, [&](auto tag) { delete static_cast<typename decltype(tag)::IRuntime*>(runtime); });
}

void trt_runtime::release_extras() noexcept {
    // The device binding belongs to the runtime that made it; loaded runtimes share it.
    if (!parent) device_unbind(device);
    // The logger, which other runtimes may share: the last one releases it.
    if (target) target->give();
}

void trt_log_target::finish(bool call_release) noexcept {
    // The Python side may let the logger's bridge go now.
    if (call_release && release) {
        invoke([&] {
            release(ctx);
            return 0;
        });
    }
    drop();  // the hold of "not released yet"
}

// ================================================================== exports

extern "C" {

int32_t trt_log_target_create(trt_log_fn log, trt_release_fn release, void* ctx, trt_log_target** out) noexcept {
    return guard([&]() -> int32_t {
        *out = nullptr;
        auto* target = new trt_log_target();
        target->log = log;
        target->release = release;
        target->ctx = ctx;
        *out = target;
        return TRT_OK;
    });
}

void trt_log_target_drop(trt_log_target* target) noexcept {
    if (target) target->drop();
}

void trt_log_target_give(trt_log_target* target) noexcept {
    if (target) target->give();
}

int32_t trt_runtime_create(trt_library* library, int32_t device, trt_log_fn log, trt_release_fn release,
                           void* log_ctx, trt_runtime** out) noexcept {
    trt_log_target* target = nullptr;
    int32_t status = trt_log_target_create(log, release, log_ctx, &target);
    if (status != TRT_OK) return status;
    status = trt_runtime_create_for(library, device, target, out);
    // On failure the caller keeps what the shim never took: no release.
    if (status != TRT_OK) target->abandon();
    else target->give();
    target->drop();
    return status;
}

int32_t trt_runtime_create_for(trt_library* library, int32_t device, trt_log_target* target,
                               trt_runtime** out) noexcept {
    return guard([&]() -> int32_t {
        *out = nullptr;
        if (!target) return fail(TRT_E_INVALID_ARGUMENT, "trt_runtime_create_for: the log target is NULL");
        trt_log_fn const log = target->log;
        void* const log_ctx = target->ctx;
        if (!library) return fail(TRT_E_CLOSED, "trt_runtime_create: the library handle is NULL");
        if (!library->info.abi_supported) {
            return fail(TRT_E_UNSUPPORTED_VERSION,
                        "TensorRT " + std::to_string(library->info.major) +
                            ".x is not supported by this build of trt_runtime (it supports " +
                            std::to_string(kOldestMajor) + ".x to " + std::to_string(kNewestMajor) + ".x)");
        }
        DeviceBinding binding;
        if (device >= 0) {
            if (int32_t const status = device_bind(device, &binding)) return status;
        }
        // Unbinds unless the new runtime takes the binding.
        std::unique_ptr<DeviceBinding, void (*)(DeviceBinding*)> unbind(&binding, [](DeviceBinding* b) {
            device_unbind(*b);
        });
        // TensorRT binds the runtime to the context current now.
        DeviceScope on_device(binding);
        if (!on_device.ok()) {
            return fail(TRT_E_NO_DEVICE, "the primary context of CUDA device " + std::to_string(device) +
                                             " could not be made current");
        }
        FrameScope scope(log, log_ctx);
        Frame& frame = scope.frame();
        void* raw = library->create_runtime(library->logger(), library->info.encoded);
        auto destroy_raw = [&] {
            with_abi(library->info.major, [&](auto tag) { delete static_cast<typename decltype(tag)::IRuntime*>(raw); });
        };
        if (frame.callback_failures > 0) {
            // The runtime may be fine, but the caller must see the exception;
            // a good pointer is released, a bogus one left alone.
            if (plausible(raw) && frame.errors == 0) destroy_raw();
            return conclude(frame, false, "createInferRuntime");
        }
        if (!raw || !plausible(raw) || frame.errors > 0) {
            // Without a usable GPU TensorRT logs errors and returns a bogus
            // pointer: never touch it.
            bool const no_device = !plausible(raw) && raw != nullptr;
            return fail(no_device ? TRT_E_NO_DEVICE : TRT_E_FAILED,
                        "TensorRT could not create a runtime" + first_error(frame), &frame);
        }
        if (!target->take()) {
            destroy_raw();
            return fail(TRT_E_CLOSED, "trt_runtime_create_for: the log target was released (its runtimes are gone)");
        }
        *out = with_abi(library->info.major, [&](auto tag) {
            using A = decltype(tag);
            return wrap_runtime<A>(library, static_cast<typename A::IRuntime*>(raw), nullptr, log, target, log_ctx);
        });
        (*out)->device = binding;
        unbind.release();
        return TRT_OK;
    });
}

void trt_runtime_release(trt_runtime* runtime) noexcept {
    if (runtime) runtime->release();
}

void* trt_runtime_native(trt_runtime* runtime) noexcept { return runtime ? runtime->runtime : nullptr; }

// Plain getters sit on the hot path of property access: no frame, nothing to
// report, and the caller's reference keeps the runtime alive.
int32_t trt_runtime_get_dla_core(trt_runtime* rt) noexcept {
    return on_runtime(rt, [](auto, auto* impl) { return impl->getDLACore(); });
}
int32_t trt_runtime_get_num_dla_cores(trt_runtime* rt) noexcept {
    return on_runtime(rt, [](auto, auto* impl) { return impl->getNbDLACores(); });
}
int32_t trt_runtime_get_max_threads(trt_runtime* rt) noexcept {
    return on_runtime(rt, [](auto, auto* impl) { return impl->getMaxThreads(); });
}
uint32_t trt_runtime_get_tempfile_control_flags(trt_runtime* rt) noexcept {
    return on_runtime(rt, [](auto, auto* impl) { return static_cast<uint32_t>(impl->getTempfileControlFlags()); });
}
int32_t trt_runtime_get_engine_host_code_allowed(trt_runtime* rt) noexcept {
    return on_runtime(rt, [](auto, auto* impl) { return impl->getEngineHostCodeAllowed() ? 1 : 0; });
}
const char* trt_runtime_get_temporary_directory(trt_runtime* rt) noexcept {
    return on_runtime(rt, [](auto, auto* impl) { return impl->getTemporaryDirectory(); });
}

// Setters: TensorRT reports most refused values only through its logger or
// recorder, which the frame catches; where it says nothing at all (a DLA
// core that does not exist, a boolean) the setter reads the value back.
int32_t trt_runtime_set_dla_core(trt_runtime* rt, int32_t core) noexcept {
    return call(rt, "setDLACore", [&](Frame& frame) {
        return on_runtime(rt, [&](auto, auto* impl) -> int32_t {
            impl->setDLACore(core);
            bool const ok = impl->getDLACore() == core;
            if (!ok && frame.reports.empty() && frame.callback_failures == 0) {
                // TensorRT refused without a word: the shim's own text, not a fake report.
                return fail(TRT_E_INVALID_ARGUMENT, "setDLACore failed: DLA core " + std::to_string(core) +
                                                        " was not accepted (the device has " +
                                                        std::to_string(impl->getNbDLACores()) + " DLA cores)");
            }
            return conclude(frame, ok, "setDLACore", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_runtime_set_max_threads(trt_runtime* rt, int32_t count) noexcept {
    return call(rt, "setMaxThreads", [&](Frame& frame) {
        // false on refusal: no read-back needed
        bool const ok = on_runtime(rt, [&](auto, auto* impl) { return impl->setMaxThreads(count); });
        return conclude(frame, ok, "setMaxThreads", TRT_E_INVALID_ARGUMENT);
    });
}

int32_t trt_runtime_set_tempfile_control_flags(trt_runtime* rt, uint32_t flags) noexcept {
    return call(rt, "setTempfileControlFlags", [&](Frame& frame) {
        // A refusal is logged, which the frame catches.
        on_runtime(rt, [&](auto, auto* impl) { impl->setTempfileControlFlags(flags); });
        return conclude(frame, true, "setTempfileControlFlags", TRT_E_INVALID_ARGUMENT);
    });
}

int32_t trt_runtime_set_engine_host_code_allowed(trt_runtime* rt, int32_t allowed) noexcept {
    return call(rt, "setEngineHostCodeAllowed", [&](Frame& frame) {
        bool const ok = on_runtime(rt, [&](auto, auto* impl) {
            impl->setEngineHostCodeAllowed(allowed != 0);
            return impl->getEngineHostCodeAllowed() == (allowed != 0);
        });
        return conclude(frame, ok, "setEngineHostCodeAllowed", TRT_E_INVALID_ARGUMENT);
    });
}

int32_t trt_runtime_set_temporary_directory(trt_runtime* rt, const char* path) noexcept {
    return call(rt, "setTemporaryDirectory", [&](Frame& frame) {
        char const* now = on_runtime(rt, [&](auto, auto* impl) {
            impl->setTemporaryDirectory(path);
            return impl->getTemporaryDirectory();
        });
        bool const ok = path ? (now && std::strcmp(now, path) == 0) : now == nullptr;
        return conclude(frame, ok, "setTemporaryDirectory", TRT_E_INVALID_ARGUMENT);
    });
}

int32_t trt_runtime_set_error_recorder(trt_runtime* rt, trt_recorder* recorder) noexcept {
    return call(rt, "setErrorRecorder", [&](Frame& frame) {
        rt->swap_recorder(recorder, [&](trt_recorder* r) {
            on_runtime(rt, [&](auto tag, auto* impl) { impl->setErrorRecorder(r ? abi<decltype(tag)>(r) : nullptr); });
        });
        return conclude(frame, true, "setErrorRecorder", TRT_E_INVALID_ARGUMENT);
    });
}

int32_t trt_runtime_set_gpu_allocator(trt_runtime* rt, trt_allocator* allocator) noexcept {
    return call(rt, "setGpuAllocator", [&](Frame& frame) {
        rt->swap_allocator(allocator, [&](trt_allocator* a) {
            on_runtime(rt, [&](auto tag, auto* impl) { impl->setGpuAllocator(a ? abi<decltype(tag)>(a) : nullptr); });
        });
        return conclude(frame, true, "setGpuAllocator", TRT_E_INVALID_ARGUMENT);
    });
}

int32_t trt_runtime_get_dla_workspace_strategy(trt_runtime* rt, int32_t* out) noexcept {
    return call(rt, "getDLAWorkspaceAllocationStrategy", [&](Frame& frame) -> int32_t {
        nv::VRuntimeFrom11_4* impl = runtime_11_4(rt);
        if (!impl) return no_dla_workspace(rt);
        *out = static_cast<int32_t>(impl->getDLAWorkspaceAllocationStrategy());
        return conclude(frame, true, "getDLAWorkspaceAllocationStrategy");
    });
}

int32_t trt_runtime_set_dla_workspace_strategy(trt_runtime* rt, int32_t strategy) noexcept {
    return call(rt, "setDLAWorkspaceAllocationStrategy", [&](Frame& frame) -> int32_t {
        nv::VRuntimeFrom11_4* impl = runtime_11_4(rt);
        if (!impl) return no_dla_workspace(rt);
        bool const ok = impl->setDLAWorkspaceAllocationStrategy(static_cast<nv::DLAWorkspaceAllocationStrategy>(strategy));
        return conclude(frame, ok, "setDLAWorkspaceAllocationStrategy", TRT_E_INVALID_ARGUMENT);
    });
}

int32_t trt_runtime_deserialize(trt_runtime* rt, const void* data, size_t size, trt_engine** out) noexcept {
    *out = nullptr;
    return call(rt, "deserializeCudaEngine", [&](Frame& frame) {
        trt_allocator* before = rt->current_allocator();
        return on_runtime(rt, [&](auto tag, auto* impl) {
            auto* engine = impl->deserializeCudaEngine(data, size);
            return finish_engine<decltype(tag)>(rt, frame, engine, before, "deserializeCudaEngine", false, out);
        });
    });
}

int32_t trt_runtime_deserialize_mapping(trt_runtime* rt, trt_mapping* mapping, trt_engine** out) noexcept {
    *out = nullptr;
    if (!mapping) return fail(TRT_E_CLOSED, "deserializeCudaEngine: the mapping handle is NULL");
    return call(rt, "deserializeCudaEngine", [&](Frame& frame) {
        trt_allocator* before = rt->current_allocator();
        return on_runtime(rt, [&](auto tag, auto* impl) {
            auto* engine = impl->deserializeCudaEngine(mapping_data(mapping), mapping_size(mapping));
            return finish_engine<decltype(tag)>(rt, frame, engine, before, "deserializeCudaEngine",
                                                mapping_faulted(mapping), out);
        });
    });
}

int32_t trt_runtime_deserialize_stream(trt_runtime* rt, const trt_stream_reader_fns* fns, void* ctx,
                                       trt_engine** out) noexcept {
    *out = nullptr;
    if (!fns) return fail(TRT_E_INVALID_ARGUMENT, "deserializeCudaEngineV2: fns is NULL");
    return call(rt, "deserializeCudaEngineV2", [&](Frame& frame) {
        trt_allocator* before = rt->current_allocator();
        return on_runtime(rt, [&](auto tag, auto* impl) {
            using A = decltype(tag);
            if constexpr (A::major == 10) {
                if (rt->minor < trt_abi::v10::first_minor::VRuntime_deserializeCudaEngineV2) {
                    // Before 10.7: the older reader interface, read sequentially.
                    StreamReaderV1 reader(*fns, ctx);
                    auto* engine = impl->deserializeCudaEngine(reader);
                    return finish_engine<A>(rt, frame, engine, before, "deserializeCudaEngine", false, out);
                }
            }
            StreamReader reader(*fns, ctx);
            auto* engine = impl->deserializeCudaEngineV2(abi<A>(reader));
            return finish_engine<A>(rt, frame, engine, before, "deserializeCudaEngineV2", false, out);
        });
    });
}

int32_t trt_runtime_load_runtime(trt_runtime* rt, const char* path, trt_log_fn log, trt_release_fn release,
                                 void* log_ctx, trt_runtime** out) noexcept {
    *out = nullptr;
    return call(rt, "loadRuntime", [&](Frame& frame) -> int32_t {
        return on_runtime(rt, [&](auto tag, auto* impl) -> int32_t {
            using A = decltype(tag);
            auto* loaded = impl->loadRuntime(path);
            if (loaded && !plausible(loaded)) loaded = nullptr;
            std::unique_ptr<typename A::IRuntime> owned(loaded);  // destroys a runtime nobody receives
            int32_t const status = conclude(frame, loaded != nullptr, "loadRuntime");
            if (status != TRT_OK) return status;
            // With no release, the context is the parent's logger's: the parent, held, keeps it.
            trt_log_target* target = nullptr;
            if (release) {  // the creator's hold becomes the runtime's
                if (int32_t const made = trt_log_target_create(log, release, log_ctx, &target)) return made;
            }
            *out = wrap_runtime<A>(rt->library, owned.release(), rt, log, target, log_ctx);
            if (target) target->drop();  // the runtime's hold keeps it
            return TRT_OK;
        });
    });
}

int32_t trt_runtime_adopt(trt_library* library, void* native, int32_t owned, trt_log_fn log, trt_release_fn release,
                          void* log_ctx, trt_runtime** out) noexcept {
    return guard([&]() -> int32_t {
        *out = nullptr;
        if (!library) return fail(TRT_E_CLOSED, "trt_runtime_adopt: the library handle is NULL");
        if (!library->info.abi_supported) {
            return fail(TRT_E_UNSUPPORTED_VERSION, "trt_runtime_adopt: TensorRT " +
                                                       std::to_string(library->info.major) + ".x is not supported");
        }
        if (!plausible(native)) return fail(TRT_E_INVALID_ARGUMENT, "trt_runtime_adopt: not an IRuntime pointer");
        trt_log_target* target = nullptr;
        // The creator's hold becomes the runtime's.
        if (int32_t const status = trt_log_target_create(log, release, log_ctx, &target)) return status;
        trt_runtime* rt = with_abi(library->info.major, [&](auto tag) {
            using A = decltype(tag);
            return wrap_runtime<A>(library, static_cast<typename A::IRuntime*>(native), nullptr, log, target, log_ctx);
        });
        target->drop();  // the runtime's hold keeps it
        rt->owned = owned != 0;
        *out = rt;
        return TRT_OK;
    });
}

int32_t trt_runtime_get_plugin_registry(trt_runtime* rt, trt_plugin_registry** out) noexcept {
    *out = nullptr;
    return call(rt, "getPluginRegistry", [&](Frame& frame) {
        std::lock_guard<std::mutex> lock(rt->mutex());
        if (!rt->registry) {
            void* reg = on_runtime(rt, [](auto, auto* impl) -> void* { return &impl->getPluginRegistry(); });
            rt->registry.reset(new trt_plugin_registry{reg, rt});
        }
        *out = rt->registry.get();
        return conclude(frame, true, "getPluginRegistry");
    });
}

}  // extern "C"
