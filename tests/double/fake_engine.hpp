// fake_engine.hpp: part of fake_nvinfer.cpp (included once, by it alone).
// The engine: tensor queries from the plan, profiles, serialization,
// execution contexts; then the context's members that need the engine.
#pragma once

#include "fake_enqueue.hpp"

namespace {

class Engine final : public VCudaEngine {
public:
    Engine(std::shared_ptr<Plan const> plan, IErrorRecorder* recorder, IGpuAllocator* allocator, void* memory,
        std::shared_ptr<std::atomic<int32_t>> runtimeEngines)
        : mPlan(std::move(plan)), mAllocator(allocator), mMemory(memory), mRuntimeEngines(std::move(runtimeEngines))
    {
        mRecorder.set(recorder);
        ++*mRuntimeEngines;
    }

    ~Engine() override
    {
        int32_t contexts = mLiveContexts->load();
        if (contexts > 0) {
            // Undefined behaviour in TensorRT; the double says so instead.
            logMessage(LogSeverity::kERROR,
                "fake_nvinfer: ICudaEngine destroyed while " + std::to_string(contexts)
                    + " of its execution contexts are alive");
        }
        if (int32_t inspectors = mLiveInspectors->load(); inspectors > 0) {
            logMessage(LogSeverity::kERROR,
                "fake_nvinfer: ICudaEngine destroyed while " + std::to_string(inspectors)
                    + " of its engine inspectors are alive");
        }
        freeDevice(mAllocator, mMemory);
        --*mRuntimeEngines;
    }

    void setHandle(ICudaEngine* handle) noexcept { mHandle = handle; }
    ICudaEngine const& handle() const noexcept { return *mHandle; }

    ICudaEngine* getPImpl() noexcept override { return mHandle; }
    int32_t getNbLayers() const noexcept override { return 1; }

    IHostMemory* serialize() const noexcept override
    {
        // The padding is all zero (checked at load), so it is not kept.
        void* data = std::malloc(mPlan->totalSize);
        if (data == nullptr) {
            mRecorder.report(ErrorCode::kFAILED_ALLOCATION, "serialize: out of host memory");
            return nullptr;
        }
        std::memcpy(data, mPlan->kept.data(), mPlan->kept.size());
        std::memset(static_cast<uint8_t*>(data) + mPlan->kept.size(), 0, mPlan->totalSize - mPlan->kept.size());
        auto* impl = new (std::nothrow) HostMemory(data, mPlan->totalSize);
        if (impl == nullptr) {
            std::free(data);
            return nullptr;
        }
        auto* handle = new (std::nothrow) Owning<IHostMemory, HostMemory>(impl);
        if (handle == nullptr) {
            delete impl;
        }
        return handle;
    }

