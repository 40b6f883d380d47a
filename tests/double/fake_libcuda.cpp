// fake_libcuda.cpp: a host-memory stand-in for the few CUDA driver and
// runtime functions that the double's CUDA mode (cuMemcpyAsync, ...) and
// Polygraphy's CUDA wrapper (cudaMalloc, cudaMemcpyAsync, ...) call.
//
// Why it exists: the CUDA mode and Polygraphy's TrtRunner need CUDA, and CI
// has none. Built as libcuda.so.1 (with libcudart.so.13 a link to it, see
// build.py's build_fake_cuda), it lets both run end to end on the CPU:
// "device" memory is host memory, streams are tokens, copies are memmove.
// It is not a CUDA: only these functions, no checks a real driver makes.
//
// Each thread starts with no current context, as a thread that never used
// CUDA does, so the double's "make the primary context current" path runs.
//
// Knob, read at each call: FAKE_CUDA_FAIL=memcpy (cuMemcpyAsync returns
// CUDA_ERROR_INVALID_VALUE), =sync (cuStreamSynchronize returns
// CUDA_ERROR_LAUNCH_FAILED), =init (cuInit returns CUDA_ERROR_NO_DEVICE).
// Counters for the tests: fake_cuda_memcpy_calls, fake_cuda_sync_calls,
// fake_cuda_last_stream, fake_cuda_primary_retains.

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#define FAKE_CUDA_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

constexpr int kInvalidValue = 1;    // CUDA_ERROR_INVALID_VALUE
constexpr int kNoDevice = 100;      // CUDA_ERROR_NO_DEVICE
constexpr int kLaunchFailed = 719;  // CUDA_ERROR_LAUNCH_FAILED

std::atomic<int> gMemcpyCalls{0};
std::atomic<int> gSyncCalls{0};
std::atomic<int> gPrimaryRetains{0};
std::atomic<uintptr_t> gLastStream{0};
int gPrimaryToken = 0;  // its address is the one context
thread_local void* tCurrent = nullptr;

bool failing(char const* what) noexcept
{
    char const* text = std::getenv("FAKE_CUDA_FAIL");
    return text != nullptr && std::strcmp(text, what) == 0;
}

}  // namespace

// ---- driver API (the double's CUDA mode)

FAKE_CUDA_EXPORT int cuInit(unsigned) { return failing("init") ? kNoDevice : 0; }
FAKE_CUDA_EXPORT int cuCtxGetCurrent(void** context)
{
    *context = tCurrent;
    return 0;
}
FAKE_CUDA_EXPORT int cuCtxSetCurrent(void* context)
{
    tCurrent = context;
    return 0;
}
FAKE_CUDA_EXPORT int cuDeviceGet(int* device, int ordinal)
{
    *device = ordinal;
    return ordinal == 0 ? 0 : kInvalidValue;
}
FAKE_CUDA_EXPORT int cuDevicePrimaryCtxRetain(void** context, int)
{
    ++gPrimaryRetains;
    *context = &gPrimaryToken;
    return 0;
}
FAKE_CUDA_EXPORT int cuMemcpyAsync(unsigned long long dst, unsigned long long src, size_t bytes, void* stream)
{
    ++gMemcpyCalls;
    gLastStream = reinterpret_cast<uintptr_t>(stream);
    if (failing("memcpy") || tCurrent == nullptr) {
        return kInvalidValue;
    }
    std::memmove(reinterpret_cast<void*>(dst), reinterpret_cast<void const*>(src), bytes);
    return 0;
}
FAKE_CUDA_EXPORT int cuStreamSynchronize(void* stream)
{
    ++gSyncCalls;
    gLastStream = reinterpret_cast<uintptr_t>(stream);
    return failing("sync") ? kLaunchFailed : 0;
}
FAKE_CUDA_EXPORT int cuGetErrorName(int status, char const** name)
{
    switch (status) {
    case 0: *name = "CUDA_SUCCESS"; return 0;
    case kInvalidValue: *name = "CUDA_ERROR_INVALID_VALUE"; return 0;
    case kNoDevice: *name = "CUDA_ERROR_NO_DEVICE"; return 0;
    case kLaunchFailed: *name = "CUDA_ERROR_LAUNCH_FAILED"; return 0;
    default: *name = nullptr; return kInvalidValue;
    }
}

// ---- runtime API (what Polygraphy's polygraphy.cuda calls)

FAKE_CUDA_EXPORT int cudaStreamCreate(void** stream)
{
    *stream = std::malloc(1);  // a unique token
    return *stream != nullptr ? 0 : 2;
}
FAKE_CUDA_EXPORT int cudaStreamDestroy(void* stream)
{
    std::free(stream);
    return 0;
}
FAKE_CUDA_EXPORT int cudaStreamSynchronize(void*) { return 0; }
FAKE_CUDA_EXPORT int cudaMalloc(void** memory, size_t bytes)
{
    *memory = bytes == 0 ? nullptr : std::aligned_alloc(256, (bytes + 255) / 256 * 256);
    return bytes == 0 || *memory != nullptr ? 0 : 2;  // 2: cudaErrorMemoryAllocation
}
FAKE_CUDA_EXPORT int cudaFree(void* memory)
{
    std::free(memory);
    return 0;
}
FAKE_CUDA_EXPORT int cudaMemcpy(void* dst, void const* src, size_t bytes, int)
{
    std::memmove(dst, src, bytes);
    return 0;
}
FAKE_CUDA_EXPORT int cudaMemcpyAsync(void* dst, void const* src, size_t bytes, int, void*)
{
    std::memmove(dst, src, bytes);
    return 0;
}

// ---- for the tests

FAKE_CUDA_EXPORT int fake_cuda_memcpy_calls() { return gMemcpyCalls.load(); }
FAKE_CUDA_EXPORT int fake_cuda_sync_calls() { return gSyncCalls.load(); }
FAKE_CUDA_EXPORT uintptr_t fake_cuda_last_stream() { return gLastStream.load(); }
FAKE_CUDA_EXPORT int fake_cuda_primary_retains() { return gPrimaryRetains.load(); }
