// The plugin registry of a runtime. Calls hold the runtime it belongs to.

#include <cstring>

#include "objects.hpp"
#include "tensors.hpp"

using namespace shim;

namespace {

namespace first = trt_abi::v10::first_minor;

trt_runtime* owner(trt_plugin_registry* r) { return r ? r->runtime : nullptr; }

// The registry typed for the library's major version, given to `body`.
template <typename Body>
decltype(auto) on_registry(trt_plugin_registry* r, Body&& body) {
    return with_abi(r->runtime->major, [&](auto tag) {
        return body(tag, static_cast<typename decltype(tag)::IPluginRegistry*>(r->registry));
    });
}

// The creators, or TRT_E_UNSUPPORTED for a recursive listing on a 10.x minor without it.
template <typename A, typename R>
int32_t creators(trt_plugin_registry* r, R* registry, int32_t recursive,
                 typename A::IPluginCreatorInterface* const** list, int32_t* count) {
    *count = 0;
    *list = nullptr;
    if (recursive && A::major == 10 && r->runtime->minor < first::IPluginRegistry_getAllCreatorsRecursive) {
        return needs(r->runtime, "getAllCreatorsRecursive", first::IPluginRegistry_getAllCreatorsRecursive);
    }
    *list = recursive ? registry->getAllCreatorsRecursive(count) : registry->getAllCreators(count);
    if (!*list) *count = 0;
    return TRT_OK;
}

}  // namespace

extern "C" {

int32_t trt_registry_num_creators(trt_plugin_registry* r, int32_t recursive, int32_t* out) noexcept {
    return call(owner(r), "getAllCreators", [&](Frame& frame) {
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
    return call(owner(r), "getAllCreators", [&](Frame& frame) {
        return on_registry(r, [&](auto tag, auto* registry) -> int32_t {
        using A = decltype(tag);
        int32_t count = 0;
        typename A::IPluginCreatorInterface* const* list = nullptr;
        if (int32_t const status = creators<A>(r, registry, recursive, &list, &count)) return status;
        if (index < 0 || index >= count) {
            return fail(TRT_E_INVALID_ARGUMENT, "creator index " + std::to_string(index) + " out of range [0, " +
                                                    std::to_string(count) + ")");
        }
        auto* c = list[index];
        if (!c) return fail(TRT_E_FAILED, "the registry returned no creator at index " + std::to_string(index));
        auto const info = c->getInterfaceInfo();
        *kind = info.kind;
        if (info.kind && std::strcmp(info.kind, "PLUGIN CREATOR_V1") == 0) {
            auto* v1 = static_cast<typename A::IPluginCreator*>(c);
            *name = v1->getPluginName();
            *version = v1->getPluginVersion();
            *plugin_namespace = v1->getPluginNamespace();
        } else if (info.kind && std::strcmp(info.kind, "PLUGIN CREATOR_V3ONE") == 0) {
            auto* v3 = static_cast<typename A::IPluginCreatorV3One*>(c);
            *name = v3->getPluginName();
            *version = v3->getPluginVersion();
            *plugin_namespace = v3->getPluginNamespace();
        }
        return conclude(frame, true, "getAllCreators");
        });
    });
}

int32_t trt_registry_get_parent_search_enabled(trt_plugin_registry* r, int32_t* out) noexcept {
    return call(owner(r), "isParentSearchEnabled", [&](Frame& frame) {
        *out = on_registry(r, [](auto, auto* registry) { return registry->isParentSearchEnabled() ? 1 : 0; });
        return conclude(frame, true, "isParentSearchEnabled");
    });
}

int32_t trt_registry_set_parent_search_enabled(trt_plugin_registry* r, int32_t enabled) noexcept {
    return call(owner(r), "setParentSearchEnabled", [&](Frame& frame) {
        on_registry(r, [&](auto, auto* registry) { registry->setParentSearchEnabled(enabled != 0); });
        return conclude(frame, true, "setParentSearchEnabled", TRT_E_INVALID_ARGUMENT);
    });
}

}  // extern "C"
