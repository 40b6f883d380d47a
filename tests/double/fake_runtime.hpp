// fake_runtime.hpp: part of fake_nvinfer.cpp (included once, by it alone).
// The runtime: properties, deserialization (buffer and stream readers),
// lean runtimes, the process's logger.
#pragma once

#include "fake_inspector.hpp"
#include "fake_plugins.hpp"

namespace {

// ------------------------------------------------------------ runtime

IRuntime* newRuntime() noexcept;

// 11.x: the runtime of 11.4, with the DLA workspace strategy slots; 10.x:
// its VRuntime, which has the IStreamReader overload and no such slots.
#if FAKE_TRT_MAJOR == 10
using RuntimeBase = VRuntime;
#else
using RuntimeBase = VRuntimeFrom11_4;
#endif

class Runtime final : public RuntimeBase {
public:
    Runtime() : mRegistry(&processRegistry()) {}

    ~Runtime() override
    {
        int32_t engines = mLiveEngines->load();
        if (engines > 0) {
            // Undefined behaviour in TensorRT; the double says so instead.
            logMessage(LogSeverity::kERROR,
                "fake_nvinfer: IRuntime destroyed while " + std::to_string(engines)
                    + " engines it deserialized are alive");
        }
    }

    void setHandle(IRuntime* handle) noexcept { mHandle = handle; }

    IRuntime* getPImpl() noexcept override { return mHandle; }

    ICudaEngine* deserializeCudaEngine(void const* blob, size_t size) noexcept override
    {
        auto const* bytes = static_cast<uint8_t const*>(blob);
        Header header;
        if (!checkHeader(bytes, blob == nullptr ? 0 : size, header)) {
            return nullptr;
        }
        if (size != header.totalSize) {
            mRecorder.report(ErrorCode::kINVALID_CONFIG,
                "Fake plan is corrupt: the buffer holds " + std::to_string(size) + " bytes, the header says "
                    + std::to_string(header.totalSize));
            return nullptr;
        }
        try {
            PlanAssembler assembler(bytes, header);
            assembler.feed(bytes + kHeaderSize, size - kHeaderSize);
            return finishDeserialize(assembler, header);
        } catch (std::exception const&) {
            mRecorder.report(ErrorCode::kFAILED_ALLOCATION, "deserializeCudaEngine: out of host memory");
            return nullptr;
        }
    }

    ICudaEngine* deserializeCudaEngineV2(IStreamReaderV2& reader) noexcept override
    {
        FAKE_TRT_SINCE(VRuntime, deserializeCudaEngineV2, nullptr);
        // Like TensorRT: the header first, then two seeks, whatever follows.
        uint8_t head[kHeaderSize];
        if (reader.read(head, kHeaderSize, nullptr) != static_cast<int64_t>(kHeaderSize)) {
            mRecorder.report(ErrorCode::kUNSPECIFIED_ERROR, "Stream read failed");
            return nullptr;
        }
        if (!reader.seek(0, SeekPosition::kSET) || !reader.seek(kHeaderSize, SeekPosition::kCUR)) {
            mRecorder.report(ErrorCode::kUNSPECIFIED_ERROR, "Stream seek failed");
            return nullptr;
        }
        Header header;
        if (!checkHeader(head, kHeaderSize, header)) {
            return nullptr;
        }
        return readRest(head, header,
            [&](void* to, int64_t size) { return reader.read(to, size, nullptr); }, "deserializeCudaEngineV2");
    }

#if FAKE_TRT_MAJOR == 10
    // 10.x's reader without seeking (every 10.x minor; 11.0 removed it): the
    // plan is read once, in order: the header, then the rest in reads of at
    // most 1 MiB, with the checks and messages of the other paths. The
    // reader's read() may throw (TensorRT declares it without noexcept); an
    // exception counts as a failed read.
    ICudaEngine* deserializeCudaEngine(IStreamReader& reader) noexcept override
    {
        auto read = [&](void* to, int64_t size) noexcept -> int64_t {
            try {
                return reader.read(to, size);
            } catch (...) {
                return -1;
            }
        };
        uint8_t head[kHeaderSize];
        if (read(head, kHeaderSize) != static_cast<int64_t>(kHeaderSize)) {
            mRecorder.report(ErrorCode::kUNSPECIFIED_ERROR, "Stream read failed");
            return nullptr;
        }
        Header header;
        if (!checkHeader(head, kHeaderSize, header)) {
            return nullptr;
        }
        return readRest(head, header, read, "deserializeCudaEngine");
    }
#endif

