// What the shim's source files share: the per-call Frame that records what
// TensorRT reported, the call() helper every export goes through, the
// reference-counted object base, and the objects behind the C handles.
//
// Layers (one file each): library.cpp (loading, version checks, files),
// frames.cpp (error state, frames, the routing logger, callbacks into the
// application), adapters.cpp (the C++ adapters of the application's
// recorder, allocator and stream reader), runtime.cpp, engine.cpp (engines
// and host memory), context.cpp (contexts and bindings), registry.cpp
// (plugin registry), mapping.cpp (files mapped for deserialization).
//
// Rules kept throughout:
// - every export is noexcept and goes through call() or guard(), which catch
//   everything and turn it into a status;
// - every export that calls TensorRT holds a reference on its object for the
//   whole call, so a release from a callback or another thread only takes
//   effect when the call is over;
// - whatever TensorRT logs or records during a call is caught by the Frame
//   and returned as a status plus reports; a callback that fails marks the
//   Frame, and the call then returns TRT_E_CALLBACK, whatever else happened.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "abi.hpp"
#include "device.hpp"
#include "trt_shim.h"

namespace shim {

// The adapters of the application's callbacks are declared with 11.x's
// interfaces; 10.x has the same slots for them (see objects.hpp).
namespace nv = trt_abi::v11;

// Set once at interpreter exit: from then on nothing calls into TensorRT to
// release objects, and nothing calls back into the interpreter.
extern std::atomic<bool> g_shutdown;

inline bool shutting_down() noexcept { return g_shutdown.load(std::memory_order_acquire); }

// ------------------------------------------------------------------ frames

struct Report {
    int32_t source;
    int32_t code;
    std::string text;
};

// The record of one shim call on one thread.
struct Frame {
    trt_log_fn log = nullptr;  // the calling object's logger
    void* log_ctx = nullptr;
    // Whether the Python method that made the call collects what the
    // application's callbacks raise; false in releases, whose failures go to
    // the application's last-resort hook instead.
    bool collects = true;
    Frame* previous = nullptr;  // the frame this one nests in (a callback's call), or none
    std::vector<Report> reports;
    int32_t errors = 0;
    int32_t callback_failures = 0;

    void add(int32_t source, int32_t code, char const* text) noexcept;
};

// The innermost frame of this thread (frames.cpp). Read on every call and
// every message: initial-exec keeps each access a single load.
extern thread_local Frame* tl_frame __attribute__((tls_model("initial-exec")));

inline Frame* current_frame() noexcept { return tl_frame; }

// Makes a Frame current for a scope; frames nest when a callback calls back
// into the shim. Inline: every export opens one, and one that TensorRT says
// nothing in costs a few stores (nothing is allocated until a report).
class FrameScope {
public:
    FrameScope(trt_log_fn log, void* ctx, bool collects = true) noexcept {
        frame_.previous = tl_frame;
        frame_.log = log;
        frame_.log_ctx = ctx;
        frame_.collects = collects;
        tl_frame = &frame_;
    }
    ~FrameScope() { tl_frame = frame_.previous; }
    FrameScope(FrameScope const&) = delete;
    FrameScope& operator=(FrameScope const&) = delete;
    Frame& frame() noexcept { return frame_; }

private:
    Frame frame_;
};

// Records a failure in this thread's error state and returns `status`.
int32_t fail(int32_t status, std::string message, Frame* frame = nullptr) noexcept;

// The status of a finished call: a failed callback wins over TensorRT's own
// errors, which win over success. `refused` is the status of TensorRT's
// refusal for this call (an invalid argument, a failed deserialization ...).
int32_t conclude(Frame& frame, bool ok, char const* what, int32_t refused = TRT_E_FAILED) noexcept;
int32_t conclude(Frame& frame, bool ok, std::string const& what, int32_t refused = TRT_E_FAILED) noexcept;

int32_t internal_error(char const* what) noexcept;
int32_t out_of_memory() noexcept;

template <typename F>
int32_t guard(F&& body) noexcept {
    try {
        return body();
    } catch (std::bad_alloc const&) {
        return out_of_memory();
    } catch (std::exception const& e) {
        return internal_error(e.what());
    } catch (...) {
        return internal_error(nullptr);
    }
}

// Calls into the application (a function pointer whose target is Python).
// Returns the callback's result, or nonzero without calling once the
// interpreter is shutting down. A thread that the interpreter ends while it
// waits to enter (a forced unwind) is parked instead of being unwound
// through TensorRT's noexcept frames, which would abort the process.
template <typename F>
int32_t invoke(F&& callback) noexcept;

// Marks the current frame (if any) when a callback failed; true when it did not.
bool callback_ok(int32_t rc) noexcept;

// Blocks the calling thread until the process exits.
[[noreturn]] void park_forever() noexcept;

// Pointers below one page are never valid objects; TensorRT returns one
// (0x228) when CUDA cannot be initialised.
inline bool plausible(void const* p) noexcept { return reinterpret_cast<uintptr_t>(p) >= 4096; }

std::string quoted(char const* name);

// ------------------------------------------------------------------ objects

}  // namespace shim

