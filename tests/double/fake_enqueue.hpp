// fake_enqueue.hpp: part of fake_nvinfer.cpp (included once, by it alone).
// The execution context's enqueue (enqueueV3, executeV2) and the shapes it
// computes: the checks, the output allocators, the copy of input k to output
// k (memmove on the host, or the CUDA driver in CUDA mode), then the debug
// listener and the profiler; and the data-dependent ("dds") outputs.
#pragma once

#include "fake_context.hpp"

namespace {

bool sameDims(Dims64 const& a, Dims64 const& b) noexcept
{
    return a.nbDims == b.nbDims && std::equal(a.d, a.d + std::max(0, a.nbDims), b.d);
}

// Checks shapes and addresses, then copies each input to the output of the
// same ordinal; output allocators, the debug listener and the profiler are
// called around it as TensorRT does. `synchronous` (executeV2): in CUDA mode
// the copies are waited for before returning.
bool Context::run(cudaStream_t stream, bool synchronous) noexcept
{
    // In CUDA mode the driver must be at hand before any callback runs, so
    // that a missing driver fails the enqueue and nothing else.
    CudaDriver const* driver = nullptr;
    if (cudaMode()) {
        std::string why;
        driver = cudaDriver(why);
        if (driver == nullptr) {
            mRecorder.report(ErrorCode::kFAILED_INITIALIZATION, "enqueueV3: FAKE_TRT_CUDA=1 but " + why);
            return false;
        }
    }
    if (!allocateOutputs(stream)) {
        return false;
    }
    std::vector<CopyStep> copies;
    std::string error;
    std::vector<Dims64> shapes;
    int32_t profile = 0;
    {
        std::lock_guard<std::mutex> lock(mMutex);
        for (size_t i = 0; i < mPlan->tensors.size() && error.empty(); ++i) {
            TensorDesc const& t = mPlan->tensors[i];
            Dims64 shape = shapeOf(static_cast<int32_t>(i));
            if (t.mode == kModeInput && !fullySpecified(shape)) {
                error = "enqueueV3: the shape of input '" + t.name + "' is not set (setInputShape)";
            } else if (addressOf(i) == nullptr && tensorBytes(shape, t.dataType) > 0) {
                error = "enqueueV3: the address of " + std::string(t.mode == kModeInput ? "input" : "output") + " '"
                    + t.name + "' is not set (setTensorAddress)";
            }
        }
        if (error.empty() && mStrategy == kStrategyUserManaged && mPlan->deviceMemorySize > 0 && mUserMemory == nullptr) {
            error = "enqueueV3: no device memory: the context was created with kUSER_MANAGED and setDeviceMemory"
                    " was not called";
        }
        if (error.empty()) {
            size_t pairs = std::min(mPlan->inputs.size(), mPlan->outputs.size());
            for (size_t k = 0; k < pairs; ++k) {
                int32_t in = mPlan->inputs[k], out = mPlan->outputs[k];
                uint64_t bytes = std::min(tensorBytes(shapeOf(in), mPlan->tensors[in].dataType),
                    tensorBytes(shapeOf(out), mPlan->tensors[out].dataType));
                if (bytes > 0) {
                    copies.push_back({addressOf(out), addressOf(in), bytes, in, out});
                }
            }
        }
        shapes = mInputShapes;
        profile = mProfile;
    }
    if (!error.empty()) {
        mRecorder.report(ErrorCode::kINVALID_ARGUMENT, error);
        return false;
    }
    if (!copy(driver, copies, stream, synchronous)) {
        return false;
    }
    locked(mMutex, [&] {
        mEnqueued = true;
        mEnqueuedProfile = profile;
        mEnqueuedShapes = std::move(shapes);
    });
    afterEnqueue(stream);
    return true;
}

// Makes the copies: memmove on the host, or cuMemcpyAsync on `stream` in CUDA
// mode (then cuStreamSynchronize when `synchronous`). False, and reported,
// when the driver refuses one.
bool Context::copy(CudaDriver const* driver, std::vector<CopyStep> const& copies, cudaStream_t stream,
    bool synchronous) noexcept
{
    if (driver == nullptr) {
        for (CopyStep const& c : copies) {
            std::memmove(c.to, c.from, c.bytes);
        }
        return true;
    }
    for (CopyStep const& c : copies) {
        CUresult status = driver->copyAsync(c.to, c.from, c.bytes, stream);
        if (status != 0) {
            mRecorder.report(ErrorCode::kFAILED_EXECUTION,
                "enqueueV3: cuMemcpyAsync from input '" + mPlan->tensors[c.input].name + "' to output '"
                    + mPlan->tensors[c.output].name + "' (" + std::to_string(c.bytes)
                    + " bytes) failed: " + driver->errorText(status));
            return false;
        }
    }
    CUresult status = synchronous ? driver->synchronize(stream) : 0;
    if (status != 0) {
        mRecorder.report(ErrorCode::kFAILED_EXECUTION, "executeV2: cuStreamSynchronize failed: " + driver->errorText(status));
        return false;
    }
    return true;
}

// Asks the output allocator of each output whose address is not set for
// the memory its shape needs (no lock held while it runs). False, and
// reported, when one gives none.
bool Context::allocateOutputs(cudaStream_t stream) noexcept
{
    struct Ask {
        size_t index;
        IOutputAllocator* allocator;
        void* current;
        uint64_t bytes;
    };
    std::vector<Ask> asks;
    {
        std::lock_guard<std::mutex> lock(mMutex);
        for (int32_t index : mPlan->outputs) {
            Dims64 shape = shapeOf(index);
            if (mOutputAllocators[index] != nullptr && mAddresses[index] == nullptr && fullySpecified(shape)) {
                asks.push_back({static_cast<size_t>(index), mOutputAllocators[index], mAllocated[index],
                    tensorBytes(shape, mPlan->tensors[index].dataType)});
            }
        }
    }
    for (Ask const& a : asks) {
        std::string const& name = mPlan->tensors[a.index].name;
        void* memory = a.allocator->reallocateOutputAsync(name.c_str(), a.current, a.bytes, kOutputAlignment, stream);
        if (memory == nullptr && a.bytes > 0) {
            mRecorder.report(ErrorCode::kFAILED_ALLOCATION,
                "enqueueV3: the output allocator of '" + name + "' gave no memory for " + std::to_string(a.bytes)
                    + " bytes");
            return false;
        }
        locked(mMutex, [&] {
            if (mOutputAllocators[a.index] == a.allocator) {
                mAllocated[a.index] = memory;
            }
        });
    }
    return true;
}

// After an enqueue: output allocators are told the final shapes, the
// debug listener gets each debug tensor whose state is on, and the
// profiler the layer's time (or it waits for reportToProfiler).
void Context::afterEnqueue(cudaStream_t stream) noexcept
{
    struct Notice {
        size_t index;
        IOutputAllocator* allocator;
        Dims64 shape;
    };
    std::vector<Notice> notices;
    std::vector<Notice> debugs;
    std::vector<void*> debugAddresses;
    IDebugListener* listener = nullptr;
    IProfiler* profiler = nullptr;
    {
        std::lock_guard<std::mutex> lock(mMutex);
        for (int32_t index : mPlan->outputs) {
            if (mOutputAllocators[index] != nullptr && mAddresses[index] == nullptr) {
                notices.push_back({static_cast<size_t>(index), mOutputAllocators[index], shapeOf(index)});
            }
        }
        listener = mDebugListener;
        for (size_t i = 0; listener != nullptr && i < mPlan->tensors.size(); ++i) {
            if (mDebugStates[i]) {
                debugs.push_back({i, nullptr, shapeOf(static_cast<int32_t>(i))});
                debugAddresses.push_back(addressOf(i));
            }
        }
        if (mProfiler != nullptr && mEmitsProfile) {
            profiler = mProfiler;
        }
        mProfilePending = mProfiler != nullptr && !mEmitsProfile;
    }
    for (Notice const& n : notices) {
        n.allocator->notifyShape(mPlan->tensors[n.index].name.c_str(), n.shape);
    }
    for (size_t k = 0; k < debugs.size(); ++k) {
        TensorDesc const& t = mPlan->tensors[debugs[k].index];
        listener->processDebugTensor(debugAddresses[k], static_cast<TensorLocation>(kLocationDevice),
            static_cast<DataType>(t.dataType), debugs[k].shape, t.name.c_str(), stream);
    }
    if (profiler != nullptr) {
        profiler->reportLayerTime(mPlan->name.c_str(), kFakeLayerMs);
    }
}

// Shape of a tensor for an enqueue: an input's as set, an output's with
// dynamic extents taken from the matching input (same ordinal and rank).
// A "dds" output's extent with no such input is 0 (an empty result).
Dims64 Context::shapeOf(int32_t index) const noexcept
{
    TensorDesc const& t = mPlan->tensors[index];
    if (t.mode == kModeInput) {
        return mInputShapes[t.ordinal];
    }
    Dims64 d = t.dims;
    if (static_cast<size_t>(t.ordinal) < mPlan->inputs.size()) {
        Dims64 const& in = mInputShapes[t.ordinal];
        if (in.nbDims == d.nbDims) {
            for (int32_t k = 0; k < d.nbDims; ++k) {
                if (d.d[k] < 0) {
                    d.d[k] = in.d[k];
                }
            }
        }
    }
    if (isFakeDdsOutput(t)) {
        for (int32_t k = 0; k < d.nbDims; ++k) {
            d.d[k] = std::max<int64_t>(d.d[k], 0);
        }
    }
    return d;
}

// Shape of a tensor as getTensorShape shows it: a "dds" output's dynamic
// extents stay -1 until an enqueue has run with the profile and input shapes
// set now (as a data-dependent shape is known only once the data is).
Dims64 Context::visibleShape(int32_t index) const noexcept
{
    Dims64 d = shapeOf(index);
    TensorDesc const& t = mPlan->tensors[index];
    if (!isFakeDdsOutput(t)) {
        return d;
    }
    bool known = mEnqueued && mEnqueuedProfile == mProfile
        && std::equal(mInputShapes.begin(), mInputShapes.end(), mEnqueuedShapes.begin(), mEnqueuedShapes.end(), sameDims);
    for (int32_t k = 0; k < d.nbDims && !known; ++k) {
        if (t.dims.d[k] < 0) {
            d.d[k] = -1;
        }
    }
    return d;
}

// Upper bound in bytes of a "dds" output (getMaxOutputSize): its dynamic
// extents at the current profile's max of the matching input; -1 while an
// input shape is not set.
int64_t Context::ddsBound(int32_t index) const noexcept
{
    if (!std::all_of(mInputShapes.begin(), mInputShapes.end(), fullySpecified)) {
        return -1;
    }
    TensorDesc const& t = mPlan->tensors[index];
    Dims64 d = t.dims;
    bool matched = static_cast<size_t>(t.ordinal) < mPlan->inputs.size()
        && mInputShapes[t.ordinal].nbDims == d.nbDims;
    for (int32_t k = 0; k < d.nbDims; ++k) {
        if (d.d[k] < 0) {
            d.d[k] = matched ? mPlan->profiles[mProfile][t.ordinal][2].d[k] : 0;
        }
    }
    return static_cast<int64_t>(tensorBytes(d, t.dataType));
}

}  // namespace
