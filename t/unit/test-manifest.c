/* Manifest fixtures: t/fixtures/manifests/valid/<case>/ holds one of services.json,
 * run.json or args.json and `expected` (manifest_dump of the result);
 * t/fixtures/manifests/invalid/<case>/ holds the manifest and `error`, the exact
 * message.  Every input is also fed byte by byte and in random pieces, and
 * every valid one is compared with the jansson reading.  PVX_REGEN=1
 * rewrites expected/error files (review the diff). */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "parsers/manifest.h"
#include "t/fixtures/manifest-ref.h"
#include "t/fixtures/fixtures.h"
#include "t/tap.h"


/* Parses data cut into pieces (step 0: whole, 1: bytes, -1: random). */
static int parse(enum manifest_kind kind, const char *name, const char *data, size_t len, int step,
		 char **dump, char *err, size_t errlen)
{
	struct manifest_parser *p = manifest_parser_new(kind, name);
	struct pvx_manifest m;
	int rc = 0;
	for (size_t off = 0; off < len && rc == 0;) {
		size_t n = step == 0 ? len : step == 1 ? 1 : 1 + (size_t)rand() % 50;
		if (n > len - off)
			n = len - off;
		rc = manifest_parser_feed(p, data + off, n);
		off += n;
	}
	if (rc == 0)
		rc = manifest_parser_finish(p, &m);
	if (rc == 0) {
		*dump = manifest_dump(&m);
		manifest_free(&m);
	} else {
		snprintf(err, errlen, "%s", manifest_parser_error(p));
		*dump = NULL;
	}
	manifest_parser_free(p);
	return rc;
}

static int n_invalid;

static void run_case(const char *dir, const char *casename, bool valid)
{
	static const char *const names[] = { "services.json", "run.json", "args.json" };
	char path[4096], input_name[64] = "";
	char *data = NULL;
	size_t len = 0;
	int kind = -1;
	for (int k = 0; k < 3 && !data; k++) {
		snprintf(path, sizeof(path), "%s/%s/%s", dir, casename, names[k]);
		data = fixture_read(path, &len);
		if (data) {
			kind = k;
			snprintf(input_name, sizeof(input_name), "%s", names[k]);
		}
	}
	if (!data) {
		ok(0, "%s: no manifest in the case directory", casename);
		return;
	}
	char want_path[4096];
	snprintf(want_path, sizeof(want_path), "%s/%s/%s", dir, casename, valid ? "expected" : "error");
	size_t wlen;
	char *want = fixture_read(want_path, &wlen);
	if (want && wlen && want[wlen - 1] == '\n' && !valid)
		want[--wlen] = '\0';

	char err[600], *dump;
	int rc = parse((enum manifest_kind)kind, input_name, data, len, 0, &dump, err, sizeof(err));
	if (getenv("PVX_REGEN")) {
		FILE *f = fopen(want_path, "w");
		fprintf(f, "%s%s", rc == 0 ? dump : err, rc == 0 ? "" : "\n");
		fclose(f);
		/* Never a comparison with what was just written. */
		ok(1, "%s/%s # SKIP regenerated", valid ? "valid" : "invalid", casename);
		free(want);
		want = NULL;
	}
	const char *got = rc == 0 ? dump : err;
	bool match = want && (valid ? rc == 0 : rc != 0) && strcmp(got, want) == 0;
	if (!getenv("PVX_REGEN")) {
		ok(match, "%s/%s%s%s", valid ? "valid" : "invalid", casename, valid ? "" : ": ",
		   valid ? "" : err);
		if (!match)
			tap_diag("got: %s\n# want: %s", got, want ? want : "(missing)");
	}

	/* The same result whatever the cuts. */
	bool same = true;
	for (int step = 1; step >= -1 && same; step -= 2)
		for (int i = 0; i < (step < 0 ? 10 : 1) && same; i++) {
			char err2[600], *dump2;
			int rc2 = parse((enum manifest_kind)kind, input_name, data, len, step, &dump2,
					err2, sizeof(err2));
			same = rc2 == rc && strcmp(rc2 == 0 ? dump2 : err2, got) == 0;
			if (!same)
				tap_diag("split %d: %s", step, rc2 == 0 ? dump2 : err2);
			free(dump2);
		}
	ok(same, "%s: same result byte by byte and in random pieces", casename);

	if (valid) {
		struct pvx_manifest ref;
		char rerr[600];
		int rr = manifest_ref_read((enum manifest_kind)kind, data, len, &ref, rerr, sizeof(rerr));
		char *rdump = rr == 0 ? manifest_dump(&ref) : NULL;
		ok(rr == 0 && rc == 0 && strcmp(rdump, dump) == 0, "%s: equals the jansson reading",
		   casename);
		if (rr != 0)
			tap_diag("jansson reading: %s", rerr);
		if (rr == 0)
			manifest_free(&ref);
		free(rdump);
	} else {
		n_invalid++;
	}
	free(dump);
	free(data);
	free(want);
}

