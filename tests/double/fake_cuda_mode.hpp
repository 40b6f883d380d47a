// fake_cuda_mode.hpp: part of fake_nvinfer.cpp (included once, by it alone).
// The double's CUDA mode (FAKE_TRT_CUDA=1): enqueue copies with the CUDA
// driver instead of memcpy, so that clients that put device pointers and
// real streams into a context (Polygraphy's TrtRunner, benchmarks) run
// against the double on a GPU.
//
// Why the driver is opened at run time: the double must build and run where
// there is no CUDA at all (CI). Nothing here touches libcuda while the mode
// is off; with it on, the library FAKE_TRT_CUDA_LIBRARY names (default
// libcuda.so.1) is opened with dlopen on first use and the few functions are
// looked up with dlsym. The driver types are declared here as the driver's
// C ABI has them, not taken from CUDA headers.
#pragma once

#include <dlfcn.h>

#include <map>

#include "fake_common.hpp"

namespace {

using CUresult = int;
using CUdeviceptr = unsigned long long;
using CUstream = void*;
using CUcontext = void*;
using CUdevice = int;

// Whether enqueue copies through the CUDA driver (read at each call).
bool cudaMode() noexcept { return envInt("FAKE_TRT_CUDA", 0) != 0; }

// The driver functions the CUDA mode calls, from one opened library.
class CudaDriver {
public:
    // Makes a context current on this thread when none is (a thread that
    // never used CUDA: the primary context of device 0, retained once), then
    // copies `bytes` from `src` to `dst` on `stream`. 0, or the driver's error.
    CUresult copyAsync(void* dst, void const* src, uint64_t bytes, cudaStream_t stream) const noexcept
    {
        CUresult status = ensureContext();
        if (status != 0) {
            return status;
        }
        return mMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst), reinterpret_cast<CUdeviceptr>(src),
            static_cast<size_t>(bytes), static_cast<CUstream>(stream));
    }

    CUresult synchronize(cudaStream_t stream) const noexcept
    {
        CUresult status = ensureContext();
        return status != 0 ? status : mStreamSynchronize(static_cast<CUstream>(stream));
    }

    // "CUDA_ERROR_INVALID_VALUE (1)", or the number alone where the driver has no name for it.
    std::string errorText(CUresult status) const
    {
        char const* name = nullptr;
        if (mGetErrorName == nullptr || mGetErrorName(status, &name) != 0 || name == nullptr) {
            return "CUDA error " + std::to_string(status);
        }
        return std::string(name) + " (" + std::to_string(status) + ")";
    }

    // Opens `library` and looks the functions up; null with the reason when it cannot.
    static std::unique_ptr<CudaDriver> open(std::string const& library, std::string& why)
    {
        void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (handle == nullptr) {
            char const* error = dlerror();
            why = "cannot open the CUDA driver library '" + library + "': " + (error ? error : "dlopen failed");
            return nullptr;
        }
        // Never closed: unloading the driver under a live CUDA client is not safe.
        std::unique_ptr<CudaDriver> d(new CudaDriver);
        bool found = d->find(handle, "cuInit", d->mInit) && d->find(handle, "cuCtxGetCurrent", d->mCtxGetCurrent)
            && d->find(handle, "cuCtxSetCurrent", d->mCtxSetCurrent) && d->find(handle, "cuDeviceGet", d->mDeviceGet)
            && d->find(handle, "cuDevicePrimaryCtxRetain", d->mPrimaryCtxRetain)
            && d->find(handle, "cuMemcpyAsync", d->mMemcpyAsync)
            && d->find(handle, "cuStreamSynchronize", d->mStreamSynchronize);
        if (!found) {
            why = "the CUDA driver library '" + library + "' lacks " + d->mMissing;
            return nullptr;
        }
        d->mGetErrorName = reinterpret_cast<decltype(d->mGetErrorName)>(dlsym(handle, "cuGetErrorName"));
        CUresult status = d->mInit(0);
        if (status != 0) {
            why = "cuInit of '" + library + "' failed: " + d->errorText(status);
            return nullptr;
        }
        return d;
    }

private:
    CudaDriver() = default;

    template <class F>
    bool find(void* handle, char const* name, F& slot)
    {
        slot = reinterpret_cast<F>(dlsym(handle, name));
        if (slot == nullptr) {
            mMissing = name;
        }
        return slot != nullptr;
    }

    CUresult ensureContext() const noexcept
    {
        CUcontext current = nullptr;
        CUresult status = mCtxGetCurrent(&current);
        if (status != 0 || current != nullptr) {
            return status;
        }
        std::lock_guard<std::mutex> lock(mMutex);
        if (mPrimary == nullptr) {
            CUdevice device = 0;
            status = mDeviceGet(&device, 0);
            if (status == 0) {
                status = mPrimaryCtxRetain(&mPrimary, device);
            }
            if (status != 0) {
                return status;
            }
        }
        return mCtxSetCurrent(mPrimary);
    }

    CUresult (*mInit)(unsigned) = nullptr;
    CUresult (*mCtxGetCurrent)(CUcontext*) = nullptr;
    CUresult (*mCtxSetCurrent)(CUcontext) = nullptr;
    CUresult (*mDeviceGet)(CUdevice*, int) = nullptr;
    CUresult (*mPrimaryCtxRetain)(CUcontext*, CUdevice) = nullptr;
    CUresult (*mMemcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream) = nullptr;
    CUresult (*mStreamSynchronize)(CUstream) = nullptr;
    CUresult (*mGetErrorName)(CUresult, char const**) = nullptr;
    std::string mMissing;
    mutable std::mutex mMutex;
    mutable CUcontext mPrimary = nullptr;
};

// The driver of the library FAKE_TRT_CUDA_LIBRARY names now (default
// libcuda.so.1), opened once per name; null with the reason when it cannot be.
// A failure is not kept, so a test may point the knob elsewhere and retry.
CudaDriver const* cudaDriver(std::string& why) noexcept
{
    try {
        char const* named = std::getenv("FAKE_TRT_CUDA_LIBRARY");
        std::string library = named != nullptr && *named != '\0' ? named : "libcuda.so.1";
        static std::mutex mutex;
        static std::map<std::string, std::unique_ptr<CudaDriver>> opened;
        std::lock_guard<std::mutex> lock(mutex);
        auto it = opened.find(library);
        if (it != opened.end()) {
            return it->second.get();
        }
        std::unique_ptr<CudaDriver> driver = CudaDriver::open(library, why);
        CudaDriver const* result = driver.get();
        if (driver != nullptr) {
            opened.emplace(library, std::move(driver));
        }
        return result;
    } catch (std::exception const& e) {
        why = e.what();
        return nullptr;
    }
}

}  // namespace
