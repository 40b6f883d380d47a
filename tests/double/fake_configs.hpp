// fake_configs.hpp: part of fake_nvinfer.cpp (included once, by it alone).
// The runtime config (createRuntimeConfig, and the one every context keeps
// for getRuntimeConfig) and the serialization config (createSerializationConfig,
// read by serializeWithConfig). Neither refers to its engine: both are plain
// settings, checked as TensorRT checks its parameters.
#pragma once

#include "fake_common.hpp"

namespace {

// Number of SerializationFlag values the reported version knows:
// kINCLUDE_REFIT came in 10.14 (and is in every 11.x).
int32_t serializationFlagCount() noexcept
{
    int32_t v = libVersion();
    return v / 10000 == 10 && (v / 100) % 100 < 14 ? 2 : 3;
}

// The settings a context is created with. Errors go to the process's logger
// (a config has no error recorder).
class RuntimeConfig final : public VRuntimeConfig {
public:
    // `counted`: a config of the application's counts as a live object; the
    // one a context keeps is part of the context.
    RuntimeConfig(int32_t strategy, bool counted) noexcept : mStrategy(strategy), mCounted(counted)
    {
        if (mCounted) {
            ++gLiveObjects;
        }
    }
    ~RuntimeConfig() override
    {
        if (mCounted) {
            --gLiveObjects;
        }
    }

    void setHandle(IRuntimeConfig* handle) noexcept { mHandle = handle; }
    IRuntimeConfig* getPImpl() noexcept override { return mHandle; }

    void setExecutionContextAllocationStrategy(ExecutionContextAllocationStrategy strategy) noexcept override
    {
        int32_t s = static_cast<int32_t>(strategy);
        if (s < 0 || s > kStrategyUserManaged) {
            try {
                logMessage(LogSeverity::kERROR,
                    "Parameter check failed, condition: strategy is an ExecutionContextAllocationStrategy ("
                        + std::to_string(s) + ")");
            } catch (std::exception const&) {
            }
            return;
        }
        mStrategy.store(s);
    }
    ExecutionContextAllocationStrategy getExecutionContextAllocationStrategy() const noexcept override
    {
        return static_cast<ExecutionContextAllocationStrategy>(mStrategy.load());
    }

private:
    IRuntimeConfig* mHandle = nullptr;
    std::atomic<int32_t> mStrategy;
    bool const mCounted;
};

// A new runtime config (null when out of memory).
IRuntimeConfig* newRuntimeConfig(int32_t strategy, bool counted) noexcept
{
    auto* impl = new (std::nothrow) RuntimeConfig(strategy, counted);
    if (impl == nullptr) {
        return nullptr;
    }
    auto* handle = new (std::nothrow) Owning<IRuntimeConfig, RuntimeConfig>(impl);
    if (handle == nullptr) {
        delete impl;
        return nullptr;
    }
    impl->setHandle(handle);
    return handle;
}

// What serializeWithConfig leaves out: a bit per SerializationFlag, 0 at
// first. A flag the reported version does not know is refused (false,
// kINVALID_ARGUMENT through the logger) and changes nothing.
class SerializationConfig final : public VSerializationConfig {
public:
    bool setFlags(SerializationFlags flags) noexcept override
    {
        if ((flags >> serializationFlagCount()) != 0) {
            return refuse("serializationFlags < (1U << EnumMax<SerializationFlag>())", flags);
        }
        mFlags.store(flags);
        return true;
    }
    SerializationFlags getFlags() const noexcept override { return mFlags.load(); }
    bool clearFlag(SerializationFlag flag) noexcept override
    {
        if (!known(flag)) {
            return false;
        }
        mFlags.fetch_and(~bit(flag));
        return true;
    }
    bool setFlag(SerializationFlag flag) noexcept override
    {
        if (!known(flag)) {
            return false;
        }
        mFlags.fetch_or(bit(flag));
        return true;
    }
    bool getFlag(SerializationFlag flag) const noexcept override
    {
        return known(flag) && (mFlags.load() & bit(flag)) != 0;
    }

private:
    static uint32_t bit(SerializationFlag flag) noexcept { return 1U << static_cast<int32_t>(flag); }

    bool known(SerializationFlag flag) const noexcept
    {
        int32_t f = static_cast<int32_t>(flag);
        return (f >= 0 && f < serializationFlagCount()) || refuse("serializationFlag < EnumMax<SerializationFlag>()", f);
    }

    bool refuse(char const* condition, int64_t value) const noexcept
    {
        try {
            logMessage(LogSeverity::kERROR,
                std::string("Parameter check failed, condition: ") + condition + " (" + std::to_string(value) + ")");
        } catch (std::exception const&) {
        }
        return false;
    }

    LiveCount mLive;
    std::atomic<uint32_t> mFlags{0};
};

}  // namespace
