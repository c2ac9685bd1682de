/* drm links: the provider's DRM device node, planted as a node of the
 * same device in the consumer, with the consumer's device-cgroup
 * permission (plugins/devcgroup.h).
 *
 * The provider node (`socket`, looked up inside the provider) must be a
 * character device of the DRM major (226).  Its kind comes from libdrm
 * when the kernel knows the device (drmGetDeviceFromDevId), else from the
 * minor: 0-63 primary (card*), 128-191 render (renderD*); control nodes are
 * refused.  Role master takes only a primary node, role render only a
 * render node, no role (any) the node the service names; other roles are
 * refused.  The node is made under a random temporary name with mode 0,
 * given the provider node's owner, group and mode through an fd (never by
 * path: the consumer can swap the name), then linked at the target from
 * that fd, so it never shows with other permissions; an existing target is
 * replaced (renamed over) only when it is a DRM node itself.  The provider node's directory is watched with
 * inotify (set up on a worker, read on the loop); any change there is
 * checked on a worker, and when the node is gone or another device the
 * link is planted again, which removes our node and waits in BACKOFF
 * until the device is back (hot-plug).
 *
 * Nodes are made and removed on a worker (fsm/plugin.h); the cgroup grant
 * is given and taken back on the loop (cgroupfs is the kernel's, not the
 * container's), counted per device and cgroup so that the last node of
 * two links on one device takes the rule back. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <xf86drm.h>

#include "lib/log.h"
#include "lib/ns.h"
#include "lib/util.h"
#include "plugins/devcgroup.h"
#include "fsm/plugin.h"
#include "plugins/registry.h"

#define DRM_MAJOR 226

/* What plant() made beyond struct pvx_planted (its priv). */
struct drm_node {
	dev_t rdev;
	int inotify_fd;          /* watches the provider node's directory */
	int kind;
};

/* The loop's side (l->live): the watch and the grant. */
struct drm_live {
	struct pvx_link *link;
	ev_io watch;
	struct devcg_grant grant;
	bool granted;
};

/* Grants given per (device, v1 cgroup directory): two links may share
 * one rule, and only the last one takes it back. */
struct grant_use {
	dev_t rdev;
	char *allow_dir;
	unsigned users;
	struct grant_use *next;
};
static struct grant_use *grant_uses;

static const char *kind_name(int kind)
{
	return kind == DRM_NODE_PRIMARY ? "primary" : kind == DRM_NODE_RENDER ? "render" : "control";
}

/* The node's kind: libdrm's answer when it knows the device, else the
 * minor's range. */
static int node_kind(dev_t rdev)
{
	drmDevicePtr dev = NULL;
	int kind = -1;
	if (drmGetDeviceFromDevId(rdev, 0, &dev) == 0) {
		for (int i = 0; i < DRM_NODE_MAX; i++) {
			struct stat st;
			if ((dev->available_nodes & (1 << i)) && stat(dev->nodes[i], &st) == 0 &&
			    st.st_rdev == rdev)
				kind = i;
		}
		drmFreeDevice(&dev);
	}
	if (kind >= 0)
		return kind;
	unsigned m = minor(rdev);
	return m < 64 ? DRM_NODE_PRIMARY : m >= 128 && m < 192 ? DRM_NODE_RENDER : DRM_NODE_CONTROL;
}

/* The kernel driver's name from sysfs, or "" (no driver, as with nodes
 * made by mknod for tests). */
static void driver_name(dev_t rdev, char *out, size_t len)
{
	char path[96], target[512];
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device/driver", major(rdev), minor(rdev));
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	out[0] = '\0';
	if (n > 0) {
		target[n] = '\0';
		snprintf(out, len, "%s", basename(target));
	}
}

/* stat of the provider's node, and an O_PATH fd of its directory in
 * *dirfd when asked; -errno when it is not there.  On a worker. */