    void setDLACore(int32_t core) noexcept override
    {
        int32_t cores = nbDLACores();
        if (cores == 0) {
            return;  // what TensorRT does without DLA: nothing, and no message
        }
        if (core < 0 || core >= cores) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT, "Parameter check failed, condition: dlaCore < getNbDLACores()");
            return;
        }
        locked(mMutex, [&] { mDLACore = core; });
    }
    int32_t getDLACore() const noexcept override { return locked(mMutex, [&] { return mDLACore; }); }
    int32_t getNbDLACores() const noexcept override { return nbDLACores(); }

    void setGpuAllocator(IGpuAllocator* allocator) noexcept override { locked(mMutex, [&] { mAllocator = allocator; }); }

    void setErrorRecorder(IErrorRecorder* recorder) noexcept override { mRecorder.set(recorder); }
    IErrorRecorder* getErrorRecorder() const noexcept override { return mRecorder.get(); }
    ILogger* getLogger() const noexcept override { return gLogger.load(); }

    bool setMaxThreads(int32_t count) noexcept override
    {
        if (count <= 0) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT, "Parameter check failed, condition: maxThreads > 0");
            return false;
        }
        locked(mMutex, [&] { mMaxThreads = count; });
        return true;
    }
    int32_t getMaxThreads() const noexcept override { return locked(mMutex, [&] { return mMaxThreads; }); }

    void setTemporaryDirectory(char const* path) noexcept override
    {
        try {
            std::lock_guard<std::mutex> lock(mMutex);
            mHasTemporaryDirectory = path != nullptr;
            mTemporaryDirectory = path != nullptr ? path : "";
        } catch (std::exception const&) {
        }
    }
    char const* getTemporaryDirectory() const noexcept override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        return mHasTemporaryDirectory ? mTemporaryDirectory.c_str() : nullptr;
    }

    void setTempfileControlFlags(TempfileFlagBits flags) noexcept override
    {
        if (flags >= (1U << kTempfileFlagCount)) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT,
                "Parameter check failed, condition: flags < (1U << EnumMax<TempfileControlFlag>())");
            return;
        }
        locked(mMutex, [&] { mTempfileFlags = flags; });
    }
    TempfileFlagBits getTempfileControlFlags() const noexcept override
    {
        return locked(mMutex, [&] { return mTempfileFlags; });
    }

    IPluginRegistry& getPluginRegistry() noexcept override { return mRegistry; }
    void setPluginRegistryParent(IPluginRegistry* parent) noexcept override { mRegistry.setParent(parent); }

    IRuntime* loadRuntime(char const* path) noexcept override
    {
        struct stat info;
        if (path == nullptr || ::stat(path, &info) != 0) {
            logMessage(LogSeverity::kERROR, std::string("Unable to load library: ") + (path ? path : "(null)"));
            return nullptr;
        }
        // Only a lean library carries the entry point a loaded runtime needs.
        char const* slash = std::strrchr(path, '/');
        if (std::strstr(slash != nullptr ? slash + 1 : path, "lean") == nullptr) {
            logMessage(LogSeverity::kERROR, "SymbolAddress for getForwardCompatibilityHelper could not be loaded");
            return nullptr;
        }
        return newRuntime();
    }

    void setEngineHostCodeAllowed(bool allowed) noexcept override { locked(mMutex, [&] { mEngineHostCodeAllowed = allowed; }); }
    bool getEngineHostCodeAllowed() const noexcept override { return locked(mMutex, [&] { return mEngineHostCodeAllowed; }); }

#if FAKE_TRT_MAJOR == 11
    bool setDLAWorkspaceAllocationStrategy(DLAWorkspaceAllocationStrategy strategy) noexcept override
    {
        if (strategy != DLAWorkspaceAllocationStrategy::kDEFAULT && strategy != DLAWorkspaceAllocationStrategy::kSHARED_STATIC) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT,
                "Parameter check failed, condition: strategy is a DLAWorkspaceAllocationStrategy");
            return false;
        }
        locked(mMutex, [&] { mDLAWorkspaceStrategy = strategy; });
        return true;
    }
    DLAWorkspaceAllocationStrategy getDLAWorkspaceAllocationStrategy() const noexcept override
    {
        return locked(mMutex, [&] { return mDLAWorkspaceStrategy; });
    }
#endif

