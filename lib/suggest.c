/* Edit distance for "did you mean" (lib/suggest.h): the classic dynamic
 * programme on two rows plus the one before them (for swaps), bounded by
 * PVX_SUGGEST_MAX_LEN so the tables live on the stack. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "lib/suggest.h"

static unsigned min3(unsigned a, unsigned b, unsigned c)
{
	unsigned m = a < b ? a : b;
	return m < c ? m : c;
}

unsigned pvx_edit_distance(const char *a, size_t an, const char *b, size_t bn)
{
	if (an > PVX_SUGGEST_MAX_LEN || bn > PVX_SUGGEST_MAX_LEN)
		return PVX_SUGGEST_MAX_LEN + 1;
	unsigned rows[3][PVX_SUGGEST_MAX_LEN + 1];
	unsigned *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
	for (size_t j = 0; j <= bn; j++)
		prev[j] = (unsigned)j;
	for (size_t i = 1; i <= an; i++) {
		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= bn; j++) {
			unsigned cost = a[i - 1] != b[j - 1];
			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < cur[j])
				cur[j] = prev2[j - 2] + 1;
		}
		unsigned *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[bn];
}

unsigned pvx_suggest_max_distance(size_t n)
{
	size_t m = n / 3;
	return m < 1 ? 1 : m > 3 ? 3 : (unsigned)m;
}

const char *pvx_suggest(const char *s, size_t n, const char *const *known, size_t n_known)
{
	const char *best = NULL;
	unsigned best_d = pvx_suggest_max_distance(n) + 1;
	for (size_t i = 0; i < n_known; i++) {
		unsigned d = pvx_edit_distance(s, n, known[i], strlen(known[i]));
		if (d == 0)
			return NULL;
		if (d < best_d) {
			best = known[i];
			best_d = d;
		}
	}
	return best;
}

void pvx_key_text(char *out, size_t len, const char *s, size_t n)
{
	size_t at = 0;
	if (!len)
		return;
	for (size_t i = 0; i < n && i < 64 && at + 5 < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < ' ' || c >= 127 || c == '\'' || c == '\\')
			at += (size_t)snprintf(out + at, len - at, "\\x%02x", c);
		else
			out[at++] = (char)c;
	}
	if (n > 64 && at + 4 < len)
		at += (size_t)snprintf(out + at, len - at, "...");
	out[at] = '\0';
}
