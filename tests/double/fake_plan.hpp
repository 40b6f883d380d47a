// fake_plan.hpp: part of fake_nvinfer.cpp (included once, by it alone).
// The fake plan: its checksum, header, body parser and the host memory that
// serialize() returns. Format: README.md, and the comment atop fake_nvinfer.cpp.
#pragma once

#include "fake_common.hpp"

namespace {

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

}  // namespace