static int provider_node(const struct pvx_link_spec *spec, struct stat *st, int *dirfd)
{
	_cleanup_close_ int root = pvx_ns_open_root(spec->provider_pid);
	if (root < 0)
		return root;
	const char *name;
	int dir = pvx_ns_open_parent(root, spec->socket, false, &name);
	if (dir < 0)
		return dir;
	int r = fstatat(dir, name, st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
	if (r == 0 && dirfd)
		*dirfd = dir;
	else
		close(dir);
	return r;
}

static struct grant_use **grant_find(dev_t rdev, const char *dir)
{
	struct grant_use **u = &grant_uses;
	while (*u && !((*u)->rdev == rdev && !strcmp((*u)->allow_dir, dir)))
		u = &(*u)->next;
	return u;
}

/* A re-check of the provider's node after an inotify event, on a worker. */
struct check_job {
	struct link_job lj;
	struct pvx_link_spec spec;
	dev_t rdev;
	bool there;
};

static void check_run(struct pvx_job *w)
{
	struct check_job *j = (struct check_job *)w;
	struct stat st;
	j->there = provider_node(&j->spec, &st, NULL) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == j->rdev;
}

static void check_finish(struct link_job *lj, struct pvx_link *l)
{
	struct check_job *j = (struct check_job *)lj;
	bool there = j->there;
	pvx_link_spec_free(&j->spec);
	free(j);
	if (!l || there)
		return;
	link_error(l, 0, "provider node %s is gone", l->spec.socket);
	link_fire(l, EV_PROVIDER_GONE);
}

static void watch_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct drm_live *st = w->data;
	struct pvx_link *l = st->link;
	const struct drm_node *node = l->planted.priv;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool any = false;
	while (read(w->fd, buf, sizeof(buf)) > 0)
		any = true;
	if (!any)
		return;
	struct check_job *j = calloc(1, sizeof(*j));
	if (!j || pvx_link_spec_copy(&j->spec, &l->spec) < 0) {
		free(j);
		return;
	}
	j->rdev = node->rdev;
	link_job_submit(l, &j->lj, check_run, check_finish);
}

static int drm_adopt(struct pvx_link *l, char *why, size_t n)
{
	const struct drm_node *node = l->planted.priv;
	struct drm_live *st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(why, n, "out of memory");
		return -ENOMEM;
	}
	st->link = l;
	st->grant.v2_programs = -1;
	if (l->planted.pid) {
		char err[200];
		int r = devcg_allow(l->planted.pid, major(node->rdev), minor(node->rdev), &st->grant, err,
				    sizeof(err));
		if (r < 0) {
			snprintf(why, n, "device cgroup of the consumer: %s: %s", err, strerror(-r));
			free(st);
			return r;
		}
		st->granted = true;
		if (st->grant.allow_dir) {
			struct grant_use **u = grant_find(node->rdev, st->grant.allow_dir);
			if (!*u && (*u = calloc(1, sizeof(**u)))) {
				(*u)->rdev = node->rdev;
				(*u)->allow_dir = strdup(st->grant.allow_dir);
			}
			if (*u)
				(*u)->users++;
		}
		if (st->grant.v2_programs > 0)
			link_error(l, 0,
				   "the consumer's cgroup v2 has %d device program(s): c %u:%u must be "
				   "allowed by its runtime (programs only narrow)",
				   st->grant.v2_programs, major(node->rdev), minor(node->rdev));
	}
	char v2[32] = "";
	if (st->grant.v2_programs > 0)
		snprintf(v2, sizeof(v2), " v2-programs=%d", st->grant.v2_programs);
	size_t len = strlen(l->planted.detail);
	snprintf(l->planted.detail + len, sizeof(l->planted.detail) - len, " cgroup=%s%s",
		 !st->grant.allow_dir ? "none" : st->grant.added ? "v1-allowed" : "v1-already", v2);
	if (node->inotify_fd >= 0) {
		ev_io_init(&st->watch, watch_cb, node->inotify_fd, EV_READ);
		st->watch.data = st;
		ev_io_start(pvx_loop, &st->watch);
	}
	l->live = st;
	log_debug("link %s: node %u:%u planted in consumer pid %d", link_key(l), major(node->rdev),
		  minor(node->rdev), (int)l->planted.pid);
	return 0;
}

static void drm_release(struct pvx_link *l)
{
	struct drm_live *st = l->live;
	const struct drm_node *node = l->planted.priv;
	ev_io_stop(pvx_loop, &st->watch);
	if (st->granted) {
		bool shared = false;
		if (st->grant.allow_dir) {
			struct grant_use **u = grant_find(node->rdev, st->grant.allow_dir);
			if (*u && --(*u)->users > 0) {
				shared = true;
			} else if (*u) {
				struct grant_use *gone = *u;
				*u = gone->next;
				free(gone->allow_dir);
				free(gone);
			}
		}
		devcg_revoke(&st->grant, major(node->rdev), minor(node->rdev), shared);
	}
	free(st);
}

