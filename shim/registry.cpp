// The plugin registry of a runtime. Calls hold the runtime it belongs to.

#include <cstring>

#include "objects.hpp"

using namespace shim;

namespace {

nv::IPluginCreatorInterface* const* creators(trt_plugin_registry* r, int32_t recursive, int32_t* count) {
    *count = 0;
    auto* list = recursive ? r->registry->getAllCreatorsRecursive(count) : r->registry->getAllCreators(count);
    if (!list) *count = 0;
    return list;
}

trt_runtime* owner(trt_plugin_registry* r) { return r ? r->runtime : nullptr; }

}  // namespace

extern "C" {

int32_t trt_registry_num_creators(trt_plugin_registry* r, int32_t recursive, int32_t* out) noexcept {
    return call(owner(r), "getAllCreators", [&](Frame& frame) {
        creators(r, recursive, out);
        return conclude(frame, true, "getAllCreators");
    });
}

int32_t trt_registry_creator(trt_plugin_registry* r, int32_t recursive, int32_t index, const char** kind,
                             const char** name, const char** version, const char** plugin_namespace) noexcept {
    *kind = *name = *version = *plugin_namespace = nullptr;
    return call(owner(r), "getAllCreators", [&](Frame& frame) -> int32_t {
        int32_t count = 0;
        auto* list = creators(r, recursive, &count);
        if (index < 0 || index >= count) {
            return fail(TRT_E_INVALID_ARGUMENT, "creator index " + std::to_string(index) + " out of range [0, " +
                                                    std::to_string(count) + ")");
        }
        nv::IPluginCreatorInterface* c = list[index];
        if (!c) return fail(TRT_E_FAILED, "the registry returned no creator at index " + std::to_string(index));
        nv::InterfaceInfo const info = c->getInterfaceInfo();
        *kind = info.kind;
        if (info.kind && std::strcmp(info.kind, "PLUGIN CREATOR_V1") == 0) {
            auto* v1 = static_cast<nv::IPluginCreator*>(c);
            *name = v1->getPluginName();
            *version = v1->getPluginVersion();
            *plugin_namespace = v1->getPluginNamespace();
        } else if (info.kind && std::strcmp(info.kind, "PLUGIN CREATOR_V3ONE") == 0) {
            auto* v3 = static_cast<nv::IPluginCreatorV3One*>(c);
            *name = v3->getPluginName();
            *version = v3->getPluginVersion();
            *plugin_namespace = v3->getPluginNamespace();
        }
        return conclude(frame, true, "getAllCreators");
    });
}

int32_t trt_registry_get_parent_search_enabled(trt_plugin_registry* r, int32_t* out) noexcept {
    return call(owner(r), "isParentSearchEnabled", [&](Frame& frame) {
        *out = r->registry->isParentSearchEnabled() ? 1 : 0;
        return conclude(frame, true, "isParentSearchEnabled");
    });
}

int32_t trt_registry_set_parent_search_enabled(trt_plugin_registry* r, int32_t enabled) noexcept {
    return call(owner(r), "setParentSearchEnabled", [&](Frame& frame) {
        r->registry->setParentSearchEnabled(enabled != 0);
        return conclude(frame, true, "setParentSearchEnabled", TRT_E_INVALID_ARGUMENT);
    });
}

}  // extern "C"
