// fake_nvinfer.cpp: a test double of TensorRT's runtime library
// (libnvinfer.so.11, or libnvinfer.so.10 when built with -DFAKE_TRT_MAJOR=10).
//
// Why it exists: CI has no GPU and no CUDA, and no real engine plan can be
// built anywhere the project reaches, so the shim's success paths
// (deserialization, engines, execution contexts, enqueue) cannot run against
// the real library there. This library implements the TensorRT side of the
// project's own ABI declarations (shim/trt_abi.hpp, namespace trt_abi::v11;
// or, with -DFAKE_TRT_MAJOR=10, shim/trt_abi_v10.hpp, namespace trt_abi::v10,
// with 10.x's vtable layout) with real state, on the host only, and mirrors the measured behaviour of the
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
// (k-th among outputs), on the host: tensor addresses are host pointers; in
// CUDA mode (FAKE_TRT_CUDA=1) with the CUDA driver's cuMemcpyAsync on the
// enqueue's stream, so they may be device pointers (fake_cuda_mode.hpp). A
// dynamic output extent takes the extent at the same position of the
// matching input when both have the same rank. An output whose name starts
// with "dds" has a data-dependent shape: -1 in the context's getTensorShape
// until an enqueue has run (fake_enqueue.hpp).
//
// Environment, read at each call so that one built library serves many tests:
//   FAKE_TRT_VERSION=110400   what getInferLibVersion returns (and the
//                             major/minor/patch derived from it); default
//                             110400, or 101601 in the 10.x build. A 10.x
//                             value older than a method's first minor makes
//                             that method report the call (fake_common.hpp)
//   FAKE_TRT_NO_GPU=1         createInferRuntime_INTERNAL behaves as the real
//                             library does on a machine without a GPU
//   FAKE_TRT_DLA_CORES=N      number of DLA cores (default 0)
//   FAKE_TRT_CUDA=1           CUDA mode: enqueue copies with the CUDA driver
//   FAKE_TRT_CUDA_LIBRARY     the driver library it opens (default libcuda.so.1)
//
// Helpers for the tests, besides TensorRT's own exports:
//   int32_t fake_trt_live_objects()   live runtimes + engines + contexts + host memories
//                             + runtime configs, serialization configs, inspectors
//   int32_t fake_trt_logger_calls()   calls made into any ILogger::log so far
//   void    fake_trt_forget_logger()  drops the process's registered logger
//   int32_t fake_trt_missing_slot_calls()  calls made into a 10.x method that
//                             the reported 10.x minor lacks (always 0 in 11.x)
//
// Source layout (one translation unit; the parts are included once, here):
//   fake_common.hpp   major selection, shared state and helpers, 10.x gating
//   fake_plan.hpp     CRC-32, the plan's header and body, host memory
//   fake_plugins.hpp  plugin creators and registries
//   fake_cuda_mode.hpp  the CUDA mode: the driver, opened at run time
//   fake_configs.hpp  the runtime and serialization configs
//   fake_context.hpp  the execution context
//   fake_enqueue.hpp  its enqueue, and the shapes it computes
//   fake_engine.hpp   the engine (and the context's members that need it)
//   fake_inspector.hpp  the engine inspector
//   fake_runtime.hpp  the runtime and the process's logger
//
// Locking rule: state is guarded by mutexes, but no lock is ever held while
// calling into an object of the application (logger, error recorder, GPU
// allocator, stream reader, plugin creator or registry it supplies): those
// call into Python, which may call back into this library from another thread.

#include "fake_runtime.hpp"

#define FAKE_TRT_EXPORT extern "C" __attribute__((visibility("default")))

// ------------------------------------------------------------ exports

FAKE_TRT_EXPORT void* createInferRuntime_INTERNAL(void* logger, int32_t /*version*/)
{
    // The caller's logger, in the ABI of the major this library presents:
    // 11.x's is versioned (log in slot 4), 10.x's a plain class (log in slot 0).
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
FAKE_TRT_EXPORT int32_t getInferLibBuildVersion() { return FAKE_TRT_BUILD_NUMBER; }

FAKE_TRT_EXPORT void* getLogger() { return gLogger.load(); }
FAKE_TRT_EXPORT void* getPluginRegistry() { return static_cast<IPluginRegistry*>(&processRegistry()); }

FAKE_TRT_EXPORT int32_t fake_trt_live_objects() { return gLiveObjects.load(); }
FAKE_TRT_EXPORT int32_t fake_trt_logger_calls() { return gLoggerCalls.load(); }
FAKE_TRT_EXPORT void fake_trt_forget_logger() { gLogger.store(nullptr); }
FAKE_TRT_EXPORT int32_t fake_trt_missing_slot_calls() { return gMissingSlotCalls.load(); }
FAKE_TRT_EXPORT uint64_t fake_trt_engine_nanoseconds() { return gEngineNanos.load(); }
