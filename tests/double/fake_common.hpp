// fake_common.hpp: part of fake_nvinfer.cpp (included once, by it alone).
// Which TensorRT major the double presents, the values and process state
// every part shares, small helpers, and the 10.x minor gating.
//
// One source serves both majors: every part below names the ABI's classes
// unqualified (ILogger, VRuntime, IPluginRegistry, ...), and this header
// brings in either trt_abi::v11 (shim/trt_abi.hpp) or trt_abi::v10
// (shim/trt_abi_v10.hpp) as FAKE_TRT_MAJOR says. The method bodies are the
// same for both; the few places where the majors differ (base classes, the
// 10.x-only methods, the logger type) are marked `#if FAKE_TRT_MAJOR == 10`.
#pragma once

#ifndef FAKE_TRT_MAJOR
#define FAKE_TRT_MAJOR 11
#endif

#if FAKE_TRT_MAJOR == 11
#include "trt_abi.hpp"
#define FAKE_TRT_DEFAULT_VERSION 110400  // 11.4.0
#define FAKE_TRT_BUILD_NUMBER 106
#elif FAKE_TRT_MAJOR == 10
#include "trt_abi_v10.hpp"
#define FAKE_TRT_DEFAULT_VERSION 101601  // 10.16.1
#define FAKE_TRT_BUILD_NUMBER 11
#else
#error "FAKE_TRT_MAJOR must be 10 or 11"
#endif

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <utility>
#include <vector>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the fake plan format is read with memcpy and assumes a little-endian host"
#endif

namespace {

#if FAKE_TRT_MAJOR == 11
using namespace trt_abi::v11;
#else
using namespace trt_abi::v10;
#endif
using trt_abi::cudaEvent_t;
using trt_abi::cudaStream_t;

// ------------------------------------------------------------ enum values
// trt_abi.hpp leaves these enums opaque (their values belong to the Python
// layer); the double needs the few values below, which are TensorRT's.

constexpr int32_t kModeInput = 1;      // TensorIOMode::kINPUT
constexpr int32_t kModeOutput = 2;     // TensorIOMode::kOUTPUT
constexpr int32_t kDataTypeUInt8 = 5;  // DataType::kUINT8, the type of a serialized plan
constexpr int32_t kDataTypeMax = 11;   // DataType::kE8M0, the last one
constexpr int32_t kLocationDevice = 0; // TensorLocation::kDEVICE
constexpr int32_t kStrategyUserManaged = 2;  // ExecutionContextAllocationStrategy::kUSER_MANAGED
constexpr int32_t kMaxDims = 8;
constexpr uint32_t kTempfileFlagCount = 2;   // EnumMax<TempfileControlFlag>()
constexpr uint64_t kDeviceAlignment = 256;
constexpr uint64_t kStreamChunk = uint64_t{1} << 20;  // largest read asked of a stream reader

// Bits per element of each DataType, by value (kINT4 and kFP4 are 4 bits).
constexpr std::array<int32_t, kDataTypeMax + 1> kDataTypeBits{32, 16, 8, 32, 8, 8, 8, 16, 64, 4, 4, 8};

// ------------------------------------------------------------ process state

// Live library objects, for the tests' leak checks.
std::atomic<int32_t> gLiveObjects{0};

struct LiveCount {
    LiveCount() noexcept { ++gLiveObjects; }
    LiveCount(LiveCount const&) = delete;
    LiveCount& operator=(LiveCount const&) = delete;
    ~LiveCount() { --gLiveObjects; }
};

// Nanoseconds spent inside enqueueV3 and executeV2, summed over all calls:
// benchmarks subtract the engine's own work (the double's copies) from a
// binding's wall time, whichever binding made the call.
std::atomic<uint64_t> gEngineNanos{0};

struct EngineClock {
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    EngineClock() = default;
    EngineClock(EngineClock const&) = delete;
    EngineClock& operator=(EngineClock const&) = delete;
    ~EngineClock()
    {
        auto spent = std::chrono::steady_clock::now() - start;
        gEngineNanos.fetch_add(uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(spent).count()),
                               std::memory_order_relaxed);
    }
};

// TensorRT keeps one logger per process: the first one given wins.
std::atomic<ILogger*> gLogger{nullptr};
std::atomic<int32_t> gLoggerCalls{0};

void logTo(ILogger* logger, LogSeverity severity, char const* message) noexcept
{
    if (logger == nullptr) {
        return;
    }
    ++gLoggerCalls;
    logger->log(severity, message);
}

void logMessage(LogSeverity severity, std::string const& message) noexcept
{
    logTo(gLogger.load(), severity, message.c_str());
}

// Integer value of an environment variable, or `fallback` when unset or not a number.
int64_t envInt(char const* name, int64_t fallback) noexcept
{
    char const* text = std::getenv(name);
    if (text == nullptr || *text == '\0') {
        return fallback;
    }
    char* end = nullptr;
    long long value = std::strtoll(text, &end, 10);
    return *end == '\0' ? value : fallback;
}

int32_t libVersion() noexcept
{
    int64_t v = envInt("FAKE_TRT_VERSION", FAKE_TRT_DEFAULT_VERSION);
    return v > 0 && v <= INT32_MAX ? static_cast<int32_t>(v) : FAKE_TRT_DEFAULT_VERSION;
}

// ------------------------------------------------------------ 10.x minor gating
// The 10.x classes describe 10.16; a method added later than 10.0 sits past
// the end of an older minor's vtable, where a real library has no slot (a
// call there jumps through whatever follows the vtable). When the version
// the double reports (FAKE_TRT_VERSION) is a 10.x minor older than a
// method's first minor (trt_abi_v10.hpp's first_minor:: table), the method
// logs kERROR and returns its failure value instead, and the call is counted
// (fake_trt_missing_slot_calls), so that tests can prove the shim never
// calls a slot the loaded minor lacks.

