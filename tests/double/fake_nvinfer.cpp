// fake_nvinfer.cpp: a test double of TensorRT's runtime library (libnvinfer.so.11).
//
// Why it exists: CI has no GPU and no CUDA, and no real engine plan can be
// built anywhere the project reaches, so the shim's success paths
// (deserialization, engines, execution contexts, enqueue) cannot run against
// the real library there. This library implements the TensorRT side of the
// project's own ABI declarations (shim/trt_abi.hpp, namespace trt_abi::v11)
// with real state, on the host only, and mirrors the measured behaviour of the
// TensorRT 11.4 lean library (shared/FACTS.md) wherever that is known: the
// same defaults, the same parameter checks, the same error codes and texts.
// It is built by the tests (tests/double/build.py) from the ABI header, so a
// slot out of place in that header fails to compile here or misbehaves in the
// tests in the same way it would against the real library.
//
// Plan format of the double (a "fake plan"; every integer little-endian):
//   header, 32 bytes:
//     [0,4)    magic "FTRT"
//     [4,8)    u32 format version, 1
//     [8,16)   u64 total size of the plan in bytes: header + body + padding
//     [16,24)  u64 body size in bytes; the body starts at offset 32
//     [24,28)  u32 CRC-32 (zlib's polynomial) of bytes [32, total): body and padding
//     [28,32)  u32 reserved, 0
//   body:
//     u64  device memory size: allocated once per engine, and once per context
//          (strategies kSTATIC and kON_PROFILE_CHANGE); getDeviceMemorySizeV2
//     str  engine name          (str = u32 byte length, then that many UTF-8 bytes)
//     u32  number of I/O tensors, then per tensor, in I/O order:
//          str name, i32 mode (1 input, 2 output), i32 DataType value,
//          i32 nbDims (0..8), i64 extents[nbDims] (-1 = dynamic)
//     u32  number of optimization profiles (at least 1), then per profile and
//          per input tensor (in I/O order): i64 min[nbDims], opt[nbDims], max[nbDims]
//   padding: zero bytes up to the total size. It lets a test make a plan of
//   any size; every byte of it is read (checksum, zero check), like a real
//   plan is, so that memory and speed measurements of the shim see it read.
//
// Execution: enqueueV3 copies the bytes of the k-th input to the k-th output
// (k-th among outputs), on the host: tensor addresses are host pointers. A
// dynamic output extent takes the extent at the same position of the
// matching input when both have the same rank.
//
// Environment, read at each call so that one built library serves many tests:
//   FAKE_TRT_VERSION=110400   what getInferLibVersion returns (and the
//                             major/minor/patch derived from it)
//   FAKE_TRT_NO_GPU=1         createInferRuntime_INTERNAL behaves as the real
//                             library does on a machine without a GPU
//   FAKE_TRT_DLA_CORES=N      number of DLA cores (default 0)
//
// Helpers for the tests, besides TensorRT's own exports:
//   int32_t fake_trt_live_objects()   live runtimes + engines + contexts + host memories
//   int32_t fake_trt_logger_calls()   calls made into any ILogger::log so far
//   void    fake_trt_forget_logger()  drops the process's registered logger
//
// Locking rule: state is guarded by mutexes, but no lock is ever held while
// calling into an object of the application (logger, error recorder, GPU
// allocator, stream reader, plugin creator or registry it supplies): those
// call into Python, which may call back into this library from another thread.

#include "trt_abi.hpp"

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

#define FAKE_TRT_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

using namespace trt_abi::v11;
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
    int64_t v = envInt("FAKE_TRT_VERSION", 110400);
    return v > 0 && v <= INT32_MAX ? static_cast<int32_t>(v) : 110400;
}

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

// ------------------------------------------------------------ CRC-32
// zlib's CRC-32 (reflected polynomial 0xEDB88320), eight bytes per step, so
// that a plan of hundreds of MiB is checked at memory speed.
class Crc32 {
public:
    void update(uint8_t const* p, size_t n) noexcept
    {
        auto const& t = tables();
        uint32_t crc = ~mValue;
        for (; n >= 8; p += 8, n -= 8) {
            uint32_t lo = 0;
            uint32_t hi = 0;
            std::memcpy(&lo, p, 4);
            std::memcpy(&hi, p + 4, 4);
            lo ^= crc;
            crc = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24]
                ^ t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^ t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
        }
        for (; n > 0; ++p, --n) {
            crc = (crc >> 8) ^ t[0][(crc ^ *p) & 0xff];
        }
        mValue = ~crc;
    }
    uint32_t value() const noexcept { return mValue; }

