// What the shim adds to every export, in nanoseconds, without Python or
// TensorRT: a FrameScope (the per-call record of what TensorRT reports), a
// Hold (the object's reference for the call) and the whole call() helper
// around a body that does nothing, as when TensorRT says nothing.
// bench/bench_inference.py builds and runs it:
//   g++ -std=c++17 -O2 -I shim bench/frame_cost.cpp shim/frames.cpp shim/device.cpp -ldl
#include <chrono>
#include <cstdio>

#include "shim.hpp"

using namespace shim;

namespace shim {
// frames.cpp lets allocators go through these (adapters.cpp); none exists here.
void retain(trt_allocator*) noexcept {}
void release(trt_allocator*) noexcept {}
}  // namespace shim

namespace {

struct Idle final : Owner {
    void delete_native() noexcept override {}
    Owner* parent_owner() const noexcept override { return nullptr; }
};

volatile int sink;

template <typename F>
double ns_per(F&& f, long n) {
    auto const t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < n; ++i) f();
    auto const t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(n);
}

}  // namespace

int main() {
    auto* object = new Idle;
    long const n = 20000000;
    double best[4] = {1e9, 1e9, 1e9, 1e9};
    for (int round = 0; round < 5; ++round) {
        double const got[4] = {
            ns_per([&] { sink = 0; }, n),
            ns_per([&] { FrameScope scope(nullptr, nullptr); sink = 0; }, n),
            ns_per([&] { Hold hold(object); sink = 0; }, n),
            ns_per([&] { sink = call(object, "idle", [](Frame&) { return 0; }); }, n),
        };
        for (int i = 0; i < 4; ++i) best[i] = got[i] < best[i] ? got[i] : best[i];
    }
    std::printf("{\"loop_ns\": %.2f, \"frame_scope_ns\": %.2f, \"hold_ns\": %.2f, \"call_ns\": %.2f}\n", best[0],
                best[1], best[2], best[3]);
    return 0;
}
