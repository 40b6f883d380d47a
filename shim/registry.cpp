// Plugin registries: a runtime's (calls hold that runtime) and the process's
// (getPluginRegistry() of a library, which lives as long as the process);
// initLibNvInferPlugins of the full library's plugin library.

#include <dlfcn.h>

#include <cstring>
#include <map>
#include <memory>

#include "objects.hpp"
#include "tensors.hpp"

using namespace shim;

namespace {


int32_t major_of(trt_plugin_registry const* r) { return r->runtime ? r->runtime->major : r->major; }
int32_t minor_of(trt_plugin_registry const* r) { return r->runtime ? r->runtime->minor : r->minor; }

// Runs `body(frame)` as call() does: with the runtime held, or, for the
// process's registry, with a frame whose messages go to the library's sink.
template <typename Body>
int32_t reg_call(trt_plugin_registry* r, char const* what, Body&& body) noexcept {
    if (!r) return fail(TRT_E_CLOSED, std::string(what) + ": the handle is NULL (closed)");
    if (r->runtime) return call(r->runtime, what, body);
    return guard([&]() -> int32_t {
        FrameScope scope(r->library->sink.fn.load(), r->library->sink.ctx.load());
        return body(scope.frame());
    });
}

// The registry typed for the library's major version, given to `body`.
template <typename Body>
decltype(auto) on_registry(trt_plugin_registry* r, Body&& body) {
    return with_abi(major_of(r), [&](auto tag) {
        return body(tag, static_cast<typename decltype(tag)::IPluginRegistry*>(r->registry));
    });
}

// The creators, or TRT_E_UNSUPPORTED for a recursive listing on a 10.x minor without it.
template <typename A, typename R>
int32_t creators(trt_plugin_registry* r, R* registry, int32_t recursive,
                 typename A::IPluginCreatorInterface* const** list, int32_t* count) {
    *count = 0;
    *list = nullptr;
    if (recursive && A::major == 10 && minor_of(r) < first::IPluginRegistry_getAllCreatorsRecursive) {
        return fail(TRT_E_UNSUPPORTED, needs_minor(10, minor_of(r), "getAllCreatorsRecursive",
                                                   first::IPluginRegistry_getAllCreatorsRecursive));
    }
    *list = recursive ? registry->getAllCreatorsRecursive(count) : registry->getAllCreators(count);
    if (!*list) *count = 0;
    return TRT_OK;
}

// Name, version and namespace of a creator, by its interface kind.
template <typename A>
void describe(void* creator, const char** kind, const char** name, const char** version, const char** ns) {
    auto* c = static_cast<typename A::IPluginCreatorInterface*>(creator);
    auto const info = c->getInterfaceInfo();
    *kind = info.kind;
    if (info.kind && std::strcmp(info.kind, "PLUGIN CREATOR_V1") == 0) {
        auto* v1 = static_cast<typename A::IPluginCreator*>(c);
        *name = v1->getPluginName();
        *version = v1->getPluginVersion();
        *ns = v1->getPluginNamespace();
    } else if (info.kind && std::strcmp(info.kind, "PLUGIN CREATOR_V3ONE") == 0) {
        auto* v3 = static_cast<typename A::IPluginCreatorV3One*>(c);
        *name = v3->getPluginName();
        *version = v3->getPluginVersion();
        *ns = v3->getPluginNamespace();
    }
}

std::mutex g_process_mutex;
std::map<trt_library*, std::unique_ptr<trt_plugin_registry>> g_process_registries;  // never freed

}  // namespace