private:
    using Tables = std::array<std::array<uint32_t, 256>, 8>;
    static Tables const& tables() noexcept
    {
        static Tables const t = [] {
            Tables r{};
            for (uint32_t i = 0; i < 256; ++i) {
                uint32_t c = i;
                for (int k = 0; k < 8; ++k) {
                    c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
                }
                r[0][i] = c;
            }
            for (size_t k = 1; k < 8; ++k) {
                for (uint32_t i = 0; i < 256; ++i) {
                    r[k][i] = (r[k - 1][i] >> 8) ^ r[0][r[k - 1][i] & 0xff];
                }
            }
            return r;
        }();
        return t;
    }
    uint32_t mValue = 0;
};

bool allZero(uint8_t const* p, size_t n) noexcept
{
    uint64_t acc = 0;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w = 0;
        std::memcpy(&w, p, 8);
        acc |= w;
    }
    for (; n > 0; ++p, --n) {
        acc |= *p;
    }
    return acc == 0;
}

// ------------------------------------------------------------ the plan

constexpr size_t kHeaderSize = 32;
constexpr char kMagic[4] = {'F', 'T', 'R', 'T'};
constexpr uint32_t kFormatVersion = 1;

struct Header {
    uint32_t version = 0;
    uint64_t totalSize = 0;
    uint64_t bodySize = 0;
    uint32_t checksum = 0;
};

