/* D-Bus message framing and header fields; see dbus_msg.h.
 *
 * Every read is bounds-checked against the bytes the caller has, padding
 * must be zero, strings must be NUL-terminated without NUL inside, a field
 * may appear only once (two DESTINATION fields could be read one way here
 * and another way by the bus), and nesting is capped, so a hostile message
 * costs at most one pass over its header. */
#include "config.h"

#include <string.h>

#include "parsers/dbus_msg.h"

/* The specification allows 32 levels of arrays plus 32 of structs. */
#define MAX_DEPTH 64

enum {
	FIELD_PATH = 1,
	FIELD_INTERFACE,
	FIELD_MEMBER,
	FIELD_ERROR_NAME,
	FIELD_REPLY_SERIAL,
	FIELD_DESTINATION,
	FIELD_SENDER,
	FIELD_SIGNATURE,
	FIELD_UNIX_FDS,
	FIELD__COUNT
};

/* Type each known field must have. */
static const char field_type[FIELD__COUNT] = {
	[FIELD_PATH] = 'o', [FIELD_INTERFACE] = 's', [FIELD_MEMBER] = 's',
	[FIELD_ERROR_NAME] = 's', [FIELD_REPLY_SERIAL] = 'u', [FIELD_DESTINATION] = 's',
	[FIELD_SENDER] = 's', [FIELD_SIGNATURE] = 'g', [FIELD_UNIX_FDS] = 'u',
};

