/* Role to credentials; see identity.h.
 *
 * passwd lines are name:password:uid:gid:gecos:home:shell and group lines
 * name:password:gid:member,member,...; malformed lines are skipped, the
 * files are read up to PVX_IDENTITY_MAX_FILE bytes (a provider's files are its
 * own input, not ours to trust). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "policy/identity.h"
#include "lib/ns.h"
#include "lib/util.h"

/* Parses a decimal id below 2^32 - 1 (which means "no id").  Returns
 * false for anything else. */
static bool parse_id(const char *s, size_t n, unsigned *out)
{
	if (n == 0 || n > 10)
		return false;
	unsigned long long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v >= 0xffffffffULL)
		return false;
	*out = (unsigned)v;
	return true;
}

/* Splits one line into at most max ':'-separated fields. */
static int split(const char *line, size_t len, const char **f, size_t *flen, int max)
{
	int n = 0;
	const char *start = line, *end = line + len;
	for (const char *p = line; p <= end && n < max; p++) {
		if (p == end || *p == ':') {
			f[n] = start;
			flen[n] = (size_t)(p - start);
			n++;
			start = p + 1;
		}
	}
	return n;
}

/* The next line of *text without its newline, advancing *text; NULL at
 * the end. */
static const char *next_line(const char **text, size_t *len)
{
	const char *line = *text;
	if (!line || !*line)
		return NULL;
	const char *nl = strchr(line, '\n');
	*len = nl ? (size_t)(nl - line) : strlen(line);
	*text = nl ? nl + 1 : line + *len;
	return line;
}

static bool field_is(const char *f, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(f, s, n) == 0;
}

/* Finds the passwd entry by name (or, with by_uid, by uid). */
static bool passwd_lookup(const char *passwd, const char *name, bool by_uid, unsigned uid,
			  unsigned *uid_out, unsigned *gid_out, char *user, size_t usersz)
{
	const char *text = passwd, *line;
	size_t len;
	while ((line = next_line(&text, &len))) {
		const char *f[7];
		size_t fl[7];
		unsigned u, g;
		if (split(line, len, f, fl, 7) != 7 || !parse_id(f[2], fl[2], &u) ||
		    !parse_id(f[3], fl[3], &g))
			continue;
		if (by_uid ? u != uid : !field_is(f[0], fl[0], name))
			continue;
		*uid_out = u;
		*gid_out = g;
		if (fl[0] < usersz) {
			memcpy(user, f[0], fl[0]);
			user[fl[0]] = '\0';
		}
		return true;
	}
	return false;
}

static bool member_of(const char *list, size_t n, const char *user)
{
	size_t ul = strlen(user);
	const char *p = list, *end = list + n;
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *e = comma ? comma : end;
		if ((size_t)(e - p) == ul && memcmp(p, user, ul) == 0)
			return true;
		p = e + 1;
	}
	return false;
}

static void group_lookup(const char *group, const char *user, struct pvx_cred *c)
{
	const char *text = group, *line;
	size_t len;
	if (!user[0])
		return;
	while ((line = next_line(&text, &len))) {
		const char *f[4];
		size_t fl[4];
		unsigned g;
		if (split(line, len, f, fl, 4) != 4 || !parse_id(f[2], fl[2], &g))
			continue;
		if (g == c->gid || !member_of(f[3], fl[3], user))
			continue;
		if (c->ngroups < PVX_MAX_GROUPS)
			c->groups[c->ngroups++] = g;
	}
}

void pvx_identity_from_files(const char *role, bool has_uid, unsigned uid, const char *passwd,
			     const char *group, struct pvx_cred *c)
{
	unsigned u = PVX_NOBODY, g = PVX_NOBODY, id;
	char user[256] = "";
	memset(c, 0, sizeof(*c));
	if (has_uid) {
		u = g = uid;
		c->known = passwd_lookup(passwd, NULL, true, uid, &u, &g, user, sizeof(user));
	} else if (role && parse_id(role, strlen(role), &id)) {
		u = g = id;
		c->known = passwd_lookup(passwd, NULL, true, id, &u, &g, user, sizeof(user));
	} else if (role && passwd_lookup(passwd, role, false, 0, &u, &g, user, sizeof(user))) {
		c->known = true;
	} else {
		u = g = PVX_NOBODY;
	}
	c->uid = (uid_t)u;
	c->gid = (gid_t)g;
	group_lookup(group, user, c);
}

/* Reads a file inside the provider's root, or NULL. */
static char *read_provider_file(int root, const char *path)
{
	const char *name;
	_cleanup_close_ int dir = pvx_ns_open_parent(root, path, false, &name);
	if (dir < 0)
		return NULL;
	/* Non-blocking and regular files only: a provider's FIFO or device
	 * at /etc/passwd must not stall or feed us. */
	_cleanup_close_ int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return NULL;
	return pvx_read_fd(fd, PVX_IDENTITY_MAX_FILE);
}

void pvx_identity_resolve_in(int root, const struct pvx_link_spec *spec, struct pvx_cred *c)
{
	_cleanup_free_ char *passwd = root >= 0 ? read_provider_file(root, "/etc/passwd") : NULL;
	_cleanup_free_ char *group = root >= 0 ? read_provider_file(root, "/etc/group") : NULL;
	pvx_identity_from_files(spec->role, spec->has_uid, spec->uid, passwd, group, c);
}

void pvx_identity_resolve(const struct pvx_link_spec *spec, struct pvx_cred *c)
{
	_cleanup_close_ int root = pvx_ns_open_root(spec->provider_pid);
	pvx_identity_resolve_in(root, spec, c);
}