template <class T>
T readLE(uint8_t const* p) noexcept
{
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// Reads the fields of a header whose magic has been checked. False with a
// reason when they cannot describe a plan.
bool parseHeader(uint8_t const* p, Header& h, std::string& why)
{
    h.version = readLE<uint32_t>(p + 4);
    h.totalSize = readLE<uint64_t>(p + 8);
    h.bodySize = readLE<uint64_t>(p + 16);
    h.checksum = readLE<uint32_t>(p + 24);
    if (h.version != kFormatVersion) {
        why = "unsupported format version " + std::to_string(h.version) + " (this library reads "
            + std::to_string(kFormatVersion) + ")";
        return false;
    }
    if (h.totalSize < kHeaderSize || h.bodySize > h.totalSize - kHeaderSize) {
        why = "header sizes are inconsistent: total " + std::to_string(h.totalSize) + " bytes, body "
            + std::to_string(h.bodySize) + " bytes";
        return false;
    }
    return true;
}

struct TensorDesc {
    std::string name;
    int32_t mode = 0;
    int32_t dataType = 0;
    Dims64 dims{};
    int32_t ordinal = 0;  // index among the inputs, or among the outputs
};

// min, opt and max shape of one input in one profile.
using ProfileShapes = std::array<Dims64, 3>;

struct Plan {
    std::vector<uint8_t> kept;  // header and body exactly as read (padding is all zero)
    uint64_t totalSize = 0;
    uint64_t deviceMemorySize = 0;
    std::string name;
    std::vector<TensorDesc> tensors;
    std::vector<int32_t> inputs;   // tensor indices of the inputs, in order
    std::vector<int32_t> outputs;  // and of the outputs
    std::vector<std::vector<ProfileShapes>> profiles;  // [profile][input ordinal]

    int32_t find(char const* tensorName) const noexcept
    {
        if (tensorName == nullptr) {
            return -1;
        }
        for (size_t i = 0; i < tensors.size(); ++i) {
            if (tensors[i].name == tensorName) {
                return static_cast<int32_t>(i);
            }
        }
        return -1;
    }
};

// Gathers the bytes after the header, in pieces of any size, in order: keeps
// the body, checks that the padding is zero and computes the checksum.
class PlanAssembler {
public:
    PlanAssembler(uint8_t const* header, Header const& h) : mHeader(h)
    {
        mKept.reserve(kHeaderSize + h.bodySize);
        mKept.assign(header, header + kHeaderSize);
    }

    void feed(uint8_t const* p, size_t n)
    {
        // By blocks, so that the zero check and the checksum read a block
        // while it is still in cache.
        constexpr size_t kBlock = 64 * 1024;
        while (n > 0) {
            size_t k = std::min(n, kBlock);
            uint64_t bodyLeft = mReceived < mHeader.bodySize ? mHeader.bodySize - mReceived : 0;
            size_t keep = static_cast<size_t>(std::min<uint64_t>(k, bodyLeft));
            mKept.insert(mKept.end(), p, p + keep);
            if (keep < k && !allZero(p + keep, k - keep)) {
                mPaddingDirty = true;
            }
            mCrc.update(p, k);
            mReceived += k;
            p += k;
            n -= k;
        }
    }

    bool finish(std::string& why) const
    {
        uint64_t expected = mHeader.totalSize - kHeaderSize;
        if (mReceived != expected) {
            why = "received " + std::to_string(mReceived + kHeaderSize) + " bytes, the header says "
                + std::to_string(mHeader.totalSize);
            return false;
        }
        if (mCrc.value() != mHeader.checksum) {
            char text[96];
            std::snprintf(text, sizeof text, "checksum mismatch: the header says 0x%08x, the bytes give 0x%08x",
                mHeader.checksum, mCrc.value());
            why = text;
            return false;
        }
        if (mPaddingDirty) {
            why = "the padding after the body is not zero";
            return false;
        }
        return true;
    }

    std::vector<uint8_t> take() { return std::move(mKept); }

private:
    Header mHeader;
    std::vector<uint8_t> mKept;
    uint64_t mReceived = 0;  // bytes after the header
    Crc32 mCrc;
    bool mPaddingDirty = false;
};

// Bounds-checked reading of the body.
class Cursor {
public:
    Cursor(uint8_t const* p, size_t n) noexcept : mP(p), mN(n) {}

    template <class T>
    T get() noexcept
    {
        T v{};
        if (mN < sizeof v) {
            mOk = false;
            return v;
        }
        std::memcpy(&v, mP, sizeof v);
        mP += sizeof v;
        mN -= sizeof v;
        return v;
    }

    std::string str()
    {
        uint32_t length = get<uint32_t>();
        if (!mOk || length > mN) {
            mOk = false;
            return {};
        }
        std::string s(reinterpret_cast<char const*>(mP), length);
        mP += length;
        mN -= length;
        return s;
    }

    bool ok() const noexcept { return mOk; }
    size_t left() const noexcept { return mN; }

private:
    uint8_t const* mP;
    size_t mN;
    bool mOk = true;
};

// Parses the kept header and body into `plan`. False with a reason when the
// body does not describe a plan.
bool parseBody(std::vector<uint8_t> kept, uint64_t totalSize, Plan& plan, std::string& why)
{
    Cursor in(kept.data() + kHeaderSize, kept.size() - kHeaderSize);
    plan.deviceMemorySize = in.get<uint64_t>();
    plan.name = in.str();
    uint32_t nbTensors = in.get<uint32_t>();
    if (!in.ok() || nbTensors > in.left()) {
        why = "the body ends inside its first fields";
        return false;
    }
    for (uint32_t i = 0; i < nbTensors; ++i) {
        TensorDesc t;
        t.name = in.str();
        t.mode = in.get<int32_t>();
        t.dataType = in.get<int32_t>();
        t.dims.nbDims = in.get<int32_t>();
        if (!in.ok()) {
            why = "the body ends inside tensor " + std::to_string(i);
            return false;
        }
        if (t.name.empty() || plan.find(t.name.c_str()) >= 0) {
            why = "tensor " + std::to_string(i) + " has an empty or repeated name '" + t.name + "'";
            return false;
        }
        if (t.mode != kModeInput && t.mode != kModeOutput) {
            why = "tensor '" + t.name + "' has I/O mode " + std::to_string(t.mode) + " (1 input, 2 output)";
            return false;
        }
        if (t.dataType < 0 || t.dataType > kDataTypeMax) {
            why = "tensor '" + t.name + "' has data type " + std::to_string(t.dataType);
            return false;
        }
        if (t.dims.nbDims < 0 || t.dims.nbDims > kMaxDims) {
            why = "tensor '" + t.name + "' has " + std::to_string(t.dims.nbDims) + " dimensions (0 to 8)";
            return false;
        }
        for (int32_t k = 0; k < t.dims.nbDims; ++k) {
            t.dims.d[k] = in.get<int64_t>();
            if (t.dims.d[k] < -1) {
                why = "tensor '" + t.name + "' has extent " + std::to_string(t.dims.d[k]);
                return false;
            }
        }
        auto& group = t.mode == kModeInput ? plan.inputs : plan.outputs;
        t.ordinal = static_cast<int32_t>(group.size());
        group.push_back(static_cast<int32_t>(plan.tensors.size()));
        plan.tensors.push_back(std::move(t));
    }
    uint32_t nbProfiles = in.get<uint32_t>();
    if (!in.ok() || nbProfiles == 0 || nbProfiles > 1024) {
        why = "the number of optimization profiles is missing or not in 1..1024";
        return false;
    }
    plan.profiles.resize(nbProfiles);
    for (uint32_t p = 0; p < nbProfiles; ++p) {
        for (int32_t index : plan.inputs) {
            TensorDesc const& t = plan.tensors[index];
            ProfileShapes shapes{};
            for (Dims64& d : shapes) {
                d.nbDims = t.dims.nbDims;
                for (int32_t k = 0; k < d.nbDims; ++k) {
                    d.d[k] = in.get<int64_t>();
                }
            }
            if (!in.ok()) {
                why = "the body ends inside profile " + std::to_string(p);
                return false;
            }
            for (int32_t k = 0; k < t.dims.nbDims; ++k) {
                int64_t lo = shapes[0].d[k], opt = shapes[1].d[k], hi = shapes[2].d[k];
                bool fixed = t.dims.d[k] >= 0;
                if (lo < 0 || lo > opt || opt > hi || (fixed && (lo != t.dims.d[k] || hi != t.dims.d[k]))) {
                    why = "profile " + std::to_string(p) + " of input '" + t.name + "' is invalid: min "
                        + dimsText(shapes[0]) + ", opt " + dimsText(shapes[1]) + ", max " + dimsText(shapes[2])
                        + " for shape " + dimsText(t.dims);
                    return false;
                }
            }
            plan.profiles[p].push_back(shapes);
        }
    }
    if (in.left() != 0) {
        why = "the body has " + std::to_string(in.left()) + " bytes after its last field";
        return false;
    }
    plan.kept = std::move(kept);
    plan.totalSize = totalSize;
    return true;
}

// ------------------------------------------------------------ host memory

class HostMemory final : public VHostMemory {
public:
    HostMemory(void* data, size_t size) noexcept : mData(data), mSize(size) {}
    ~HostMemory() override { std::free(mData); }
    void* data() const noexcept override { return mData; }
    size_t size() const noexcept override { return mSize; }
    DataType type() const noexcept override { return static_cast<DataType>(kDataTypeUInt8); }

private:
    LiveCount mLive;
    void* mData;
    size_t mSize;
};

// ------------------------------------------------------------ plugins
// Two creators, one of each kind the shim understands, so that the creator
// listing and the dispatch on the interface kind can be exercised.

struct EmptyFieldCollection {
    int32_t nbFields;
    void const* fields;
};
constexpr EmptyFieldCollection kNoFields{0, nullptr};

class FakeV1Creator final : public IPluginCreator {
public:
    InterfaceInfo getInterfaceInfo() const noexcept override { return {"PLUGIN CREATOR_V1", 1, 0}; }
    char const* getPluginName() const noexcept override { return "FakeV1Plugin"; }
    char const* getPluginVersion() const noexcept override { return "1"; }
    void const* getFieldNames() noexcept override { return &kNoFields; }
    void* createPlugin(char const*, void const*) noexcept override { return nullptr; }
    void* deserializePlugin(char const*, void const*, size_t) noexcept override { return nullptr; }
    void setPluginNamespace(char const* ns) noexcept override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        mNamespace = ns != nullptr ? ns : "";
    }
    char const* getPluginNamespace() const noexcept override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        return mNamespace.c_str();
    }

