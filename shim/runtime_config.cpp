// Objects an engine makes for the application: runtime configs (and the
// contexts made with one), serialization configs (and the plans serialized
// with one), engine inspectors. Each handle holds what it came from, as a
// context holds its engine; the config a context answers with is the
// context's, so its handle holds the context and never deletes it.

#include "objects.hpp"
#include "tensors.hpp"

namespace shim {

// A TensorRT object made from another shim object (its parent), which it
// holds: calls on it report through the parent's logger and run on the
// parent's device. `native` is the public handle (IRuntimeConfig* ...) in
// the type of the library's major version.
class Child : public Owner {
public:
    Child(Owner* parent, void* object) : native(object), parent_(parent) {
        parent->retain();
        log = parent->log;
        log_ctx = parent->log_ctx;
        major = parent->major;
        minor = parent->minor;
        device = parent->device;
    }
    void* const native;
    Owner* parent() const noexcept { return parent_; }

protected:
    Owner* parent_owner() const noexcept override { return parent_; }

private:
    Owner* const parent_;
};

// A reference to a shim object, for an owner's keyed slots (a context's
// runtime config, an inspector's context).
Kept kept_object(Owner* o) noexcept {
    if (!o) return {};
    return {o, [](void* p) noexcept { static_cast<Owner*>(p)->retain(); },
            [](void* p) noexcept { static_cast<Owner*>(p)->release(); }};
}

}  // namespace shim

// The public handle of each, typed for a tag of abi.hpp: `on<A>()`.
#define TRT_SHIM_CHILD(NAME, HANDLE)                                                                       \
    struct NAME final : shim::Child {                                                                      \
        using Child::Child;                                                                                \
        template <typename A>                                                                              \
        typename A::HANDLE* on() const noexcept {                                                          \
            return static_cast<typename A::HANDLE*>(native);                                               \
        }                                                                                                  \
                                                                                                           \
    protected:                                                                                             \
        void delete_native() noexcept override {                                                           \
            shim::with_abi(major, [&](auto tag) { delete on<decltype(tag)>(); });                          \
        }                                                                                                  \
    };

TRT_SHIM_CHILD(trt_runtime_config, IRuntimeConfig)
TRT_SHIM_CHILD(trt_serialization_config, ISerializationConfig)
TRT_SHIM_CHILD(trt_engine_inspector, IEngineInspector)
#undef TRT_SHIM_CHILD

using namespace shim;

namespace {

// Hands `raw`, which TensorRT just made (nullptr when it failed), to a new
// handle of type T holding `parent`; one nobody receives is deleted.
template <typename T, typename Native>
int32_t adopt(Frame& frame, Native* raw, Owner* parent, char const* what, T** out, bool owned = true) {
    if (raw && !plausible(raw)) raw = nullptr;
    std::unique_ptr<Native> guard(owned ? raw : nullptr);
    int32_t const status = conclude(frame, raw != nullptr, what);
    if (status != TRT_OK) return status;
    *out = new T(parent, raw);
    (*out)->owned = owned;
    guard.release();
    return TRT_OK;
}

}  // namespace

