// fake_context.hpp: part of fake_nvinfer.cpp (included once, by it alone).
// The execution context: shapes, addresses, device memory, callbacks. Its
// enqueue (and the shapes it computes) is in fake_enqueue.hpp; the members
// that need the engine are in fake_engine.hpp.
#pragma once

#include "fake_configs.hpp"
#include "fake_cuda_mode.hpp"
#include "fake_plan.hpp"

namespace {

// ------------------------------------------------------------ engine and context

class Engine;

// The double's stand-in for tensors marked as debug tensors at build time:
// the I/O tensors whose name starts with "debug".
bool isFakeDebugTensor(Plan const& plan, char const* name) noexcept
{
    return plan.find(name) >= 0 && std::strncmp(name, "debug", 5) == 0;
}

// The double's stand-in for outputs whose shape is known only after an
// enqueue (data-dependent shapes): the outputs whose name starts with "dds".
bool isFakeDdsOutput(TensorDesc const& t) noexcept
{
    return t.mode == kModeOutput && t.name.compare(0, 3, "dds") == 0;
}

// One copy an enqueue makes: from an input's memory to an output's.
struct CopyStep {
    void* to;
    void const* from;
    uint64_t bytes;
    int32_t input, output;  // tensor indices, for messages
};

// Time the double reports for its one layer (exact in float and double).
constexpr float kFakeLayerMs = 0.125f;
// Alignment the double asks of output allocators.
constexpr uint64_t kOutputAlignment = 256;

class Context final : public VExecutionContext {
public:
    Context(Engine& engine, std::shared_ptr<Plan const> plan, int32_t strategy, IGpuAllocator* allocator,
        void* ownedMemory, IErrorRecorder* recorder, std::shared_ptr<std::atomic<int32_t>> engineContexts);
    ~Context() override
    {
        freeDevice(mAllocator, mOwnedMemory);
        --*mEngineContexts;
    }

    void setHandle(IExecutionContext* handle) noexcept { mHandle = handle; }

    IExecutionContext* getPImpl() noexcept override { return mHandle; }

    void setDebugSync(bool sync) noexcept override { locked(mMutex, [&] { mDebugSync = sync; }); }
    bool getDebugSync() const noexcept override { return locked(mMutex, [&] { return mDebugSync; }); }
    void setProfiler(IProfiler* profiler) noexcept override { locked(mMutex, [&] { mProfiler = profiler; }); }
    IProfiler* getProfiler() const noexcept override { return locked(mMutex, [&] { return mProfiler; }); }
    ICudaEngine const& getEngine() const noexcept override;

    void setName(char const* name) noexcept override
    {
        try {
            std::lock_guard<std::mutex> lock(mMutex);
            mName = name != nullptr ? name : "";
        } catch (std::exception const&) {
        }
    }
    char const* getName() const noexcept override { return locked(mMutex, [&] { return mName.c_str(); }); }

    void setDeviceMemory(void* memory) noexcept override { setUserMemory(memory, -1); }
    void setDeviceMemoryV2(void* memory, int64_t size) noexcept override
    {
        FAKE_TRT_SINCE(VExecutionContext, setDeviceMemoryV2, );
        setUserMemory(memory, size);
    }

    int32_t getOptimizationProfile() const noexcept override { return locked(mMutex, [&] { return mProfile; }); }

    bool allInputDimensionsSpecified() const noexcept override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        return std::all_of(mInputShapes.begin(), mInputShapes.end(), fullySpecified);
    }
#if FAKE_TRT_MAJOR == 10
    // Input shape tensors' values (10.x only): the fake engines have none.
    bool allInputShapesSpecified() const noexcept override { return true; }
#endif

    void setErrorRecorder(IErrorRecorder* recorder) noexcept override { mRecorder.set(recorder); }
    IErrorRecorder* getErrorRecorder() const noexcept override { return mRecorder.get(); }