private:
    mutable std::mutex mMutex;
    std::string mNamespace;
};

class FakeV3Creator final : public IPluginCreatorV3One {
public:
    InterfaceInfo getInterfaceInfo() const noexcept override { return {"PLUGIN CREATOR_V3ONE", 1, 0}; }
    void* createPlugin(char const*, void const*, int32_t) noexcept override { return nullptr; }
    void const* getFieldNames() noexcept override { return &kNoFields; }
    char const* getPluginName() const noexcept override { return "FakeV3Plugin"; }
    char const* getPluginVersion() const noexcept override { return "2"; }
    char const* getPluginNamespace() const noexcept override { return "fake"; }
};

// Name, version and namespace of a creator of either kind; false for a kind
// this library does not know.
struct CreatorKey {
    std::string name, version, ns;
};

bool describeCreator(IPluginCreatorInterface& creator, CreatorKey& key)
{
    InterfaceInfo info = creator.getInterfaceInfo();
    auto text = [](char const* s) { return std::string(s != nullptr ? s : ""); };
    if (info.kind != nullptr && std::strcmp(info.kind, "PLUGIN CREATOR_V1") == 0) {
        auto& c = static_cast<IPluginCreator&>(creator);
        key = {text(c.getPluginName()), text(c.getPluginVersion()), text(c.getPluginNamespace())};
        return true;
    }
    if (info.kind != nullptr && std::strcmp(info.kind, "PLUGIN CREATOR_V3ONE") == 0) {
        auto& c = static_cast<IPluginCreatorV3One&>(creator);
        key = {text(c.getPluginName()), text(c.getPluginVersion()), text(c.getPluginNamespace())};
        return true;
    }
    return false;
}

