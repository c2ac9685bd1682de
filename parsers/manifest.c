/* The manifest reader: the streaming JSON reader (json.rl) feeding the
 * schema builder (manifest_schema.c). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "parsers/manifest.h"

struct manifest_parser {
	struct json_reader *json;
	struct mf_builder *b;
	struct pvx_buf warnings; /* the builder's, each with where it was */
};

static int on_begin(void *ctx, bool object)
{
	return mf_begin(((struct manifest_parser *)ctx)->b, object);
}

static int on_end(void *ctx)
{
	return mf_end(((struct manifest_parser *)ctx)->b);
}

/* The builder knows what a key means, the reader where it was. */
static int on_key(void *ctx, const char *s, size_t n)
{
	struct manifest_parser *p = ctx;
	int r = mf_key(p->b, s, n);
	const char *w = mf_builder_warning(p->b);
	if (w) {
		char where[300];
		json_reader_where(p->json, where, sizeof(where));
		pvx_buf_printf(&p->warnings, "%s: %s\n", where, w);
		mf_builder_warning_clear(p->b);
	}
	return r;
}

static int on_scalar(void *ctx, enum jr_scalar t, const char *s, size_t n)
{
	return mf_scalar(((struct manifest_parser *)ctx)->b, t, s, n);
}

static const char *on_error(void *ctx)
{
	return mf_builder_error(((struct manifest_parser *)ctx)->b);
}

static const struct json_sink manifest_sink = {
	.begin = on_begin, .end = on_end, .key = on_key, .scalar = on_scalar, .error = on_error,
};

struct manifest_parser *manifest_parser_new(enum manifest_kind kind, const char *file)
{
	struct manifest_parser *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->b = mf_builder_new(kind);
	if (p->b)
		p->json = json_reader_new(&manifest_sink, p, file ? file : "-",
					  MANIFEST_MAX_SIZE, false);
	if (!p->json) {
		manifest_parser_free(p);
		return NULL;
	}
	return p;
}

void manifest_parser_free(struct manifest_parser *p)
{
	if (!p)
		return;
	json_reader_free(p->json);
	mf_builder_free(p->b);
	pvx_buf_free(&p->warnings);
	free(p);
}

const char *manifest_parser_warnings(const struct manifest_parser *p)
{
	return p->warnings.data ? p->warnings.data : "";
}

const char *manifest_parser_error(const struct manifest_parser *p)
{
	return json_reader_error(p->json);
}

int manifest_parser_feed(struct manifest_parser *p, const char *data, size_t len)
{
	return json_reader_feed(p->json, data, len);
}

int manifest_parser_finish(struct manifest_parser *p, struct pvx_manifest *out)
{
	if (json_reader_finish(p->json) < 0)
		return -1;
	if (mf_finish(p->b, out) < 0) {
		json_reader_fail(p->json, mf_builder_error(p->b));
		return -1;
	}
	if (p->warnings.len) {
		if (p->warnings.data[p->warnings.len - 1] == '\n')
			p->warnings.data[--p->warnings.len] = '\0';
		out->warnings = p->warnings.data;
		p->warnings = (struct pvx_buf){0};
	}
	return 0;
}

int manifest_read_file(const char *path, struct pvx_manifest *out, char *err, size_t errlen)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	int kind = manifest_kind_from_name(base);
	if (kind < 0) {
		snprintf(err, errlen, "%s: not a manifest name (services.json, run.json, args.json)", path);
		return -1;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct manifest_parser *p = manifest_parser_new((enum manifest_kind)kind, path);
	if (!p) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	int rc = 0;
	char buf[16384];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			rc = -1;
			break;
		}
		if (n == 0) {
			rc = manifest_parser_finish(p, out);
			if (rc < 0)
				snprintf(err, errlen, "%s", manifest_parser_error(p));
			break;
		}
		if (manifest_parser_feed(p, buf, (size_t)n) < 0) {
			snprintf(err, errlen, "%s", manifest_parser_error(p));
			rc = -1;
			break;
		}
	}
	close(fd);
	if (rc < 0 && p->warnings.len) {
		/* An unknown key often explains the error ("tpye" and then
		 * a missing "type"): the caller shows both. */
		*out = (struct pvx_manifest){0};
		if (p->warnings.data[p->warnings.len - 1] == '\n')
			p->warnings.data[--p->warnings.len] = '\0';
		out->warnings = p->warnings.data;
		p->warnings = (struct pvx_buf){0};
	}
	manifest_parser_free(p);
	return rc;
}
