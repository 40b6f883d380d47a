/* Force-included (gcc -include) into every source of trt_runtime's extension
 * on x86-64 glibc, by build_shim.py.
 *
 * A build on a new glibc (2.34+) binds dlopen, dlsym, dlerror, dlclose, dlinfo
 * and pthread_once to their GLIBC_2.34 versions, and fstat to GLIBC_2.33
 * (before 2.33 fstat was an inline wrapper of __fxstat). The functions did
 * not change: older versions of the same functions are still exported, as
 * compatibility symbols, by every glibc. Binding to those keeps the extension
 * loadable on glibc 2.28 (manylinux_2_28, as TensorRT's own wheels), whatever
 * glibc builds it. `auditwheel show` on the wheel proves the versions used.
 */
#ifndef TRT_RUNTIME_GLIBC_COMPAT_H
#define TRT_RUNTIME_GLIBC_COMPAT_H

#if defined(__linux__) && defined(__x86_64__)
#include <features.h>
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)

#include <sys/stat.h>

__asm__(".symver dlopen,dlopen@GLIBC_2.2.5");
__asm__(".symver dlsym,dlsym@GLIBC_2.2.5");
__asm__(".symver dlerror,dlerror@GLIBC_2.2.5");
__asm__(".symver dlclose,dlclose@GLIBC_2.2.5");
__asm__(".symver dlinfo,dlinfo@GLIBC_2.3.3");
__asm__(".symver pthread_once,pthread_once@GLIBC_2.2.5");

#ifdef __cplusplus
extern "C" {
#endif
/* glibc < 2.33 exports fstat only as __fxstat(_STAT_VER_LINUX = 1, ...). */
extern int __fxstat(int version, int fd, struct stat *buf);
__asm__(".symver __fxstat,__fxstat@GLIBC_2.2.5");
static inline int trt_runtime_compat_fstat(int fd, struct stat *buf) { return __fxstat(1, fd, buf); }
#ifdef __cplusplus
}
#endif
#define fstat trt_runtime_compat_fstat

#endif /* glibc >= 2.33 */
#endif /* x86-64 Linux */
#endif
