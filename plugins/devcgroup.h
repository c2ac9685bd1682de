/* Device cgroup permission for a consumer: lets the processes of its
 * cgroup use one character device, and takes that back.
 *
 * cgroup v1 (a "devices" hierarchy in /proc/<pid>/cgroup): the rule
 * "c MAJOR:MINOR rw" is written to devices.allow of the consumer's cgroup,
 * and to devices.deny on revoke, unless devices.list already covered the
 * device before us (the runtime granted it: then we neither add nor take
 * away anything).
 *
 * cgroup v2: device access is decided by BPF_PROG_TYPE_CGROUP_DEVICE
 * programs, and the kernel grants access only when *every* program in
 * effect allows it, so a program added by us can only narrow, never widen,
 * what the runtime's programs allow.  We therefore attach nothing and
 * report how many programs govern the consumer's cgroup: with any, the
 * runtime must allow the device itself (for LXC: lxc.cgroup2.devices.allow). */
#ifndef PVX_DEVCGROUP_H
#define PVX_DEVCGROUP_H

#include <stdbool.h>
#include <sys/types.h>

struct devcg_grant {
	char *allow_dir;  /* v1 devices cgroup directory we wrote to, or NULL */
	bool added;       /* our rule is in it (revoke must remove it) */
	int v2_programs;  /* device programs in effect for the v2 cgroup, -1: unknown */
};

/* Grants c major:minor to pid's cgroup.  Returns 0 or -errno; g says what
 * was done.  err gets a reason on failure. */
int devcg_allow(pid_t pid, unsigned major, unsigned minor, struct devcg_grant *g, char *err,
		size_t errlen);

/* Takes back what devcg_allow added; frees g's strings.  keep: another
 * planted node still needs the rule, only forget it. */
void devcg_revoke(struct devcg_grant *g, unsigned major, unsigned minor, bool keep);

/* Is c major:minor covered by one line of a v1 devices.list ("a *:* rwm",
 * "c 226:* rw", ...) with read and write access? */
bool devcg_list_covers(const char *list, unsigned major, unsigned minor);

#endif