    IExecutionContext* createExecutionContext(ExecutionContextAllocationStrategy strategy) noexcept override
    {
        int32_t s = static_cast<int32_t>(strategy);
        if (s < 0 || s > kStrategyUserManaged) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT,
                "Parameter check failed, condition: strategy is an ExecutionContextAllocationStrategy ("
                    + std::to_string(s) + ")");
            return nullptr;
        }
        void* memory = nullptr;
        if (s != kStrategyUserManaged && mPlan->deviceMemorySize > 0) {
            memory = allocateDevice(mAllocator, mPlan->deviceMemorySize);
            if (memory == nullptr) {
                mRecorder.report(ErrorCode::kFAILED_ALLOCATION, "Requested amount of GPU memory could not be allocated");
                return nullptr;
            }
        }
        Context* impl = nullptr;
        try {
            impl = new Context(*this, mPlan, s, mAllocator, memory, mRecorder.get(), mLiveContexts);
        } catch (std::exception const&) {
            freeDevice(mAllocator, memory);
            return nullptr;
        }
        auto* handle = new (std::nothrow) Owning<IExecutionContext, Context>(impl);
        if (handle == nullptr) {
            delete impl;
            return nullptr;
        }
        impl->setHandle(handle);
        return handle;
    }

    bool isRefittable() const noexcept override { return false; }
    char const* getName() const noexcept override { return mPlan->name.c_str(); }
    int32_t getNbOptimizationProfiles() const noexcept override
    {
        return static_cast<int32_t>(mPlan->profiles.size());
    }
    EngineCapability getEngineCapability() const noexcept override { return static_cast<EngineCapability>(0); }
    void setErrorRecorder(IErrorRecorder* recorder) noexcept override { mRecorder.set(recorder); }
    IErrorRecorder* getErrorRecorder() const noexcept override { return mRecorder.get(); }
    TacticSources getTacticSources() const noexcept override { return 0; }
    ProfilingVerbosity getProfilingVerbosity() const noexcept override { return static_cast<ProfilingVerbosity>(0); }
    IEngineInspector* createEngineInspector() const noexcept override;  // fake_inspector.hpp

    // Queries by name answer TensorRT's "not a tensor" values for unknown
    // names, silently: applications use them to probe.
    Dims getTensorShape(char const* tensorName) const noexcept override
    {
        TensorDesc const* t = tensor(tensorName);
        return t != nullptr ? t->dims : invalidDims();
    }
    DataType getTensorDataType(char const* tensorName) const noexcept override
    {
        TensorDesc const* t = tensor(tensorName);
        return static_cast<DataType>(t != nullptr ? t->dataType : 0);
    }
    TensorLocation getTensorLocation(char const*) const noexcept override
    {
        return static_cast<TensorLocation>(kLocationDevice);
    }
    bool isShapeInferenceIO(char const*) const noexcept override { return false; }
    TensorIOMode getTensorIOMode(char const* tensorName) const noexcept override
    {
        TensorDesc const* t = tensor(tensorName);
        return static_cast<TensorIOMode>(t != nullptr ? t->mode : 0);
    }
    int32_t getTensorBytesPerComponent(char const* tensorName) const noexcept override
    {
        TensorDesc const* t = tensor(tensorName);
        return t != nullptr ? std::max(1, kDataTypeBits[t->dataType] / 8) : -1;
    }
    int32_t getTensorComponentsPerElement(char const* tensorName) const noexcept override
    {
        return tensor(tensorName) != nullptr ? 1 : -1;
    }
    TensorFormat getTensorFormat(char const*) const noexcept override { return static_cast<TensorFormat>(0); }
    char const* getTensorFormatDesc(char const* tensorName) const noexcept override
    {
        return tensor(tensorName) != nullptr ? "row-major linear (fake_nvinfer)" : nullptr;
    }
    int32_t getTensorVectorizedDim(char const*) const noexcept override { return -1; }

    Dims getProfileShape(char const* tensorName, int32_t profileIndex, OptProfileSelector select) const noexcept override
    {
        int32_t which = static_cast<int32_t>(select);
        if (!checkProfile(profileIndex) || which < 0 || which > 2) {
            return invalidDims();
        }
        TensorDesc const* t = tensor(tensorName);
        if (t == nullptr || t->mode != kModeInput) {
            return invalidDims();
        }
        return mPlan->profiles[profileIndex][t->ordinal][which];
    }

    int32_t getNbIOTensors() const noexcept override { return static_cast<int32_t>(mPlan->tensors.size()); }
    char const* getIOTensorName(int32_t index) const noexcept override
    {
        return index >= 0 && index < getNbIOTensors() ? mPlan->tensors[index].name.c_str() : nullptr;
    }
    HardwareCompatibilityLevel getHardwareCompatibilityLevel() const noexcept override
    {
        return static_cast<HardwareCompatibilityLevel>(0);
    }
    int32_t getNbAuxStreams() const noexcept override { return 0; }

    int32_t getTensorBytesPerComponentV2(char const* tensorName, int32_t profileIndex) const noexcept override
    {
        return checkProfile(profileIndex) ? getTensorBytesPerComponent(tensorName) : -1;
    }
    int32_t getTensorComponentsPerElementV2(char const* tensorName, int32_t profileIndex) const noexcept override
    {
        return checkProfile(profileIndex) ? getTensorComponentsPerElement(tensorName) : -1;
    }
    TensorFormat getTensorFormatV2(char const* tensorName, int32_t profileIndex) const noexcept override
    {
        checkProfile(profileIndex);
        return getTensorFormat(tensorName);
    }
    char const* getTensorFormatDescV2(char const* tensorName, int32_t profileIndex) const noexcept override
    {
        return checkProfile(profileIndex) ? getTensorFormatDesc(tensorName) : nullptr;
    }
    int32_t getTensorVectorizedDimV2(char const*, int32_t profileIndex) const noexcept override
    {
        checkProfile(profileIndex);
        return -1;
    }

    ISerializationConfig* createSerializationConfig() noexcept override
    {
        auto* impl = new (std::nothrow) SerializationConfig();
        if (impl == nullptr) {
            return nullptr;
        }
        auto* handle = new (std::nothrow) Owning<ISerializationConfig, SerializationConfig>(impl);
        if (handle == nullptr) {
            delete impl;
        }
        return handle;
    }
    // The fake engines have no weights, no lean runtime inside and are not
    // refittable: every flag leaves the plan as serialize() writes it.
    IHostMemory* serializeWithConfig(ISerializationConfig& config) const noexcept override
    {
        if (config.mImpl == nullptr) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT, "Parameter check failed, condition: config is valid");
            return nullptr;
        }
        config.mImpl->getFlags();
        return serialize();
    }
    IRefitter* createRefitter(ILogger&) noexcept override
    {
        unsupported("createRefitter");
        return nullptr;
    }
    int64_t getStreamableWeightsSize() const noexcept override { return 0; }
    bool isDebugTensor(char const* name) const noexcept override { return isFakeDebugTensor(*mPlan, name); }
    bool setWeightStreamingBudgetV2(int64_t) noexcept override
    {
        FAKE_TRT_SINCE(VCudaEngine, setWeightStreamingBudgetV2, false);
        unsupported("setWeightStreamingBudgetV2");
        return false;
    }
    int64_t getWeightStreamingBudgetV2() const noexcept override
    {
        FAKE_TRT_SINCE(VCudaEngine, getWeightStreamingBudgetV2, -1);
        return 0;
    }
    int64_t getWeightStreamingAutomaticBudget() const noexcept override
    {
        FAKE_TRT_SINCE(VCudaEngine, getWeightStreamingAutomaticBudget, -1);
        return 0;
    }
    int64_t getWeightStreamingScratchMemorySize() const noexcept override
    {
        FAKE_TRT_SINCE(VCudaEngine, getWeightStreamingScratchMemorySize, -1);
        return 0;
    }
    int64_t getDeviceMemorySizeV2() const noexcept override
    {
        FAKE_TRT_SINCE(VCudaEngine, getDeviceMemorySizeV2, -1);
        return static_cast<int64_t>(mPlan->deviceMemorySize);
    }
    int64_t getDeviceMemorySizeForProfileV2(int32_t profileIndex) const noexcept override
    {
        FAKE_TRT_SINCE(VCudaEngine, getDeviceMemorySizeForProfileV2, -1);
        return checkProfile(profileIndex) ? static_cast<int64_t>(mPlan->deviceMemorySize) : -1;
    }
    int64_t const* getProfileTensorValuesV2(char const*, int32_t, OptProfileSelector) const noexcept override
    {
        FAKE_TRT_SINCE(VCudaEngine, getProfileTensorValuesV2, nullptr);
        return nullptr;  // the fake engines have no shape tensors
    }
    // A context whose allocation strategy is the config's (the context keeps
    // its own config; the one given stays the caller's).
    IExecutionContext* createExecutionContextWithRuntimeConfig(IRuntimeConfig* runtimeConfig) noexcept override
    {
        FAKE_TRT_SINCE(VCudaEngine, createExecutionContextWithRuntimeConfig, nullptr);
        if (runtimeConfig == nullptr || runtimeConfig->mImpl == nullptr) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT, "Parameter check failed, condition: runtimeConfig != nullptr");
            return nullptr;
        }
        return createExecutionContext(runtimeConfig->mImpl->getExecutionContextAllocationStrategy());
    }
    // Strategy kSTATIC, as createExecutionContext's default.
    IRuntimeConfig* createRuntimeConfig() noexcept override
    {
        FAKE_TRT_SINCE(VCudaEngine, createRuntimeConfig, nullptr);
        return newRuntimeConfig(0, true);
    }
    int64_t getEngineStat(EngineStat) const noexcept override
    {
        FAKE_TRT_SINCE(VCudaEngine, getEngineStat, -1);
        return -1;
    }
    char const* getAliasedInputTensor(char const*) const noexcept override
    {
        FAKE_TRT_SINCE(VCudaEngine, getAliasedInputTensor, nullptr);
        return nullptr;
    }