// The objects behind the handles of trt_shim.h are declared at global scope
// (C sees them as opaque struct types).

// An application object TensorRT calls through, kept while anything uses it.
struct trt_recorder;
struct trt_allocator;

namespace shim {

void retain(trt_recorder* r) noexcept;
void release(trt_recorder* r) noexcept;
void retain(trt_allocator* a) noexcept;
void release(trt_allocator* a) noexcept;
// The execution context's callbacks (adapters_context.cpp).
void retain(trt_output_allocator* a) noexcept;
void release(trt_output_allocator* a) noexcept;
void retain(trt_profiler* p) noexcept;
void release(trt_profiler* p) noexcept;
void retain(trt_debug_listener* l) noexcept;
void release(trt_debug_listener* l) noexcept;

// A counted reference to an application adapter of any kind: what an owner
// holds, and what it retires when the adapter is replaced.
struct Kept {
    void* object = nullptr;
    void (*retain)(void*) noexcept = nullptr;
    void (*release)(void*) noexcept = nullptr;

    explicit operator bool() const noexcept { return object != nullptr; }
};

// `p` (nullptr or an adapter with retain/release overloads above) as a Kept.
template <typename T>
Kept kept(T* p) noexcept {
    if (!p) return {};
    return {p, [](void* o) noexcept { shim::retain(static_cast<T*>(o)); },
            [](void* o) noexcept { shim::release(static_cast<T*>(o)); }};
}

// Base of the runtime, engine and context: reference counted, with calls in
// flight counted so that what a call may still use (a replaced recorder or
// allocator) is dropped only once no call runs. Both counts share one atomic
// word (references in the high half, calls in the low half), so entering and
// leaving a call cost one atomic operation each.
class Owner {
public:
    // The logger of calls on this object.
    trt_log_fn log = nullptr;
    void* log_ctx = nullptr;
    // The loaded library's version: which declarations to call through, and
    // which methods its vtables have.
    int32_t major = 0;
    int32_t minor = 0;
    // Whether releasing the handle deletes the TensorRT object (not for one
    // borrowed from code that created it, see trt_*_adopt).
    bool owned = true;
    // The device whose primary context calls on this object run in (a
    // runtime made with one, and its children); empty: the caller's.
    DeviceBinding device;

    virtual ~Owner() = default;

    void retain() noexcept { state_.fetch_add(kRef, std::memory_order_relaxed); }
    void release() noexcept {
        if (((state_.fetch_sub(kRef, std::memory_order_acq_rel) >> 32) & 0xffffffffu) == 1) destroy();
    }
    // A call holds a reference and counts as running.
    void enter() noexcept { state_.fetch_add(kRef | kCall, std::memory_order_seq_cst); }
    void leave() noexcept;

