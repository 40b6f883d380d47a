/* The C interface of trt_runtime's shim. This one file is both parsed by cffi (ffi.cdef: plain declarations only,
 * no #include, no #if, no macros with bodies) and included by shim.cpp inside extern "C". Every function is noexcept
 * on the C++ side and never lets an exception out. The preprocessor lines and TRT_NOEXCEPT are for the C++ side;
 * build_shim.py drops both before handing the text to cffi.
 *
 * Conventions
 * - Functions that can fail return a trt_status (0 = success) and hand their results back through out-parameters.
 *   After a failure, trt_last_error() and trt_last_report() describe it; both live in thread-local storage.
 * - A few getters of plain values that cannot fail return the value itself (the hot path of property access).
 * - Handles are opaque and distinct per kind. A handle from a _create or _open function is the caller's, given back
 *   with the matching _release; children keep their parents alive in the shim too, so releases come in any order.
 * - The status alone decides the kind of failure: the Python layer maps each status to one exception class.
 * - Every call that reaches TensorRT holds a reference on its object for the whole call: a release made meanwhile
 *   (from a callback or another thread) takes effect when the call is over.
 * - Callbacks into the application are C function pointers plus a context pointer. Each returns 0, or nonzero when
 *   the application failed (raised); the call that triggered it then returns TRT_E_CALLBACK. Their Python side is
 *   declared in trt_callbacks.h.
 */