// A plugin registry: the process's (holding the two fake creators) or a
// runtime's (empty, with the process's as parent). getAllCreators lists a
// registry's own creators; getAllCreatorsRecursive and getCreator also look
// in the parent while parent search is enabled.
class Registry final : public IPluginRegistry {
public:
    explicit Registry(IPluginRegistry* parent) noexcept : mParent(parent) {}

    void add(IPluginCreatorInterface* creator, char const* ns)
    {
        mEntries.push_back({creator, ns});
    }

    void setParent(IPluginRegistry* parent) noexcept
    {
        std::lock_guard<std::mutex> lock(mMutex);
        mParent = parent;
    }

    void setErrorRecorder(IErrorRecorder* const recorder) noexcept override { mRecorder.set(recorder); }
    IErrorRecorder* getErrorRecorder() const noexcept override { return mRecorder.get(); }

    bool isParentSearchEnabled() const override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        return mParentSearch;
    }
    void setParentSearchEnabled(bool const enabled) override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        mParentSearch = enabled;
    }

    void* loadLibrary(char const* path) noexcept override
    {
        mRecorder.report(ErrorCode::kUNSUPPORTED_STATE,
            std::string("fake_nvinfer: plugin libraries cannot be loaded: ") + (path != nullptr ? path : "(null)"));
        return nullptr;
    }
    void deregisterLibrary(void*) noexcept override {}

    bool registerCreator(IPluginCreatorInterface& creator, char const* const ns) noexcept override
    {
        CreatorKey key;
        if (!describeCreator(creator, key)) {
            InterfaceInfo info = creator.getInterfaceInfo();
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT,
                std::string("registerCreator: unknown plugin creator kind '") + (info.kind ? info.kind : "(null)") + "'");
            return false;
        }
        key.ns = ns != nullptr ? ns : "";
        if (findOwn(key.name.c_str(), key.version.c_str(), key.ns.c_str()) != nullptr) {
            mRecorder.report(ErrorCode::kINVALID_ARGUMENT,
                "registerCreator: a creator of " + key.name + " version " + key.version + " in namespace '"
                    + key.ns + "' is already registered");
            return false;
        }
        if (std::strcmp(creator.getInterfaceInfo().kind, "PLUGIN CREATOR_V1") == 0) {
            // A V1 creator learns its namespace from the registry it joins.
            static_cast<IPluginCreator&>(creator).setPluginNamespace(key.ns.c_str());
        }
        try {
            std::lock_guard<std::mutex> lock(mMutex);
            mEntries.push_back({&creator, key.ns});
        } catch (std::exception const&) {
            return false;
        }
        return true;
    }

    IPluginCreatorInterface* const* getAllCreators(int32_t* const count) const noexcept override
    {
        return snapshot(count, {});
    }

    IPluginCreatorInterface* getCreator(
        char const* const name, char const* const version, char const* const ns) noexcept override
    {
        if (name == nullptr || version == nullptr) {
            return nullptr;
        }
        char const* space = ns != nullptr ? ns : "";
        if (IPluginCreatorInterface* own = findOwn(name, version, space)) {
            return own;
        }
        IPluginRegistry* parent = searchableParent();
        return parent != nullptr ? parent->getCreator(name, version, ns) : nullptr;
    }

    bool deregisterCreator(IPluginCreatorInterface const& creator) noexcept override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        auto it = std::find_if(mEntries.begin(), mEntries.end(), [&](Entry const& e) { return e.creator == &creator; });
        if (it == mEntries.end()) {
            return false;
        }
        mEntries.erase(it);
        return true;
    }

    void* acquirePluginResource(char const*, void*) noexcept override { return nullptr; }
    int32_t releasePluginResource(char const*) noexcept override { return -1; }

    IPluginCreatorInterface* const* getAllCreatorsRecursive(int32_t* const count) noexcept override
    {
        std::vector<IPluginCreatorInterface*> inherited;
        if (IPluginRegistry* parent = searchableParent()) {
            int32_t n = 0;
            IPluginCreatorInterface* const* list = parent->getAllCreatorsRecursive(&n);
            if (list != nullptr && n > 0) {
                try {
                    inherited.assign(list, list + n);
                } catch (std::exception const&) {
                    return nullptr;
                }
            }
        }
        return snapshot(count, inherited);
    }

