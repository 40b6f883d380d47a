// Continuation of trt_abi_v10.hpp, which includes this file at its end (include
// that one, never this one alone): 10.x's engine inspector, runtime
// configuration and serialization configuration, then the tables of the
// `// 10.N+` markers (`slot_count`, `first_minor`). Same conventions as there;
// tools/abi_check.py proves both files together, from trt_abi_v10.hpp.
#pragma once

namespace trt_abi {
namespace v10 {

// ---------------------------------------------------------------- values

// Bit numbers of SerializationFlags. 10.14 added kINCLUDE_REFIT = 2 (a value
// older minors refuse); it is left out here so that the values below hold in
// every 10.x minor.
enum class SerializationFlag : int32_t { kEXCLUDE_WEIGHTS = 0, kEXCLUDE_LEAN_RUNTIME = 1 };
using SerializationFlags = uint32_t;
// How an engine inspector writes what it says about layers.
enum class LayerInformationFormat : int32_t { kONELINE = 0, kJSON = 1 };

// ------------------------------------------------------ implementation vtables

// Settings to create a context with (VCudaEngine::createRuntimeConfig and
// createExecutionContextWithRuntimeConfig, also 10.11+). What
// createRuntimeConfig returns belongs to the caller; the config a context
// answers with (getRuntimeConfig) belongs to the context.
class VRuntimeConfig : public VRoot {  // 10.11+
public:
    virtual IRuntimeConfig* getPImpl() noexcept = 0;
    virtual void setExecutionContextAllocationStrategy(ExecutionContextAllocationStrategy strategy) noexcept = 0;
    virtual ExecutionContextAllocationStrategy getExecutionContextAllocationStrategy() const noexcept = 0;
};

// The flags of serializeWithConfig; the setters answer false when refused.
// This one has no getPImpl slot.
class VSerializationConfig : public VRoot {
public:
    virtual bool setFlags(SerializationFlags flags) noexcept = 0;
    virtual SerializationFlags getFlags() const noexcept = 0;
    virtual bool clearFlag(SerializationFlag flag) noexcept = 0;
    virtual bool setFlag(SerializationFlag flag) noexcept = 0;
    virtual bool getFlag(SerializationFlag flag) const noexcept = 0;
};

// Text about an engine's layers (and, with a context set, its shapes). The
// strings belong to the inspector and change at its next call.
class VEngineInspector : public VRoot {
public:
    virtual IEngineInspector* getPImpl() noexcept = 0;
    virtual bool setExecutionContext(IExecutionContext const* context) noexcept = 0;
    virtual IExecutionContext const* getExecutionContext() const noexcept = 0;
    virtual char const* getLayerInformation(int32_t index, LayerInformationFormat format) const noexcept = 0;
    virtual char const* getEngineInformation(LayerInformationFormat format) const noexcept = 0;
    virtual void setErrorRecorder(IErrorRecorder* recorder) noexcept = 0;
    virtual IErrorRecorder* getErrorRecorder() const noexcept = 0;
};

// Their public handle objects, as in trt_abi_v10.hpp.
class IRuntimeConfig {  // 10.11+
public:
    virtual ~IRuntimeConfig() noexcept = default;
    VRuntimeConfig* mImpl;
};

class ISerializationConfig {
public:
    virtual ~ISerializationConfig() noexcept = default;
    VSerializationConfig* mImpl;
};

class IEngineInspector {
public:
    virtual ~IEngineInspector() noexcept = default;
    VEngineInspector* mImpl;
};

// ------------------------------------------------------ what each minor has
// The `// 10.N+` markers of both files, as code. A minor newer than 16 is answered
// with 10.16's figures: a lower bound, as long as 10.x keeps appending.

// Number of vtable slots of a class in TensorRT 10.<minor>; a call through
// slot i is safe only when i < slot_count::<class>(minor). Classes not listed
// have one size in every 10.x minor (IStreamReaderV2: 6 slots, from 10.7).
namespace slot_count {
constexpr int32_t VRuntime(int32_t minor) noexcept { return minor >= 7 ? 24 : 23; }
constexpr int32_t VCudaEngine(int32_t minor) noexcept
{
    return minor >= 15 ? 59 : minor >= 14 ? 58 : minor >= 11 ? 57 : minor >= 1 ? 54 : 48;
}
constexpr int32_t VExecutionContext(int32_t minor) noexcept
{
    return minor >= 16 ? 54 : minor >= 12 ? 53 : minor >= 11 ? 51 : minor >= 1 ? 50 : 49;
}
constexpr int32_t IPluginRegistry(int32_t minor) noexcept { return minor >= 10 ? 19 : 18; }
}  // namespace slot_count

// First 10.x minor that has a method (Class_method) or a class (Class). The
// shim compares these with the loaded library's minor before it calls; 0
// means every 10.x library has it. Overloads share one entry when they
// arrived together.
namespace first_minor {
// VRuntime
constexpr int32_t VRuntime_deserializeCudaEngine = 0;  // both overloads, blob and IStreamReader&
constexpr int32_t VRuntime_deserializeCudaEngineV2 = 7;
constexpr int32_t VRuntime_loadRuntime = 0;
constexpr int32_t VRuntime_setEngineHostCodeAllowed = 0;
// VCudaEngine
constexpr int32_t VCudaEngine_getTensorShape = 0;
constexpr int32_t VCudaEngine_createEngineInspector = 0;
constexpr int32_t VCudaEngine_createSerializationConfig = 0;
constexpr int32_t VCudaEngine_serializeWithConfig = 0;
constexpr int32_t VCudaEngine_getProfileShape = 0;
constexpr int32_t VCudaEngine_getProfileTensorValues = 0;
constexpr int32_t VCudaEngine_getDeviceMemorySize = 0;
constexpr int32_t VCudaEngine_getDeviceMemorySizeForProfile = 0;
constexpr int32_t VCudaEngine_setWeightStreamingBudget = 0;
constexpr int32_t VCudaEngine_getStreamableWeightsSize = 0;
constexpr int32_t VCudaEngine_isDebugTensor = 0;
constexpr int32_t VCudaEngine_setWeightStreamingBudgetV2 = 1;
constexpr int32_t VCudaEngine_getWeightStreamingBudgetV2 = 1;
constexpr int32_t VCudaEngine_getWeightStreamingAutomaticBudget = 1;
constexpr int32_t VCudaEngine_getWeightStreamingScratchMemorySize = 1;
constexpr int32_t VCudaEngine_getDeviceMemorySizeV2 = 1;
constexpr int32_t VCudaEngine_getDeviceMemorySizeForProfileV2 = 1;
constexpr int32_t VCudaEngine_getProfileTensorValuesV2 = 11;
constexpr int32_t VCudaEngine_createExecutionContextWithRuntimeConfig = 11;
constexpr int32_t VCudaEngine_createRuntimeConfig = 11;
constexpr int32_t VCudaEngine_getEngineStat = 14;
constexpr int32_t VCudaEngine_getAliasedInputTensor = 15;
// VExecutionContext
constexpr int32_t VExecutionContext_setInputShape = 0;
constexpr int32_t VExecutionContext_getTensorShape = 0;
constexpr int32_t VExecutionContext_setTensorAddress = 0;
constexpr int32_t VExecutionContext_enqueueV3 = 0;
constexpr int32_t VExecutionContext_setDeviceMemory = 0;
constexpr int32_t VExecutionContext_updateDeviceMemorySizeForShapes = 0;
constexpr int32_t VExecutionContext_setDeviceMemoryV2 = 1;
constexpr int32_t VExecutionContext_getRuntimeConfig = 11;
constexpr int32_t VExecutionContext_setUnfusedTensorsDebugState = 12;
constexpr int32_t VExecutionContext_getUnfusedTensorsDebugState = 12;
constexpr int32_t VExecutionContext_setCommunicator = 16;
// IPluginRegistry
constexpr int32_t IPluginRegistry_getAllCreators = 0;
constexpr int32_t IPluginRegistry_getAllCreatorsRecursive = 10;
// VRuntimeConfig, VSerializationConfig, VEngineInspector (one size each in every minor that has them)
constexpr int32_t VRuntimeConfig_setExecutionContextAllocationStrategy = 11;
constexpr int32_t VSerializationConfig_setFlag = 0;
constexpr int32_t VEngineInspector_getLayerInformation = 0;
// Classes and values
constexpr int32_t IStreamReaderV2 = 7;
constexpr int32_t SeekPosition = 7;
constexpr int32_t EngineStat = 14;
constexpr int32_t VRuntimeConfig = 11;
constexpr int32_t IRuntimeConfig = 11;
constexpr int32_t SerializationFlag = 0;
constexpr int32_t LayerInformationFormat = 0;
}  // namespace first_minor

} // namespace v10
} // namespace trt_abi
