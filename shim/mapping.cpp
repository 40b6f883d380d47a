// Plan files mapped into memory for deserialization, safe against the file
// being cut short while it is read.
//
// A mapped file that another process truncates makes the next read of a
// lost page fault with SIGBUS, which kills the process. Deployments that
// rewrite a plan in place do exactly that. While a mapping is open, its
// range is registered here, and a SIGBUS handler (installed on first use,
// chaining to whatever handler was there before) replaces a lost page of a
// registered range with a page of zeros and marks the mapping. TensorRT then
// reads zeros instead of faulting, and the deserialization that used the
// mapping fails with a clear error. Faults elsewhere go to the previous
// handler untouched. Cost: none until a fault; one page of memory per lost page.

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "objects.hpp"

struct trt_mapping {
    void* base = nullptr;  // what mmap returned (page aligned), or nullptr for an empty file
    size_t length = 0;
    uint64_t offset = 0;  // where the plan starts in the file
    int slot = -1;
};

namespace shim {
namespace {

constexpr int kSlots = 256;

struct Guard {
    std::atomic<uintptr_t> start{0};
    std::atomic<uintptr_t> end{0};
    std::atomic<int32_t> faulted{0};
    std::atomic<bool> used{false};
};

Guard g_guards[kSlots];
std::once_flag g_install_once;
struct sigaction g_previous {};
std::atomic<bool> g_installed{false};
uintptr_t g_page_size = 4096;

void chain(int sig, siginfo_t* info, void* context) {
    if (g_previous.sa_flags & SA_SIGINFO) {
        if (g_previous.sa_sigaction) {
            g_previous.sa_sigaction(sig, info, context);
            return;
        }
    } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN) {
        g_previous.sa_handler(sig);
        return;
    }
    // The default action: restore it; the faulting instruction runs again
    // and the process ends as it would have without us.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, nullptr);
}

void on_sigbus(int sig, siginfo_t* info, void* context) {
    auto const address = reinterpret_cast<uintptr_t>(info ? info->si_addr : nullptr);
    for (Guard& g : g_guards) {
        uintptr_t const start = g.start.load(std::memory_order_acquire);
        if (start == 0 || address < start || address >= g.end.load(std::memory_order_acquire)) continue;
        void* page = reinterpret_cast<void*>(address & ~(g_page_size - 1));
        void* got = mmap(page, g_page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (got != MAP_FAILED) {
            g.faulted.store(1, std::memory_order_release);
            return;  // the read runs again, and finds zeros
        }
        break;
    }
    chain(sig, info, context);
}

void install() {
    g_page_size = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    struct sigaction action {};
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGBUS, &action, &g_previous) == 0) g_installed.store(true);
}

int register_range(uintptr_t start, uintptr_t end) {
    for (int i = 0; i < kSlots; ++i) {
        bool expected = false;
        if (g_guards[i].used.compare_exchange_strong(expected, true)) {
            g_guards[i].faulted.store(0);
            g_guards[i].end.store(end, std::memory_order_release);
            g_guards[i].start.store(start, std::memory_order_release);
            return i;
        }
    }
    return -1;
}

void unregister_range(int slot) {
    if (slot < 0) return;
    g_guards[slot].start.store(0, std::memory_order_release);
    g_guards[slot].end.store(0, std::memory_order_release);
    g_guards[slot].used.store(false, std::memory_order_release);
}

}  // namespace

bool mapping_faulted(trt_mapping const* m) noexcept {
    return m->slot >= 0 && g_guards[m->slot].faulted.load(std::memory_order_acquire) != 0;
}

void const* mapping_data(trt_mapping const* m) noexcept {
    return m->base ? static_cast<char const*>(m->base) + m->offset : nullptr;
}

uint64_t mapping_size(trt_mapping const* m) noexcept { return m->base ? m->length - m->offset : 0; }

}  // namespace shim

using namespace shim;

extern "C" {

int32_t trt_mapping_open(int32_t fd, uint64_t offset, trt_mapping** out) noexcept {
    return guard([&]() -> int32_t {
        *out = nullptr;
        struct stat st {};
        if (fstat(fd, &st) != 0) return fail(TRT_E_INVALID_ARGUMENT, std::string("fstat: ") + std::strerror(errno));
        if (!S_ISREG(st.st_mode)) return fail(TRT_E_INVALID_ARGUMENT, "only a regular file can be mapped");
        auto const size = static_cast<uint64_t>(st.st_size);
        if (offset > size) {
            return fail(TRT_E_INVALID_ARGUMENT, "offset " + std::to_string(offset) + " lies past the end of the file (" +
                                                    std::to_string(size) + " bytes)");
        }
        auto m = std::make_unique<trt_mapping>();
        m->offset = offset;
        if (size > offset) {
            std::call_once(g_install_once, install);
            if (!g_installed.load()) return fail(TRT_E_FAILED, "cannot install the SIGBUS guard of file mappings");
            void* base = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (base == MAP_FAILED) return fail(TRT_E_FAILED, std::string("mmap: ") + std::strerror(errno));
            m->base = base;
            m->length = size;
            auto const start = reinterpret_cast<uintptr_t>(base);
            m->slot = register_range(start, start + size);
            if (m->slot < 0) {
                munmap(base, size);
                return fail(TRT_E_OUT_OF_MEMORY, "too many plan files are mapped at once (" + std::to_string(kSlots) +
                                                     ")");
            }
        }
        *out = m.release();
        return TRT_OK;
    });
}

int32_t trt_mapping_get(trt_mapping* m, const void** data, uint64_t* size, int32_t* faulted) noexcept {
    if (!m) return fail(TRT_E_CLOSED, "trt_mapping_get: the handle is NULL");
    *data = mapping_data(m);
    *size = mapping_size(m);
    *faulted = mapping_faulted(m) ? 1 : 0;
    return TRT_OK;
}

void trt_mapping_release(trt_mapping* m) noexcept {
    if (!m) return;
    unregister_range(m->slot);
    if (m->base) munmap(m->base, m->length);
    delete m;
}

}  // extern "C"
