// trt_runtime's own description of the part of TensorRT 10.x's C++ ABI that
// the shim calls: the counterpart of trt_abi.hpp (namespace v11) for the
// previous major version. Only what the compiler needs to call through a
// vtable is reproduced: the order of the virtual methods, their parameter
// and return types, and the few plain structs passed by value.
//
// One declaration serves every 10.x minor. From 10.0 to 10.16 every class
// below only grew at the end of its vtable (docs/abi-10x.md has the tables),
// so the classes describe 10.16 and a method that a minor lacks sits past the
// end of that minor's vtable. Such a method carries a comment `// 10.N+`
// (first minor that has it); the shim must not call it on an older library.
// `slot_count` and `first_minor` (in trt_abi_v10_more.hpp, included at the
// end) say the same in code.
// tools/abi_check.py proves slots, markers and tables against NVIDIA's
// release branches.
//
// Conventions as in trt_abi.hpp: a virtual destructor takes two slots
// (complete and deleting) at the place where it is declared; interfaces that
// TensorRT implements are only called, interfaces the application implements
// (logger, recorder, allocator, stream readers) are subclassed by the shim.
#pragma once

#include "trt_abi_common.hpp"

namespace trt_abi {
namespace v10 {

// ---------------------------------------------------------------- values

// ILogger::Severity in TensorRT's spelling.
enum class LogSeverity : int32_t { kINTERNAL_ERROR = 0, kERROR = 1, kWARNING = 2, kINFO = 3, kVERBOSE = 4 };

enum class ErrorCode : int32_t {
    kSUCCESS = 0, kUNSPECIFIED_ERROR = 1, kINTERNAL_ERROR = 2, kINVALID_ARGUMENT = 3,
    kINVALID_CONFIG = 4, kFAILED_ALLOCATION = 5, kFAILED_INITIALIZATION = 6,
    kFAILED_EXECUTION = 7, kFAILED_COMPUTATION = 8, kINVALID_STATE = 9, kUNSUPPORTED_STATE = 10,
};

enum class APILanguage : int32_t { kCPP = 0, kPYTHON = 1 };
enum class SeekPosition : int32_t { kSET = 0, kCUR = 1, kEND = 2 };  // 10.7+
enum class DataType : int32_t;  // values live in the Python layer
enum class TensorIOMode : int32_t;
enum class TensorLocation : int32_t;
enum class TensorFormat : int32_t;
enum class EngineCapability : int32_t;
enum class HardwareCompatibilityLevel : int32_t;
enum class ExecutionContextAllocationStrategy : int32_t;
enum class OptProfileSelector : int32_t;  // min, opt or max of a profile
enum class ProfilingVerbosity : int32_t;
enum class EngineStat : int32_t;  // 10.14+
enum class TensorRTPhase : int32_t;  // build or runtime, for plugin creators

using TempfileFlagBits = uint32_t;
using AllocatorFlagBits = uint32_t;
using TacticSources = uint32_t;  // one bit per tactic source (bit numbers differ from 11.x)

// Shape of up to eight extents, passed and returned by value. 10.0 already
// has the 64-bit shape; `Dims` is its name in the interfaces, as in 11.x.
struct Dims64 {
    int32_t nbDims;
    int64_t d[8];
};
using Dims = Dims64;

// What an application-side interface says about itself: a name and a version.
struct InterfaceInfo {
    char const* kind;
    int32_t major;
    int32_t minor;
};

// ---------------------------------------------- interfaces the app implements

// Root of the versioned callback interfaces; present since 10.0. In 10.x
// the logger is NOT one of them (see ILogger).
class IVersionedInterface {
public:
    virtual APILanguage getAPILanguage() const noexcept { return APILanguage::kCPP; }
    virtual InterfaceInfo getInterfaceInfo() const noexcept = 0;
    virtual ~IVersionedInterface() noexcept = default;
};

// Receives every message the library prints. A plain class in 10.x: `log` is
// slot 0 and the destructor follows it (11.x puts three slots before `log`).
class ILogger {
public:
    virtual void log(LogSeverity severity, char const* message) noexcept = 0;
    virtual ~ILogger() = default;
};

// Collects errors; TensorRT counts its references to a recorder.
class IErrorRecorder : public IVersionedInterface {
public:
    InterfaceInfo getInterfaceInfo() const noexcept override { return {"IErrorRecorder", 1, 0}; }
    virtual int32_t getNbErrors() const noexcept = 0;
    virtual ErrorCode getErrorCode(int32_t index) const noexcept = 0;
    virtual char const* getErrorDesc(int32_t index) const noexcept = 0;
    virtual bool hasOverflowed() const noexcept = 0;
    virtual void clear() noexcept = 0;
    virtual bool reportError(ErrorCode code, char const* description) noexcept = 0;
    virtual int32_t incRefCount() noexcept = 0;
    virtual int32_t decRefCount() noexcept = 0;
};

// Device memory provider: versioned, with the asynchronous entry points,
// in every 10.x minor (the same nine slots as 11.x).
class IGpuAllocator : public IVersionedInterface {
public:
    InterfaceInfo getInterfaceInfo() const noexcept override { return {"IGpuAllocator", 1, 0}; }
    virtual void* allocate(uint64_t const size, uint64_t const alignment, AllocatorFlagBits const flags) noexcept = 0;
    virtual void* reallocate(void* const address, uint64_t alignment, uint64_t newSize) noexcept = 0;
    virtual bool deallocate(void* const address) noexcept = 0;
    virtual void* allocateAsync(uint64_t const size, uint64_t const alignment, AllocatorFlagBits const flags,
        cudaStream_t stream) noexcept = 0;
    virtual bool deallocateAsync(void* const address, cudaStream_t stream) noexcept = 0;
};

// Same vtable as IGpuAllocator (present since 10.0); only TensorRT's default
// bodies differ.
class IGpuAsyncAllocator : public IGpuAllocator {
};

// Pull-style reader of a serialized engine, without seeking: the argument of
// VRuntime::deserializeCudaEngine(IStreamReader&), which 11.0 removed.
// TensorRT declares `read` without noexcept; the slot is the same.
class IStreamReader : public IVersionedInterface {
public:
    InterfaceInfo getInterfaceInfo() const noexcept override { return {"IStreamReader", 1, 0}; }
    virtual int64_t read(void* destination, int64_t size) = 0;
};

// Reader with a stream argument and seeking, for deserializeCudaEngineV2.
class IStreamReaderV2 : public IVersionedInterface {  // 10.7+
public:
    InterfaceInfo getInterfaceInfo() const noexcept override { return {"IStreamReaderV2", 1, 0}; }
    virtual int64_t read(void* destination, int64_t size, cudaStream_t stream) noexcept = 0;
    virtual bool seek(int64_t offset, SeekPosition origin) noexcept = 0;
};

// An execution context's callbacks: the profiler (in 10.x a plain class: method, then destructor), the
// output allocator (TensorRT calls the Async entry point, then notifyShape), the debug listener.
class IProfiler {
public:
    virtual void reportLayerTime(char const* layerName, float ms) noexcept = 0;
    virtual ~IProfiler() noexcept = default;
};

class IOutputAllocator : public IVersionedInterface {
public:
    InterfaceInfo getInterfaceInfo() const noexcept override { return {"IOutputAllocator", 1, 0}; }
    virtual void* reallocateOutput(char const* tensorName, void* currentMemory, uint64_t size, uint64_t alignment) noexcept = 0;
    virtual void* reallocateOutputAsync(char const* name, void* memory, uint64_t size, uint64_t align, cudaStream_t stream) = 0;
    virtual void notifyShape(char const* tensorName, Dims const& dims) noexcept = 0;
};

class IDebugListener : public IVersionedInterface {
public:
    InterfaceInfo getInterfaceInfo() const noexcept override { return {"IDebugListener", 1, 0}; }
    virtual bool processDebugTensor(void const* addr, TensorLocation location, DataType type, Dims const& shape,
        char const* name, cudaStream_t stream) = 0;
};

// ---------------------------------------------- interfaces the library implements

class IPluginCreatorInterface : public IVersionedInterface {
};

// Creator kind "PLUGIN CREATOR_V1". Field collections and plugins are passed
// as untyped pointers: the shim only hands them through.
class IPluginCreator : public IPluginCreatorInterface {
public:
    virtual char const* getPluginName() const noexcept = 0;
    virtual char const* getPluginVersion() const noexcept = 0;
    virtual void const* getFieldNames() noexcept = 0;
    virtual void* createPlugin(char const* name, void const* fields) noexcept = 0;
    virtual void* deserializePlugin(char const* name, void const* data, size_t size) noexcept = 0;
    virtual void setPluginNamespace(char const* pluginNamespace) noexcept = 0;
    virtual char const* getPluginNamespace() const noexcept = 0;
};

// Creator kind "PLUGIN CREATOR_V3ONE": the same facts, in another order.
class IPluginCreatorV3One : public IPluginCreatorInterface {
public:
    virtual void* createPlugin(char const* name, void const* fields, TensorRTPhase phase) noexcept = 0;
    virtual void const* getFieldNames() noexcept = 0;
    virtual char const* getPluginName() const noexcept = 0;
    virtual char const* getPluginVersion() const noexcept = 0;
    virtual char const* getPluginNamespace() const noexcept = 0;
};

// The 10.x registry starts with three lookups typed by the V1 creator (11.0
// dropped them and a fourth one, deregisterCreator(IPluginCreator const&)),
// then the protected destructor, then the calls that 11.x kept.
class IPluginRegistry {
public:
    virtual bool registerCreator(IPluginCreator& creator, char const* const pluginNamespace) noexcept = 0;
    virtual IPluginCreator* const* getPluginCreatorList(int32_t* const count) const noexcept = 0;
    virtual IPluginCreator* getPluginCreator(
        char const* const name, char const* const version, char const* const pluginNamespace) noexcept = 0;
    virtual ~IPluginRegistry() noexcept = default;
    virtual void setErrorRecorder(IErrorRecorder* const recorder) noexcept = 0;
    virtual IErrorRecorder* getErrorRecorder() const noexcept = 0;
    virtual bool deregisterCreator(IPluginCreator const& creator) noexcept = 0;
    virtual bool isParentSearchEnabled() const = 0;
    virtual void setParentSearchEnabled(bool const enabled) = 0;
    virtual void* loadLibrary(char const* path) noexcept = 0;
    virtual void deregisterLibrary(void* handle) noexcept = 0;
    virtual bool registerCreator(IPluginCreatorInterface& creator, char const* const pluginNamespace) noexcept = 0;
    virtual IPluginCreatorInterface* const* getAllCreators(int32_t* const count) const noexcept = 0;
    virtual IPluginCreatorInterface* getCreator(
        char const* const name, char const* const version, char const* const pluginNamespace) noexcept = 0;
    virtual bool deregisterCreator(IPluginCreatorInterface const& creator) noexcept = 0;
    virtual void* acquirePluginResource(char const* key, void* resource) noexcept = 0;
    virtual int32_t releasePluginResource(char const* key) noexcept = 0;
    virtual IPluginCreatorInterface* const* getAllCreatorsRecursive(int32_t* const count) noexcept = 0;  // 10.10+
};

// ------------------------------------------------------ implementation vtables
// Public TensorRT objects (IRuntime, ICudaEngine, ...) are a vptr (destructor
// only) followed by a pointer to an implementation object; every method call
// goes through that second object's vtable.

class VRoot {
public:
    virtual ~VRoot() noexcept = default;
};

class IRuntime;
class ICudaEngine;
class IExecutionContext;
class IHostMemory;

// Interfaces that appear in signatures below but that the shim never calls
// through nor implements: only their pointer types are needed.
class IRefitter;
// Declared in trt_abi_v10_more.hpp.
class IEngineInspector;
class ISerializationConfig;
class IRuntimeConfig;

class VHostMemory : public VRoot {
public:
    virtual void* data() const noexcept = 0;
    virtual size_t size() const noexcept = 0;
    virtual DataType type() const noexcept = 0;
};

// 10.x keeps the stream-reader overload of deserializeCudaEngine at slot 4;
// 11.0 removed it, which moves every later slot up by one.
class VRuntime : public VRoot {
public:
    virtual IRuntime* getPImpl() noexcept = 0;
    virtual ICudaEngine* deserializeCudaEngine(void const* blob, size_t size) noexcept = 0;
    virtual ICudaEngine* deserializeCudaEngine(IStreamReader& reader) noexcept = 0;
    virtual void setDLACore(int32_t core) noexcept = 0;
    virtual int32_t getDLACore() const noexcept = 0;
    virtual int32_t getNbDLACores() const noexcept = 0;
    virtual void setGpuAllocator(IGpuAllocator* allocator) noexcept = 0;
    virtual void setErrorRecorder(IErrorRecorder* recorder) noexcept = 0;
    virtual IErrorRecorder* getErrorRecorder() const noexcept = 0;
    virtual ILogger* getLogger() const noexcept = 0;
    virtual bool setMaxThreads(int32_t count) noexcept = 0;
    virtual int32_t getMaxThreads() const noexcept = 0;
    virtual void setTemporaryDirectory(char const* path) noexcept = 0;
    virtual char const* getTemporaryDirectory() const noexcept = 0;
    virtual void setTempfileControlFlags(TempfileFlagBits flags) noexcept = 0;
    virtual TempfileFlagBits getTempfileControlFlags() const noexcept = 0;
    virtual IPluginRegistry& getPluginRegistry() noexcept = 0;
    virtual void setPluginRegistryParent(IPluginRegistry* parent) noexcept = 0;
    virtual IRuntime* loadRuntime(char const* path) noexcept = 0;
    virtual void setEngineHostCodeAllowed(bool allowed) noexcept = 0;
    virtual bool getEngineHostCodeAllowed() const noexcept = 0;
    virtual ICudaEngine* deserializeCudaEngineV2(IStreamReaderV2& reader) noexcept = 0;  // 10.7+
};

// A deserialized engine. 10.x still has the 32-bit-size and implicit-batch
// leftovers that 11.0 removed (slots 6, 7, 11, 15, 41, 43-45).
class VCudaEngine : public VRoot {
public:
    virtual ICudaEngine* getPImpl() noexcept = 0;
    virtual int32_t getNbLayers() const noexcept = 0;
    virtual IHostMemory* serialize() const noexcept = 0;
    virtual IExecutionContext* createExecutionContext(ExecutionContextAllocationStrategy strategy) noexcept = 0;
    virtual IExecutionContext* createExecutionContextWithoutDeviceMemory() noexcept = 0;
    virtual size_t getDeviceMemorySize() const noexcept = 0;
    virtual bool isRefittable() const noexcept = 0;
    virtual char const* getName() const noexcept = 0;
    virtual int32_t getNbOptimizationProfiles() const noexcept = 0;
    virtual int32_t const* getProfileTensorValues(
        char const* tensorName, int32_t profileIndex, OptProfileSelector select) const noexcept = 0;
    virtual EngineCapability getEngineCapability() const noexcept = 0;
    virtual void setErrorRecorder(IErrorRecorder* recorder) noexcept = 0;
    virtual IErrorRecorder* getErrorRecorder() const noexcept = 0;
    virtual bool hasImplicitBatchDimension() const noexcept = 0;
    virtual TacticSources getTacticSources() const noexcept = 0;
    virtual ProfilingVerbosity getProfilingVerbosity() const noexcept = 0;
    virtual IEngineInspector* createEngineInspector() const noexcept = 0;
    // Per-tensor queries, by name.
    virtual Dims getTensorShape(char const* tensorName) const noexcept = 0;
    virtual DataType getTensorDataType(char const* tensorName) const noexcept = 0;
    virtual TensorLocation getTensorLocation(char const* tensorName) const noexcept = 0;
    virtual bool isShapeInferenceIO(char const* tensorName) const noexcept = 0;
    virtual TensorIOMode getTensorIOMode(char const* tensorName) const noexcept = 0;
    virtual int32_t getTensorBytesPerComponent(char const* tensorName) const noexcept = 0;
    virtual int32_t getTensorComponentsPerElement(char const* tensorName) const noexcept = 0;
    virtual TensorFormat getTensorFormat(char const* tensorName) const noexcept = 0;
    virtual char const* getTensorFormatDesc(char const* tensorName) const noexcept = 0;
    virtual int32_t getTensorVectorizedDim(char const* tensorName) const noexcept = 0;
    virtual Dims getProfileShape(char const* tensorName, int32_t profileIndex, OptProfileSelector select) const noexcept = 0;
    virtual int32_t getNbIOTensors() const noexcept = 0;
    virtual char const* getIOTensorName(int32_t index) const noexcept = 0;
    virtual HardwareCompatibilityLevel getHardwareCompatibilityLevel() const noexcept = 0;
    virtual int32_t getNbAuxStreams() const noexcept = 0;
    // The same format queries for a given optimization profile.
    virtual int32_t getTensorBytesPerComponentV2(char const* tensorName, int32_t profileIndex) const noexcept = 0;
    virtual int32_t getTensorComponentsPerElementV2(char const* tensorName, int32_t profileIndex) const noexcept = 0;
    virtual TensorFormat getTensorFormatV2(char const* tensorName, int32_t profileIndex) const noexcept = 0;
    virtual char const* getTensorFormatDescV2(char const* tensorName, int32_t profileIndex) const noexcept = 0;
    virtual int32_t getTensorVectorizedDimV2(char const* tensorName, int32_t profileIndex) const noexcept = 0;
    virtual ISerializationConfig* createSerializationConfig() noexcept = 0;
    virtual IHostMemory* serializeWithConfig(ISerializationConfig& config) const noexcept = 0;
    virtual size_t getDeviceMemorySizeForProfile(int32_t profileIndex) const noexcept = 0;
    virtual IRefitter* createRefitter(ILogger& logger) noexcept = 0;
    // Weight streaming as 10.0 had it (11.0 removed the first three).
    virtual bool setWeightStreamingBudget(int64_t gpuMemoryBudget) noexcept = 0;
    virtual int64_t getWeightStreamingBudget() const noexcept = 0;
    virtual int64_t getMinimumWeightStreamingBudget() const noexcept = 0;
    virtual int64_t getStreamableWeightsSize() const noexcept = 0;
    virtual bool isDebugTensor(char const* name) const noexcept = 0;
    // Weight streaming budget and 64-bit device memory sizes.
    virtual bool setWeightStreamingBudgetV2(int64_t gpuMemoryBudget) noexcept = 0;  // 10.1+
    virtual int64_t getWeightStreamingBudgetV2() const noexcept = 0;  // 10.1+
    virtual int64_t getWeightStreamingAutomaticBudget() const noexcept = 0;  // 10.1+
    virtual int64_t getWeightStreamingScratchMemorySize() const noexcept = 0;  // 10.1+
    virtual int64_t getDeviceMemorySizeV2() const noexcept = 0;  // 10.1+
    virtual int64_t getDeviceMemorySizeForProfileV2(int32_t profileIndex) const noexcept = 0;  // 10.1+
    virtual int64_t const* getProfileTensorValuesV2(
        char const* tensorName, int32_t profileIndex, OptProfileSelector select) const noexcept = 0;  // 10.11+
    virtual IExecutionContext* createExecutionContextWithRuntimeConfig(
        IRuntimeConfig* runtimeConfig) noexcept = 0;  // 10.11+
    virtual IRuntimeConfig* createRuntimeConfig() noexcept = 0;  // 10.11+
    virtual int64_t getEngineStat(EngineStat stat) const noexcept = 0;  // 10.14+
    virtual char const* getAliasedInputTensor(char const* tensorName) const noexcept = 0;  // 10.15+
};

// One inference context of an engine: shapes, addresses, enqueue.
class VExecutionContext : public VRoot {
public:
    virtual IExecutionContext* getPImpl() noexcept = 0;
    virtual void setDebugSync(bool sync) noexcept = 0;
    virtual bool getDebugSync() const noexcept = 0;
    virtual void setProfiler(IProfiler* profiler) noexcept = 0;
    virtual IProfiler* getProfiler() const noexcept = 0;
    virtual ICudaEngine const& getEngine() const noexcept = 0;
    virtual void setName(char const* name) noexcept = 0;
    virtual char const* getName() const noexcept = 0;
    virtual void setDeviceMemory(void* memory) noexcept = 0;
    virtual int32_t getOptimizationProfile() const noexcept = 0;
    virtual bool allInputDimensionsSpecified() const noexcept = 0;
    virtual bool allInputShapesSpecified() const noexcept = 0;  // gone in 11.0
    virtual void setErrorRecorder(IErrorRecorder* recorder) noexcept = 0;
    virtual IErrorRecorder* getErrorRecorder() const noexcept = 0;
    virtual bool executeV2(void* const* bindings) noexcept = 0;
    virtual bool setOptimizationProfileAsync(int32_t profileIndex, cudaStream_t stream) noexcept = 0;
    virtual void setEnqueueEmitsProfile(bool enqueueEmitsProfile) noexcept = 0;
    virtual bool getEnqueueEmitsProfile() const noexcept = 0;
    virtual bool reportToProfiler() const noexcept = 0;
    // Shapes and addresses of I/O tensors, by name.
    virtual bool setInputShape(char const* tensorName, Dims const& dims) noexcept = 0;
    virtual Dims getTensorShape(char const* tensorName) const noexcept = 0;
    virtual Dims getTensorStrides(char const* tensorName) const noexcept = 0;
    virtual bool setTensorAddress(char const* tensorName, void* data) noexcept = 0;
    virtual void const* getTensorAddress(char const* tensorName) const noexcept = 0;
    virtual bool setInputTensorAddress(char const* tensorName, void const* data) noexcept = 0;
    virtual bool setOutputTensorAddress(char const* tensorName, void* data) noexcept = 0;
    virtual int32_t inferShapes(int32_t nbMaxNames, char const** tensorNames) noexcept = 0;
    virtual bool setInputConsumedEvent(cudaEvent_t event) noexcept = 0;
    virtual cudaEvent_t getInputConsumedEvent() const noexcept = 0;
    virtual void* getOutputTensorAddress(char const* tensorName) const noexcept = 0;
    virtual bool setOutputAllocator(char const* tensorName, IOutputAllocator* outputAllocator) noexcept = 0;
    virtual IOutputAllocator* getOutputAllocator(char const* name) noexcept = 0;
    virtual int64_t getMaxOutputSize(char const* tensorName) const noexcept = 0;
    virtual bool setTemporaryStorageAllocator(IGpuAllocator* allocator) noexcept = 0;
    virtual IGpuAllocator* getTemporaryStorageAllocator() const noexcept = 0;
    virtual bool enqueueV3(cudaStream_t stream) noexcept = 0;
    virtual void setPersistentCacheLimit(size_t size) noexcept = 0;
    virtual size_t getPersistentCacheLimit() const noexcept = 0;
    virtual bool setNvtxVerbosity(ProfilingVerbosity verbosity) noexcept = 0;
    virtual ProfilingVerbosity getNvtxVerbosity() const noexcept = 0;
    virtual void setAuxStreams(cudaStream_t* auxStreams, int32_t nbStreams) noexcept = 0;
    // Debug tensors and their listener.
    virtual bool setDebugListener(IDebugListener* listener) noexcept = 0;
    virtual IDebugListener* getDebugListener() noexcept = 0;
    virtual bool setTensorDebugState(char const* name, bool flag) noexcept = 0;
    virtual bool getDebugState(char const* name) const noexcept = 0;
    virtual bool setAllTensorsDebugState(bool flag) noexcept = 0;
    virtual size_t updateDeviceMemorySizeForShapes() noexcept = 0;
    virtual void setDeviceMemoryV2(void* memory, int64_t size) noexcept = 0;  // 10.1+
    virtual IRuntimeConfig* getRuntimeConfig() const noexcept = 0;  // 10.11+
    virtual bool setUnfusedTensorsDebugState(bool flag) noexcept = 0;  // 10.12+
    virtual bool getUnfusedTensorsDebugState() const noexcept = 0;  // 10.12+
    virtual bool setCommunicator(void* communicator) noexcept = 0;  // 10.16+
};

// The public handle objects: a destructor slot pair, then the impl pointer.
class IHostMemory {
public:
    virtual ~IHostMemory() noexcept = default;
    VHostMemory* mImpl;
};

class IRuntime {
public:
    virtual ~IRuntime() noexcept = default;
    VRuntime* mImpl;
};

class ICudaEngine {
public:
    virtual ~ICudaEngine() noexcept = default;
    VCudaEngine* mImpl;
};

class IExecutionContext {
public:
    virtual ~IExecutionContext() noexcept = default;
    VExecutionContext* mImpl;
};

} // namespace v10
} // namespace trt_abi

// The engine inspector, the configs, and the tables of what each minor has.
#include "trt_abi_v10_more.hpp"
