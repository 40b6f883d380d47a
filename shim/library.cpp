// Loading a TensorRT library: file checks, dlopen, entry points, versions.

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>

#include "objects.hpp"

namespace shim {
namespace {

using VersionFn = int32_t (*)();

std::mutex g_libraries_mutex;

// Libraries are never closed: TensorRT's static state does not survive dlclose.
std::map<std::string, trt_library*>& libraries() {
    static auto* m = new std::map<std::string, trt_library*>();
    return *m;
}

#if defined(__x86_64__)
constexpr int kMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr int kMachine = EM_AARCH64;
#else
constexpr int kMachine = EM_NONE;
#endif

std::string machine_name(int machine) {
    switch (machine) {
        case EM_X86_64: return "x86-64";
        case EM_AARCH64: return "aarch64";
        case EM_386: return "i386";
        case EM_ARM: return "arm";
        case EM_PPC64: return "ppc64";
        default: return "machine " + std::to_string(machine);
    }
}

// dlopen maps a shared object's segments as the file claims them; a file cut
// short faults (SIGBUS) on first touch instead of failing, and opening a FIFO
// blocks. So a file given by path is checked first, without blocking: a
// regular file, an ELF header for this machine, every loadable segment inside
// the file. Returns "" when it looks whole.
std::string file_problem(char const* path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return std::strerror(errno);
    struct FdCloser {
        int fd;
        ~FdCloser() { close(fd); }
    } closer{fd};
    struct stat st {};
    if (fstat(fd, &st) != 0) return std::strerror(errno);
    if (!S_ISREG(st.st_mode)) {
        return S_ISDIR(st.st_mode) ? "it is a directory" : "not a regular file (a FIFO, socket or device)";
    }
    auto const size = static_cast<uint64_t>(st.st_size);
    ElfW(Ehdr) eh{};
    if (pread(fd, &eh, sizeof eh, 0) != static_cast<ssize_t>(sizeof eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
        return "not an ELF shared object";
    }
    if (eh.e_ident[EI_CLASS] != (sizeof(void*) == 8 ? ELFCLASS64 : ELFCLASS32)) return "an ELF file of another word size";
    if (kMachine != EM_NONE && eh.e_machine != kMachine) {
        return "an ELF file for " + machine_name(eh.e_machine) + ", not for this machine (" +
               machine_name(kMachine) + ")";
    }
    if (eh.e_phentsize != sizeof(ElfW(Phdr)) || eh.e_phoff + uint64_t(eh.e_phnum) * eh.e_phentsize > size) {
        return "truncated or corrupt: its program headers lie beyond the end of the file";
    }
    for (int i = 0; i < eh.e_phnum; ++i) {
        ElfW(Phdr) ph{};
        if (pread(fd, &ph, sizeof ph, static_cast<off_t>(eh.e_phoff + uint64_t(i) * sizeof ph)) != static_cast<ssize_t>(sizeof ph)) {
            return "truncated: cannot read its program headers";
        }
        if (ph.p_type == PT_LOAD && ph.p_offset + ph.p_filesz > size) {
            return "truncated: a loadable segment ends at byte " + std::to_string(ph.p_offset + ph.p_filesz) +
                   " but the file has " + std::to_string(size) + " bytes";
        }
    }
    return "";
}

// The library's own name (DT_SONAME), which survives renaming the file.
std::string soname_of(void* handle) {
    struct link_map* map = nullptr;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || !map) return "";
    char const* strtab = nullptr;
    ElfW(Xword) offset = 0;
    bool found = false;
    for (ElfW(Dyn) const* d = map->l_ld; d && d->d_tag != DT_NULL; ++d) {
        if (d->d_tag == DT_STRTAB) strtab = reinterpret_cast<char const*>(d->d_un.d_ptr);
        if (d->d_tag == DT_SONAME) {
            offset = d->d_un.d_val;
            found = true;
        }
    }
    if (!found || !strtab) return "";
    // glibc relocates DT_STRTAB to an address; a few loaders leave it relative.
    if (reinterpret_cast<uintptr_t>(strtab) < map->l_addr) strtab += map->l_addr;
    return strtab + offset;
}

int32_t open_library(char const* path, trt_library** out) {
    *out = nullptr;
    if (!path || !*path) return fail(TRT_E_INVALID_ARGUMENT, "empty library path");
    // Checked before taking the lock: nothing here may block other loads.
    if (std::strchr(path, '/')) {
        std::string const problem = file_problem(path);
        if (!problem.empty()) return fail(TRT_E_LIBRARY, std::string("cannot load ") + path + ": " + problem);
    }
    std::lock_guard<std::mutex> lock(g_libraries_mutex);
    dlerror();
    void* handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        char const* why = dlerror();
        return fail(TRT_E_LIBRARY, std::string("cannot load ") + path + ": " + (why ? why : "unknown error"));
    }
    std::string real = path;
    struct link_map* map = nullptr;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map && map->l_name && *map->l_name) real = map->l_name;
    auto& known = libraries();
    auto found = known.find(real);
    if (found != known.end()) {
        dlclose(handle);  // drops only the extra reference taken just now
        *out = found->second;
        return TRT_OK;
    }
    auto version = reinterpret_cast<VersionFn>(dlsym(handle, "getInferLibVersion"));
    auto create = reinterpret_cast<CreateRuntimeFn>(dlsym(handle, "createInferRuntime_INTERNAL"));
    if (!version || !create) {
        dlclose(handle);
        return fail(TRT_E_LIBRARY, real + " is not a TensorRT runtime library (it exports no " +
                                       (version ? "createInferRuntime_INTERNAL" : "getInferLibVersion") + ")");
    }
    auto lib = std::make_unique<trt_library>();
    lib->handle = handle;
    lib->path = real;
    lib->soname = soname_of(handle);
    lib->create_runtime = create;
    trt_library_info& info = lib->info;
    info.encoded = version();
    auto part = [&](char const* name, int32_t fallback) {
        auto fn = reinterpret_cast<VersionFn>(dlsym(handle, name));
        return fn ? fn() : fallback;
    };
    // The encoded form is major*10000 + minor*100 + patch.
    info.major = part("getInferLibMajorVersion", info.encoded / 10000);
    info.minor = part("getInferLibMinorVersion", (info.encoded / 100) % 100);
    info.patch = part("getInferLibPatchVersion", info.encoded % 100);
    info.build = part("getInferLibBuildVersion", 0);
    info.has_builder = dlsym(handle, "createInferBuilder_INTERNAL") != nullptr;
    info.abi_supported = major_supported(info.major);
    *out = lib.get();
    known.emplace(real, lib.release());
    return TRT_OK;
}

}  // namespace
}  // namespace shim

// ================================================================== exports

extern "C" {

int32_t trt_library_open(const char* path, trt_library** out) noexcept {
    return shim::guard([&] { return shim::open_library(path, out); });
}

int32_t trt_library_get_info(trt_library* library, trt_library_info* out) noexcept {
    if (!library) return shim::fail(TRT_E_CLOSED, "trt_library_get_info: the handle is NULL");
    *out = library->info;
    return TRT_OK;
}

const char* trt_library_path(trt_library* library) noexcept { return library ? library->path.c_str() : ""; }

const char* trt_library_soname(trt_library* library) noexcept { return library ? library->soname.c_str() : ""; }

int32_t trt_library_has_symbol(trt_library* library, const char* name) noexcept {
    return library && name && dlsym(library->handle, name) != nullptr;
}

void trt_library_set_log_sink(trt_library* library, trt_log_fn fn, void* ctx) noexcept {
    if (!library) return;
    library->sink.ctx.store(ctx, std::memory_order_release);
    library->sink.fn.store(fn, std::memory_order_release);
}

}  // extern "C"
