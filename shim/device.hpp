// Runtimes bound to one CUDA device (Runtime(logger, device=N)).
//
// TensorRT binds a runtime, its engines and their contexts to the CUDA
// context current when each is made, and leaves every later call to the
// caller's cudaSetDevice. A runtime made with a device holds that device's
// primary context; every call that goes through call() on it or on its
// children makes that context current for the call and puts the caller's back
// afterwards. The CUDA driver (libcuda.so.1) is opened only when a device is
// asked for, so nothing else depends on it.
#pragma once

#include <cstdint>

namespace shim {

// A device a runtime is bound to: its ordinal and its primary context
// (a CUcontext, retained by the runtime that holds the binding).
struct DeviceBinding {
    void* context = nullptr;
    int32_t ordinal = -1;

    explicit operator bool() const noexcept { return context != nullptr; }
};

// Retains the primary context of device `ordinal` into `*out`. A status:
// TRT_E_NO_DEVICE when the driver cannot be opened or initialised,
// TRT_E_INVALID_ARGUMENT when there is no such device (the message says how
// many there are).
int32_t device_bind(int32_t ordinal, DeviceBinding* out) noexcept;
// Releases what device_bind retained.
void device_unbind(DeviceBinding const& binding) noexcept;

// Makes `binding`'s context current for a scope when it is not already, and
// restores the caller's on the way out. Does nothing for an empty binding.
class DeviceScope {
public:
    explicit DeviceScope(DeviceBinding const& binding) noexcept;
    ~DeviceScope();
    DeviceScope(DeviceScope const&) = delete;
    DeviceScope& operator=(DeviceScope const&) = delete;
    // False when the context could not be made current: the call must not run.
    bool ok() const noexcept { return ok_; }

private:
    void* previous_ = nullptr;
    bool switched_ = false;
    bool ok_ = true;
};

}  // namespace shim
