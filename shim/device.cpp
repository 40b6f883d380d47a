// The CUDA driver calls behind Runtime(logger, device=N): see device.hpp.

#include "device.hpp"

#include <dlfcn.h>

#include <string>

#include "shim.hpp"

namespace shim {
namespace {

// The driver's own types, as far as these calls need them.
using CUresult = int;
using CUdevice = int;
using CUcontext = void*;

// The driver's entry points, looked up once, on the first device binding.
struct Driver {
    std::string problem;  // empty when every entry point was found and cuInit succeeded
    CUresult (*init)(unsigned) = nullptr;
    CUresult (*device_count)(int*) = nullptr;
    CUresult (*device_get)(CUdevice*, int) = nullptr;
    CUresult (*primary_retain)(CUcontext*, CUdevice) = nullptr;
    CUresult (*primary_release)(CUdevice) = nullptr;
    CUresult (*get_current)(CUcontext*) = nullptr;
    CUresult (*set_current)(CUcontext) = nullptr;
    CUresult (*error_string)(CUresult, char const**) = nullptr;

    std::string describe(CUresult rc) const {
        char const* text = nullptr;
        if (error_string && error_string(rc, &text) == 0 && text) return "error " + std::to_string(rc) + ": " + text;
        return "error " + std::to_string(rc);
    }
};

template <typename F>
bool find(void* library, char const* name, F*& out) {
    out = reinterpret_cast<F*>(dlsym(library, name));
    return out != nullptr;
}

Driver load_driver() {
    Driver d;
    // Never closed: contexts made through it live as long as the process.
    void* library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        char const* why = dlerror();
        d.problem = std::string("the CUDA driver (libcuda.so.1) could not be opened") + (why ? ": " + std::string(why) : "");
        return d;
    }
    bool const found = find(library, "cuInit", d.init) && find(library, "cuDeviceGetCount", d.device_count) &&
                       find(library, "cuDeviceGet", d.device_get) &&
                       find(library, "cuDevicePrimaryCtxRetain", d.primary_retain) &&
                       (find(library, "cuDevicePrimaryCtxRelease_v2", d.primary_release) ||
                        find(library, "cuDevicePrimaryCtxRelease", d.primary_release)) &&
                       find(library, "cuCtxGetCurrent", d.get_current) &&
                       find(library, "cuCtxSetCurrent", d.set_current);
    find(library, "cuGetErrorString", d.error_string);
    if (!found) {
        d.problem = "the CUDA driver (libcuda.so.1) lacks the primary-context calls";
        return d;
    }
    if (CUresult const rc = d.init(0)) d.problem = "the CUDA driver could not be initialised (cuInit: " + d.describe(rc) + ")";
    return d;
}

Driver const& driver() {
    static Driver const d = load_driver();  // thread-safe once
    return d;
}

}  // namespace

int32_t device_bind(int32_t ordinal, DeviceBinding* out) noexcept {
    return guard([&]() -> int32_t {
        std::string const what = "device=" + std::to_string(ordinal);
        Driver const& d = driver();
        if (!d.problem.empty()) return fail(TRT_E_NO_DEVICE, what + " was asked for, but " + d.problem);
        int count = 0;
        if (CUresult const rc = d.device_count(&count)) {
            return fail(TRT_E_NO_DEVICE, what + ": cuDeviceGetCount failed (" + d.describe(rc) + ")");
        }
        if (ordinal < 0 || ordinal >= count) {
            return fail(TRT_E_INVALID_ARGUMENT, what + " does not exist: this process sees " + std::to_string(count) +
                                                    " CUDA device" + (count == 1 ? "" : "s") +
                                                    (count ? " (0 to " + std::to_string(count - 1) + ")" : ""));
        }
        CUdevice device = 0;
        CUcontext context = nullptr;
        if (CUresult const rc = d.device_get(&device, ordinal)) {
            return fail(TRT_E_NO_DEVICE, what + ": cuDeviceGet failed (" + d.describe(rc) + ")");
        }
        if (CUresult const rc = d.primary_retain(&context, device)) {
            return fail(TRT_E_NO_DEVICE, what + ": its primary context could not be retained (" + d.describe(rc) + ")");
        }
        out->context = context;
        out->ordinal = ordinal;
        return TRT_OK;
    });
}

void device_unbind(DeviceBinding const& binding) noexcept {
    if (!binding) return;
    Driver const& d = driver();
    CUdevice device = 0;
    if (d.device_get(&device, binding.ordinal) == 0) d.primary_release(device);
}

DeviceScope::DeviceScope(DeviceBinding const& binding) noexcept {
    if (!binding) return;
    // Bound objects exist only once the driver loaded (device_bind).
    Driver const& d = driver();
    if (d.get_current(&previous_) != 0) previous_ = nullptr;
    if (previous_ != binding.context) ok_ = switched_ = d.set_current(binding.context) == 0;
}

DeviceScope::~DeviceScope() {
    if (switched_) driver().set_current(previous_);
}

}  // namespace shim
