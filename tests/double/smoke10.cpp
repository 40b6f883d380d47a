// smoke10.cpp: a tiny driver that checks the double's 10.x build through
// TensorRT 10.x's vtables (shim/trt_abi_v10.hpp), without the shim. Not run
// by pytest; `python tests/double/build.py` builds and runs it:
//
//   smoke10 <path of libnvinfer.so.10 built with major=10> <plan from make_plan>
//
// The plan must have one input "x" of shape (-1, 3) float, one output "y" of
// the same shape, profile min (1,3) opt (2,3) max (4,3) (build.py's smoke10()).
// Exit status 0 when every check passes; each failed check prints a line.

#include "trt_abi_v10.hpp"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace trt_abi::v10;
using trt_abi::cudaStream_t;

namespace {

int gFailures = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            std::printf("smoke10: FAILED line %d: %s\n", __LINE__, #cond);           \
            ++gFailures;                                                             \
        }                                                                            \
    } while (false)

// 10.x's logger: a plain class, `log` in slot 0.
class Logger final : public ILogger {
public:
    void log(LogSeverity severity, char const* message) noexcept override
    {
        messages.push_back(std::to_string(static_cast<int>(severity)) + " " + message);
    }
    bool saw(char const* text) const
    {
        for (auto const& m : messages) {
            if (m.find(text) != std::string::npos) {
                return true;
            }
        }
        return false;
    }
    std::vector<std::string> messages;
};

// 10.x's reader without seeking, over a byte vector.
class Reader final : public IStreamReader {
public:
    explicit Reader(std::vector<uint8_t> const& bytes) : mBytes(bytes) {}
    int64_t read(void* destination, int64_t size) override
    {
        ++reads;
        int64_t n = std::min<int64_t>(size, static_cast<int64_t>(mBytes.size() - mPos));
        std::memcpy(destination, mBytes.data() + mPos, static_cast<size_t>(n));
        mPos += static_cast<size_t>(n);
        return n;
    }
    int reads = 0;

private:
    std::vector<uint8_t> const& mBytes;
    size_t mPos = 0;
};

// The seeking reader of 10.7+.
class ReaderV2 final : public IStreamReaderV2 {
public:
    explicit ReaderV2(std::vector<uint8_t> const& bytes) : mBytes(bytes) {}
    int64_t read(void* destination, int64_t size, cudaStream_t) noexcept override
    {
        int64_t n = std::min<int64_t>(size, static_cast<int64_t>(mBytes.size() - mPos));
        std::memcpy(destination, mBytes.data() + mPos, static_cast<size_t>(n));
        mPos += static_cast<size_t>(n);
        return n;
    }
    bool seek(int64_t offset, SeekPosition origin) noexcept override
    {
        int64_t base = origin == SeekPosition::kSET ? 0 : origin == SeekPosition::kCUR ? int64_t(mPos) : int64_t(mBytes.size());
        mPos = static_cast<size_t>(base + offset);
        return true;
    }

private:
    std::vector<uint8_t> const& mBytes;
    size_t mPos = 0;
};

template <class F>
F symbol(void* lib, char const* name)
{
    void* p = dlsym(lib, name);
    if (p == nullptr) {
        std::printf("smoke10: missing symbol %s\n", name);
        std::exit(2);
    }
    return reinterpret_cast<F>(p);
}

