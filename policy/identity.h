/* Which credentials a consumer's connection presents to a provider, from
 * the link's role: the uid and groups a user of that name has in the
 * *provider's* /etc/passwd and /etc/group (read through /proc/<pid>/root,
 * symlinks refused), a numeric role taken as the uid, the link's `uid`
 * field first when the graph gives one, and nobody (65534) for any role
 * the provider does not know, including the default role "any". */
#ifndef PVX_IDENTITY_H
#define PVX_IDENTITY_H

#include <stdbool.h>
#include <sys/types.h>

#include "model/spec.h"

#define PVX_NOBODY 65534u
#define PVX_MAX_GROUPS 32

struct pvx_cred {
	uid_t uid;
	gid_t gid;
	gid_t groups[PVX_MAX_GROUPS]; /* supplementary groups */
	int ngroups;
	bool known;  /* the role (or uid) was found in the provider's passwd */
};

/* passwd and group are read up to this many bytes; the rest is ignored. */
#define PVX_IDENTITY_MAX_FILE (1024 * 1024)

/* Fills c for the link.  Never fails: what cannot be read is nobody. */
void pvx_identity_resolve(const struct pvx_link_spec *spec, struct pvx_cred *c);

/* The same with the provider's root given as an O_PATH fd (for tests):
 * /etc/passwd and /etc/group are read inside it, only as regular files
 * (a symlink, FIFO or device there reads as no file). */
void pvx_identity_resolve_in(int root, const struct pvx_link_spec *spec, struct pvx_cred *c);

/* The same from passwd and group file contents (for tests and fuzzing);
 * either may be NULL. */
void pvx_identity_from_files(const char *role, bool has_uid, unsigned uid, const char *passwd,
			     const char *group, struct pvx_cred *c);

#endif
