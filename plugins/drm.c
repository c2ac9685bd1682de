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
 * replaced (renamed over) only when it is a DRM node itself.  The provider node is watched (inotify through
 * ev_stat): when it vanishes the link is planted again, which removes our
 * node and waits in BACKOFF until the device is back (hot-plug). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <xf86drm.h>

#include "lib/log.h"
#include "lib/ns.h"
#include "lib/util.h"
#include "fsm/reconcile.h"
#include "plugins/devcgroup.h"
#include "fsm/plugin.h"

#define DRM_MAJOR 226

struct drm_planted {
	struct pvx_link *link;
	dev_t rdev;
	pid_t pid;               /* consumer the node was made in */
	char *target;
	uint64_t dev, ino;       /* the node we made: we unlink only that */
	struct devcg_grant grant;
	ev_stat watch;           /* the provider's node */
	char watch_path[4200];
};

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

/* stat of the provider's node; -errno when it is not there. */
static int provider_node(struct pvx_link *l, struct stat *st)
{
	_cleanup_close_ int root = pvx_ns_open_root(l->spec.provider_pid);
	if (root < 0)
		return root;
	const char *name;
	_cleanup_close_ int dir = pvx_ns_open_parent(root, l->spec.socket, false, &name);
	if (dir < 0)
		return dir;
	return fstatat(dir, name, st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static void watch_cb(struct ev_loop *loop, ev_stat *w, int revents)
{
	struct drm_planted *p = w->data;
	struct stat st;
	if (provider_node(p->link, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == p->rdev)
		return;
	link_error(p->link, 0, "provider node %s is gone", p->link->spec.socket);
	link_fire(p->link, EV_PROVIDER_GONE);
}

/* Another planted drm link still uses this device through the same
 * cgroup grant? */
static bool grant_shared(const struct drm_planted *p)
{
	for (struct pvx_link *o = mesh_first(); o; o = o->next) {
		const struct drm_planted *q = o->priv;
		if (o == p->link || o->spec.type != LINK_DRM || !q || q->rdev != p->rdev)
			continue;
		if (q->grant.allow_dir && p->grant.allow_dir && !strcmp(q->grant.allow_dir, p->grant.allow_dir))
			return true;
	}
	return false;
}

static void drm_unplant(struct pvx_link *l)
{
	struct drm_planted *p = l->priv;
	if (!p)
		return;
	ev_stat_stop(pvx_loop, &p->watch);
	if (p->target) {
		const char *name;
		_cleanup_close_ int root = pvx_ns_open_root(p->pid);
		_cleanup_close_ int dir = root < 0 ? root : pvx_ns_open_parent(root, p->target, false, &name);
		struct stat st;
		if (dir >= 0 && fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (uint64_t)st.st_dev == p->dev && (uint64_t)st.st_ino == p->ino)
			unlinkat(dir, name, 0);
	}
	devcg_revoke(&p->grant, major(p->rdev), minor(p->rdev), grant_shared(p));
	free(p->target);
	free(p);
	l->priv = NULL;
	l->detail[0] = '\0';
}

/* A temporary name a consumer cannot guess (it still sees the name with
 * inotify: nothing below trusts the name after mknod). */
static void temp_name(char *buf, size_t len)
{
	static unsigned counter;
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
static int make_node(struct pvx_link *l, int dir, const char *name, const struct stat *src,
		     uint64_t *dev, uint64_t *ino)
{
	struct stat st;
	bool replace = fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (replace && !(S_ISCHR(st.st_mode) && major(st.st_rdev) == DRM_MAJOR)) {
		link_error(l, 0, "target %s exists in the consumer and is not a DRM node", l->spec.target);
		return PVX_REFUSED;
	}
	char tmp[64];
	temp_name(tmp, sizeof(tmp));
	if (mknodat(dir, tmp, S_IFCHR, src->st_rdev) < 0) {
		int e = -errno;
		link_error(l, e, "mknod %s in consumer", l->spec.target);
		return e;
	}
	struct stat node;
	_cleanup_close_ int fd = openat(dir, tmp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &node) < 0 || !S_ISCHR(node.st_mode) || node.st_rdev != src->st_rdev) {
		/* Swapped before we held it: the name is not ours any more. */
		link_error(l, 0, "temporary node for %s was replaced in the consumer", l->spec.target);
		return -EBUSY;
	}
	int r = set_owner_mode(fd, src);
	if (r == 0 && (replace ? renameat(dir, tmp, dir, name) : link_fd(fd, dir, name)) < 0)
		r = -errno;
	if (!replace || r < 0)
		unlink_ours(dir, tmp, &node); /* linked at the target, or failed */
	if (r < 0) {
		link_error(l, r, "node %s in consumer", l->spec.target);
		return r;
	}
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != node.st_dev ||
	    st.st_ino != node.st_ino) {
		/* The consumer swapped the temporary name before the rename:
		 * what is at the target is its own, our node is elsewhere in
		 * its directory; neither is touched by name again. */
		link_error(l, 0, "node for %s was replaced in the consumer while planting", l->spec.target);
		return -EBUSY;
	}
	*dev = (uint64_t)st.st_dev;
	*ino = (uint64_t)st.st_ino;
	return 0;
}

static int drm_plant(struct pvx_link *l)
{
	const char *why = pvx_path_problem(l->spec.target);
	if (!why)
		why = pvx_path_problem(l->spec.socket);
	if (why) {
		link_error(l, 0, "drm paths '%s', '%s': %s", l->spec.socket, l->spec.target, why);
		return PVX_REFUSED;
	}
	struct stat src;
	int r = provider_node(l, &src);
	if (r < 0) {
		link_error(l, r, "provider node %s", l->spec.socket);
		return r; /* not there yet: BACKOFF until it appears */
	}
	if (!S_ISCHR(src.st_mode) || major(src.st_rdev) != DRM_MAJOR) {
		link_error(l, 0, "provider node %s is not a DRM device (character device, major %d)",
			   l->spec.socket, DRM_MAJOR);
		return PVX_REFUSED;
	}
	int kind = node_kind(src.st_rdev);
	const char *role = l->spec.role;
	if (kind == DRM_NODE_CONTROL) {
		link_error(l, 0, "provider node %s is a DRM control node: only primary and render nodes are planted",
			   l->spec.socket);
		return PVX_REFUSED;
	}
	if (strcmp(role, "any") != 0 && strcmp(role, "master") != 0 && strcmp(role, "render") != 0) {
		link_error(l, 0, "role '%s': a drm link's role is master, render or none", role);
		return PVX_REFUSED;
	}
	if ((!strcmp(role, "master") && kind != DRM_NODE_PRIMARY) ||
	    (!strcmp(role, "render") && kind != DRM_NODE_RENDER)) {
		link_error(l, 0, "role %s needs a %s node, but %s is a %s node", role,
			   !strcmp(role, "master") ? "primary (card*)" : "render (renderD*)", l->spec.socket,
			   kind_name(kind));
		return PVX_REFUSED;
	}

	_cleanup_close_ int root = pvx_ns_open_root(l->spec.consumer_pid);
	if (root < 0) {
		link_error(l, root, "consumer pid %d", (int)l->spec.consumer_pid);
		return root;
	}
	const char *name;
	_cleanup_close_ int dir = pvx_ns_open_parent(root, l->spec.target, true, &name);
	if (dir < 0) {
		link_error(l, dir, "target directory of %s in consumer", l->spec.target);
		return dir;
	}
	struct drm_planted *p = calloc(1, sizeof(*p));
	if (!p || !(p->target = strdup(l->spec.target))) {
		free(p);
		return -ENOMEM;
	}
	p->link = l;
	p->rdev = src.st_rdev;
	p->pid = l->spec.consumer_pid;
	p->grant.v2_programs = -1;
	r = make_node(l, dir, name, &src, &p->dev, &p->ino);
	if (r != 0) {
		free(p->target);
		free(p);
		return r;
	}
	l->priv = p;
	l->planted_pid = p->pid; /* the consumer's exit is logged with it */

	if (p->pid) {
		char err[200];
		r = devcg_allow(p->pid, major(p->rdev), minor(p->rdev), &p->grant, err, sizeof(err));
		if (r < 0) {
			link_error(l, r, "device cgroup of the consumer: %s", err);
			return r; /* the caller unplants: node removed */
		}
		if (p->grant.v2_programs > 0)
			link_error(l, 0,
				   "the consumer's cgroup v2 has %d device program(s): c %u:%u must be "
				   "allowed by its runtime (programs only narrow)",
				   p->grant.v2_programs, major(p->rdev), minor(p->rdev));
	}

	if (l->spec.provider_pid)
		snprintf(p->watch_path, sizeof(p->watch_path), "/proc/%d/root%s", (int)l->spec.provider_pid,
			 l->spec.socket);
	else
		snprintf(p->watch_path, sizeof(p->watch_path), "%s", l->spec.socket);
	ev_stat_init(&p->watch, watch_cb, p->watch_path, 0.);
	p->watch.data = p;
	ev_stat_start(pvx_loop, &p->watch);

	char drv[64], v2[32] = "";
	driver_name(p->rdev, drv, sizeof(drv));
	if (p->grant.v2_programs > 0)
		snprintf(v2, sizeof(v2), " v2-programs=%d", p->grant.v2_programs);
	snprintf(l->detail, sizeof(l->detail), "%u:%u %s%s%s cgroup=%s%s", major(p->rdev), minor(p->rdev),
		 kind_name(kind), drv[0] ? " driver=" : "", drv,
		 !p->grant.allow_dir ? "none" : p->grant.added ? "v1-allowed" : "v1-already", v2);
	log_debug("link %s: node %u:%u planted in consumer pid %d", link_key(l), major(p->rdev),
		  minor(p->rdev), (int)p->pid);
	return 0;
}

static int drm_probe(struct pvx_link *l)
{
	struct stat st;
	int r = provider_node(l, &st);
	if (r < 0)
		return r;
	const struct drm_planted *p = l->priv;
	return S_ISCHR(st.st_mode) && (!p || st.st_rdev == p->rdev) ? 0 : -ENODEV;
}

const struct pvx_plugin pvx_plugin_drm = {
	.type = "drm",
	.plant = drm_plant,
	.unplant = drm_unplant,
	.probe = drm_probe,
};
