/* The reference reading of a manifest for differential checks: jansson
 * parses the JSON, and its tree drives the same schema builder the Ragel
 * grammar drives.  Any difference between the two readings is a bug in
 * the grammar. */
#ifndef PVX_MANIFEST_REF_H
#define PVX_MANIFEST_REF_H

#include <stdbool.h>
#include <stddef.h>
#include "parsers/manifest.h"

/* Returns 0 with out filled; -1 when the builder refuses (err set); -2 when
 * jansson does not take the bytes as JSON at all (err set). */
int manifest_ref_read(enum manifest_kind kind, const char *data, size_t len,
		      struct pvx_manifest *out, char *err, size_t errlen);

#endif