extern "C" {

// ------------------------------------------------------------------ runtime configs

int32_t trt_engine_create_runtime_config(trt_engine* e, trt_runtime_config** out) noexcept {
    *out = nullptr;
    return call(e, "createRuntimeConfig", [&](Frame& frame) { return on_engine(e, [&](auto tag, auto* impl) -> int32_t {
        if (lacks<decltype(tag)>(e, first::VCudaEngine_createRuntimeConfig)) {
            return needs(e, "createRuntimeConfig", first::VCudaEngine_createRuntimeConfig);
        }
        return adopt(frame, impl->createRuntimeConfig(), e, "createRuntimeConfig", out);
    }); });
}

int32_t trt_context_get_runtime_config(trt_context* c, trt_runtime_config** out) noexcept {
    *out = nullptr;
    return call(c, "getRuntimeConfig", [&](Frame& frame) { return on_context(c, [&](auto tag, auto* impl, auto*) -> int32_t {
        if (lacks<decltype(tag)>(c, first::VExecutionContext_getRuntimeConfig)) {
            return needs(c, "getRuntimeConfig", first::VExecutionContext_getRuntimeConfig);
        }
        return adopt(frame, impl->getRuntimeConfig(), c, "getRuntimeConfig", out, false);  // the context's own
    }); });
}

void trt_runtime_config_release(trt_runtime_config* config) noexcept {
    if (config) config->release();
}

int32_t trt_runtime_config_get_strategy(trt_runtime_config* config, int32_t* out) noexcept {
    return call(config, "getExecutionContextAllocationStrategy", [&](Frame& frame) {
        return with_abi(config->major, [&](auto tag) {
            *out = static_cast<int32_t>(config->on<decltype(tag)>()->mImpl->getExecutionContextAllocationStrategy());
            return conclude(frame, true, "getExecutionContextAllocationStrategy");
        });
    });
}

int32_t trt_runtime_config_set_strategy(trt_runtime_config* config, int32_t strategy) noexcept {
    return call(config, "setExecutionContextAllocationStrategy", [&](Frame& frame) {
        return with_abi(config->major, [&](auto tag) {
            using A = decltype(tag);
            config->on<A>()->mImpl->setExecutionContextAllocationStrategy(
                static_cast<typename A::ExecutionContextAllocationStrategy>(strategy));
            return conclude(frame, true, "setExecutionContextAllocationStrategy(" + std::to_string(strategy) + ")",
                            TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_engine_create_context_with_config(trt_engine* e, trt_runtime_config* config, trt_context** out) noexcept {
    *out = nullptr;
    if (!config) return fail(TRT_E_CLOSED, "createExecutionContextWithRuntimeConfig: the runtime config is NULL (closed)");
    return call(e, "createExecutionContextWithRuntimeConfig", [&](Frame& frame) {
        return on_engine(e, [&](auto tag, auto* impl) -> int32_t {
            using A = decltype(tag);
            if (lacks<A>(e, first::VCudaEngine_createExecutionContextWithRuntimeConfig)) {
                return needs(e, "createExecutionContextWithRuntimeConfig",
                             first::VCudaEngine_createExecutionContextWithRuntimeConfig);
            }
            Hold hold_config(config);
            auto* raw = impl->createExecutionContextWithRuntimeConfig(config->on<A>());
            if (raw && !plausible(raw)) raw = nullptr;
            std::unique_ptr<typename A::IExecutionContext> owned(raw);
            int32_t const status = conclude(frame, raw != nullptr, "createExecutionContextWithRuntimeConfig");
            if (status != TRT_OK) return status;
            auto* context = new trt_context(e, raw, raw->mImpl);
            owned.release();
            // TensorRT may keep using the config: the context holds it.
            context->swap_slot("runtime config", kept_object(config), [](void*) { return true; });
            *out = context;
            return TRT_OK;
        });
    });
}

// ------------------------------------------------------------------ serialization configs

int32_t trt_engine_create_serialization_config(trt_engine* e, trt_serialization_config** out) noexcept {
    *out = nullptr;
    return call(e, "createSerializationConfig", [&](Frame& frame) { return on_engine(e, [&](auto, auto* impl) {
        return adopt(frame, impl->createSerializationConfig(), e, "createSerializationConfig", out);
    }); });
}

void trt_serialization_config_release(trt_serialization_config* config) noexcept {
    if (config) config->release();
}

int32_t trt_serialization_config_get_flags(trt_serialization_config* config, uint32_t* out) noexcept {
    return call(config, "ISerializationConfig::getFlags", [&](Frame& frame) {
        return with_abi(config->major, [&](auto tag) {
            *out = config->on<decltype(tag)>()->mImpl->getFlags();
            return conclude(frame, true, "ISerializationConfig::getFlags");
        });
    });
}

int32_t trt_serialization_config_set_flags(trt_serialization_config* config, uint32_t flags) noexcept {
    return call(config, "ISerializationConfig::setFlags", [&](Frame& frame) {
        return with_abi(config->major, [&](auto tag) {
            bool const ok = config->on<decltype(tag)>()->mImpl->setFlags(flags);
            return conclude(frame, ok, "ISerializationConfig::setFlags(" + std::to_string(flags) + ")",
                            TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_serialization_config_flag(trt_serialization_config* config, int32_t op, int32_t flag, int32_t* out) noexcept {
    static char const* const names[] = {"getFlag", "setFlag", "clearFlag"};
    if (op < 0 || op > 2) return fail(TRT_E_INVALID_ARGUMENT, "op must be 0 (getFlag), 1 (setFlag) or 2 (clearFlag)");
    return call(config, names[op], [&](Frame& frame) {
        return with_abi(config->major, [&](auto tag) {
            using A = decltype(tag);
            auto* impl = config->on<A>()->mImpl;
            auto const f = static_cast<typename A::SerializationFlag>(flag);
            bool const ok = op == 0 ? impl->getFlag(f) : op == 1 ? impl->setFlag(f) : impl->clearFlag(f);
            *out = ok ? 1 : 0;
            std::string const what = std::string("ISerializationConfig::") + names[op] + "(" + std::to_string(flag) + ")";
            return conclude(frame, op == 0 || ok, what, TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_engine_serialize_with_config(trt_engine* e, trt_serialization_config* config, trt_host_memory** out) noexcept {
    *out = nullptr;
    if (!config) return fail(TRT_E_CLOSED, "serializeWithConfig: the serialization config is NULL (closed)");
    return call(e, "serializeWithConfig", [&](Frame& frame) { return on_engine(e, [&](auto tag, auto* impl) -> int32_t {
        using A = decltype(tag);
        Hold hold_config(config);
        auto* memory = impl->serializeWithConfig(*config->on<A>());
        if (memory && !plausible(memory)) memory = nullptr;
        std::unique_ptr<typename A::IHostMemory> owned(memory);
        int32_t const status = conclude(frame, memory != nullptr, "serializeWithConfig");
        if (status != TRT_OK) return status;
        *out = new trt_host_memory{owned.get(), e->major};
        owned.release();
        return TRT_OK;
    }); });
}

// ------------------------------------------------------------------ engine inspectors

int32_t trt_engine_create_inspector(trt_engine* e, trt_engine_inspector** out) noexcept {
    *out = nullptr;
    return call(e, "createEngineInspector", [&](Frame& frame) { return on_engine(e, [&](auto, auto* impl) {
        return adopt(frame, impl->createEngineInspector(), e, "createEngineInspector", out);
    }); });
}

void trt_engine_inspector_release(trt_engine_inspector* inspector) noexcept {
    if (inspector) inspector->release();
}

int32_t trt_engine_inspector_set_context(trt_engine_inspector* inspector, trt_context* context) noexcept {
    return call(inspector, "IEngineInspector::setExecutionContext", [&](Frame& frame) {
        // The inspector's parent is its engine; TensorRT's answer to another engine's context is not documented.
        if (context && context->engine->engine != static_cast<trt_engine*>(inspector->parent())->engine) {
            return fail(TRT_E_INVALID_ARGUMENT, "IEngineInspector::setExecutionContext: the execution context was "
                                                "created from another engine than the inspector's");
        }
        return with_abi(inspector->major, [&](auto tag) -> int32_t {
            using A = decltype(tag);
            bool const ok = inspector->swap_slot("execution context", kept_object(context), [&](void* c) {
                auto* native = c ? static_cast<typename A::IExecutionContext*>(static_cast<trt_context*>(
                                       static_cast<Owner*>(c))->context) : nullptr;
                return inspector->on<A>()->mImpl->setExecutionContext(native);
            });
            return conclude(frame, !refused(frame, ok), "IEngineInspector::setExecutionContext", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_engine_inspector_layer_information(trt_engine_inspector* inspector, int32_t layer, int32_t format,
                                               const char** out) noexcept {
    *out = nullptr;
    return call(inspector, "IEngineInspector::getLayerInformation", [&](Frame& frame) {
        return with_abi(inspector->major, [&](auto tag) -> int32_t {
            using A = decltype(tag);
            int32_t const count = static_cast<trt_engine*>(inspector->parent())->v<A>()->getNbLayers();
            if (layer < 0 || layer >= count) {
                return fail(TRT_E_INVALID_ARGUMENT, "layer_index " + std::to_string(layer) + " out of range [0, " +
                                                        std::to_string(count) + "): the engine has that many layers");
            }
            *out = inspector->on<A>()->mImpl->getLayerInformation(
                layer, static_cast<typename A::LayerInformationFormat>(format));
            return conclude(frame, *out != nullptr, "IEngineInspector::getLayerInformation(" + std::to_string(layer) +
                                                        ", " + std::to_string(format) + ")", TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_engine_inspector_engine_information(trt_engine_inspector* inspector, int32_t format,
                                                const char** out) noexcept {
    *out = nullptr;
    return call(inspector, "IEngineInspector::getEngineInformation", [&](Frame& frame) {
        return with_abi(inspector->major, [&](auto tag) -> int32_t {
            using A = decltype(tag);
            *out = inspector->on<A>()->mImpl->getEngineInformation(static_cast<typename A::LayerInformationFormat>(format));
            return conclude(frame, *out != nullptr, "IEngineInspector::getEngineInformation(" + std::to_string(format) + ")",
                            TRT_E_INVALID_ARGUMENT);
        });
    });
}

int32_t trt_engine_inspector_set_error_recorder(trt_engine_inspector* inspector, trt_recorder* recorder) noexcept {
    return call(inspector, "IEngineInspector::setErrorRecorder", [&](Frame& frame) {
        inspector->swap_recorder(recorder, [&](trt_recorder* r) {
            with_abi(inspector->major, [&](auto tag) {
                using A = decltype(tag);
                inspector->on<A>()->mImpl->setErrorRecorder(r ? abi<A>(r) : nullptr);
            });
        });
        return conclude(frame, true, "IEngineInspector::setErrorRecorder", TRT_E_INVALID_ARGUMENT);
    });
}

}  // extern "C"