    // Replaces the recorder this object holds (nullptr: none); `install`
    // gives TensorRT the new one. The old one is kept until no call runs.
    template <typename Install>
    void swap_recorder(trt_recorder* recorder, Install&& install);
    template <typename Install>
    void swap_allocator(trt_allocator* allocator, Install&& install);
    // Replaces the adapter this object holds under `key` (one key per
    // callback slot of TensorRT's: "profiler", "debug listener", "output
    // allocator:<tensor>"; an empty `next` clears it). `install` gives
    // TensorRT the new one and answers whether TensorRT took it; when it did
    // not, the slot keeps what it had. What leaves the slot (the old one, or
    // a refused new one) is kept until no call runs. Returns install's answer.
    template <typename Install>
    bool swap_slot(std::string const& key, Kept next, Install&& install);
    // A new reference to the allocator set now, or nullptr. Only inside a
    // call: a replaced allocator is not let go while a call runs.
    trt_allocator* current_allocator() noexcept;

protected:
    // What differs between the runtime, the engine and the context when the
    // last reference goes: the TensorRT object to delete (in its major's
    // type), the parent to let go, and what else the object held.
    virtual void delete_native() noexcept = 0;
    virtual Owner* parent_owner() const noexcept = 0;
    virtual void release_extras() noexcept {}
    std::mutex mutex_;

private:
    static constexpr uint64_t kRef = uint64_t{1} << 32;
    static constexpr uint64_t kCall = 1;

    // Deletes the TensorRT object (when owned) in a frame that collects no
    // callback failure, the callbacks and this object, then lets the parent go.
    // At interpreter exit everything is left as it is.
    void destroy() noexcept;
    // Drops the allocator, every slot (the recorder's too) and whatever was retired.
    void drop_callbacks() noexcept;
    // Keeps `k` (its own reference) until no call runs; under mutex_.
    void retire(Kept k);
    void drain() noexcept;

    std::atomic<uint64_t> state_{kRef};  // one reference: the creator's
    std::atomic<bool> has_retired_{false};
    std::atomic<trt_allocator*> allocator_{nullptr};    // own reference; written under mutex_
    std::map<std::string, Kept> slots_;  // own references, by key; under mutex_
    std::vector<Kept> retired_;          // under mutex_
};

// Holds an object for the scope of a call.
class Hold {
public:
    explicit Hold(Owner* o) noexcept : o_(o) { o_->enter(); }
    ~Hold() { o_->leave(); }
    Hold(Hold const&) = delete;
    Hold& operator=(Hold const&) = delete;

private:
    Owner* o_;
};

// One export's body, run with `object` held and its Frame current. The body
// takes the Frame and returns a status; a callback that failed during the
// call turns any status into TRT_E_CALLBACK.
template <typename Object, typename Body>
int32_t call(Object* object, char const* what, Body&& body) noexcept {
    if (!object) return fail(TRT_E_CLOSED, std::string(what) + ": the handle is NULL (closed)");
    return guard([&]() -> int32_t {
        Hold hold(object);
        DeviceScope on_device(object->device);
        if (!on_device.ok()) {
            return fail(TRT_E_NO_DEVICE, std::string(what) + ": the primary context of CUDA device " +
                                             std::to_string(object->device.ordinal) + " could not be made current");
        }
        FrameScope scope(object->log, object->log_ctx);
        Frame& frame = scope.frame();
        int32_t const status = body(frame);
        if (frame.callback_failures > 0 && status != TRT_E_CALLBACK) return conclude(frame, false, what);
        return status;
    });
}

// ------------------------------------------------------------------ template bodies

template <typename F>
int32_t invoke(F&& callback) noexcept {
    if (shutting_down()) return 1;
    try {
        return callback();
    } catch (...) {
        // Only a forced unwind can get here: the callbacks are C functions
        // that never throw. The interpreter is ending this thread; park it
        // until the process exits, as later Pythons do themselves.
        park_forever();
    }
}

template <typename Install>
void Owner::swap_recorder(trt_recorder* recorder, Install&& install) {
    // A slot like the others; TensorRT's setErrorRecorder cannot refuse.
    swap_slot("error recorder", kept(recorder), [&](void*) {
        install(recorder);
        return true;
    });
}

template <typename Install>
void Owner::swap_allocator(trt_allocator* allocator, Install&& install) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (allocator) shim::retain(allocator);
    install(allocator);
    trt_allocator* old = allocator_.exchange(allocator, std::memory_order_acq_rel);
    if (old) retire(kept(old));
}

template <typename Install>
bool Owner::swap_slot(std::string const& key, Kept next, Install&& install) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (next) next.retain(next.object);  // this object's own reference
    if (!install(next.object)) {
        if (next) retire(next);
        return false;
    }
    auto const found = slots_.find(key);
    if (found != slots_.end()) {
        retire(found->second);
        slots_.erase(found);
    }
    if (next) slots_.emplace(key, next);
    return true;
}

}  // namespace shim