#if FAKE_TRT_MAJOR == 10
    // ---- 10.x only (11.0 removed them); present in every 10.x minor.
    IExecutionContext* createExecutionContextWithoutDeviceMemory() noexcept override
    {
        return createExecutionContext(static_cast<ExecutionContextAllocationStrategy>(kStrategyUserManaged));
    }
    size_t getDeviceMemorySize() const noexcept override { return static_cast<size_t>(mPlan->deviceMemorySize); }
    size_t getDeviceMemorySizeForProfile(int32_t profileIndex) const noexcept override
    {
        return checkProfile(profileIndex) ? static_cast<size_t>(mPlan->deviceMemorySize) : 0;
    }
    bool hasImplicitBatchDimension() const noexcept override { return false; }
    int32_t const* getProfileTensorValues(char const*, int32_t, OptProfileSelector) const noexcept override
    {
        unsupported("getProfileTensorValues");
        return nullptr;
    }
    // Weight streaming as 10.0 had it: the fake engines have no streamable
    // weights, so the budget and its minimum are 0 and a budget is refused.
    bool setWeightStreamingBudget(int64_t) noexcept override
    {
        unsupported("setWeightStreamingBudget");
        return false;
    }
    int64_t getWeightStreamingBudget() const noexcept override { return 0; }
    int64_t getMinimumWeightStreamingBudget() const noexcept override { return 0; }