private:
    struct Entry {
        IPluginCreatorInterface* creator;
        std::string ns;
    };

    IPluginRegistry* searchableParent() const noexcept
    {
        std::lock_guard<std::mutex> lock(mMutex);
        return mParentSearch ? mParent : nullptr;
    }

    // Creators are asked their name with no lock held (they may be the
    // application's); the list is copied first.
    IPluginCreatorInterface* findOwn(char const* name, char const* version, char const* ns) const
    {
        std::vector<Entry> entries;
        {
            std::lock_guard<std::mutex> lock(mMutex);
            entries = mEntries;
        }
        for (Entry const& e : entries) {
            CreatorKey key;
            if (e.ns == ns && describeCreator(*e.creator, key) && key.name == name && key.version == version) {
                return e.creator;
            }
        }
        return nullptr;
    }

    // The array handed out stays valid for the registry's lifetime, even
    // while another thread asks again: a new one is kept only when the
    // contents changed.
    IPluginCreatorInterface* const* snapshot(
        int32_t* count, std::vector<IPluginCreatorInterface*> const& inherited) const noexcept
    {
        if (count == nullptr) {
            return nullptr;
        }
        try {
            std::lock_guard<std::mutex> lock(mMutex);
            std::vector<IPluginCreatorInterface*> list;
            for (Entry const& e : mEntries) {
                list.push_back(e.creator);
            }
            for (IPluginCreatorInterface* c : inherited) {
                if (std::find(list.begin(), list.end(), c) == list.end()) {
                    list.push_back(c);
                }
            }
            auto same = std::find(mSnapshots.begin(), mSnapshots.end(), list);
            if (same == mSnapshots.end()) {
                mSnapshots.push_back(std::move(list));
                same = std::prev(mSnapshots.end());
            }
            *count = static_cast<int32_t>(same->size());
            return same->empty() ? nullptr : same->data();
        } catch (std::exception const&) {
            *count = 0;
            return nullptr;
        }
    }

    mutable std::mutex mMutex;
    IPluginRegistry* mParent;
    bool mParentSearch = true;
    std::vector<Entry> mEntries;
    mutable std::deque<std::vector<IPluginCreatorInterface*>> mSnapshots;
    RecorderSlot mRecorder;
};

// The process-wide registry is never destroyed: an application recorder set
// on it would otherwise be released from a static destructor, after the
// Python interpreter that implements it has gone.
Registry& processRegistry()
{
    static Registry* const registry = [] {
        static FakeV1Creator v1;
        static FakeV3Creator v3;
        auto* r = new Registry(nullptr);
        r->add(&v1, "");
        r->add(&v3, "fake");
        return r;
    }();
    return *registry;
}

// ------------------------------------------------------------ engine and context