private:
    // The checks TensorRT makes before it knows the format: size, then magic.
    // Reports and returns false on failure; fills `header` on success.
    bool checkHeader(uint8_t const* bytes, size_t size, Header& header) const
    {
        if (size == 0) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT, "Cannot deserialize with an empty memory buffer");
            return false;
        }
        if (size < kHeaderSize) {
            mRecorder.report(ErrorCode::kINTERNAL_ERROR, "bufferSize >= minBufferSize");
            return false;
        }
        if (std::memcmp(bytes, kMagic, sizeof kMagic) != 0) {
            mRecorder.report(ErrorCode::kUNSPECIFIED_ERROR, "Serialization assertion header.magicTag failed");
            return false;
        }
        std::string why;
        if (!parseHeader(bytes, header, why)) {
            mRecorder.report(ErrorCode::kINVALID_CONFIG, "Fake plan is corrupt: " + why);
            return false;
        }
        return true;
    }

    // Reads what follows a checked header through `read(to, size)` (a stream
    // reader's read), in reads of at most 1 MiB, then makes the engine.
    template <class Read>
    ICudaEngine* readRest(uint8_t const* head, Header const& header, Read&& read, char const* what) noexcept
    {
        try {
            PlanAssembler assembler(head, header);
            uint64_t left = header.totalSize - kHeaderSize;
            std::vector<uint8_t> chunk(static_cast<size_t>(std::min(left, kStreamChunk)));
            while (left > 0) {
                int64_t want = static_cast<int64_t>(std::min<uint64_t>(left, chunk.size()));
                if (read(chunk.data(), want) != want) {
                    mRecorder.report(ErrorCode::kUNSPECIFIED_ERROR, "Stream read failed");
                    return nullptr;
                }
                assembler.feed(chunk.data(), static_cast<size_t>(want));
                left -= static_cast<uint64_t>(want);
            }
            return finishDeserialize(assembler, header);
        } catch (std::exception const&) {
            mRecorder.report(ErrorCode::kFAILED_ALLOCATION, std::string(what) + ": out of host memory");
            return nullptr;
        }
    }

    ICudaEngine* finishDeserialize(PlanAssembler& assembler, Header const& header)
    {
        auto start = std::chrono::steady_clock::now();
        std::string why;
        auto plan = std::make_shared<Plan>();
        if (!assembler.finish(why) || !parseBody(assembler.take(), header.totalSize, *plan, why)) {
            mRecorder.report(ErrorCode::kINVALID_CONFIG, "Fake plan is corrupt: " + why);
            return nullptr;
        }
        IGpuAllocator* allocator = locked(mMutex, [&] { return mAllocator; });
        void* memory = nullptr;
        if (plan->deviceMemorySize > 0) {
            memory = allocateDevice(allocator, plan->deviceMemorySize);
            if (memory == nullptr) {
                mRecorder.report(ErrorCode::kFAILED_ALLOCATION, "Requested amount of GPU memory could not be allocated");
                return nullptr;
            }
        }
        Engine* impl = nullptr;
        try {
            impl = new Engine(plan, mRecorder.get(), allocator, memory, mLiveEngines);
        } catch (std::exception const&) {
            freeDevice(allocator, memory);
            throw;
        }
        auto* handle = new (std::nothrow) Owning<ICudaEngine, Engine>(impl);
        if (handle == nullptr) {
            delete impl;
            return nullptr;
        }
        impl->setHandle(handle);
        auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
        logMessage(LogSeverity::kINFO, "Loaded engine size: " + std::to_string(plan->totalSize >> 20) + " MiB");
        logMessage(LogSeverity::kVERBOSE,
            "Deserialization required " + std::to_string(micros.count()) + " microseconds.");
        return handle;
    }

    LiveCount mLive;
    IRuntime* mHandle = nullptr;
    RecorderSlot mRecorder;
    Registry mRegistry;
    std::shared_ptr<std::atomic<int32_t>> mLiveEngines = std::make_shared<std::atomic<int32_t>>(0);

    mutable std::mutex mMutex;
    int32_t mDLACore = -1;
    int32_t mMaxThreads = 1;
    bool mHasTemporaryDirectory = false;
    std::string mTemporaryDirectory;
    TempfileFlagBits mTempfileFlags = 3;  // in-memory and temporary files allowed
    bool mEngineHostCodeAllowed = false;
    IGpuAllocator* mAllocator = nullptr;  // null: the built-in one
#if FAKE_TRT_MAJOR == 11
    DLAWorkspaceAllocationStrategy mDLAWorkspaceStrategy = DLAWorkspaceAllocationStrategy::kDEFAULT;
#endif
};

IRuntime* newRuntime() noexcept
{
    Runtime* impl = nullptr;
    try {
        impl = new Runtime();
    } catch (std::exception const&) {
        return nullptr;
    }
    auto* handle = new (std::nothrow) Owning<IRuntime, Runtime>(impl);
    if (handle == nullptr) {
        delete impl;
        return nullptr;
    }
    impl->setHandle(handle);
    return handle;
}

// Registers the process's logger, or warns through the registered one that a
// different logger is ignored. False when there is no logger at all.
bool registerLogger(ILogger* logger) noexcept
{
    if (logger == nullptr) {
        return gLogger.load() != nullptr;
    }
    ILogger* expected = nullptr;
    if (gLogger.compare_exchange_strong(expected, logger) || expected == logger) {
        return true;
    }
    logTo(expected, LogSeverity::kWARNING,
        "The logger passed into createInferRuntime differs from one already registered for an existing builder, "
        "runtime, or refitter. So the current new logger is ignored, and TensorRT will use the logger of the first "
        "object created.");
    return true;
}

}  // namespace