#endif

private:
    TensorDesc const* tensor(char const* tensorName) const noexcept
    {
        int32_t index = mPlan->find(tensorName);
        return index >= 0 ? &mPlan->tensors[index] : nullptr;
    }

    bool checkProfile(int32_t profileIndex) const noexcept
    {
        if (profileIndex >= 0 && profileIndex < getNbOptimizationProfiles()) {
            return true;
        }
        mRecorder.report(ErrorCode::kINVALID_ARGUMENT,
            "Parameter check failed, condition: profileIndex >= 0 && profileIndex < getNbOptimizationProfiles()");
        return false;
    }

    void unsupported(char const* what) const noexcept
    {
        mRecorder.report(ErrorCode::kUNSUPPORTED_STATE, std::string("fake_nvinfer does not implement ") + what);
    }

    LiveCount mLive;
    ICudaEngine* mHandle = nullptr;
    std::shared_ptr<Plan const> mPlan;
    IGpuAllocator* const mAllocator;  // the runtime's when this engine was made; mMemory came from it
    void* const mMemory;
    std::shared_ptr<std::atomic<int32_t>> mRuntimeEngines;
    std::shared_ptr<std::atomic<int32_t>> mLiveContexts = std::make_shared<std::atomic<int32_t>>(0);
    std::shared_ptr<std::atomic<int32_t>> mLiveInspectors = std::make_shared<std::atomic<int32_t>>(0);
    RecorderSlot mRecorder;
};

Context::Context(Engine& engine, std::shared_ptr<Plan const> plan, int32_t strategy, IGpuAllocator* allocator,
    void* ownedMemory, IErrorRecorder* recorder, std::shared_ptr<std::atomic<int32_t>> engineContexts)
    : mEngine(engine)
    , mPlan(std::move(plan))
    , mStrategy(strategy)
    , mAllocator(allocator)
    , mOwnedMemory(ownedMemory)
    , mEngineContexts(std::move(engineContexts))
    , mAddresses(mPlan->tensors.size(), nullptr)
{
    for (int32_t index : mPlan->inputs) {
        mInputShapes.push_back(mPlan->tensors[index].dims);
    }
    mRecorder.set(recorder);
    mRuntimeConfig.reset(newRuntimeConfig(strategy, false));
    ++*mEngineContexts;
}

ICudaEngine const& Context::getEngine() const noexcept { return mEngine.handle(); }

IRuntimeConfig* Context::getRuntimeConfig() const noexcept
{
    FAKE_TRT_SINCE(VExecutionContext, getRuntimeConfig, nullptr);
    return mRuntimeConfig.get();
}

}  // namespace
