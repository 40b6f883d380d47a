// Error state, per-call frames, the routing logger, calls into the
// application, and the reference counting every object shares.

#include <unistd.h>

#include <cstring>
#include <new>

#include "objects.hpp"

namespace shim {

std::atomic<bool> g_shutdown{false};

namespace {

// What the last failing call on this thread left for the caller to read.
thread_local std::string tl_last_error;
thread_local std::vector<Report> tl_last_reports;
thread_local int32_t tl_last_callback_failures = 0;

}  // namespace

thread_local Frame* tl_frame __attribute__((tls_model("initial-exec"))) = nullptr;

void Frame::add(int32_t source, int32_t code, char const* text) noexcept {
    try {
        reports.push_back(Report{source, code, text ? text : ""});
    } catch (...) {
        // Out of memory while recording: `errors` still marks the failure.
    }
}


int32_t fail(int32_t status, std::string message, Frame* frame) noexcept {
    try {
        tl_last_error = std::move(message);
        tl_last_callback_failures = frame ? frame->callback_failures : 0;
        if (frame) {
            tl_last_reports = std::move(frame->reports);
        } else {
            tl_last_reports.clear();
        }
    } catch (...) {
    }
    return status;
}

int32_t conclude(Frame& frame, bool ok, char const* what, int32_t refused) noexcept {
    try {
        if (frame.callback_failures > 0) {
            return fail(TRT_E_CALLBACK, std::string("a callback raised during ") + what, &frame);
        }
        if (!ok || frame.errors > 0) {
            std::string message = std::string(what) + " failed";
            for (auto const& r : frame.reports) {
                if (r.source == TRT_REPORT_RECORDER || r.code <= static_cast<int32_t>(nv::LogSeverity::kERROR)) {
                    message += ": " + r.text;
                    break;
                }
            }
            return fail(refused, message, &frame);
        }
        return TRT_OK;
    } catch (...) {
        return out_of_memory();
    }
}

int32_t conclude(Frame& frame, bool ok, std::string const& what, int32_t refused) noexcept {
    return conclude(frame, ok, what.c_str(), refused);
}

int32_t internal_error(char const* what) noexcept {
    try {
        return fail(TRT_E_INTERNAL, std::string("internal error in trt_runtime's shim") + (what ? ": " : "") +
                                        (what ? what : ""));
    } catch (...) {
        return TRT_E_INTERNAL;
    }
}

int32_t out_of_memory() noexcept {
    try {
        return fail(TRT_E_OUT_OF_MEMORY, "out of memory in trt_runtime's shim");
    } catch (...) {
        return TRT_E_OUT_OF_MEMORY;
    }
}

bool callback_ok(int32_t rc) noexcept {
    if (rc == 0) return true;
    if (Frame* f = tl_frame) ++f->callback_failures;
    return false;
}

void park_forever() noexcept {
    for (;;) pause();
}

std::string quoted(char const* name) { return std::string("'") + (name ? name : "(null)") + "'"; }

// ------------------------------------------------------------------ routing logger

void route(Sink const& sink, int32_t severity, char const* message) noexcept {
    char const* text = message ? message : "";
    if (Frame* frame = tl_frame) {
        if (severity <= static_cast<int32_t>(nv::LogSeverity::kWARNING)) frame->add(TRT_REPORT_LOGGER, severity, text);
        if (severity <= static_cast<int32_t>(nv::LogSeverity::kERROR)) ++frame->errors;
        if (trt_log_fn fn = frame->log) {
            void* ctx = frame->log_ctx;
            callback_ok(invoke([&] { return fn(ctx, severity, text); }));
        }
        return;
    }
    trt_log_fn fn = sink.fn.load(std::memory_order_acquire);
    if (fn) {
        void* ctx = sink.ctx.load(std::memory_order_acquire);
        invoke([&] { return fn(ctx, severity, text); });
    }
}

// ------------------------------------------------------------------ owners

void Owner::leave() noexcept {
    uint64_t const before = state_.fetch_sub(kRef | kCall, std::memory_order_seq_cst);
    bool const last_call = (before & 0xffffffffu) == 1;
    bool const last_ref = ((before >> 32) & 0xffffffffu) == 1;
    if (last_ref) {
        destroy();  // drops whatever was retired too
        return;
    }
    if (last_call && has_retired_.load(std::memory_order_acquire)) drain();
}

void Owner::retire(Kept k) {
    // Called with mutex_ held. A call in flight may still use it.
    if (!k) return;
    retired_.push_back(k);
    has_retired_.store(true, std::memory_order_release);
}

void Owner::drain() noexcept {
    std::vector<Kept> retired;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        // Only when no call runs: a call that started after the swap cannot
        // see what was retired, and one that started before still counts.
        if ((state_.load(std::memory_order_seq_cst) & 0xffffffffu) != 0) return;
        retired.swap(retired_);
        has_retired_.store(false, std::memory_order_release);
    }
    for (Kept const& k : retired) k.release(k.object);
}

void Owner::destroy() noexcept {
    Owner* const parent = parent_owner();
    if (!shutting_down()) {
        try {
            {
                // TensorRT drops its references to the recorder, and gives
                // memory back to the allocators, here.
                DeviceScope on_device(device);
                FrameScope scope(log, log_ctx, false);
                if (owned) delete_native();
            }
            drop_callbacks();
            release_extras();
            delete this;
        } catch (...) {
        }
    }
    if (parent) parent->release();
}

void Owner::drop_callbacks() noexcept {
    // The object is being destroyed: nothing runs on it any more.
    if (trt_allocator* a = allocator_.exchange(nullptr)) shim::release(a);
    for (auto const& slot : slots_) slot.second.release(slot.second.object);
    slots_.clear();
    for (Kept const& k : retired_) k.release(k.object);
    retired_.clear();
}

trt_allocator* Owner::current_allocator() noexcept {
    // No lock: the caller runs a call, so an allocator replaced meanwhile is
    // retired, not let go, until that call is over.
    trt_allocator* a = allocator_.load(std::memory_order_acquire);
    if (a) shim::retain(a);
    return a;
}

}  // namespace shim

// ================================================================== exports

using namespace shim;

extern "C" {

const char* trt_last_error(void) noexcept { return tl_last_error.c_str(); }

int32_t trt_last_report_count(void) noexcept { return static_cast<int32_t>(tl_last_reports.size()); }

int32_t trt_last_report(int32_t index, int32_t* source, int32_t* code, const char** text) noexcept {
    if (index < 0 || static_cast<size_t>(index) >= tl_last_reports.size()) return TRT_E_INVALID_ARGUMENT;
    Report const& r = tl_last_reports[static_cast<size_t>(index)];
    *source = r.source;
    *code = r.code;
    *text = r.text.c_str();
    return TRT_OK;
}

int32_t trt_last_callback_failures(void) noexcept { return tl_last_callback_failures; }

int32_t trt_thread_in_call(void) noexcept {
    Frame const* const f = tl_frame;
    int32_t depth = 0;
    for (Frame const* g = f; g != nullptr; g = g->previous) ++depth;
    return f != nullptr && f->collects ? depth : -depth;
}

void trt_shutdown(void) noexcept { g_shutdown.store(true, std::memory_order_release); }

}  // extern "C"