static void run_dir(const char *base, bool valid)
{
	if (fixture_each_case(base, valid, run_case) < 0)
		ok(0, "cannot read %s", base);
}

/* Caps are checked on generated inputs rather than megabyte fixtures. */
static void caps(void)
{
	char err[600], *dump;
	struct pvx_buf b = {0};
	pvx_buf_append(&b, "{\"#spec\": \"service-manifest-xconnect@1\", \"x\": \"", 47);
	for (int i = 0; i < MANIFEST_MAX_SIZE / 64 + 1; i++)
		pvx_buf_append(&b, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 64);
	pvx_buf_append(&b, "\"}", 2);
	int rc = parse(MANIFEST_SERVICES, "services.json", b.data, b.len, 0, &dump, err, sizeof(err));
	ok(rc < 0 && strstr(err, "file larger than 1048576 bytes"), "1 MiB cap: %s", err);
	n_invalid++;

	pvx_buf_reset(&b);
	pvx_buf_append(&b, "[{\"name\": \"", 11);
	for (int i = 0; i < MANIFEST_MAX_STRING + 1; i++)
		pvx_buf_append(&b, "a", 1);
	pvx_buf_append(&b, "\"}]", 3);
	rc = parse(MANIFEST_SERVICES, "services.json", b.data, b.len, 0, &dump, err, sizeof(err));
	ok(rc < 0 && strstr(err, "services.json:1:11: string longer than 4096 bytes"),
	   "string cap: %s", err);
	n_invalid++;

	pvx_buf_reset(&b);
	pvx_buf_append(&b, "{\"x\":", 5);
	for (int i = 0; i < 40; i++)
		pvx_buf_append(&b, "[", 1);
	rc = parse(MANIFEST_ARGS, "args.json", b.data, b.len, 0, &dump, err, sizeof(err));
	ok(rc < 0 && strstr(err, "args.json:1:37: nesting deeper than 32 levels"), "depth cap: %s", err);
	n_invalid++;

	/* 32 levels (the object and 31 arrays) are fine. */
	pvx_buf_reset(&b);
	pvx_buf_append(&b, "{\"x\":", 5);
	for (int i = 0; i < 31; i++)
		pvx_buf_append(&b, "[", 1);
	for (int i = 0; i < 31; i++)
		pvx_buf_append(&b, "]", 1);
	pvx_buf_append(&b, "}", 1);
	rc = parse(MANIFEST_ARGS, "args.json", b.data, b.len, 0, &dump, err, sizeof(err));
	ok(rc == 0, "32 levels of nesting are read (%s)", rc ? err : "ok");
	free(dump);
	pvx_buf_free(&b);
}

int main(void)
{
	srand(7);
	fixture_suites("manifests", run_dir);
	caps();
	ok(n_invalid >= 40, "%d invalid cases (at least 40)", n_invalid);
	return tap_done();
}