class Engine;

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
    void setDeviceMemoryV2(void* memory, int64_t size) noexcept override { setUserMemory(memory, size); }

    int32_t getOptimizationProfile() const noexcept override { return locked(mMutex, [&] { return mProfile; }); }

    bool allInputDimensionsSpecified() const noexcept override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        return std::all_of(mInputShapes.begin(), mInputShapes.end(), fullySpecified);
    }

    void setErrorRecorder(IErrorRecorder* recorder) noexcept override { mRecorder.set(recorder); }
    IErrorRecorder* getErrorRecorder() const noexcept override { return mRecorder.get(); }

    bool executeV2(void* const* bindings) noexcept override
    {
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
        return enqueueV3(nullptr);
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
    bool reportToProfiler() const noexcept override { return false; }

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
        return shapeOf(index);
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

    bool setOutputAllocator(char const*, IOutputAllocator*) noexcept override
    {
        return unsupported("setOutputAllocator");
    }
    IOutputAllocator* getOutputAllocator(char const*) noexcept override { return nullptr; }
    int64_t getMaxOutputSize(char const*) const noexcept override { return -1; }

    bool setTemporaryStorageAllocator(IGpuAllocator* allocator) noexcept override
    {
        locked(mMutex, [&] { mTemporaryAllocator = allocator; });
        return true;
    }
    IGpuAllocator* getTemporaryStorageAllocator() const noexcept override
    {
        return locked(mMutex, [&] { return mTemporaryAllocator; });
    }

    bool enqueueV3(cudaStream_t) noexcept override;

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
    // The fake engines have no debug tensors.
    bool setTensorDebugState(char const*, bool) noexcept override { return false; }
    bool getDebugState(char const*) const noexcept override { return false; }
    bool setAllTensorsDebugState(bool) noexcept override { return true; }
    bool setUnfusedTensorsDebugState(bool flag) noexcept override
    {
        locked(mMutex, [&] { mUnfusedDebug = flag; });
        return true;
    }
    bool getUnfusedTensorsDebugState() const noexcept override { return locked(mMutex, [&] { return mUnfusedDebug; }); }

    size_t updateDeviceMemorySizeForShapes() noexcept override { return mPlan->deviceMemorySize; }
    IRuntimeConfig* getRuntimeConfig() const noexcept override { return nullptr; }
    bool setCommunicator(void*) noexcept override { return unsupported("setCommunicator"); }

private:
    bool unsupported(char const* what) const noexcept
    {
        mRecorder.report(ErrorCode::kUNSUPPORTED_STATE, std::string("fake_nvinfer does not implement ") + what);
        return false;
    }

    // Shape of a tensor as the context sees it (mMutex held): an input's as
    // set, an output's with dynamic extents taken from the matching input.
    Dims64 shapeOf(int32_t index) const noexcept
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
        return d;
    }

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
};

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
    IEngineInspector* createEngineInspector() const noexcept override
    {
        unsupported("createEngineInspector");
        return nullptr;
    }

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
        unsupported("createSerializationConfig");
        return nullptr;
    }
    IHostMemory* serializeWithConfig(ISerializationConfig&) const noexcept override
    {
        unsupported("serializeWithConfig");
        return nullptr;
    }
    IRefitter* createRefitter(ILogger&) noexcept override
    {
        unsupported("createRefitter");
        return nullptr;
    }
    int64_t getStreamableWeightsSize() const noexcept override { return 0; }
    bool isDebugTensor(char const*) const noexcept override { return false; }
    bool setWeightStreamingBudgetV2(int64_t) noexcept override
    {
        unsupported("setWeightStreamingBudgetV2");
        return false;
    }
    int64_t getWeightStreamingBudgetV2() const noexcept override { return 0; }
    int64_t getWeightStreamingAutomaticBudget() const noexcept override { return 0; }
    int64_t getWeightStreamingScratchMemorySize() const noexcept override { return 0; }
    int64_t getDeviceMemorySizeV2() const noexcept override { return static_cast<int64_t>(mPlan->deviceMemorySize); }
    int64_t getDeviceMemorySizeForProfileV2(int32_t profileIndex) const noexcept override
    {
        return checkProfile(profileIndex) ? getDeviceMemorySizeV2() : -1;
    }
    int64_t const* getProfileTensorValuesV2(char const*, int32_t, OptProfileSelector) const noexcept override
    {
        return nullptr;  // the fake engines have no shape tensors
    }
    IExecutionContext* createExecutionContextWithRuntimeConfig(IRuntimeConfig*) noexcept override
    {
        unsupported("createExecutionContextWithRuntimeConfig");
        return nullptr;
    }
    IRuntimeConfig* createRuntimeConfig() noexcept override
    {
        unsupported("createRuntimeConfig");
        return nullptr;
    }
    int64_t getEngineStat(EngineStat) const noexcept override { return -1; }
    char const* getAliasedInputTensor(char const*) const noexcept override { return nullptr; }

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
    ++*mEngineContexts;
}

ICudaEngine const& Context::getEngine() const noexcept { return mEngine.handle(); }

