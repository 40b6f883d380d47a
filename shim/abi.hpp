// The shim's view of the two ABIs it speaks: one tag type per TensorRT major
// version, naming that major's declarations (trt_abi_v10.hpp, trt_abi.hpp).
// Export bodies are written once, as generic lambdas over a tag, and
// with_abi() picks the tag from the loaded library's major version.
#pragma once

#include <cstdint>
#include <string>

#include "trt_abi.hpp"
#include "trt_abi_v10.hpp"

namespace shim {

// Namespaces cannot be template arguments: a struct per namespace stands in,
// naming the same classes of each.
#define TRT_SHIM_NAMESPACE_TYPES(NS)                                            \
    using IRuntime = NS::IRuntime;                                              \
    using ICudaEngine = NS::ICudaEngine;                                        \
    using IExecutionContext = NS::IExecutionContext;                            \
    using IHostMemory = NS::IHostMemory;                                        \
    using VRuntime = NS::VRuntime;                                              \
    using VCudaEngine = NS::VCudaEngine;                                        \
    using VExecutionContext = NS::VExecutionContext;                            \
    using VHostMemory = NS::VHostMemory;                                        \
    using IPluginRegistry = NS::IPluginRegistry;                                \
    using IPluginCreatorInterface = NS::IPluginCreatorInterface;                \
    using IPluginCreator = NS::IPluginCreator;                                  \
    using IPluginCreatorV3One = NS::IPluginCreatorV3One;                        \
    using IErrorRecorder = NS::IErrorRecorder;                                  \
    using IGpuAllocator = NS::IGpuAllocator;                                    \
    using IStreamReaderV2 = NS::IStreamReaderV2;                                \
    using Dims64 = NS::Dims64;                                                  \
    using ExecutionContextAllocationStrategy = NS::ExecutionContextAllocationStrategy; \
    using OptProfileSelector = NS::OptProfileSelector;                          \
    using IProfiler = NS::IProfiler;                                            \
    using IOutputAllocator = NS::IOutputAllocator;                              \
    using IDebugListener = NS::IDebugListener;                                  \
    using TensorLocation = NS::TensorLocation;                                  \
    using DataType = NS::DataType;                                              \
    using ProfilingVerbosity = NS::ProfilingVerbosity;                          \
    using EngineStat = NS::EngineStat;                                          \
    using IRuntimeConfig = NS::IRuntimeConfig;                                  \
    using ISerializationConfig = NS::ISerializationConfig;                      \
    using IEngineInspector = NS::IEngineInspector;                              \
    using SerializationFlag = NS::SerializationFlag;                            \
    using LayerInformationFormat = NS::LayerInformationFormat;

struct NsV10 {
    TRT_SHIM_NAMESPACE_TYPES(trt_abi::v10)
};
struct NsV11 {
    TRT_SHIM_NAMESPACE_TYPES(trt_abi::v11)
};
#undef TRT_SHIM_NAMESPACE_TYPES

struct Abi10 : NsV10 {
    static constexpr int32_t major = 10;
};
struct Abi11 : NsV11 {
    static constexpr int32_t major = 11;
};

// The majors this build has declarations for.
constexpr int32_t kOldestMajor = 10;
constexpr int32_t kNewestMajor = 11;
inline bool major_supported(int32_t major) { return major >= kOldestMajor && major <= kNewestMajor; }

// Runs `body(tag)` with the tag of `major` (one of the supported majors).
template <typename Body>
decltype(auto) with_abi(int32_t major, Body&& body) {
    if (major == 10) return body(Abi10{});
    return body(Abi11{});
}

// The message of a method that the loaded minor version lacks.
inline std::string needs_minor(int32_t major, int32_t minor, char const* what, int32_t first_minor) {
    return std::string(what) + " needs TensorRT " + std::to_string(major) + "." + std::to_string(first_minor) +
           " or later; the loaded library is " + std::to_string(major) + "." + std::to_string(minor);
}

}  // namespace shim