static void drm_remove(struct pvx_planted *p)
{
	struct drm_node *node = p->priv;
	if (p->target) {
		const char *name;
		_cleanup_close_ int root = pvx_ns_open_root(p->pid);
		_cleanup_close_ int dir = root < 0 ? root : pvx_ns_open_parent(root, p->target, false, &name);
		struct stat st;
		if (dir >= 0 && fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (uint64_t)st.st_dev == p->dev && (uint64_t)st.st_ino == p->ino)
			unlinkat(dir, name, 0);
	}
	if (node)
		safe_close(node->inotify_fd);
	free(node);
	free(p->target);
	p->priv = NULL;
	p->target = NULL;
	p->made = false;
}

/* A temporary name a consumer cannot guess (it still sees the name with
 * inotify: nothing below trusts the name after mknod). */
static void temp_name(char *buf, size_t len)
{
	static _Atomic unsigned counter; /* workers plant at the same time */
	uint64_t r;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		r = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)counter++ << 40);
	}
	snprintf(buf, len, ".pvx-drm-%016llx", (unsigned long long)r);
}

/* Unlinks dir/name only if it is still the inode we made. */
static void unlink_ours(int dir, const char *name, const struct stat *ours)
{
	struct stat st;
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == ours->st_dev &&
	    st.st_ino == ours->st_ino)
		unlinkat(dir, name, 0);
}

/* Owner, group and mode set on the node itself through its O_PATH fd:
 * /proc/self/fd/<fd> leads to the inode the fd holds, never to a name the
 * consumer can swap.  chown first: it clears setuid and setgid bits. */
static int set_owner_mode(int fd, const struct stat *src)
{
	char path[32];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (fchownat(fd, "", src->st_uid, src->st_gid, AT_EMPTY_PATH) < 0 ||
	    chmod(path, src->st_mode & 07777) < 0)
		return -errno;
	return 0;
}

/* Links the inode fd holds at dir/name, failing if the name exists: the
 * node lands at the target whatever the consumer did to its temporary
 * name. */
static int link_fd(int fd, int dir, const char *name)
{
	char path[32];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, path, dir, name, AT_SYMLINK_FOLLOW);
}

/* Makes the node at dir/name.  It is made under a random temporary name
 * with mode 0, held by an O_PATH fd checked to be the device we made (a
 * consumer may swap the name for a symlink to a host file at any moment),
 * given its owner and mode through that fd, then put in place: linked from
 * the fd when the target does not exist (never replacing what appears
 * there meanwhile), renamed over the target only when that was a DRM node.
 * What lands at the target is checked to be our inode. */
static int make_node(const struct pvx_link_spec *spec, int dir, const char *name, const struct stat *src,
		     uint64_t *dev, uint64_t *ino, char *why, size_t n)
{
	struct stat st;
	bool replace = fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (replace && !(S_ISCHR(st.st_mode) && major(st.st_rdev) == DRM_MAJOR)) {
		snprintf(why, n, "target %s exists in the consumer and is not a DRM node", spec->target);
		return PVX_REFUSED;
	}
	char tmp[64];
	temp_name(tmp, sizeof(tmp));
	if (mknodat(dir, tmp, S_IFCHR, src->st_rdev) < 0) {
		int e = -errno;
		snprintf(why, n, "mknod %s in consumer: %s", spec->target, strerror(-e));
		return e;
	}
	struct stat node;
	_cleanup_close_ int fd = openat(dir, tmp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &node) < 0 || !S_ISCHR(node.st_mode) || node.st_rdev != src->st_rdev) {
		/* Swapped before we held it: the name is not ours any more. */
		snprintf(why, n, "temporary node for %s was replaced in the consumer", spec->target);
		return -EBUSY;
	}
	int r = set_owner_mode(fd, src);
	if (r == 0 && (replace ? renameat(dir, tmp, dir, name) : link_fd(fd, dir, name)) < 0)
		r = -errno;
	if (!replace || r < 0)
		unlink_ours(dir, tmp, &node); /* linked at the target, or failed */
	if (r < 0) {
		snprintf(why, n, "node %s in consumer: %s", spec->target, strerror(-r));
		return r;
	}
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != node.st_dev ||
	    st.st_ino != node.st_ino) {
		/* The consumer swapped the temporary name before the rename:
		 * what is at the target is its own, our node is elsewhere in
		 * its directory; neither is touched by name again. */
		snprintf(why, n, "node for %s was replaced in the consumer while planting", spec->target);
		return -EBUSY;
	}
	*dev = (uint64_t)st.st_dev;
	*ino = (uint64_t)st.st_ino;
	return 0;
}

