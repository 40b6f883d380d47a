/* The Python side of the shim's callbacks, for cffi only (ffi.cdef): each
 * is defined once in trt_runtime with @ffi.def_extern() and handed to the
 * shim as a function pointer of the matching type in trt_shim.h. Not valid
 * C: `extern "Python"` is cffi's own declaration. */

/* trt_log_fn */
extern "Python" int32_t _trt_py_log(void *ctx, int32_t severity, const char *message);
extern "Python" int32_t _trt_py_broadcast_log(void *ctx, int32_t severity, const char *message);
/* trt_release_fn: the shim holds `ctx` no longer */
extern "Python" void _trt_py_release(void *ctx);
/* trt_recorder_fns */
extern "Python" int32_t _trt_py_rec_num_errors(void *ctx, int32_t *out);
extern "Python" int32_t _trt_py_rec_error_code(void *ctx, int32_t index, int32_t *out);
extern "Python" int32_t _trt_py_rec_error_desc(void *ctx, int32_t index, char *buffer, size_t capacity);
extern "Python" int32_t _trt_py_rec_has_overflowed(void *ctx, int32_t *out);
extern "Python" int32_t _trt_py_rec_clear(void *ctx);
extern "Python" int32_t _trt_py_rec_report_error(void *ctx, int32_t code, const char *description, int32_t *out_stop);
/* trt_allocator_fns */
extern "Python" int32_t _trt_py_alloc(void *ctx, uint64_t size, uint64_t alignment, uint32_t flags, void *stream, int32_t is_async, uint64_t *out);
extern "Python" int32_t _trt_py_realloc(void *ctx, uint64_t address, uint64_t alignment, uint64_t new_size, uint64_t *out);
extern "Python" int32_t _trt_py_dealloc(void *ctx, uint64_t address, void *stream, int32_t is_async, int32_t *out_ok);
/* trt_stream_reader_fns */
extern "Python" int32_t _trt_py_read(void *ctx, void *destination, int64_t size, void *stream, int64_t *out_read);
extern "Python" int32_t _trt_py_seek(void *ctx, int64_t offset, int32_t origin, int32_t *out_ok);
/* trt_output_allocator_fns */
extern "Python" int32_t _trt_py_out_reallocate(void *ctx, const char *name, uint64_t memory, uint64_t size, uint64_t alignment, void *stream, int32_t is_async, uint64_t *out);
extern "Python" int32_t _trt_py_out_notify_shape(void *ctx, const char *name, const trt_dims *shape);
/* trt_profiler_fns */
extern "Python" int32_t _trt_py_report_layer_time(void *ctx, const char *layer_name, float ms);
/* trt_debug_listener_fns */
extern "Python" int32_t _trt_py_process_debug_tensor(void *ctx, uint64_t address, int32_t location, int32_t dtype, const trt_dims *shape, const char *name, void *stream, int32_t *out_ok);
