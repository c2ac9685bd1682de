/* libFuzzer: the manifest grammar against the jansson reading.  Byte 0
 * picks the manifest kind, byte 1 how the rest is cut into pieces.  Fails
 * on a crash, a sanitizer report, or a disagreement on input jansson takes
 * as JSON. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/manifest.h"
#include "t/fixtures/manifest-ref.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	if (size < 2)
		return 0;
	enum manifest_kind kind = (enum manifest_kind)(data[0] % 3);
	size_t step = data[1] ? data[1] : size;
	const char *in = (const char *)data + 2;
	size_t len = size - 2;

	struct manifest_parser *p = manifest_parser_new(kind, "fuzz.json");
	int rc = 0;
	for (size_t off = 0; off < len && rc == 0; off += step)
		rc = manifest_parser_feed(p, in + off, len - off < step ? len - off : step);
	struct pvx_manifest m = {0};
	if (rc == 0)
		rc = manifest_parser_finish(p, &m);
	char ours[600];
	snprintf(ours, sizeof(ours), "%s", rc ? manifest_parser_error(p) : "");
	manifest_parser_free(p);

	/* jansson stops reading at a raw NUL byte, which JSON never allows
	 * (not even inside strings): ours must refuse, and there is nothing to
	 * compare. */
	if (memchr(in, '\0', len)) {
		if (rc == 0) {
			fprintf(stderr, "accepted input with a raw NUL byte\n");
			abort();
		}
		manifest_free(&m);
		return 0;
	}

	struct pvx_manifest ref = {0};
	char rerr[600];
	int rr = manifest_ref_read(kind, in, len, &ref, rerr, sizeof(rerr));

	/* Caps are ours alone; jansson has none. */
	bool capped = strstr(ours, "longer than") || strstr(ours, "larger than");
	if (rr == 0) {
		char *a = rc == 0 ? manifest_dump(&m) : NULL;
		char *b = manifest_dump(&ref);
		if (!capped && (rc != 0 || strcmp(a, b) != 0)) {
			fprintf(stderr, "disagreement on valid JSON:\nours: %s%s\njansson: %s\n",
				a ? a : "", ours, b);
			abort();
		}
		free(a);
		free(b);
	} else if (rr == -1) {
		/* The builder refused the jansson reading: ours must refuse with
		 * the same reason (the position is ours only). */
		const char *why = strstr(ours, ": ");
		if (rc == 0 || (!capped && (!why || !strstr(ours, rerr)))) {
			fprintf(stderr, "refusals differ:\nours: %s\njansson: %s\n", rc ? ours : "(accepted)", rerr);
			abort();
		}
	} else if (rc == 0 && !strstr(rerr, "duplicate") && !strstr(rerr, "overflow") &&
		   !strstr(rerr, "too big")) {
		fprintf(stderr, "accepted what jansson calls invalid JSON: %s\n", rerr);
		abort();
	}
	manifest_free(&m);
	manifest_free(&ref);
	return 0;
}
