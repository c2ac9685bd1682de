/* pvxctl check: manifests or a graph validated offline, with the readers
 * and checks the daemon uses. */
#ifndef PVX_CHECK_H
#define PVX_CHECK_H

#include <stdbool.h>
#include <stdio.h>

/* path is a state directory (STATEDIR/<container>/ manifests, read as
 * pv-xconnect --state reads them, with the hosted system bus when
 * hosted_bus, as its default is) or a graph file (as --graph reads it).
 * Every error, warning and note goes to out, one a line, with
 * file:line:column when known.  Returns 0 when there is no error and no
 * warning, 1 otherwise. */
int check_path(const char *path, bool hosted_bus, FILE *out);

#endif