static uint32_t get32(const unsigned char *p, bool be)
{
	if (be)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

const char *dbus_frame_read(const unsigned char *p, struct dbus_frame *f)
{
	if (p[0] != 'l' && p[0] != 'B')
		return "bad endianness mark";
	if (p[3] != 1)
		return "unsupported protocol version";
	f->big_endian = p[0] == 'B';
	f->type = p[1];
	f->flags = p[2];
	if (f->type == DBUS_MSG_INVALID)
		return "message type 0";
	f->body_len = get32(p + 4, f->big_endian);
	f->serial = get32(p + 8, f->big_endian);
	f->fields_len = get32(p + 12, f->big_endian);
	if (f->serial == 0)
		return "serial 0";
	if (f->fields_len > DBUS_MAX_ARRAY)
		return "header field array over 64 MiB";
	uint64_t header = DBUS_FIXED_HEADER + (((uint64_t)f->fields_len + 7) & ~(uint64_t)7);
	uint64_t total = header + f->body_len;
	if (total > DBUS_MAX_MESSAGE)
		return "message over 128 MiB";
	f->header_len = (uint32_t)header;
	f->total = (uint32_t)total;
	return NULL;
}

/* A cursor over a message; positions count from the message's first byte,
 * which is what alignment is relative to. */
struct rd {
	const unsigned char *p;
	size_t pos, end;
	bool be;
};

static bool align(struct rd *r, size_t a)
{
	size_t n = (r->pos + a - 1) & ~(a - 1);
	if (n > r->end)
		return false;
	for (; r->pos < n; r->pos++)
		if (r->p[r->pos])
			return false;
	return true;
}

static bool take(struct rd *r, size_t a, size_t n)
{
	if (!align(r, a) || r->end - r->pos < n)
		return false;
	r->pos += n;
	return true;
}

static bool read_u32(struct rd *r, uint32_t *v)
{
	if (!take(r, 4, 4))
		return false;
	*v = get32(r->p + r->pos - 4, r->be);
	return true;
}

/* A string ('s', 'o': 32-bit length) or signature ('g': 8-bit length):
 * the bytes, then one NUL, no NUL inside. */
static const char *read_string(struct rd *r, char type)
{
	uint32_t len;
	if (type == 'g') {
		if (r->pos >= r->end)
			return NULL;
		len = r->p[r->pos++];
	} else if (!read_u32(r, &len)) {
		return NULL;
	}
	if (r->end - r->pos < (size_t)len + 1)
		return NULL;
	const char *s = (const char *)r->p + r->pos;
	if (s[len] != '\0' || memchr(s, '\0', len))
		return NULL;
	r->pos += (size_t)len + 1;
	return s;
}

static size_t alignment_of(char c)
{
	switch (c) {
	case 'n': case 'q':
		return 2;
	case 'b': case 'i': case 'u': case 'h': case 's': case 'o': case 'a':
		return 4;
	case 'x': case 't': case 'd': case '(': case '{':
		return 8;
	default:
		return 1;
	}
}

/* Steps over one complete type in a signature. */
static bool sig_skip(const char *sig, size_t *i, int depth)
{
	if (depth > MAX_DEPTH)
		return false;
	char c = sig[(*i)++];
	switch (c) {
	case 'y': case 'b': case 'n': case 'q': case 'i': case 'u': case 'x':
	case 't': case 'd': case 'h': case 's': case 'o': case 'g': case 'v':
		return true;
	case 'a':
		return sig_skip(sig, i, depth + 1);
	case '(':
		if (sig[*i] == ')')
			return false;
		while (sig[*i] != ')')
			if (!sig_skip(sig, i, depth + 1))
				return false;
		(*i)++;
		return true;
	case '{':
		if (!sig_skip(sig, i, depth + 1) || !sig_skip(sig, i, depth + 1) || sig[*i] != '}')
			return false;
		(*i)++;
		return true;
	default:
		return false;
	}
}

/* Steps over one value of the complete type at sig[*i]. */
static bool skip_value(struct rd *r, const char *sig, size_t *i, int depth)
{
	if (depth > MAX_DEPTH)
		return false;
	char c = sig[*i];
	switch (c) {
	case 'y':
		(*i)++;
		return take(r, 1, 1);
	case 'n': case 'q':
		(*i)++;
		return take(r, 2, 2);
	case 'b': {
		uint32_t v;
		(*i)++;
		return read_u32(r, &v) && v <= 1;
	}
	case 'i': case 'u': case 'h':
		(*i)++;
		return take(r, 4, 4);
	case 'x': case 't': case 'd':
		(*i)++;
		return take(r, 8, 8);
	case 's': case 'o': case 'g':
		(*i)++;
		return read_string(r, c) != NULL;
	case 'v': {
		(*i)++;
		const char *vs = read_string(r, 'g');
		size_t j = 0;
		return vs && skip_value(r, vs, &j, depth + 1) && vs[j] == '\0';
	}
	case 'a': {
		(*i)++;
		uint32_t len;
		if (!read_u32(r, &len) || len > DBUS_MAX_ARRAY || !align(r, alignment_of(sig[*i])))
			return false;
		if (r->end - r->pos < len)
			return false;
		size_t elem = *i, outer_end = r->end;
		r->end = r->pos + len;
		bool ok = true;
		while (ok && r->pos < r->end) {
			size_t j = elem;
			ok = skip_value(r, sig, &j, depth + 1);
		}
		r->end = outer_end;
		return ok && sig_skip(sig, i, depth + 1);
	}
	case '(':
	case '{': {
		char close = c == '(' ? ')' : '}';
		(*i)++;
		if (!align(r, 8) || sig[*i] == close)
			return false;
		while (sig[*i] != close)
			if (!skip_value(r, sig, i, depth + 1))
				return false;
		(*i)++;
		return true;
	}
	default:
		return false;
	}
}

const char *dbus_fields_read(const unsigned char *p, const struct dbus_frame *f,
			     struct dbus_fields *out)
{
	memset(out, 0, sizeof(*out));
	struct rd r = { .p = p, .pos = DBUS_FIXED_HEADER,
			.end = DBUS_FIXED_HEADER + (size_t)f->fields_len, .be = f->big_endian };
	bool seen[FIELD__COUNT] = { false };

	while (r.pos < r.end) {
		if (!align(&r, 8) || r.pos >= r.end)
			return "malformed header field";
		uint8_t code = r.p[r.pos++];
		const char *sig = read_string(&r, 'g');
		if (!sig)
			return "malformed header field signature";
		if (code == 0)
			return "header field code 0";
		if (code >= FIELD__COUNT) {
			size_t j = 0;
			if (!skip_value(&r, sig, &j, 0) || sig[j] != '\0')
				return "malformed unknown header field";
			continue;
		}
		if (seen[code])
			return "header field appears twice";
		seen[code] = true;
		if (sig[0] != field_type[code] || sig[1] != '\0')
			return "header field of the wrong type";
		const char *s = NULL;
		uint32_t v = 0;
		if (field_type[code] == 'u' ? !read_u32(&r, &v)
					    : !(s = read_string(&r, field_type[code])))
			return "malformed header field value";
		switch (code) {
		case FIELD_PATH: out->path = s; break;
		case FIELD_INTERFACE: out->interface = s; break;
		case FIELD_MEMBER: out->member = s; break;
		case FIELD_ERROR_NAME: out->error_name = s; break;
		case FIELD_REPLY_SERIAL:
			out->reply_serial = v;
			out->has_reply_serial = true;
			break;
		case FIELD_DESTINATION: out->destination = s; break;
		case FIELD_SENDER: out->sender = s; break;
		case FIELD_SIGNATURE: out->signature = s; break;
		case FIELD_UNIX_FDS: out->unix_fds = v; break;
		}
	}
	if (r.pos != DBUS_FIXED_HEADER + (size_t)f->fields_len)
		return "header field array length mismatch";
	r.end = f->header_len;
	if (!align(&r, 8))
		return "non-zero header padding";

	switch (f->type) {
	case DBUS_MSG_METHOD_CALL:
		if (!out->path || !out->member)
			return "method call without path or member";
		break;
	case DBUS_MSG_SIGNAL:
		if (!out->path || !out->interface || !out->member)
			return "signal without path, interface or member";
		break;
	case DBUS_MSG_ERROR:
		if (!out->error_name || !out->has_reply_serial)
			return "error without name or reply serial";
		break;
	case DBUS_MSG_METHOD_RETURN:
		if (!out->has_reply_serial)
			return "method return without reply serial";
		break;
	}
	if (f->body_len > 0 && !out->signature)
		return "body without signature";
	return NULL;
}

int dbus_body_strings(const unsigned char *body, const struct dbus_frame *f,
		      const struct dbus_fields *h, const char **out, int max)
{
	/* The body starts 8-aligned, so alignment inside it is the same
	 * counted from the body or from the message. */
	struct rd r = { .p = body, .pos = 0, .end = f->body_len, .be = f->big_endian };
	int n = 0;
	while (n < max && h->signature && h->signature[n] == 's') {
		if (!(out[n] = read_string(&r, 's')))
			break;
		n++;
	}
	return n;
}

int dbus_body_arg(const unsigned char *body, const struct dbus_frame *f,
		  const struct dbus_fields *h, unsigned index, const char **out, char *type)
{
	struct rd r = { .p = body, .pos = 0, .end = f->body_len, .be = f->big_endian };
	const char *sig = h->signature;
	size_t i = 0;
	if (!sig)
		return 0;
	for (unsigned k = 0; k < index; k++) {
		if (sig[i] == '\0')
			return 0;
		if (!skip_value(&r, sig, &i, 0))
			return -1;
	}
	char c = sig[i];
	if (c != 's' && c != 'o' && c != 'g')
		return 0;
	if (!(*out = read_string(&r, c)))
		return -1;
	*type = c;
	return 1;
}

static void put32(unsigned char *p, uint32_t v, bool be)
{
	for (int i = 0; i < 4; i++)
		p[be ? 3 - i : i] = (unsigned char)(v >> (8 * i));
}

size_t dbus_body_filter_strings(const unsigned char *msg, const struct dbus_frame *f,
				const struct dbus_fields *h, unsigned char *out,
				bool (*keep)(void *ctx, const char *s), void *ctx)
{
	if (!h->signature || strcmp(h->signature, "as") != 0)
		return 0;
	const unsigned char *body = msg + f->header_len;
	struct rd r = { .p = body, .pos = 0, .end = f->body_len, .be = f->big_endian };
	uint32_t len;
	if (!read_u32(&r, &len) || len != f->body_len - 4)
		return 0;
	memcpy(out, msg, f->header_len);
	unsigned char *ob = out + f->header_len;
	size_t o = 4;
	while (r.pos < r.end) {
		const char *s = read_string(&r, 's');
		if (!s)
			return 0;
		if (!keep(ctx, s))
			continue;
		size_t n = strlen(s);
		while (o % 4)
			ob[o++] = 0;
		put32(ob + o, (uint32_t)n, f->big_endian);
		memcpy(ob + o + 4, s, n + 1);
		o += 4 + n + 1;
	}
	put32(ob, (uint32_t)(o - 4), f->big_endian);
	put32(out + 4, (uint32_t)o, f->big_endian);
	return f->header_len + o;
}