    bool executeV2(void* const* bindings) noexcept override
    {
        EngineClock clock;
        if (bindings == nullptr) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT, "Parameter check failed, condition: bindings != nullptr");
            return false;
        }
        {
            std::lock_guard<std::mutex> lock(mMutex);
            for (size_t i = 0; i < mAddresses.size(); ++i) {
                mAddresses[i] = bindings[i];
            }
        }
        // Synchronous: in CUDA mode, on the legacy default stream, then waited for.
        return run(nullptr, true);
    }

    bool setOptimizationProfileAsync(int32_t profileIndex, cudaStream_t) noexcept override
    {
        int32_t n = static_cast<int32_t>(mPlan->profiles.size());
        if (profileIndex < 0 || profileIndex >= n) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT,
                "Parameter check failed, condition: profileIndex >= 0 && profileIndex < getNbOptimizationProfiles()");
            return false;
        }
        std::lock_guard<std::mutex> lock(mMutex);
        if (profileIndex != mProfile) {
            // Shapes set for another profile's bounds must be set again.
            mProfile = profileIndex;
            for (int32_t index : mPlan->inputs) {
                mInputShapes[mPlan->tensors[index].ordinal] = mPlan->tensors[index].dims;
            }
        }
        return true;
    }

    void setEnqueueEmitsProfile(bool emits) noexcept override { locked(mMutex, [&] { mEmitsProfile = emits; }); }
    bool getEnqueueEmitsProfile() const noexcept override { return locked(mMutex, [&] { return mEmitsProfile; }); }
    // Reports the layer times of the last enqueue not yet reported (enqueues
    // made while enqueue-emits-profile was off); false without a profiler.
    bool reportToProfiler() const noexcept override
    {
        IProfiler* profiler = nullptr;
        bool pending = false;
        {
            std::lock_guard<std::mutex> lock(mMutex);
            profiler = mProfiler;
            pending = mProfilePending;
            mProfilePending = false;
        }
        if (profiler == nullptr) {
            mRecorder.report(ErrorCode::kINVALID_STATE, "reportToProfiler: no profiler is set (setProfiler)");
            return false;
        }
        if (pending) {
            profiler->reportLayerTime(mPlan->name.c_str(), kFakeLayerMs);
        }
        return true;
    }

    bool setInputShape(char const* tensorName, Dims const& dims) noexcept override
    {
        int32_t index = mPlan->find(tensorName);
        if (index < 0 || mPlan->tensors[index].mode != kModeInput) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT,
                std::string("setInputShape: '") + (tensorName ? tensorName : "(null)") + "' is not an input tensor");
            return false;
        }
        TensorDesc const& t = mPlan->tensors[index];
        if (dims.nbDims != t.dims.nbDims) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT,
                "setInputShape: shape " + dimsText(dims) + " of '" + t.name + "' has " + std::to_string(dims.nbDims)
                    + " dimensions, the engine's has " + std::to_string(t.dims.nbDims));
            return false;
        }
        std::string error;
        {
            std::lock_guard<std::mutex> lock(mMutex);
            ProfileShapes const& bounds = mPlan->profiles[mProfile][t.ordinal];
            for (int32_t k = 0; k < dims.nbDims; ++k) {
                if (t.dims.d[k] >= 0 && dims.d[k] != t.dims.d[k]) {
                    error = "setInputShape: static dimension mismatch for '" + t.name + "': set " + dimsText(dims)
                        + ", engine " + dimsText(t.dims);
                    break;
                }
                if (dims.d[k] < bounds[0].d[k] || dims.d[k] > bounds[2].d[k]) {
                    error = "setInputShape: shape " + dimsText(dims) + " of '" + t.name + "' is out of the bounds of"
                        + " profile " + std::to_string(mProfile) + ": min " + dimsText(bounds[0]) + ", max "
                        + dimsText(bounds[2]);
                    break;
                }
            }
            if (error.empty()) {
                Dims64 stored{};
                stored.nbDims = dims.nbDims;
                std::copy(dims.d, dims.d + dims.nbDims, stored.d);
                mInputShapes[t.ordinal] = stored;
            }
        }
        if (!error.empty()) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT, error);
            return false;
        }
        return true;
    }

    Dims getTensorShape(char const* tensorName) const noexcept override
    {
        int32_t index = mPlan->find(tensorName);
        if (index < 0) {
            return invalidDims();
        }
        std::lock_guard<std::mutex> lock(mMutex);
        return visibleShape(index);
    }

    Dims getTensorStrides(char const* tensorName) const noexcept override
    {
        Dims64 shape = getTensorShape(tensorName);
        if (!fullySpecified(shape)) {
            return invalidDims();
        }
        Dims64 strides = shape;  // row-major, in elements
        int64_t step = 1;
        for (int32_t k = shape.nbDims - 1; k >= 0; --k) {
            strides.d[k] = step;
            step *= shape.d[k];
        }
        return strides;
    }

    bool setTensorAddress(char const* tensorName, void* data) noexcept override
    {
        return setAddress(tensorName, data, 0, "setTensorAddress");
    }
    bool setInputTensorAddress(char const* tensorName, void const* data) noexcept override
    {
        return setAddress(tensorName, const_cast<void*>(data), kModeInput, "setInputTensorAddress");
    }
    bool setOutputTensorAddress(char const* tensorName, void* data) noexcept override
    {
        return setAddress(tensorName, data, kModeOutput, "setOutputTensorAddress");
    }
    void const* getTensorAddress(char const* tensorName) const noexcept override
    {
        int32_t index = mPlan->find(tensorName);
        return index < 0 ? nullptr : locked(mMutex, [&] { return mAddresses[index]; });
    }
    void* getOutputTensorAddress(char const* tensorName) const noexcept override
    {
        int32_t index = mPlan->find(tensorName);
        if (index < 0 || mPlan->tensors[index].mode != kModeOutput) {
            return nullptr;
        }
        return locked(mMutex, [&] { return mAddresses[index]; });
    }

    int32_t inferShapes(int32_t nbMaxNames, char const** tensorNames) noexcept override
    {
        if (nbMaxNames < 0 || (tensorNames == nullptr && nbMaxNames != 0)) {
            return -1;
        }
        std::lock_guard<std::mutex> lock(mMutex);
        int32_t missing = 0;
        for (int32_t index : mPlan->inputs) {
            if (!fullySpecified(mInputShapes[mPlan->tensors[index].ordinal])) {
                if (missing < nbMaxNames) {
                    tensorNames[missing] = mPlan->tensors[index].name.c_str();
                }
                ++missing;
            }
        }
        return missing;
    }

    bool setInputConsumedEvent(cudaEvent_t event) noexcept override
    {
        locked(mMutex, [&] { mInputConsumedEvent = event; });
        return true;
    }
    cudaEvent_t getInputConsumedEvent() const noexcept override
    {
        return locked(mMutex, [&] { return mInputConsumedEvent; });
    }

    bool setOutputAllocator(char const* tensorName, IOutputAllocator* outputAllocator) noexcept override
    {
        int32_t index = outputIndex(tensorName);
        if (index < 0) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT,
                std::string("setOutputAllocator: '") + (tensorName ? tensorName : "(null)")
                    + "' is not an output tensor of the engine");
            return false;
        }
        std::lock_guard<std::mutex> lock(mMutex);
        if (mOutputAllocators[index] != outputAllocator) {
            mOutputAllocators[index] = outputAllocator;
            mAllocated[index] = nullptr;  // what the old one gave is its own
        }
        return true;
    }
    IOutputAllocator* getOutputAllocator(char const* name) noexcept override
    {
        int32_t index = outputIndex(name);
        return index < 0 ? nullptr : locked(mMutex, [&] { return mOutputAllocators[index]; });
    }
    // Bytes of the output for the shapes set now (a "dds" output: its upper
    // bound, ddsBound); -1 while they are not all known.
    int64_t getMaxOutputSize(char const* tensorName) const noexcept override
    {
        int32_t index = outputIndex(tensorName);
        if (index < 0) {
            return -1;
        }
        std::lock_guard<std::mutex> lock(mMutex);
        if (isFakeDdsOutput(mPlan->tensors[index])) {
            return ddsBound(index);
        }
        Dims64 shape = shapeOf(index);
        return fullySpecified(shape) ? static_cast<int64_t>(tensorBytes(shape, mPlan->tensors[index].dataType)) : -1;
    }

    bool setTemporaryStorageAllocator(IGpuAllocator* allocator) noexcept override
    {
        locked(mMutex, [&] { mTemporaryAllocator = allocator; });
        return true;
    }
    IGpuAllocator* getTemporaryStorageAllocator() const noexcept override
    {
        return locked(mMutex, [&] { return mTemporaryAllocator; });
    }

    bool enqueueV3(cudaStream_t stream) noexcept override
    {
        EngineClock clock;
        return run(stream, false);
    }

    void setPersistentCacheLimit(size_t size) noexcept override { locked(mMutex, [&] { mPersistentCacheLimit = size; }); }
    size_t getPersistentCacheLimit() const noexcept override { return locked(mMutex, [&] { return mPersistentCacheLimit; }); }
    bool setNvtxVerbosity(ProfilingVerbosity verbosity) noexcept override
    {
        locked(mMutex, [&] { mNvtxVerbosity = verbosity; });
        return true;
    }
    ProfilingVerbosity getNvtxVerbosity() const noexcept override { return locked(mMutex, [&] { return mNvtxVerbosity; }); }
    void setAuxStreams(cudaStream_t*, int32_t) noexcept override {}

    bool setDebugListener(IDebugListener* listener) noexcept override
    {
        locked(mMutex, [&] { mDebugListener = listener; });
        return true;
    }
    IDebugListener* getDebugListener() noexcept override { return locked(mMutex, [&] { return mDebugListener; }); }
    // Debug tensors: see isFakeDebugTensor.
    bool setTensorDebugState(char const* name, bool flag) noexcept override
    {
        if (!isFakeDebugTensor(*mPlan, name)) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT,
                std::string("setTensorDebugState: '") + (name ? name : "(null)") + "' is not a debug tensor");
            return false;
        }
        locked(mMutex, [&] { mDebugStates[mPlan->find(name)] = flag; });
        return true;
    }
    bool getDebugState(char const* name) const noexcept override
    {
        int32_t index = mPlan->find(name);
        return index >= 0 && locked(mMutex, [&] { return mDebugStates[index] != 0; });
    }
    bool setAllTensorsDebugState(bool flag) noexcept override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        for (size_t i = 0; i < mPlan->tensors.size(); ++i) {
            if (isFakeDebugTensor(*mPlan, mPlan->tensors[i].name.c_str())) {
                mDebugStates[i] = flag;
            }
        }
        return true;
    }
    bool setUnfusedTensorsDebugState(bool flag) noexcept override
    {
        FAKE_TRT_SINCE(VExecutionContext, setUnfusedTensorsDebugState, false);
        locked(mMutex, [&] { mUnfusedDebug = flag; });
        return true;
    }
    bool getUnfusedTensorsDebugState() const noexcept override
    {
        FAKE_TRT_SINCE(VExecutionContext, getUnfusedTensorsDebugState, false);
        return locked(mMutex, [&] { return mUnfusedDebug; });
    }

    size_t updateDeviceMemorySizeForShapes() noexcept override { return mPlan->deviceMemorySize; }
    IRuntimeConfig* getRuntimeConfig() const noexcept override;  // fake_engine.hpp
    bool setCommunicator(void*) noexcept override
    {
        FAKE_TRT_SINCE(VExecutionContext, setCommunicator, false);
        return unsupported("setCommunicator");
    }