bool Context::enqueueV3(cudaStream_t) noexcept
{
    struct Copy {
        void* to;
        void const* from;
        uint64_t bytes;
    };
    std::vector<Copy> copies;
    std::string error;
    {
        std::lock_guard<std::mutex> lock(mMutex);
        for (size_t i = 0; i < mPlan->tensors.size() && error.empty(); ++i) {
            TensorDesc const& t = mPlan->tensors[i];
            Dims64 shape = shapeOf(static_cast<int32_t>(i));
            if (t.mode == kModeInput && !fullySpecified(shape)) {
                error = "enqueueV3: the shape of input '" + t.name + "' is not set (setInputShape)";
            } else if (mAddresses[i] == nullptr && tensorBytes(shape, t.dataType) > 0) {
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
                    copies.push_back({mAddresses[out], mAddresses[in], bytes});
                }
            }
        }
    }
    if (!error.empty()) {
        mRecorder.report(ErrorCode::kINVALID_ARGUMENT, error);
        return false;
    }
    for (Copy const& c : copies) {
        std::memmove(c.to, c.from, c.bytes);
    }
    return true;
}

// ------------------------------------------------------------ runtime

IRuntime* newRuntime() noexcept;

class Runtime final : public VRuntimeFrom11_4 {
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
        try {
            PlanAssembler assembler(head, header);
            uint64_t left = header.totalSize - kHeaderSize;
            std::vector<uint8_t> chunk(static_cast<size_t>(std::min(left, kStreamChunk)));
            while (left > 0) {
                int64_t want = static_cast<int64_t>(std::min<uint64_t>(left, chunk.size()));
                if (reader.read(chunk.data(), want, nullptr) != want) {
                    mRecorder.report(ErrorCode::kUNSPECIFIED_ERROR, "Stream read failed");
                    return nullptr;
                }
                assembler.feed(chunk.data(), static_cast<size_t>(want));
                left -= static_cast<uint64_t>(want);
            }
            return finishDeserialize(assembler, header);
        } catch (std::exception const&) {
            mRecorder.report(ErrorCode::kFAILED_ALLOCATION, "deserializeCudaEngineV2: out of host memory");
            return nullptr;
        }
    }

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
    DLAWorkspaceAllocationStrategy mDLAWorkspaceStrategy = DLAWorkspaceAllocationStrategy::kDEFAULT;
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

} // namespace

// ------------------------------------------------------------ exports

FAKE_TRT_EXPORT void* createInferRuntime_INTERNAL(void* logger, int32_t /*version*/)
{
    auto* given = static_cast<ILogger*>(logger);
    if (envInt("FAKE_TRT_NO_GPU", 0) != 0) {
        // What the real library does when CUDA cannot start: two errors,
        // then a non-null pointer that is not an object.
        logTo(given, LogSeverity::kERROR, "CUDA initialization failure with error: 35");
        logTo(given, LogSeverity::kERROR, "cudaError 35: CUDA driver version is insufficient for CUDA runtime version");
        return reinterpret_cast<void*>(uintptr_t{0x228});
    }
    if (!registerLogger(given)) {
        return nullptr;
    }
    return newRuntime();
}

FAKE_TRT_EXPORT void* createInferRefitter_INTERNAL(void*, void*, int32_t) { return nullptr; }

FAKE_TRT_EXPORT int32_t getInferLibVersion() { return libVersion(); }
FAKE_TRT_EXPORT int32_t getInferLibMajorVersion() { return libVersion() / 10000; }
FAKE_TRT_EXPORT int32_t getInferLibMinorVersion() { return (libVersion() / 100) % 100; }
FAKE_TRT_EXPORT int32_t getInferLibPatchVersion() { return libVersion() % 100; }
FAKE_TRT_EXPORT int32_t getInferLibBuildVersion() { return 106; }

FAKE_TRT_EXPORT void* getLogger() { return gLogger.load(); }
FAKE_TRT_EXPORT void* getPluginRegistry() { return static_cast<IPluginRegistry*>(&processRegistry()); }

FAKE_TRT_EXPORT int32_t fake_trt_live_objects() { return gLiveObjects.load(); }
FAKE_TRT_EXPORT int32_t fake_trt_logger_calls() { return gLoggerCalls.load(); }
FAKE_TRT_EXPORT void fake_trt_forget_logger() { gLogger.store(nullptr); }
