/* "Did you mean": the known name closest to a misspelt one, for the
 * unknown-key warnings of the manifest and graph readers.  Pure. */
#ifndef PVX_SUGGEST_H
#define PVX_SUGGEST_H

#include <stddef.h>

/* Longest name compared; a longer one is never close to anything (and a
 * hostile 4 KiB key costs no quadratic work). */
#define PVX_SUGGEST_MAX_LEN 64

/* Optimal string alignment distance between a[0..an) and b[0..bn): the
 * inserts, deletes, substitutions and swaps of two neighbouring bytes
 * that turn one into the other ("tpye" -> "type" is 1).  Names longer than
 * PVX_SUGGEST_MAX_LEN give PVX_SUGGEST_MAX_LEN + 1. */
unsigned pvx_edit_distance(const char *a, size_t an, const char *b, size_t bn);

/* How far a name of n bytes may be from a known one to be offered as its
 * spelling: a third of its length, at least 1 and at most 3. */
unsigned pvx_suggest_max_distance(size_t n);

/* The name of known[0..n_known) closest to s[0..n) within
 * pvx_suggest_max_distance(n), the first one on a tie; NULL when none is
 * close enough or s is one of them. */
const char *pvx_suggest(const char *s, size_t n, const char *const *known, size_t n_known);

/* A key as a warning may show it: its first 64 bytes, anything but
 * printable ASCII (and ' and \\) as \\xNN, "..." when cut, so that a
 * hostile key cannot forge log lines.  out holds PVX_KEY_TEXT_MAX bytes. */
#define PVX_KEY_TEXT_MAX (64 * 4 + 8)
void pvx_key_text(char *out, size_t len, const char *s, size_t n);

#endif