/* The inotify watch of the provider node's directory (an O_PATH fd),
 * or -1: without it the node's loss is noticed by the next plant. */
static int watch_dir(int dirfd)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", dirfd);
	if (fd >= 0 && inotify_add_watch(fd, path, IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
							    IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF) < 0)
		fd = safe_close(fd);
	return fd;
}

static int drm_plant(const struct pvx_link_spec *spec, struct pvx_planted *p, char *why, size_t n)
{
	const char *problem = pvx_path_problem(spec->target);
	if (!problem)
		problem = pvx_path_problem(spec->socket);
	if (problem) {
		snprintf(why, n, "drm paths '%s', '%s': %s", spec->socket, spec->target, problem);
		return PVX_REFUSED;
	}
	struct stat src;
	_cleanup_close_ int pdir = -1;
	int r = provider_node(spec, &src, &pdir);
	if (r < 0) {
		snprintf(why, n, "provider node %s: %s", spec->socket, strerror(-r));
		return r; /* not there yet: BACKOFF until it appears */
	}
	if (!S_ISCHR(src.st_mode) || major(src.st_rdev) != DRM_MAJOR) {
		snprintf(why, n, "provider node %s is not a DRM device (character device, major %d)",
			 spec->socket, DRM_MAJOR);
		return PVX_REFUSED;
	}
	int kind = node_kind(src.st_rdev);
	const char *role = spec->role;
	if (kind == DRM_NODE_CONTROL) {
		snprintf(why, n, "provider node %s is a DRM control node: only primary and render nodes are planted",
			 spec->socket);
		return PVX_REFUSED;
	}
	if (strcmp(role, "any") != 0 && strcmp(role, "master") != 0 && strcmp(role, "render") != 0) {
		snprintf(why, n, "role '%s': a drm link's role is master, render or none", role);
		return PVX_REFUSED;
	}
	if ((!strcmp(role, "master") && kind != DRM_NODE_PRIMARY) ||
	    (!strcmp(role, "render") && kind != DRM_NODE_RENDER)) {
		snprintf(why, n, "role %s needs a %s node, but %s is a %s node", role,
			 !strcmp(role, "master") ? "primary (card*)" : "render (renderD*)", spec->socket,
			 kind_name(kind));
		return PVX_REFUSED;
	}

	_cleanup_close_ int root = pvx_ns_open_root_why(spec->consumer_pid, "consumer", why, n);
	if (root < 0)
		return root;
	const char *name;
	_cleanup_close_ int dir = pvx_ns_open_parent(root, spec->target, true, &name);
	if (dir < 0) {
		snprintf(why, n, "target directory of %s in consumer: %s", spec->target, strerror(-dir));
		return dir;
	}
	struct drm_node *node = calloc(1, sizeof(*node));
	if (!node || !(p->target = strdup(spec->target))) {
		free(node);
		snprintf(why, n, "out of memory");
		return -ENOMEM;
	}
	node->rdev = src.st_rdev;
	node->kind = kind;
	node->inotify_fd = -1;
	p->priv = node;
	p->pid = spec->consumer_pid;
	r = make_node(spec, dir, name, &src, &p->dev, &p->ino, why, n);
	if (r != 0) {
		free(p->target);
		free(node);
		p->target = NULL;
		p->priv = NULL;
		return r;
	}
	p->made = true;
	node->inotify_fd = watch_dir(pdir);

	char drv[64];
	driver_name(node->rdev, drv, sizeof(drv));
	snprintf(p->detail, sizeof(p->detail), "%u:%u %s%s%s", major(node->rdev), minor(node->rdev),
		 kind_name(kind), drv[0] ? " driver=" : "", drv);
	return 0;
}

static int drm_probe(const struct pvx_link_spec *spec, char *why, size_t n)
{
	struct stat st;
	int r = provider_node(spec, &st, NULL);
	if (r < 0) {
		snprintf(why, n, "provider node %s: %s", spec->socket, strerror(-r));
		return r;
	}
	if (!S_ISCHR(st.st_mode)) {
		snprintf(why, n, "provider node %s is not a character device", spec->socket);
		return -ENODEV;
	}
	return 0;
}

const struct pvx_plugin pvx_plugin_drm = {
	.type = "drm",
	.plant = drm_plant,
	.adopt = drm_adopt,
	.release = drm_release,
	.remove = drm_remove,
	.probe = drm_probe,
};