extern "C" {

int32_t trt_registry_num_creators(trt_plugin_registry* r, int32_t recursive, int32_t* out) noexcept {
    return reg_call(r, "getAllCreators", [&](Frame& frame) {
        return on_registry(r, [&](auto tag, auto* registry) -> int32_t {
            typename decltype(tag)::IPluginCreatorInterface* const* list = nullptr;
            if (int32_t const status = creators<decltype(tag)>(r, registry, recursive, &list, out)) return status;
            return conclude(frame, true, "getAllCreators");
        });
    });
}

int32_t trt_registry_creator(trt_plugin_registry* r, int32_t recursive, int32_t index, const char** kind,
                             const char** name, const char** version, const char** plugin_namespace) noexcept {
    *kind = *name = *version = *plugin_namespace = nullptr;
    return reg_call(r, "getAllCreators", [&](Frame& frame) {
        return on_registry(r, [&](auto tag, auto* registry) -> int32_t {
            using A = decltype(tag);
            int32_t count = 0;
            typename A::IPluginCreatorInterface* const* list = nullptr;
            if (int32_t const status = creators<A>(r, registry, recursive, &list, &count)) return status;
            if (index < 0 || index >= count) {
                return fail(TRT_E_INVALID_ARGUMENT, "creator index " + std::to_string(index) + " out of range [0, " +
                                                        std::to_string(count) + ")");
            }
            if (!list[index]) return fail(TRT_E_FAILED, "the registry returned no creator at index " + std::to_string(index));
            describe<A>(list[index], kind, name, version, plugin_namespace);
            return conclude(frame, true, "getAllCreators");
        });
    });
}

int32_t trt_registry_get_parent_search_enabled(trt_plugin_registry* r, int32_t* out) noexcept {
    return reg_call(r, "isParentSearchEnabled", [&](Frame& frame) {
        *out = on_registry(r, [](auto, auto* registry) { return registry->isParentSearchEnabled() ? 1 : 0; });
        return conclude(frame, true, "isParentSearchEnabled");
    });
}

int32_t trt_registry_set_parent_search_enabled(trt_plugin_registry* r, int32_t enabled) noexcept {
    return reg_call(r, "setParentSearchEnabled", [&](Frame& frame) {
        on_registry(r, [&](auto, auto* registry) { registry->setParentSearchEnabled(enabled != 0); });
        return conclude(frame, true, "setParentSearchEnabled", TRT_E_INVALID_ARGUMENT);
    });
}

int32_t trt_library_plugin_registry(trt_library* library, trt_plugin_registry** out) noexcept {
    *out = nullptr;
    if (!library) return fail(TRT_E_CLOSED, "getPluginRegistry: the library handle is NULL");
    return guard([&]() -> int32_t {
        std::lock_guard<std::mutex> lock(g_process_mutex);
        auto& slot = g_process_registries[library];
        if (!slot) {
            using GetFn = void* (*)();
            auto get = reinterpret_cast<GetFn>(dlsym(library->handle, "getPluginRegistry"));
            if (!get) return fail(TRT_E_UNSUPPORTED, library->path + " does not export getPluginRegistry");
            void* native = nullptr;
            {
                FrameScope scope(library->sink.fn.load(), library->sink.ctx.load());
                native = get();
                if (!native) return conclude(scope.frame(), false, "getPluginRegistry");
            }
            slot.reset(new trt_plugin_registry{native, nullptr});
            slot->library = library;
            slot->major = library->info.major;
            slot->minor = library->info.minor;
        }
        *out = slot.get();
        return TRT_OK;
    });
}

int32_t trt_library_init_plugins(trt_library* library, const char* plugin_path, const char* plugin_namespace,
                                 trt_log_fn log, void* log_ctx, int32_t* ok) noexcept {
    *ok = 0;
    if (!library || !plugin_path) return fail(TRT_E_INVALID_ARGUMENT, "initLibNvInferPlugins: NULL library or path");
    return guard([&]() -> int32_t {
        // Kept open: the creators it registers live in it.
        void* handle = dlopen(plugin_path, RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            char const* why = dlerror();
            return fail(TRT_E_LIBRARY, std::string("cannot open the plugin library ") + plugin_path + ": " +
                                           (why ? why : "unknown error"));
        }
        using InitFn = bool (*)(void*, char const*);
        auto init = reinterpret_cast<InitFn>(dlsym(handle, "initLibNvInferPlugins"));
        if (!init) return fail(TRT_E_LIBRARY, std::string(plugin_path) + " does not export initLibNvInferPlugins");
        FrameScope scope(log, log_ctx);
        // The plugin library keeps this logger for its later messages: the
        // library's routing logger, which lives as long as the process.
        bool const done = init(library->logger(), plugin_namespace ? plugin_namespace : "");
        *ok = done ? 1 : 0;
        return conclude(scope.frame(), done, "initLibNvInferPlugins");
    });
}

int32_t trt_registry_get_creator(trt_plugin_registry* r, const char* name, const char* version,
                                 const char* plugin_namespace, void** creator) noexcept {
    *creator = nullptr;
    if (!name || !version) return fail(TRT_E_INVALID_ARGUMENT, "getCreator: NULL name or version");
    return reg_call(r, "getCreator", [&](Frame& frame) {
        *creator = on_registry(r, [&](auto, auto* registry) -> void* {
            return registry->getCreator(name, version, plugin_namespace ? plugin_namespace : "");
        });
        return conclude(frame, true, "getCreator", TRT_E_INVALID_ARGUMENT);
    });
}

int32_t trt_registry_creator_of(trt_plugin_registry* r, void* creator, const char** kind, const char** name,
                                const char** version, const char** plugin_namespace) noexcept {
    *kind = *name = *version = *plugin_namespace = nullptr;
    if (!plausible(creator)) return fail(TRT_E_INVALID_ARGUMENT, "not a plugin creator pointer");
    return reg_call(r, "plugin creator queries", [&](Frame& frame) {
        with_abi(major_of(r), [&](auto tag) { describe<decltype(tag)>(creator, kind, name, version, plugin_namespace); });
        return conclude(frame, true, "plugin creator queries");
    });
}

int32_t trt_registry_register_creator(trt_plugin_registry* r, void* creator, const char* plugin_namespace) noexcept {
    if (!plausible(creator)) return fail(TRT_E_INVALID_ARGUMENT, "registerCreator: not a plugin creator pointer");
    return reg_call(r, "registerCreator", [&](Frame& frame) {
        bool const ok = on_registry(r, [&](auto tag, auto* registry) {
            auto* c = static_cast<typename decltype(tag)::IPluginCreatorInterface*>(creator);
            return registry->registerCreator(*c, plugin_namespace ? plugin_namespace : "");
        });
        return conclude(frame, ok, "registerCreator");
    });
}

int32_t trt_registry_deregister_creator(trt_plugin_registry* r, void* creator) noexcept {
    if (!plausible(creator)) return fail(TRT_E_INVALID_ARGUMENT, "deregisterCreator: not a plugin creator pointer");
    return reg_call(r, "deregisterCreator", [&](Frame& frame) {
        bool const ok = on_registry(r, [&](auto tag, auto* registry) {
            auto const* c = static_cast<typename decltype(tag)::IPluginCreatorInterface const*>(creator);
            return registry->deregisterCreator(*c);
        });
        return conclude(frame, ok, "deregisterCreator");
    });
}

int32_t trt_registry_load_library(trt_plugin_registry* r, const char* path, void** handle) noexcept {
    *handle = nullptr;
    if (!path) return fail(TRT_E_INVALID_ARGUMENT, "loadLibrary: NULL path");
    return reg_call(r, "loadLibrary", [&](Frame& frame) {
        *handle = on_registry(r, [&](auto, auto* registry) { return registry->loadLibrary(path); });
        return conclude(frame, *handle != nullptr, "loadLibrary(" + quoted(path) + ")", TRT_E_LIBRARY);
    });
}

int32_t trt_registry_deregister_library(trt_plugin_registry* r, void* handle) noexcept {
    if (!plausible(handle)) return fail(TRT_E_INVALID_ARGUMENT, "deregisterLibrary: not a library handle");
    return reg_call(r, "deregisterLibrary", [&](Frame& frame) {
        on_registry(r, [&](auto, auto* registry) { registry->deregisterLibrary(handle); });
        return conclude(frame, true, "deregisterLibrary", TRT_E_INVALID_ARGUMENT);
    });
}

// TensorRT counts the recorder's references itself (incRefCount on set,
// decRefCount on replacement and destruction): nothing to hold here.
int32_t trt_registry_set_error_recorder(trt_plugin_registry* r, trt_recorder* recorder) noexcept {
    return reg_call(r, "setErrorRecorder", [&](Frame& frame) {
        on_registry(r, [&](auto tag, auto* registry) {
            registry->setErrorRecorder(recorder ? abi<decltype(tag)>(recorder) : nullptr);
        });
        return conclude(frame, true, "setErrorRecorder", TRT_E_INVALID_ARGUMENT);
    });
}

int32_t trt_registry_release_plugin_resource(trt_plugin_registry* r, const char* key, int32_t* out) noexcept {
    *out = -1;
    if (!key) return fail(TRT_E_INVALID_ARGUMENT, "releasePluginResource: NULL key");
    return reg_call(r, "releasePluginResource", [&](Frame& frame) {
        *out = on_registry(r, [&](auto, auto* registry) { return registry->releasePluginResource(key); });
        return conclude(frame, true, "releasePluginResource", TRT_E_INVALID_ARGUMENT);
    });
}

}  // extern "C"