Dims dims2(int64_t a, int64_t b)
{
    Dims d{};
    d.nbDims = 2;
    d.d[0] = a;
    d.d[1] = b;
    return d;
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::printf("usage: smoke10 LIBRARY PLAN\n");
        return 2;
    }
    unsetenv("FAKE_TRT_VERSION");
    unsetenv("FAKE_TRT_NO_GPU");
    void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
        std::printf("smoke10: %s\n", dlerror());
        return 2;
    }
    auto create = symbol<void* (*)(void*, int32_t)>(lib, "createInferRuntime_INTERNAL");
    auto version = symbol<int32_t (*)()>(lib, "getInferLibVersion");
    auto major = symbol<int32_t (*)()>(lib, "getInferLibMajorVersion");
    auto minor = symbol<int32_t (*)()>(lib, "getInferLibMinorVersion");
    auto patch = symbol<int32_t (*)()>(lib, "getInferLibPatchVersion");
    auto processRegistry = symbol<void* (*)()>(lib, "getPluginRegistry");
    auto missing = symbol<int32_t (*)()>(lib, "fake_trt_missing_slot_calls");
    auto live = symbol<int32_t (*)()>(lib, "fake_trt_live_objects");

    std::vector<uint8_t> plan;
    if (FILE* f = std::fopen(argv[2], "rb")) {
        uint8_t buffer[65536];
        size_t n;
        while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) {
            plan.insert(plan.end(), buffer, buffer + n);
        }
        std::fclose(f);
    }
    CHECK(plan.size() > 32);

    // ---- version: 10.16.1 by default
    CHECK(version() == 101601);
    CHECK(major() == 10 && minor() == 16 && patch() == 1);

    // ---- runtime, with a 10.x logger
    Logger logger;
    auto* runtime = static_cast<IRuntime*>(create(&logger, version()));
    CHECK(runtime != nullptr);
    VRuntime& rt = *runtime->mImpl;
    CHECK(rt.getPImpl() == runtime);
    CHECK(rt.getDLACore() == -1 && rt.getMaxThreads() == 1 && rt.getTempfileControlFlags() == 3);
    CHECK(rt.getLogger() == &logger);
    CHECK(!rt.setMaxThreads(0) && logger.saw("maxThreads > 0"));

    // ---- deserialization: blob, old reader, V2 reader; junk through the old reader
    ICudaEngine* engine = rt.deserializeCudaEngine(plan.data(), plan.size());
    CHECK(engine != nullptr);
    CHECK(logger.saw("Loaded engine size: 3 MiB"));
    {
        Reader reader(plan);
        ICudaEngine* e2 = rt.deserializeCudaEngine(reader);
        CHECK(e2 != nullptr);
        CHECK(reader.reads == 1 + 3 + 1);  // header, three full MiB, the rest
        ReaderV2 readerV2(plan);
        ICudaEngine* e3 = rt.deserializeCudaEngineV2(readerV2);
        CHECK(e3 != nullptr);
        delete e3;
        delete e2;
        std::vector<uint8_t> junk(plan.begin(), plan.begin() + 40);
        junk[0] = 'X';
        Reader bad(junk);
        CHECK(rt.deserializeCudaEngine(bad) == nullptr && logger.saw("header.magicTag failed"));
        std::vector<uint8_t> cut(plan.begin(), plan.begin() + 1000);
        Reader shortReader(cut);
        CHECK(rt.deserializeCudaEngine(shortReader) == nullptr && logger.saw("Stream read failed"));
    }

    // ---- engine queries, 10.x-only methods included
    VCudaEngine& en = *engine->mImpl;
    CHECK(en.getNbIOTensors() == 2);
    CHECK(std::strcmp(en.getIOTensorName(0), "x") == 0 && std::strcmp(en.getIOTensorName(1), "y") == 0);
    CHECK(static_cast<int>(en.getTensorIOMode("x")) == 1 && static_cast<int>(en.getTensorIOMode("y")) == 2);
    Dims shape = en.getTensorShape("x");
    CHECK(shape.nbDims == 2 && shape.d[0] == -1 && shape.d[1] == 3);
    Dims hi = en.getProfileShape("x", 0, static_cast<OptProfileSelector>(2));
    CHECK(hi.nbDims == 2 && hi.d[0] == 4);
    CHECK(en.getDeviceMemorySize() == 4096 && en.getDeviceMemorySizeV2() == 4096);
    CHECK(en.getDeviceMemorySizeForProfile(0) == 4096 && en.getDeviceMemorySizeForProfileV2(0) == 4096);
    CHECK(!en.hasImplicitBatchDimension());
    CHECK(en.getProfileTensorValues("x", 0, static_cast<OptProfileSelector>(0)) == nullptr);
    CHECK(logger.saw("fake_nvinfer does not implement getProfileTensorValues"));
    CHECK(en.getWeightStreamingBudget() == 0 && en.getMinimumWeightStreamingBudget() == 0);
    CHECK(!en.setWeightStreamingBudget(1));
    CHECK(en.getStreamableWeightsSize() == 0 && en.getWeightStreamingBudgetV2() == 0);
    CHECK(en.getEngineStat(static_cast<EngineStat>(0)) == -1 && en.getAliasedInputTensor("y") == nullptr);

    // ---- context: shapes, addresses, enqueueV3 (host copies)
    IExecutionContext* context = en.createExecutionContext(static_cast<ExecutionContextAllocationStrategy>(0));
    CHECK(context != nullptr);
    VExecutionContext& cx = *context->mImpl;
    CHECK(&cx.getEngine() == engine);
    CHECK(!cx.allInputDimensionsSpecified() && cx.allInputShapesSpecified());
    CHECK(!cx.setInputShape("x", dims2(5, 3)));  // over the profile's max
    CHECK(cx.setInputShape("x", dims2(2, 3)));
    CHECK(cx.allInputDimensionsSpecified());
    Dims out = cx.getTensorShape("y");
    CHECK(out.nbDims == 2 && out.d[0] == 2 && out.d[1] == 3);
    float x[6] = {1, 2, 3, 4, 5, 6};
    float y[6] = {};
    CHECK(cx.setTensorAddress("x", x) && cx.setTensorAddress("y", y));
    CHECK(cx.enqueueV3(nullptr));
    CHECK(std::memcmp(x, y, sizeof x) == 0);
    CHECK(!cx.getUnfusedTensorsDebugState() && cx.setUnfusedTensorsDebugState(true) && cx.getUnfusedTensorsDebugState());

    // ---- user-managed device memory, through the 10.0 creator
    IExecutionContext* user = en.createExecutionContextWithoutDeviceMemory();
    CHECK(user != nullptr);
    VExecutionContext& ux = *user->mImpl;
    CHECK(ux.setInputShape("x", dims2(1, 3)) && ux.setTensorAddress("x", x) && ux.setTensorAddress("y", y));
    CHECK(!ux.enqueueV3(nullptr) && logger.saw("kUSER_MANAGED and setDeviceMemory"));
    std::vector<uint8_t> scratch(4096);
    ux.setDeviceMemory(scratch.data());
    CHECK(ux.enqueueV3(nullptr));
    ux.setDeviceMemoryV2(scratch.data(), 4096);

    // ---- plugin registries: V1-typed and generic calls
    auto* registry = static_cast<IPluginRegistry*>(processRegistry());
    int32_t n = -1;
    IPluginCreator* const* v1 = registry->getPluginCreatorList(&n);
    CHECK(n == 1 && v1 != nullptr && std::strcmp(v1[0]->getPluginName(), "FakeV1Plugin") == 0);
    CHECK(registry->getPluginCreator("FakeV1Plugin", "1", "") == v1[0]);
    CHECK(registry->getPluginCreator("FakeV3Plugin", "2", "fake") == nullptr);
    CHECK(registry->getCreator("FakeV3Plugin", "2", "fake") != nullptr);
    registry->getAllCreators(&n);
    CHECK(n == 2);
    IPluginRegistry& own = rt.getPluginRegistry();
    own.getAllCreators(&n);
    CHECK(n == 0);
    CHECK(own.getAllCreatorsRecursive(&n) != nullptr && n == 2);
    CHECK(own.getPluginCreator("FakeV1Plugin", "1", "") == v1[0]);  // found in the parent
    CHECK(own.registerCreator(*v1[0], "mine"));
    own.getPluginCreatorList(&n);
    CHECK(n == 1);
    CHECK(own.deregisterCreator(static_cast<IPluginCreator const&>(*v1[0])));
    CHECK(!own.deregisterCreator(static_cast<IPluginCreator const&>(*v1[0])));
    v1[0]->setPluginNamespace("");  // registering told it "mine"

    CHECK(missing() == 0);

    // ---- minor gating: 10.0 lacks every method added later
    setenv("FAKE_TRT_VERSION", "100000", 1);
    CHECK(version() == 100000 && minor() == 0);
    CHECK(en.getDeviceMemorySizeV2() == -1);
    CHECK(logger.saw("fake_nvinfer: VCudaEngine::getDeviceMemorySizeV2 is not in TensorRT 10.0's vtable (it came in 10.1)"));
    CHECK(missing() == 1);
    CHECK(en.getDeviceMemorySize() == 4096);  // the 10.0 way still works
    ux.setDeviceMemoryV2(scratch.data(), 4096);
    CHECK(logger.saw("VExecutionContext::setDeviceMemoryV2 is not in TensorRT 10.0's vtable (it came in 10.1)"));
    {
        ReaderV2 readerV2(plan);
        CHECK(rt.deserializeCudaEngineV2(readerV2) == nullptr);
        CHECK(logger.saw("VRuntime::deserializeCudaEngineV2 is not in TensorRT 10.0's vtable (it came in 10.7)"));
        Reader reader(plan);
        ICudaEngine* e = rt.deserializeCudaEngine(reader);  // the 10.0 reader works
        CHECK(e != nullptr);
        delete e;
    }
    n = -1;
    CHECK(own.getAllCreatorsRecursive(&n) == nullptr && n == 0);
    CHECK(missing() == 4);
    CHECK(!cx.setCommunicator(nullptr) && logger.saw("setCommunicator is not in TensorRT 10.0's vtable (it came in 10.16)"));
    CHECK(missing() == 5);
    setenv("FAKE_TRT_VERSION", "100600", 1);  // 10.6: the V2 sizes yes, the V2 reader not yet
    CHECK(en.getDeviceMemorySizeV2() == 4096);
    {
        ReaderV2 readerV2(plan);
        CHECK(rt.deserializeCudaEngineV2(readerV2) == nullptr);
        CHECK(logger.saw("not in TensorRT 10.6's vtable (it came in 10.7)"));
    }
    CHECK(missing() == 6);
    setenv("FAKE_TRT_VERSION", "100700", 1);
    {
        ReaderV2 readerV2(plan);
        ICudaEngine* e = rt.deserializeCudaEngineV2(readerV2);
        CHECK(e != nullptr);
        delete e;
    }
    CHECK(own.getAllCreatorsRecursive(&n) == nullptr && missing() == 7);  // 10.10+
    setenv("FAKE_TRT_VERSION", "110400", 1);  // not a 10.x minor: nothing gated
    CHECK(own.getAllCreatorsRecursive(&n) != nullptr && missing() == 7);
    unsetenv("FAKE_TRT_VERSION");

    // ---- teardown, in order: nothing left, nothing reported
    delete user;
    delete context;
    delete engine;
    delete runtime;
    CHECK(live() == 0);
    CHECK(!logger.saw("destroyed while"));

    if (gFailures != 0) {
        std::printf("smoke10: %d check(s) failed; messages logged:\n", gFailures);
        for (auto const& m : logger.messages) {
            std::printf("  %s\n", m.c_str());
        }
        return 1;
    }
    std::printf("smoke10: all checks passed (%zu messages logged)\n", logger.messages.size());
    return 0;
}