private:
    int32_t outputIndex(char const* name) const noexcept
    {
        int32_t index = mPlan->find(name);
        return index >= 0 && mPlan->tensors[index].mode == kModeOutput ? index : -1;
    }

    // Where tensor `index` lives for an enqueue (mMutex held): its address,
    // or for an output without one, what its output allocator gave.
    void* addressOf(size_t index) const noexcept
    {
        return mAddresses[index] != nullptr ? mAddresses[index]
            : mOutputAllocators[index] != nullptr ? mAllocated[index] : nullptr;
    }

    // The enqueue and its steps (fake_enqueue.hpp).
    bool run(cudaStream_t stream, bool synchronous) noexcept;
    bool allocateOutputs(cudaStream_t stream) noexcept;
    bool copy(CudaDriver const* driver, std::vector<CopyStep> const& copies, cudaStream_t stream,
        bool synchronous) noexcept;
    void afterEnqueue(cudaStream_t stream) noexcept;

    bool unsupported(char const* what) const noexcept
    {
        mRecorder.report(ErrorCode::kUNSUPPORTED_STATE, std::string("fake_nvinfer does not implement ") + what);
        return false;
    }

    // Shapes (fake_enqueue.hpp; mMutex held): what an enqueue uses, what
    // getTensorShape shows, the upper bound of a "dds" output.
    Dims64 shapeOf(int32_t index) const noexcept;
    Dims64 visibleShape(int32_t index) const noexcept;
    int64_t ddsBound(int32_t index) const noexcept;

    bool setAddress(char const* tensorName, void* data, int32_t requiredMode, char const* what) noexcept
    {
        int32_t index = mPlan->find(tensorName);
        if (index < 0 || (requiredMode != 0 && mPlan->tensors[index].mode != requiredMode)) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT,
                std::string(what) + ": '" + (tensorName ? tensorName : "(null)") + "' is not "
                    + (requiredMode == kModeInput ? "an input" : requiredMode == kModeOutput ? "an output" : "an I/O")
                    + " tensor of the engine");
            return false;
        }
        locked(mMutex, [&] { mAddresses[index] = data; });
        return true;
    }

    void setUserMemory(void* memory, int64_t size) noexcept
    {
        if (mStrategy != kStrategyUserManaged) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT,
                "Parameter check failed, condition: the context was created with kUSER_MANAGED device memory");
            return;
        }
        if (size >= 0 && static_cast<uint64_t>(size) < mPlan->deviceMemorySize) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT,
                "Parameter check failed, condition: size >= getDeviceMemorySizeV2() (" + std::to_string(size) + " < "
                    + std::to_string(mPlan->deviceMemorySize) + ")");
            return;
        }
        locked(mMutex, [&] { mUserMemory = memory; });
    }

    LiveCount mLive;
    Engine& mEngine;
    IExecutionContext* mHandle = nullptr;
    std::shared_ptr<Plan const> mPlan;
    int32_t const mStrategy;
    IGpuAllocator* const mAllocator;  // the one mOwnedMemory came from
    void* const mOwnedMemory;
    std::shared_ptr<std::atomic<int32_t>> mEngineContexts;
    RecorderSlot mRecorder;
    std::unique_ptr<IRuntimeConfig> mRuntimeConfig;  // getRuntimeConfig's: the strategy it was made with

    mutable std::mutex mMutex;
    int32_t mProfile = 0;
    std::vector<Dims64> mInputShapes;  // by input ordinal
    std::vector<void*> mAddresses;     // by tensor index
    void* mUserMemory = nullptr;
    std::string mName;
    bool mDebugSync = false;
    IProfiler* mProfiler = nullptr;
    bool mEmitsProfile = true;
    cudaEvent_t mInputConsumedEvent = nullptr;
    IGpuAllocator* mTemporaryAllocator = nullptr;
    size_t mPersistentCacheLimit = 0;
    ProfilingVerbosity mNvtxVerbosity = static_cast<ProfilingVerbosity>(0);
    IDebugListener* mDebugListener = nullptr;
    bool mUnfusedDebug = false;
    mutable bool mProfilePending = false;  // an enqueue's layer times wait for reportToProfiler
    // By tensor index: output allocators, what each gave, debug states.
    std::vector<IOutputAllocator*> mOutputAllocators = std::vector<IOutputAllocator*>(mPlan->tensors.size(), nullptr);
    std::vector<void*> mAllocated = std::vector<void*>(mPlan->tensors.size(), nullptr);
    std::vector<char> mDebugStates = std::vector<char>(mPlan->tensors.size(), 0);
    // The profile and input shapes of the last enqueue that ran: while they
    // are the current ones, the shapes of "dds" outputs are known.
    bool mEnqueued = false;
    int32_t mEnqueuedProfile = 0;
    std::vector<Dims64> mEnqueuedShapes;
};

}  // namespace
