/* Namespace plumbing without leaving our own namespaces.
 *
 * A container's files are reached through /proc/<pid>/root, which the
 * kernel resolves in that container's mount namespace.  Paths inside it are
 * resolved with openat2(RESOLVE_IN_ROOT), so a symlink the container plants
 * (say /run/pv -> /etc) stays inside the container instead of pointing at
 * the host.  Sockets are bound through /proc/self/fd/<dirfd>/<name> and
 * connected through /proc/self/fd/<O_PATH fd of the socket>, which needs no
 * setns() and no helper process. */
#ifndef PVX_NS_H
#define PVX_NS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Set when the kernel has no openat2 (before 5.6): paths are then resolved
 * component by component in user space with the same guarantees.  Tests
 * set it to exercise that path. */
extern bool pvx_ns_no_openat2;

/* O_PATH fd of the root of pid's mount namespace ("/" for pid 0). */
int pvx_ns_open_root(pid_t pid);
/* The same, the reason of a failure in why ("<who> pid N is not running",
 * or with the error). */
int pvx_ns_open_root_why(pid_t pid, const char *who, char *why, size_t n);

/* Checks that path is absolute, has no "..", no empty or over-long
 * component, and that its last component fits a socket address.  Returns 0
 * or a static reason. */
const char *pvx_path_problem(const char *path);

/* Opens (with create: makes, mode 0755) the parent directory of path,
 * resolved inside rootfd.  Returns an O_PATH fd and points *name at the last
 * component of path, or -errno. */
int pvx_ns_open_parent(int rootfd, const char *path, bool create, const char **name);

/* Creates a listening SOCK_STREAM socket, mode 0666, at dirfd/name,
 * replacing a stale socket but nothing else.  Returns the fd (non-blocking,
 * close-on-exec) and the new file's device and inode, or -errno. */
int pvx_ns_listen(int dirfd, const char *name, int backlog, uint64_t *dev, uint64_t *ino);

/* O_PATH fd of the socket dirfd/name itself (a final symlink is not
 * followed: -ELOOP; anything else but a socket: -ENOTSOCK), with its device
 * and inode when dev/ino are not NULL.  Resolved afresh per connection, so
 * a container that swaps its socket for a symlink gains nothing. */
int pvx_ns_open_socket(int dirfd, const char *name, uint64_t *dev, uint64_t *ino);

/* Non-blocking connect to the socket inode sockfd (from pvx_ns_open_socket)
 * holds, never to a path.  Returns the fd or -errno (-EAGAIN: backlog full,
 * try again). */
int pvx_ns_connect(int sockfd);

/* The same connect made by a short-lived task that first takes the given
 * uid, gid and supplementary groups, so the peer's SO_PEERCRED and
 * SO_PEERGROUPS (what dbus-daemon trusts, whatever the client claims) show
 * them while we stay root.  The task shares our memory and fd table
 * (no fork).  Returns the fd or -errno. */
int pvx_ns_connect_as(int sockfd, uid_t uid, gid_t gid, const gid_t *groups, int ngroups);

/* Is dirfd/name a socket (not following a final symlink)? */
int pvx_ns_is_socket(int dirfd, const char *name);

/* Unlinks dirfd/name if it is still the socket with this device and inode. */
int pvx_ns_unlink_socket(int dirfd, const char *name, uint64_t dev, uint64_t ino);

int pvx_pidfd_open(pid_t pid);

/* Does pid run in our own root directory?  A container that does is still
 * being set up (or is no container): planting there would touch the host. */
bool pvx_ns_shares_our_root(pid_t pid);

#endif
