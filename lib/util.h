/* Small helpers shared by every module: cleanup attributes (early returns
 * cannot leak), a growable byte buffer and the FNV-1a hash. */
#ifndef PVX_UTIL_H
#define PVX_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <errno.h>

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
#define _cleanup_free_ __attribute__((cleanup(freep)))
#define _cleanup_close_ __attribute__((cleanup(closep)))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Closes fd if open and returns -1, so `fd = safe_close(fd);` is idempotent. */
int safe_close(int fd);

struct pvx_buf {
	char *data;
	size_t len;
	size_t cap;
};

/* Appends n bytes; returns 0 or -ENOMEM.  Keeps a NUL after the data so
 * the content can be used as a C string. */
int pvx_buf_append(struct pvx_buf *b, const void *data, size_t n);
int pvx_buf_printf(struct pvx_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pvx_buf_reset(struct pvx_buf *b);
void pvx_buf_free(struct pvx_buf *b);

uint64_t pvx_hash64(const void *data, size_t len, uint64_t seed);
#define PVX_HASH_SEED 0xcbf29ce484222325ULL

/* Reads fd to its end, at most max bytes, NUL-terminated (malloc'd), or
 * NULL; for small files such as /etc/passwd or a cgroup's devices.list. */
char *pvx_read_fd(int fd, size_t max);

/* File descriptors passed with SCM_RIGHTS: the kernel's limit per message
 * (SCM_MAX_FD). */
#define PVX_MAX_FDS 253

struct msghdr;
/* sendmsg of len bytes of data with nfds fds attached (0..PVX_MAX_FDS).
 * Returns what sendmsg returns (errno set on -1). */
ssize_t pvx_send_fds(int sock, const void *data, size_t len, const int *fds, int nfds, int flags);
/* The fds of SCM_RIGHTS messages a recvmsg returned in mh, at most max,
 * into fds; returns how many. */
int pvx_cmsg_fds(struct msghdr *mh, int *fds, int max);

/* strdup that accepts NULL. */
char *pvx_strdup0(const char *s);
/* Equality that treats two NULLs as equal. */
int pvx_streq0(const char *a, const char *b);

/* Monotonic seconds, for "since" fields and timers. */
double pvx_now(void);
/* Wall-clock seconds since the epoch. */
double pvx_wallclock(void);

#endif
