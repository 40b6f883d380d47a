/* The C interface of trt_runtime's shim.
 *
 * This one file is both parsed by cffi (ffi.cdef, so it holds plain
 * declarations only: no #include, no #if, no macros with bodies) and included
 * by shim.cpp inside extern "C". Every function is noexcept on the C++ side
 * and never lets an exception out.
 *
 * The preprocessor lines and the TRT_NOEXCEPT marker are for the C++ side;
 * build_shim.py drops both before handing the text to cffi.
 *
 * Conventions
 * - Functions that can fail return a trt_status (0 = success) and hand their
 *   results back through out-parameters. After a failure, trt_last_error()
 *   and trt_last_report() describe it; both live in thread-local storage.
 * - A few getters of plain values that cannot fail return the value itself,
 *   because they sit on the hot path of property access.
 * - Handles are opaque and distinct per kind. A handle returned by a _create
 *   or _open function is owned by the caller, who gives it back with the
 *   matching _release function; children keep their parents alive inside the
 *   shim too, so releases may come in any order.
 * - Callbacks into the application are C function pointers plus a context
 *   pointer. Each returns 0, or nonzero when the application failed (raised) TRT_NOEXCEPT;
 *   the shim then returns TRT_E_CALLBACK from the call that triggered it.
 */
#ifndef TRT_SHIM_H
#define TRT_SHIM_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
#define TRT_NOEXCEPT noexcept
extern "C" {
#else
#define TRT_NOEXCEPT
#endif

enum trt_status {
    TRT_OK = 0,
    TRT_E_FAILED = 1,           /* TensorRT refused or reported an error */
    TRT_E_INVALID_ARGUMENT = 2, /* rejected before reaching TensorRT */
    TRT_E_OUT_OF_MEMORY = 3,
    TRT_E_LIBRARY = 4,          /* the library could not be opened or is unusable */
    TRT_E_UNSUPPORTED = 5,      /* the loaded library's major version is not supported */
    TRT_E_NO_DEVICE = 6,        /* TensorRT could not initialise CUDA */
    TRT_E_CALLBACK = 7,         /* an application callback failed during the call */
    TRT_E_CLOSED = 8,           /* the object was already released */
    TRT_E_INTERNAL = 9          /* an unexpected C++ exception inside the shim */
};

/* Where a report captured during a call came from. */
enum trt_report_source {
    TRT_REPORT_LOGGER = 0,      /* code is the log severity */
    TRT_REPORT_RECORDER = 1     /* code is TensorRT's ErrorCode */
};

typedef struct trt_library trt_library;
typedef struct trt_runtime trt_runtime;
typedef struct trt_engine trt_engine;
typedef struct trt_host_memory trt_host_memory;
typedef struct trt_recorder trt_recorder;
typedef struct trt_allocator trt_allocator;
typedef struct trt_plugin_registry trt_plugin_registry;

/* ------------------------------------------------------------ errors */

/* Text of the last failure on this thread ("" if none). Valid until the next
   failing call on this thread. */
const char *trt_last_error(void) TRT_NOEXCEPT;
/* Number of logger/recorder reports captured during the last failing call on
   this thread, and one of them. The text stays valid like trt_last_error. */
int32_t trt_last_report_count(void) TRT_NOEXCEPT;
int32_t trt_last_report(int32_t index, int32_t *source, int32_t *code, const char **text) TRT_NOEXCEPT;
/* Nonzero while a shim call that captures reports runs on this thread, so a
   callback that fails knows whether its failure will be collected. */
int32_t trt_thread_in_call(void) TRT_NOEXCEPT;
/* Called once at interpreter exit: from then on releases leak instead of
   calling into TensorRT, and no callback re-enters the interpreter. */
void trt_shutdown(void) TRT_NOEXCEPT;

/* ------------------------------------------------------------ library */

typedef int32_t (*trt_log_fn)(void *ctx, int32_t severity, const char *message);
/* Called once when the shim holds a context no longer, so it may be freed. */
typedef void (*trt_release_fn)(void *ctx);

typedef struct {
    int32_t major;
    int32_t minor;
    int32_t patch;
    int32_t build;
    int32_t encoded;        /* getInferLibVersion() */
    int32_t has_builder;    /* the full library exports the builder */
    int32_t abi_supported;  /* the shim has declarations for this major */
} trt_library_info;

/* Opens a TensorRT runtime library (dlopen, local symbol scope) and resolves
   its entry points. Opening the same file twice returns the same handle; the
   library stays loaded for the life of the process. */
int32_t trt_library_open(const char *path, trt_library **out) TRT_NOEXCEPT;
int32_t trt_library_get_info(trt_library *library, trt_library_info *out) TRT_NOEXCEPT;
/* The file the dynamic loader actually mapped (after search paths and links). */
const char *trt_library_path(trt_library *library) TRT_NOEXCEPT;
int32_t trt_library_has_symbol(trt_library *library, const char *name) TRT_NOEXCEPT;
/* Messages logged outside any shim call on the current thread (TensorRT's
   own threads, library teardown) go to this sink. */
void trt_library_set_log_sink(trt_library *library, trt_log_fn fn, void *ctx) TRT_NOEXCEPT;

/* ------------------------------------------------------------ runtime */

/* The runtime's messages go to `log`; `release(log_ctx)` runs when the shim's
   runtime is gone (which may be after the caller released its handle). */
int32_t trt_runtime_create(trt_library *library, trt_log_fn log, trt_release_fn release, void *log_ctx,
                           trt_runtime **out) TRT_NOEXCEPT;
void trt_runtime_release(trt_runtime *runtime) TRT_NOEXCEPT;
/* The TensorRT IRuntime* behind the handle, for code that calls it directly. */
void *trt_runtime_native(trt_runtime *runtime) TRT_NOEXCEPT;

int32_t trt_runtime_get_dla_core(trt_runtime *runtime) TRT_NOEXCEPT;
int32_t trt_runtime_get_num_dla_cores(trt_runtime *runtime) TRT_NOEXCEPT;
int32_t trt_runtime_get_max_threads(trt_runtime *runtime) TRT_NOEXCEPT;
uint32_t trt_runtime_get_tempfile_control_flags(trt_runtime *runtime) TRT_NOEXCEPT;
int32_t trt_runtime_get_engine_host_code_allowed(trt_runtime *runtime) TRT_NOEXCEPT;
/* Owned by TensorRT; NULL when unset. Copy it before the next call. */
const char *trt_runtime_get_temporary_directory(trt_runtime *runtime) TRT_NOEXCEPT;

int32_t trt_runtime_set_dla_core(trt_runtime *runtime, int32_t core) TRT_NOEXCEPT;
int32_t trt_runtime_set_max_threads(trt_runtime *runtime, int32_t count) TRT_NOEXCEPT;
int32_t trt_runtime_set_tempfile_control_flags(trt_runtime *runtime, uint32_t flags) TRT_NOEXCEPT;
int32_t trt_runtime_set_engine_host_code_allowed(trt_runtime *runtime, int32_t allowed) TRT_NOEXCEPT;
int32_t trt_runtime_set_temporary_directory(trt_runtime *runtime, const char *path) TRT_NOEXCEPT;
/* NULL restores TensorRT's default. The runtime keeps its own reference. */
int32_t trt_runtime_set_error_recorder(trt_runtime *runtime, trt_recorder *recorder) TRT_NOEXCEPT;
int32_t trt_runtime_set_gpu_allocator(trt_runtime *runtime, trt_allocator *allocator) TRT_NOEXCEPT;

/* DLA workspace allocation strategy: TRT_E_UNSUPPORTED on libraries that
   lack it (before 11.4). */
int32_t trt_runtime_get_dla_workspace_strategy(trt_runtime *runtime, int32_t *out) TRT_NOEXCEPT;
int32_t trt_runtime_set_dla_workspace_strategy(trt_runtime *runtime, int32_t strategy) TRT_NOEXCEPT;

int32_t trt_runtime_deserialize(trt_runtime *runtime, const void *data, size_t size, trt_engine **out) TRT_NOEXCEPT;

typedef struct {
    /* Copy up to `size` bytes to `destination`; *out_read = bytes copied, or -1. */
    int32_t (*read)(void *ctx, void *destination, int64_t size, void *stream, int64_t *out_read);
    /* origin: 0 from the start, 1 from the current position, 2 from the end. */
    int32_t (*seek)(void *ctx, int64_t offset, int32_t origin, int32_t *out_ok);
} trt_stream_reader_fns;

int32_t trt_runtime_deserialize_stream(trt_runtime *runtime, const trt_stream_reader_fns *fns, void *ctx,
                                       trt_engine **out) TRT_NOEXCEPT;
/* A runtime from the lean library at `path`; it keeps `runtime` alive. Its
   messages go to `log`. */
int32_t trt_runtime_load_runtime(trt_runtime *runtime, const char *path, trt_log_fn log, trt_release_fn release,
                                 void *log_ctx, trt_runtime **out) TRT_NOEXCEPT;
/* Borrowed: valid while the runtime lives. */
int32_t trt_runtime_get_plugin_registry(trt_runtime *runtime, trt_plugin_registry **out) TRT_NOEXCEPT;

/* ------------------------------------------------------------ plugin registry */

int32_t trt_registry_num_creators(trt_plugin_registry *registry, int32_t recursive, int32_t *out) TRT_NOEXCEPT;
/* Strings are owned by the creator; copy them before the next call. */
int32_t trt_registry_creator(trt_plugin_registry *registry, int32_t recursive, int32_t index,
                             const char **kind, const char **name, const char **version,
                             const char **plugin_namespace) TRT_NOEXCEPT;
int32_t trt_registry_get_parent_search_enabled(trt_plugin_registry *registry, int32_t *out) TRT_NOEXCEPT;
int32_t trt_registry_set_parent_search_enabled(trt_plugin_registry *registry, int32_t enabled) TRT_NOEXCEPT;

/* ------------------------------------------------------------ error recorder */

typedef struct {
    int32_t (*num_errors)(void *ctx, int32_t *out);
    int32_t (*error_code)(void *ctx, int32_t index, int32_t *out);
    /* Writes a NUL-terminated description of at most `capacity` bytes. */
    int32_t (*error_desc)(void *ctx, int32_t index, char *buffer, size_t capacity);
    int32_t (*has_overflowed)(void *ctx, int32_t *out);
    int32_t (*clear)(void *ctx);
    /* *out_stop nonzero asks TensorRT to stop (the official meaning). */
    int32_t (*report_error)(void *ctx, int32_t code, const char *description, int32_t *out_stop);
    /* TensorRT and the shim no longer use the recorder: ctx may be freed. */
    void (*release)(void *ctx);
} trt_recorder_fns;

int32_t trt_recorder_create(const trt_recorder_fns *fns, void *ctx, trt_recorder **out) TRT_NOEXCEPT;
/* Drops the creator's reference; the recorder lives on while TensorRT holds it. */
void trt_recorder_release(trt_recorder *recorder) TRT_NOEXCEPT;
int32_t trt_recorder_ref_count(trt_recorder *recorder) TRT_NOEXCEPT;

/* ------------------------------------------------------------ GPU allocator */

typedef struct {
    /* `stream` is NULL for the synchronous entry points. *out = address or 0. */
    int32_t (*allocate)(void *ctx, uint64_t size, uint64_t alignment, uint32_t flags, void *stream,
                        int32_t is_async, uint64_t *out);
    int32_t (*reallocate)(void *ctx, uint64_t address, uint64_t alignment, uint64_t new_size, uint64_t *out);
    int32_t (*deallocate)(void *ctx, uint64_t address, void *stream, int32_t is_async, int32_t *out_ok);
    void (*release)(void *ctx);
} trt_allocator_fns;

int32_t trt_allocator_create(const trt_allocator_fns *fns, void *ctx, trt_allocator **out) TRT_NOEXCEPT;
void trt_allocator_release(trt_allocator *allocator) TRT_NOEXCEPT;

/* ------------------------------------------------------------ engine */

void trt_engine_release(trt_engine *engine) TRT_NOEXCEPT;
void *trt_engine_native(trt_engine *engine) TRT_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