#ifndef TRT_SHIM_H
#define TRT_SHIM_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
#define TRT_NOEXCEPT noexcept
extern "C" {
/* The exports are in the extension's dynamic symbol table (the rest is hidden): C code and ctypes can call them. */
#pragma GCC visibility push(default)
#else
#define TRT_NOEXCEPT
#endif

enum trt_status {
    TRT_OK = 0,
    TRT_E_FAILED = 1,              /* TensorRT failed or reported an error */
    TRT_E_INVALID_ARGUMENT = 2,    /* an argument refused, by the shim or by TensorRT */
    TRT_E_OUT_OF_MEMORY = 3,
    TRT_E_LIBRARY = 4,             /* the library could not be opened or is unusable */
    TRT_E_UNSUPPORTED = 5,         /* the loaded library lacks the feature */
    TRT_E_NO_DEVICE = 6,           /* TensorRT could not initialise CUDA */
    TRT_E_CALLBACK = 7,            /* an application callback failed during the call */
    TRT_E_CLOSED = 8,              /* a NULL handle: the object was closed */
    TRT_E_INTERNAL = 9,            /* an unexpected C++ exception inside the shim */
    TRT_E_DESERIALIZE = 10,        /* TensorRT could not deserialize the engine */
    TRT_E_UNSUPPORTED_VERSION = 11 /* the library's major version has no declarations here */
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
typedef struct trt_mapping trt_mapping;

/* ------------------------------------------------------------ errors */

/* Text of the last failure on this thread ("" if none). Valid until the next failing call on this thread. */
const char *trt_last_error(void) TRT_NOEXCEPT;
/* The logger/recorder reports of the last failing call on this thread: count, and one (text valid as above). */
int32_t trt_last_report_count(void) TRT_NOEXCEPT;
int32_t trt_last_report(int32_t index, int32_t *source, int32_t *code, const char **text) TRT_NOEXCEPT;
/* Callbacks failed in the last failing call on this thread (TRT_E_CALLBACK): the caller collects that many. */
int32_t trt_last_callback_failures(void) TRT_NOEXCEPT;
/* How deep this thread is in shim calls (nested through callbacks): > 0 if the innermost call's caller collects
   callback failures, < 0 in a release (a failure there goes to the application's last-resort handler), 0 outside. */
int32_t trt_thread_in_call(void) TRT_NOEXCEPT;
/* At interpreter exit: from then on releases leak instead of calling TensorRT, and no callback re-enters Python. */
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

/* Opens a TensorRT runtime library (dlopen, local symbol scope) and resolves its entry points. Opening the same
   file twice returns the same handle; the library stays loaded for the life of the process. */
int32_t trt_library_open(const char *path, trt_library **out) TRT_NOEXCEPT;
int32_t trt_library_get_info(trt_library *library, trt_library_info *out) TRT_NOEXCEPT;
/* The file the dynamic loader actually mapped (after search paths and links). */
const char *trt_library_path(trt_library *library) TRT_NOEXCEPT;
/* The library's own name (DT_SONAME, which renaming the file leaves alone); "" if none. */
const char *trt_library_soname(trt_library *library) TRT_NOEXCEPT;
int32_t trt_library_has_symbol(trt_library *library, const char *name) TRT_NOEXCEPT;
/* Messages logged outside any shim call on their thread (TensorRT's own threads, library teardown) go here. */
void trt_library_set_log_sink(trt_library *library, trt_log_fn fn, void *ctx) TRT_NOEXCEPT;

/* ------------------------------------------------------------ runtime */

/* The runtime's messages go to `log`; `release(log_ctx)` runs when the shim's runtime is gone (which may be after
   the caller released its handle). `device` -1: the runtime belongs to the CUDA context current in each call, as
   TensorRT's does. `device` N >= 0: the runtime holds device N's primary context, is made in it, and every call on
   it and on its engines and contexts that goes through TensorRT's state (all but the plain getters) runs in it and
   restores the caller's current context; TRT_E_INVALID_ARGUMENT for a device that does not exist, TRT_E_NO_DEVICE
   without a CUDA driver. */
int32_t trt_runtime_create(trt_library *library, int32_t device, trt_log_fn log, trt_release_fn release,
                           void *log_ctx, trt_runtime **out) TRT_NOEXCEPT;
/* A logger runtimes share: `log(ctx, ...)` gets their messages; `release(ctx)` runs once, when the last of its holders
   is gone: the creator (until _give) and each runtime made with it. The handle holds its memory: free it with _drop. */
typedef struct trt_log_target trt_log_target;
int32_t trt_log_target_create(trt_log_fn log, trt_release_fn release, void *ctx, trt_log_target **out) TRT_NOEXCEPT;
void trt_log_target_drop(trt_log_target *target) TRT_NOEXCEPT;
/* Gives the creator's hold back, once: with no runtime holding the target, it is released now. */
void trt_log_target_give(trt_log_target *target) TRT_NOEXCEPT;
/* trt_runtime_create, logging to `target`; TRT_E_CLOSED when the target was released already (make a new one). */
int32_t trt_runtime_create_for(trt_library *library, int32_t device, trt_log_target *target,
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

/* DLA workspace allocation strategy: TRT_E_UNSUPPORTED on libraries that lack it (before 11.4). */
int32_t trt_runtime_get_dla_workspace_strategy(trt_runtime *runtime, int32_t *out) TRT_NOEXCEPT;
int32_t trt_runtime_set_dla_workspace_strategy(trt_runtime *runtime, int32_t strategy) TRT_NOEXCEPT;

int32_t trt_runtime_deserialize(trt_runtime *runtime, const void *data, size_t size, trt_engine **out) TRT_NOEXCEPT;
/* The same from a mapped file (trt_mapping_open); TRT_E_DESERIALIZE when the file was cut short while it was read. */
int32_t trt_runtime_deserialize_mapping(trt_runtime *runtime, trt_mapping *mapping, trt_engine **out) TRT_NOEXCEPT;

typedef struct {
    /* Copy up to `size` bytes to `destination`; *out_read = bytes copied, or -1. */
    int32_t (*read)(void *ctx, void *destination, int64_t size, void *stream, int64_t *out_read);
    /* origin: 0 from the start, 1 from the current position, 2 from the end. */
    int32_t (*seek)(void *ctx, int64_t offset, int32_t origin, int32_t *out_ok);
} trt_stream_reader_fns;

int32_t trt_runtime_deserialize_stream(trt_runtime *runtime, const trt_stream_reader_fns *fns, void *ctx,
                                       trt_engine **out) TRT_NOEXCEPT;
/* A runtime from the lean library at `path`; it keeps `runtime` alive. Its messages go to `log`. */
int32_t trt_runtime_load_runtime(trt_runtime *runtime, const char *path, trt_log_fn log, trt_release_fn release,
                                 void *log_ctx, trt_runtime **out) TRT_NOEXCEPT;
/* Borrowed: valid while the runtime lives. */
int32_t trt_runtime_get_plugin_registry(trt_runtime *runtime, trt_plugin_registry **out) TRT_NOEXCEPT;

/* ------------------------------------------------------------ objects made elsewhere
 * Wrap a TensorRT object that other code in this process created on the same library (an IRuntime*, an
 * ICudaEngine* of `runtime`'s, an IExecutionContext* of `engine`'s). owned = 0: borrowed, the shim never
 * deletes it and its creator must keep it alive as long as the handle (and any child) lives; owned = 1: the
 * shim deletes it when the handle and its children are gone. The adopted object's calls report through
 * `runtime`'s (or `log`'s) logger. */
int32_t trt_runtime_adopt(trt_library *library, void *native, int32_t owned, trt_log_fn log, trt_release_fn release,
                          void *log_ctx, trt_runtime **out) TRT_NOEXCEPT;
int32_t trt_engine_adopt(trt_runtime *runtime, void *native, int32_t owned, trt_engine **out) TRT_NOEXCEPT;

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
/* Drops the creator's reference; the recorder lives on while TensorRT, or an object that has it set, holds it.
   `release(ctx)` runs after the last one. */
void trt_recorder_release(trt_recorder *recorder) TRT_NOEXCEPT;

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
/* Drops the creator's reference. A runtime that has the allocator set, and every engine deserialized while it was
   set, hold their own references; `release(ctx)` runs after the last one. */
void trt_allocator_release(trt_allocator *allocator) TRT_NOEXCEPT;

/* ------------------------------------------------------------ mapped files */

/* Maps the regular file open as `fd` (which the caller may close afterwards); the plan starts at `offset`. While
   the mapping lives, a truncation of the file by another process does not kill the process: the lost pages read as
   zeros and `faulted` turns nonzero. */
int32_t trt_mapping_open(int32_t fd, uint64_t offset, trt_mapping **out) TRT_NOEXCEPT;
int32_t trt_mapping_get(trt_mapping *mapping, const void **data, uint64_t *size, int32_t *faulted) TRT_NOEXCEPT;
void trt_mapping_release(trt_mapping *mapping) TRT_NOEXCEPT;

/* ------------------------------------------------------------ engine
 * An engine keeps its runtime alive and a context keeps its engine alive, inside the shim: handles may be
 * released in any order. Calls on an engine or context report through the logger of the runtime that
 * deserialized it. Device addresses and CUDA streams travel as uint64_t (0 = the default stream); they are
 * not handles of the shim. */

typedef struct trt_context trt_context;

/* A shape: nb_dims extents (at most 8); -1 marks a dynamic extent. */
typedef struct {
    int32_t nb_dims;
    int64_t d[8];
} trt_dims;

typedef struct {
    const char *name;                   /* owned by the engine */
    int32_t num_layers;
    int32_t num_io_tensors;
    int32_t num_optimization_profiles;
    int32_t num_aux_streams;
    int32_t refittable;
    int32_t engine_capability;          /* EngineCapability */
    int32_t hardware_compatibility_level;
    int32_t profiling_verbosity;        /* ProfilingVerbosity */
    uint32_t tactic_sources;
    int64_t device_memory_size_v2;
    int64_t streamable_weights_size;
} trt_engine_info;

typedef struct {
    trt_dims shape;                     /* as built: -1 for dynamic extents */
    int32_t dtype;                      /* DataType */
    int32_t mode;                       /* TensorIOMode */
    int32_t location;                   /* TensorLocation */
    int32_t format;                     /* TensorFormat */
    int32_t bytes_per_component;
    int32_t components_per_element;
    int32_t vectorized_dim;
    int32_t is_shape_inference_io;
    int32_t is_debug_tensor;
    const char *format_desc;            /* owned by the engine; may be NULL */
} trt_tensor_info;

void trt_engine_release(trt_engine *engine) TRT_NOEXCEPT;
void *trt_engine_native(trt_engine *engine) TRT_NOEXCEPT;

int32_t trt_engine_get_info(trt_engine *engine, trt_engine_info *out) TRT_NOEXCEPT;
/* Name of I/O tensor `index` (owned by the engine); TRT_E_INVALID_ARGUMENT outside [0, num_io_tensors). */
int32_t trt_engine_tensor_name(trt_engine *engine, int32_t index, const char **out) TRT_NOEXCEPT;
/* Everything about one I/O tensor. profile < 0: the format queries of the default profile (getTensorFormat ...),
   else those of that profile (...V2). TRT_E_INVALID_ARGUMENT for a name that is not an I/O tensor. */
int32_t trt_engine_tensor_info(trt_engine *engine, const char *name, int32_t profile,
                               trt_tensor_info *out) TRT_NOEXCEPT;
/* min, opt and max shape of input `name` in `profile`, into out[0..2]. */
int32_t trt_engine_profile_shape(trt_engine *engine, const char *name, int32_t profile, trt_dims *out) TRT_NOEXCEPT;
int32_t trt_engine_device_memory_size_for_profile(trt_engine *engine, int32_t profile, int64_t *out) TRT_NOEXCEPT;
/* Weight streaming, which: 0 the budget (getWeightStreamingBudgetV2), 1 the automatic budget, 2 the scratch memory
   size. Apart from the engine's other properties because TensorRT may refuse them on an engine built without weight
   streaming. */
int32_t trt_engine_get_weight_streaming(trt_engine *engine, int32_t which, int64_t *out) TRT_NOEXCEPT;
int32_t trt_engine_set_weight_streaming_budget(trt_engine *engine, int64_t budget) TRT_NOEXCEPT;
/* NULL restores none. The engine keeps its own reference. */
int32_t trt_engine_set_error_recorder(trt_engine *engine, trt_recorder *recorder) TRT_NOEXCEPT;
/* The plan, in host memory the caller releases (independent of the engine). */
int32_t trt_engine_serialize(trt_engine *engine, trt_host_memory **out) TRT_NOEXCEPT;
/* strategy: ExecutionContextAllocationStrategy. The context keeps the engine alive. */
int32_t trt_engine_create_context(trt_engine *engine, int32_t strategy, trt_context **out) TRT_NOEXCEPT;

/* ------------------------------------------------------------ host memory */

/* Address and size of the bytes, valid until the memory is released; dtype is a DataType value (UINT8 for a plan). */
int32_t trt_host_memory_get(trt_host_memory *memory, uint64_t *address, uint64_t *size, int32_t *dtype) TRT_NOEXCEPT;
void trt_host_memory_release(trt_host_memory *memory) TRT_NOEXCEPT;

/* ------------------------------------------------------------ execution context */

void trt_context_release(trt_context *context) TRT_NOEXCEPT;
/* The TensorRT IExecutionContext* behind the handle. */
void *trt_context_native(trt_context *context) TRT_NOEXCEPT;
/* An IExecutionContext* of `engine`'s made elsewhere; see trt_runtime_adopt. */
int32_t trt_context_adopt(trt_engine *engine, void *native, int32_t owned, trt_context **out) TRT_NOEXCEPT;

/* Owned by the context; copy it before the next call. Never NULL. */
const char *trt_context_get_name(trt_context *context) TRT_NOEXCEPT;
int32_t trt_context_set_name(trt_context *context, const char *name) TRT_NOEXCEPT;
int32_t trt_context_get_debug_sync(trt_context *context) TRT_NOEXCEPT;
int32_t trt_context_set_debug_sync(trt_context *context, int32_t sync) TRT_NOEXCEPT;
int32_t trt_context_get_optimization_profile(trt_context *context) TRT_NOEXCEPT;
int32_t trt_context_all_input_dimensions_specified(trt_context *context) TRT_NOEXCEPT;
int32_t trt_context_set_optimization_profile(trt_context *context, int32_t profile, uint64_t stream) TRT_NOEXCEPT;
int32_t trt_context_set_error_recorder(trt_context *context, trt_recorder *recorder) TRT_NOEXCEPT;
uint64_t trt_context_get_persistent_cache_limit(trt_context *context) TRT_NOEXCEPT;
int32_t trt_context_set_persistent_cache_limit(trt_context *context, uint64_t size) TRT_NOEXCEPT;

/* Shapes and addresses, by tensor name. `extents` holds nb_dims values. */
int32_t trt_context_set_input_shape(trt_context *context, const char *name, int32_t nb_dims,
                                    const int64_t *extents) TRT_NOEXCEPT;
/* TRT_E_INVALID_ARGUMENT for a name that is not an I/O tensor. */
int32_t trt_context_get_tensor_shape(trt_context *context, const char *name, trt_dims *out) TRT_NOEXCEPT;
int32_t trt_context_get_tensor_strides(trt_context *context, const char *name, trt_dims *out) TRT_NOEXCEPT;
int32_t trt_context_set_tensor_address(trt_context *context, const char *name, uint64_t address) TRT_NOEXCEPT;
int32_t trt_context_get_tensor_address(trt_context *context, const char *name, uint64_t *out) TRT_NOEXCEPT;
/* Names of the inputs whose shape is not yet known: up to `capacity` of them into names[] (owned by the engine),
   their count into *out_count. */
int32_t trt_context_infer_shapes(trt_context *context, int32_t capacity, const char **names,
                                 int32_t *out_count) TRT_NOEXCEPT;
/* size < 0: setDeviceMemory (no size check), else setDeviceMemoryV2. */
int32_t trt_context_set_device_memory(trt_context *context, uint64_t address, int64_t size) TRT_NOEXCEPT;
int32_t trt_context_update_device_memory_size_for_shapes(trt_context *context, uint64_t *out) TRT_NOEXCEPT;
int32_t trt_context_enqueue(trt_context *context, uint64_t stream) TRT_NOEXCEPT;

/* One inference in one call: the shapes, then the addresses, then enqueueV3. The caller owns every array and may
   change the values between calls. */
typedef struct {
    int32_t num_shapes;
    const char *const *shape_names;
    const trt_dims *shapes;
    int32_t num_tensors;
    const char *const *names;
    const uint64_t *addresses;
} trt_binding;

int32_t trt_context_execute(trt_context *context, const trt_binding *binding, uint64_t stream) TRT_NOEXCEPT;

/* ------------------------------------------------------------ execution context callbacks
 * The application's output allocators, profiler and debug listener. Each is an adapter made from a table of
 * callbacks, reference counted like the GPU allocator: the creator's handle, and the context that has it set,
 * hold a reference; `release(ctx)` runs after the last one. A context keeps a replaced one until no call on it
 * runs. */

typedef struct trt_output_allocator trt_output_allocator;
typedef struct trt_profiler trt_profiler;
typedef struct trt_debug_listener trt_debug_listener;

typedef struct {
    /* is_async: 1 for reallocateOutputAsync (stream given), 0 for reallocateOutput
       (stream NULL). *out = the output's address, or 0 when none can be had. */
    int32_t (*reallocate)(void *ctx, const char *name, uint64_t memory, uint64_t size, uint64_t alignment,
                          void *stream, int32_t is_async, uint64_t *out);
    int32_t (*notify_shape)(void *ctx, const char *name, const trt_dims *shape);
    void (*release)(void *ctx);
} trt_output_allocator_fns;

typedef struct {
    int32_t (*report_layer_time)(void *ctx, const char *layer_name, float ms);
    void (*release)(void *ctx);
} trt_profiler_fns;

typedef struct {
    /* location: TensorLocation; dtype: DataType. *out_ok: what TensorRT is answered. */
    int32_t (*process)(void *ctx, uint64_t address, int32_t location, int32_t dtype, const trt_dims *shape,
                       const char *name, void *stream, int32_t *out_ok);
    void (*release)(void *ctx);
} trt_debug_listener_fns;

int32_t trt_output_allocator_create(const trt_output_allocator_fns *fns, void *ctx,
                                    trt_output_allocator **out) TRT_NOEXCEPT;
void trt_output_allocator_release(trt_output_allocator *allocator) TRT_NOEXCEPT;
int32_t trt_profiler_create(const trt_profiler_fns *fns, void *ctx, trt_profiler **out) TRT_NOEXCEPT;
void trt_profiler_release(trt_profiler *profiler) TRT_NOEXCEPT;
int32_t trt_debug_listener_create(const trt_debug_listener_fns *fns, void *ctx,
                                  trt_debug_listener **out) TRT_NOEXCEPT;
void trt_debug_listener_release(trt_debug_listener *listener) TRT_NOEXCEPT;

/* NULL unsets. TRT_E_INVALID_ARGUMENT when TensorRT refuses (not an output). */
int32_t trt_context_set_output_allocator(trt_context *context, const char *name,
                                         trt_output_allocator *allocator) TRT_NOEXCEPT;
/* Upper bound of the output's size in bytes; -1 when not known yet or not an output. */
int32_t trt_context_get_max_output_size(trt_context *context, const char *name, int64_t *out) TRT_NOEXCEPT;
int32_t trt_context_set_profiler(trt_context *context, trt_profiler *profiler) TRT_NOEXCEPT;
int32_t trt_context_get_enqueue_emits_profile(trt_context *context) TRT_NOEXCEPT;
int32_t trt_context_set_enqueue_emits_profile(trt_context *context, int32_t emits) TRT_NOEXCEPT;
/* TRT_E_FAILED when TensorRT answers false (no profiler set ...). */
int32_t trt_context_report_to_profiler(trt_context *context) TRT_NOEXCEPT;
int32_t trt_context_set_debug_listener(trt_context *context, trt_debug_listener *listener) TRT_NOEXCEPT;
/* TRT_E_INVALID_ARGUMENT when TensorRT refuses (not a debug tensor). */
int32_t trt_context_set_tensor_debug_state(trt_context *context, const char *name, int32_t flag) TRT_NOEXCEPT;
int32_t trt_context_get_debug_state(trt_context *context, const char *name, int32_t *out) TRT_NOEXCEPT;
int32_t trt_context_set_all_tensors_debug_state(trt_context *context, int32_t flag) TRT_NOEXCEPT;
/* TRT_E_UNSUPPORTED before TensorRT 10.12. */
int32_t trt_context_set_unfused_tensors_debug_state(trt_context *context, int32_t flag) TRT_NOEXCEPT;
int32_t trt_context_get_unfused_tensors_debug_state(trt_context *context, int32_t *out) TRT_NOEXCEPT;

/* ------------------------------------------------------------ more of the official API
 * registry.cpp, engine_more.cpp, context_more.cpp. Pointers of TensorRT's own
 * (creators, plugin library handles, events, streams) travel as void* or ints. */

/* The process's registry (the library's getPluginRegistry()); lives as long as the process. */
int32_t trt_library_plugin_registry(trt_library *library, trt_plugin_registry **out) TRT_NOEXCEPT;
/* Opens `plugin_path` (kept open) and calls its initLibNvInferPlugins(logger, ns); messages during the call go to
   `log`. TRT_E_LIBRARY when it cannot be opened. */
int32_t trt_library_init_plugins(trt_library *library, const char *plugin_path, const char *plugin_namespace,
                                 trt_log_fn log, void *log_ctx, int32_t *ok) TRT_NOEXCEPT;
/* NULL in *creator (and TRT_OK) when there is none. */
int32_t trt_registry_get_creator(trt_plugin_registry *registry, const char *name, const char *version,
                                 const char *plugin_namespace, void **creator) TRT_NOEXCEPT;
int32_t trt_registry_creator_of(trt_plugin_registry *registry, void *creator, const char **kind,
                                const char **name, const char **version, const char **plugin_namespace) TRT_NOEXCEPT;
/* TRT_E_FAILED when TensorRT answers false. */
int32_t trt_registry_register_creator(trt_plugin_registry *registry, void *creator,
                                      const char *plugin_namespace) TRT_NOEXCEPT;
int32_t trt_registry_deregister_creator(trt_plugin_registry *registry, void *creator) TRT_NOEXCEPT;
int32_t trt_registry_load_library(trt_plugin_registry *registry, const char *path, void **handle) TRT_NOEXCEPT;
int32_t trt_registry_deregister_library(trt_plugin_registry *registry, void *handle) TRT_NOEXCEPT;
int32_t trt_registry_set_error_recorder(trt_plugin_registry *registry, trt_recorder *recorder) TRT_NOEXCEPT;
int32_t trt_registry_release_plugin_resource(trt_plugin_registry *registry, const char *key,
                                             int32_t *out) TRT_NOEXCEPT;

/* TRT_E_UNSUPPORTED before 10.14 / 10.15 / (V2 values) 10.11 where 10.x has the int32 query. */
int32_t trt_engine_get_engine_stat(trt_engine *engine, int32_t stat, int64_t *out) TRT_NOEXCEPT;
int32_t trt_engine_aliased_input_tensor(trt_engine *engine, const char *name, const char **out) TRT_NOEXCEPT;
/* `count` values of the shape input `name` for profile `profile`, selector 0 min, 1 opt, 2 max. */
int32_t trt_engine_profile_tensor_values(trt_engine *engine, const char *name, int32_t profile, int32_t selector,
                                         int32_t count, int64_t *values) TRT_NOEXCEPT;

/* `count` addresses, one per I/O tensor in the engine's order; TRT_E_FAILED when refused. */
int32_t trt_context_execute_v2(trt_context *context, const uint64_t *bindings, int32_t count) TRT_NOEXCEPT;
int32_t trt_context_set_input_consumed_event(trt_context *context, uint64_t event) TRT_NOEXCEPT;
int32_t trt_context_get_input_consumed_event(trt_context *context, uint64_t *out) TRT_NOEXCEPT;
int32_t trt_context_set_aux_streams(trt_context *context, const uint64_t *streams, int32_t count) TRT_NOEXCEPT;
/* The context holds the allocator while it is set; NULL removes it. */
int32_t trt_context_set_temporary_allocator(trt_context *context, trt_allocator *allocator) TRT_NOEXCEPT;
int32_t trt_context_get_nvtx_verbosity(trt_context *context, int32_t *out) TRT_NOEXCEPT;
int32_t trt_context_set_nvtx_verbosity(trt_context *context, int32_t verbosity) TRT_NOEXCEPT;
/* TRT_E_UNSUPPORTED before 10.16. */
int32_t trt_context_set_communicator(trt_context *context, uint64_t communicator) TRT_NOEXCEPT;

/* ------------------------------------------------------------ runtime and serialization configs, engine inspector
 * runtime_config.cpp. Objects TensorRT makes and the caller owns; each handle holds its engine (the config a
 * context answers with: its context, whose config it is). Runtime configs (TRT_E_UNSUPPORTED before 10.11):
 * strategy is an ExecutionContextAllocationStrategy; a context made with one holds it. Serialization configs:
 * the setters give TRT_E_INVALID_ARGUMENT when TensorRT refuses (a flag it does not know); op 0 is getFlag (its
 * answer in *out), 1 setFlag, 2 clearFlag; serialize_with_config gives host memory the caller releases.
 * Inspectors: format is a LayerInformationFormat; the text is the inspector's (copy it before the next call on
 * it); the context set is held while set (NULL: none; another engine's: refused). */
typedef struct trt_runtime_config trt_runtime_config;
typedef struct trt_serialization_config trt_serialization_config;
typedef struct trt_engine_inspector trt_engine_inspector;
int32_t trt_engine_create_runtime_config(trt_engine *engine, trt_runtime_config **out) TRT_NOEXCEPT;
int32_t trt_context_get_runtime_config(trt_context *context, trt_runtime_config **out) TRT_NOEXCEPT;
void trt_runtime_config_release(trt_runtime_config *config) TRT_NOEXCEPT;
int32_t trt_runtime_config_get_strategy(trt_runtime_config *config, int32_t *out) TRT_NOEXCEPT;
int32_t trt_runtime_config_set_strategy(trt_runtime_config *config, int32_t strategy) TRT_NOEXCEPT;
int32_t trt_engine_create_context_with_config(trt_engine *engine, trt_runtime_config *config,
                                              trt_context **out) TRT_NOEXCEPT;
int32_t trt_engine_create_serialization_config(trt_engine *engine, trt_serialization_config **out) TRT_NOEXCEPT;
void trt_serialization_config_release(trt_serialization_config *config) TRT_NOEXCEPT;
int32_t trt_serialization_config_get_flags(trt_serialization_config *config, uint32_t *out) TRT_NOEXCEPT;
int32_t trt_serialization_config_set_flags(trt_serialization_config *config, uint32_t flags) TRT_NOEXCEPT;
int32_t trt_serialization_config_flag(trt_serialization_config *config, int32_t op, int32_t flag,
                                      int32_t *out) TRT_NOEXCEPT;
int32_t trt_engine_serialize_with_config(trt_engine *engine, trt_serialization_config *config,
                                         trt_host_memory **out) TRT_NOEXCEPT;
int32_t trt_engine_create_inspector(trt_engine *engine, trt_engine_inspector **out) TRT_NOEXCEPT;
void trt_engine_inspector_release(trt_engine_inspector *inspector) TRT_NOEXCEPT;
int32_t trt_engine_inspector_set_context(trt_engine_inspector *inspector, trt_context *context) TRT_NOEXCEPT;
int32_t trt_engine_inspector_layer_information(trt_engine_inspector *inspector, int32_t layer, int32_t format,
                                               const char **out) TRT_NOEXCEPT;
int32_t trt_engine_inspector_engine_information(trt_engine_inspector *inspector, int32_t format,
                                                const char **out) TRT_NOEXCEPT;
int32_t trt_engine_inspector_set_error_recorder(trt_engine_inspector *inspector, trt_recorder *recorder) TRT_NOEXCEPT;

#ifdef __cplusplus
#pragma GCC visibility pop
}
#endif
#endif