std::atomic<int32_t> gMissingSlotCalls{0};

#if FAKE_TRT_MAJOR == 10
// True when TensorRT 10.<minor> has the method; otherwise reports the call.
bool slotPresent(int32_t firstMinor, char const* cls, char const* method) noexcept
{
    int32_t v = libVersion();
    int32_t minor = (v / 100) % 100;
    if (v / 10000 != 10 || minor >= firstMinor) {
        return true;
    }
    ++gMissingSlotCalls;
    try {
        logMessage(LogSeverity::kERROR,
            std::string("fake_nvinfer: ") + cls + "::" + method + " is not in TensorRT 10." + std::to_string(minor)
                + "'s vtable (it came in 10." + std::to_string(firstMinor) + ")");
    } catch (std::exception const&) {
    }
    return false;
}
#endif

// First statement of a method that 10.x gained after 10.0: returns `failure`
// (nothing for a void method) when the reported minor lacks the method.
// Nothing in the 11.x build, where every declared slot exists.
#if FAKE_TRT_MAJOR == 10
#define FAKE_TRT_SINCE(cls, method, failure)                                      \
    do {                                                                          \
        if (!slotPresent(first_minor::cls##_##method, #cls, #method)) {           \
            return failure;                                                       \
        }                                                                         \
    } while (false)
#else
#define FAKE_TRT_SINCE(cls, method, failure) \
    do {                                     \
    } while (false)
#endif

int32_t nbDLACores() noexcept
{
    int64_t n = envInt("FAKE_TRT_DLA_CORES", 0);
    return n > 0 && n <= 64 ? static_cast<int32_t>(n) : 0;
}

// ------------------------------------------------------------ small helpers

Dims64 invalidDims() noexcept
{
    Dims64 d{};
    d.nbDims = -1;
    return d;
}

std::string dimsText(Dims64 const& d)
{
    std::string s = "[";
    for (int32_t i = 0; i < d.nbDims && i < kMaxDims; ++i) {
        s += (i ? "," : "") + std::to_string(d.d[i]);
    }
    return s + "]";
}

bool fullySpecified(Dims64 const& d) noexcept
{
    for (int32_t i = 0; i < d.nbDims; ++i) {
        if (d.d[i] < 0) {
            return false;
        }
    }
    return d.nbDims >= 0;
}

// Bytes of a tensor of this shape and type; 0 while an extent is unknown.
uint64_t tensorBytes(Dims64 const& d, int32_t dataType) noexcept
{
    if (!fullySpecified(d)) {
        return 0;
    }
    uint64_t count = 1;
    for (int32_t i = 0; i < d.nbDims; ++i) {
        count *= static_cast<uint64_t>(d.d[i]);
    }
    return (count * static_cast<uint64_t>(kDataTypeBits[dataType]) + 7) / 8;
}

// "Device" memory: through the application's allocator when one is set,
// otherwise host memory (the double's stand-in for the built-in allocator).
void* allocateDevice(IGpuAllocator* allocator, uint64_t size) noexcept
{
    if (allocator != nullptr) {
        return allocator->allocateAsync(size, kDeviceAlignment, 0, nullptr);
    }
    return std::malloc(size);
}

void freeDevice(IGpuAllocator* allocator, void* memory) noexcept
{
    if (memory == nullptr) {
        return;
    }
    if (allocator != nullptr) {
        allocator->deallocateAsync(memory, nullptr);
    } else {
        std::free(memory);
    }
}

// An object's error recorder, reference-counted as TensorRT does, and the
// place its errors go: the recorder when one is set, the logger otherwise.
class RecorderSlot {
public:
    RecorderSlot() = default;
    RecorderSlot(RecorderSlot const&) = delete;
    RecorderSlot& operator=(RecorderSlot const&) = delete;
    ~RecorderSlot()
    {
        if (mRecorder != nullptr) {
            mRecorder->decRefCount();
        }
    }

    void set(IErrorRecorder* recorder) noexcept
    {
        if (recorder != nullptr) {
            recorder->incRefCount();
        }
        IErrorRecorder* old = nullptr;
        {
            std::lock_guard<std::mutex> lock(mMutex);
            old = std::exchange(mRecorder, recorder);
        }
        if (old != nullptr) {
            old->decRefCount();
        }
    }

    IErrorRecorder* get() const noexcept
    {
        std::lock_guard<std::mutex> lock(mMutex);
        return mRecorder;
    }

    void report(ErrorCode code, std::string const& description) const noexcept
    {
        IErrorRecorder* recorder = get();
        if (recorder != nullptr) {
            recorder->reportError(code, description.c_str());
        } else {
            logMessage(LogSeverity::kERROR, description);
        }
    }

private:
    mutable std::mutex mMutex;
    IErrorRecorder* mRecorder = nullptr;
};

// Runs `f` with `mutex` held and returns what it returns.
template <class F>
auto locked(std::mutex& mutex, F&& f)
{
    std::lock_guard<std::mutex> lock(mutex);
    return f();
}

// Owning handles: the public objects (IRuntime, ICudaEngine, ...) are a
// destructor and a pointer to the implementation; deleting the handle
// deletes the implementation, as in TensorRT.
template <class Handle, class Impl>
class Owning final : public Handle {
public:
    explicit Owning(Impl* impl) noexcept { this->mImpl = impl; }
    ~Owning() noexcept override { delete static_cast<Impl*>(this->mImpl); }
};

}  // namespace
