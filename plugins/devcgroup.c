/* Device cgroup permission; see devcgroup.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "lib/util.h"
#include "plugins/devcgroup.h"

#define CG_FILE_MAX (64 * 1024)

/* Reads a small file whole (NUL-terminated), or NULL. */
static char *slurp(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	return pvx_read_fd(fd, CG_FILE_MAX);
}

static int write_rule(const char *dir, const char *file, unsigned major, unsigned minor)
{
	char path[4200], rule[64];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	int len = snprintf(rule, sizeof(rule), "c %u:%u rw", major, minor);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, rule, (size_t)len) != len)
		return -errno;
	return 0;
}

/* Does one id field of a devices.list line ("*" or a number) match? */
static bool id_matches(const char *f, size_t n, unsigned v)
{
	if (n == 1 && f[0] == '*')
		return true;
	unsigned long x = 0;
	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (f[i] < '0' || f[i] > '9')
			return false;
		x = x * 10 + (unsigned)(f[i] - '0');
	}
	return x == v;
}

bool devcg_list_covers(const char *list, unsigned major, unsigned minor)
{
	for (const char *line = list; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		/* "T MAJ:MIN ACCESS" */
		const char *sp1 = memchr(line, ' ', len);
		const char *colon = sp1 ? memchr(sp1, ':', len - (size_t)(sp1 - line)) : NULL;
		const char *sp2 = colon ? memchr(colon, ' ', len - (size_t)(colon - line)) : NULL;
		if (sp1 == line + 1 && (line[0] == 'a' || line[0] == 'c') && colon && sp2 &&
		    id_matches(sp1 + 1, (size_t)(colon - sp1 - 1), major) &&
		    id_matches(colon + 1, (size_t)(sp2 - colon - 1), minor)) {
			const char *acc = sp2 + 1;
			size_t al = len - (size_t)(acc - line);
			if (memchr(acc, 'r', al) && memchr(acc, 'w', al))
				return true;
		}
		line = end ? end + 1 : NULL;
	}
	return false;
}

/* The mount point of the v1 hierarchy with the devices controller, or of
 * the v2 hierarchy (devices == false), from our mountinfo. */
static bool cgroup_mount(bool devices, char *out, size_t outlen)
{
	_cleanup_free_ char *mi = slurp("/proc/self/mountinfo");
	if (!mi)
		return false;
	char *save = NULL;
	for (char *line = strtok_r(mi, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* id parent maj:min root mountpoint opts [optional...] - fstype source superopts */
		char root[1024], mnt[1024], fstype[64], super[512];
		const char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %1023s %1023s", root, mnt) != 2 ||
		    sscanf(dash + 3, "%63s %*s %511s", fstype, super) != 2)
			continue;
		if (strcmp(root, "/") != 0)
			continue; /* a bind of a sub-tree: paths would not line up */
		bool match = false;
		if (devices && !strcmp(fstype, "cgroup")) {
			char *osave = NULL;
			for (char *o = strtok_r(super, ",", &osave); o; o = strtok_r(NULL, ",", &osave))
				match |= !strcmp(o, "devices");
		}
		if (!devices && !strcmp(fstype, "cgroup2"))
			match = true;
		if (match) {
			snprintf(out, outlen, "%s", mnt);
			return true;
		}
	}
	return false;
}

/* pid's cgroup path in the v1 devices hierarchy (devices) or v2, from
 * /proc/<pid>/cgroup lines "id:controllers:path". */
static bool cgroup_path(pid_t pid, bool devices, char *out, size_t outlen)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/cgroup", (int)pid);
	_cleanup_free_ char *text = slurp(p);
	if (!text)
		return false;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c1 = *c2 = '\0';
		const char *ctrl = c1 + 1;
		bool match = false;
		if (devices) {
			char buf[256];
			snprintf(buf, sizeof(buf), ",%s,", ctrl);
			match = strstr(buf, ",devices,") != NULL;
		} else {
			match = !strcmp(line, "0") && ctrl[0] == '\0';
		}
		if (match) {
			snprintf(out, outlen, "%s", c2 + 1);
			return true;
		}
	}
	return false;
}

/* Programs of type CGROUP_DEVICE in effect for a v2 cgroup directory. */
static int v2_device_programs(const char *dir)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (__u32)fd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.query_flags = BPF_F_QUERY_EFFECTIVE;
	if (syscall(SYS_bpf, BPF_PROG_QUERY, &attr, sizeof(attr)) < 0)
		return -1;
	return (int)attr.query.prog_cnt;
}

int devcg_allow(pid_t pid, unsigned major, unsigned minor, struct devcg_grant *g, char *err,
		size_t errlen)
{
	char mnt[1024], path[2048], dir[4200];
	memset(g, 0, sizeof(*g));
	g->v2_programs = -1;
	err[0] = '\0';

	if (cgroup_path(pid, false, path, sizeof(path)) && cgroup_mount(false, mnt, sizeof(mnt))) {
		snprintf(dir, sizeof(dir), "%s%s", mnt, path);
		g->v2_programs = v2_device_programs(dir);
	}
	if (!cgroup_path(pid, true, path, sizeof(path)))
		return 0; /* no v1 devices controller for this process */
	if (!cgroup_mount(true, mnt, sizeof(mnt))) {
		snprintf(err, errlen, "the devices cgroup of pid %d is not mounted here", (int)pid);
		return -ENOENT;
	}
	snprintf(dir, sizeof(dir), "%s%s", mnt, strcmp(path, "/") ? path : "");
	char list_path[4300];
	snprintf(list_path, sizeof(list_path), "%s/devices.list", dir);
	_cleanup_free_ char *list = slurp(list_path);
	if (!list) {
		int e = errno ? errno : EIO;
		snprintf(err, errlen, "cannot read %s", list_path);
		return -e;
	}
	g->allow_dir = strdup(dir);
	if (!g->allow_dir)
		return -ENOMEM;
	if (devcg_list_covers(list, major, minor))
		return 0; /* granted already, by whoever set the cgroup up */
	int r = write_rule(dir, "devices.allow", major, minor);
	if (r < 0) {
		snprintf(err, errlen, "cannot write %s/devices.allow", dir);
		free(g->allow_dir);
		g->allow_dir = NULL;
		return r;
	}
	g->added = true;
	return 0;
}

void devcg_revoke(struct devcg_grant *g, unsigned major, unsigned minor, bool keep)
{
	if (g->added && !keep && g->allow_dir)
		write_rule(g->allow_dir, "devices.deny", major, minor); /* a dead cgroup: nothing to do */
	free(g->allow_dir);
	memset(g, 0, sizeof(*g));
	g->v2_programs = -1;
}
