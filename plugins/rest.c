/* rest links: HTTP/1.x over Unix sockets with identity on every request.
 *
 * Consumer to provider, per request: the head is collected (at most
 * REST_MAX_HEAD bytes, else 431), every field whose name starts with X-PV-
 * (any case, and '_' taken for '-': WSGI, CGI and PHP servers fold the two,
 * so X_PV_Role would reach the application as the role) is dropped, and
 * X-PV-Client and X-PV-Role carrying the link's consumer and role are added
 * before the empty line.  The identity fits by construction (its buffer is
 * sized from the validator's limits); a link whose consumer or role breaks
 * that rule has every request refused: no request reaches a provider
 * without its identity.  The body is framed by Content-Length or chunked
 * coding (chunk data passed through; each chunk-size line, with the CRLF
 * ending the chunk before it, held until it is complete and valid, at most
 * REST_MAX_CHUNK_LINE bytes; X-PV- trailer
 * fields dropped, so a trailer cannot smuggle identity); the next request
 * starts right after it, so pipelining and keep-alive are covered.  Refused
 * with 400 before anything of that request reaches the provider:
 * Content-Length together with Transfer-Encoding, conflicting or malformed
 * Content-Length, a Transfer-Encoding whose last coding is not chunked,
 * obs-fold and anything not HTTP/1.x.  Refused inside a chunked body (its
 * head is already out; the bad chunk-size line or trailer is not): a chunk
 * size over 15 significant hex digits, a chunk-size line over 4 KiB, a
 * malformed trailer; the provider then waits for nothing, the session
 * closes.  The error answer waits for the answers to earlier pipelined
 * requests, then the connection closes.
 *
 * Provider to consumer: responses pass untouched; their framing is tracked
 * (response grammar, body discarded) only to know which request each one
 * answers.  A request with Connection: upgrade or the CONNECT method holds
 * the consumer until its answer: 101 (upgrade) or 2xx (CONNECT) makes the
 * session a plain tunnel, anything else resumes HTTP. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/stats.h"
#include "lib/util.h"
#include "model/validate.h"
#include "parsers/http_request.h"
#include "parsers/http_response.h"
#include "fsm/plugin.h"
#include "plugins/registry.h"
#include "relay/relay.h"
#include "plugins/rest.h"
#include "plugins/stream.h"

#define REST_MAX_HEAD (64 * 1024)
#define REST_MAX_PIPELINE 64   /* requests awaiting answers */
#define REST_MAX_HELD (64 * 1024)
#define REST_MAX_CHUNK_LINE 4096 /* a chunk-size line with its extensions */

/* The two fields we add, at their longest. */
#define REST_IDENTITY_FMT "X-PV-Client: %s\r\nX-PV-Role: %s\r\n"
#define REST_IDENTITY_MAX (sizeof("X-PV-Client: \r\nX-PV-Role: \r\n") + PVX_CONSUMER_MAX + PVX_ROLE_MAX)

enum rest_stage { ST_HEAD, ST_BODY, ST_CHUNKED, ST_CHUNK_DATA, ST_TRAILER, ST_WAIT, ST_FAILED };
enum req_kind { K_PLAIN, K_HEAD, K_UPGRADE, K_CONNECT };

struct span {
	size_t start, end;
};

struct rest_state {
	struct pvx_link *link;
	struct httpreq req;
	enum rest_stage stage;
	struct pvx_buf head;   /* the head (or trailer field) being collected */
	struct pvx_buf drops;  /* struct span of X-PV- fields in head */
	size_t field_start;    /* offset in head where the current field began */
	uint64_t body_left;
	int64_t content_length;
	bool cl_bad, te_seen, te_chunked, conn_upgrade, has_upgrade;
	struct pvx_buf held;   /* consumer bytes read while waiting */
	/* answers awaited, oldest first */
	unsigned char kinds[REST_MAX_PIPELINE];
	unsigned k_head, k_len;
	struct httpresp resp;
	bool resp_lost;        /* provider framing unreadable: stop tracking */
	bool resp_begun;       /* bytes of the oldest awaited answer were seen */
	int fail_status;       /* pending proxy answer */
	char reply[256];
	size_t reply_len;
	char identity[REST_IDENTITY_MAX]; /* the two fields we add */
	size_t identity_len;   /* 0: the link's identity is not usable */
	/* Offsets in the consumer's byte stream: the next byte to parse, the
	 * start of the element (head, chunk-size line, trailer field) being
	 * collected, and where the refused element began (rest_refused_at). */
	uint64_t pos, elem_start, refused_at;
};

static void resp_reset(struct rest_state *s)
{
	httpresp_free(&s->resp);
	httpresp_init(&s->resp, 0);
	s->resp.discard_body = true;
	s->resp.head_request = s->k_len && s->kinds[s->k_head] == K_HEAD;
	s->resp.connect_request = s->k_len && s->kinds[s->k_head] == K_CONNECT;
	s->resp_begun = false;
}

/* Builds the two identity fields; 0 when the consumer or role breaks the
 * validator's rule (then they could not be written safely, nor be sure to
 * fit). */
static size_t rest_identity(const char *consumer, const char *role, char *buf, size_t size)
{
	if (!consumer || !role || !pvx_field_ok(PVX_FIELD_CONSUMER, consumer, strlen(consumer)) ||
	    !pvx_field_ok(PVX_FIELD_ROLE, role, strlen(role)))
		return 0;
	int n = snprintf(buf, size, REST_IDENTITY_FMT, consumer, role);
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* X-PV-..., any case, '_' as good as '-' (CGI folds both into HTTP_X_PV_).
 * The parser keeps the name's first bytes lower-cased. */
static bool identity_field(const struct httpreq *r)
{
	const char *n = r->name;
	return r->name_len >= 5 && n[0] == 'x' && (n[1] == '-' || n[1] == '_') && n[2] == 'p' &&
	       n[3] == 'v' && (n[4] == '-' || n[4] == '_');
}

/* The value of the field at f[0..n) (name, colon, value, CRLF), without
 * its optional whitespace: read from the head itself, so any length is
 * seen whole. */
static void field_value(const char *f, size_t n, const char **v, size_t *vlen)
{
	const char *c = memchr(f, ':', n), *end = f + n - 2; /* before CRLF */
	const char *b = c ? c + 1 : end;
	while (b < end && (*b == ' ' || *b == '\t'))
		b++;
	while (end > b && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*v = b;
	*vlen = (size_t)(end - b);
}

/* Does the comma-separated list v[0..n) hold token (any case)? */
static bool list_has_token(const char *v, size_t n, const char *token)
{
	size_t tl = strlen(token);
	const char *end = v + n;
	while (v < end) {
		while (v < end && (*v == ' ' || *v == '\t' || *v == ','))
			v++;
		const char *t = v;
		while (v < end && *v != ',' && *v != ' ' && *v != '\t')
			v++;
		if ((size_t)(v - t) == tl && strncasecmp(t, token, tl) == 0)
			return true;
	}
	return false;
}

/* The link's rest counters (fsm/plugin.h describe), kept with the link. */
struct rest_stats {
	uint64_t requests;  /* forwarded with identity */
	uint64_t proxy_4xx; /* refused by the proxy itself */
};

static struct rest_stats *rest_stats(struct pvx_link *l)
{
	static struct rest_stats uncounted; /* out of memory, or a test's link */
	struct rest_stats *st = link_type_stats(l, &pvx_plugin_rest);
	return st ? st : &uncounted;
}

static void *rest_open(struct pvx_link *l)
{
	struct rest_state *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->link = l;
	httpreq_init(&s->req);
	s->content_length = -1;
	s->refused_at = UINT64_MAX;
	s->identity_len = rest_identity(l->spec.consumer, l->spec.role, s->identity,
					sizeof(s->identity));
	resp_reset(s);
	return s;
}

static void rest_close(void *st)
{
	struct rest_state *s = st;
	pvx_buf_free(&s->head);
	pvx_buf_free(&s->drops);
	pvx_buf_free(&s->held);
	httpresp_free(&s->resp);
	free(s);
}

static const char *status_text(int status)
{
	return status == 431 ? "Request Header Fields Too Large"
	       : status == 500 ? "Internal Server Error" : "Bad Request";
}

/* Records the proxy's own answer; it goes out once earlier requests are
 * answered. */
static enum relay_verdict refuse(struct rest_state *s, int status, const char *why)
{
	char body[160];
	int bl = snprintf(body, sizeof(body), "pv-xconnect: %s\n", why);
	int n = snprintf(s->reply, sizeof(s->reply),
			 "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
			 "Connection: close\r\n\r\n%s",
			 status, status_text(status), bl, body);
	s->reply_len = n > 0 ? (size_t)n : 0;
	s->fail_status = status;
	s->stage = ST_FAILED;
	s->refused_at = s->elem_start;
	rest_stats(s->link)->proxy_4xx++;
	link_error(s->link, 0, "request refused with %d: %s", status, why);
	return s->k_len == 0 || s->resp_lost ? RELAY_REPLY_CLOSE : RELAY_HOLD;
}

/* Refused inside a body: the head is out, so the provider awaits the rest.
 * The request is no longer awaited (it is the newest, if the provider has
 * not answered it already): the 400 goes out after the earlier answers, and
 * the session closes, so the provider waits for nothing.  Should the
 * provider have begun answering it, no 400 is inserted: it would land in
 * the middle of that answer. */
static enum relay_verdict refuse_in_body(struct rest_state *s, int status, const char *why)
{
	bool begun = false;
	if (s->k_len > 0) {
		begun = s->k_len == 1 && s->resp_begun;
		s->k_len--;
		if (s->k_len == 0)
			resp_reset(s);
	}
	enum relay_verdict v = refuse(s, status, why);
	if (begun)
		s->reply_len = 0;
	return v;
}

static void head_reset(struct rest_state *s)
{
	pvx_buf_reset(&s->head);
	pvx_buf_reset(&s->drops);
	s->content_length = -1;
	s->cl_bad = s->te_seen = s->te_chunked = s->conn_upgrade = s->has_upgrade = false;
	s->field_start = 0;
	httpreq_start_head(&s->req);
	s->stage = ST_HEAD;
}

/* A header field ended at offset end of the head. */
static void field_seen(struct rest_state *s, size_t end)
{
	struct httpreq *r = &s->req;
	if (s->field_start == 0) {
		/* The first field starts after the request line. */
		const char *lf = memchr(s->head.data, '\n', s->head.len);
		s->field_start = lf ? (size_t)(lf - s->head.data) + 1 : 0;
	}
	const char *v;
	size_t vlen;
	field_value(s->head.data + s->field_start, end - s->field_start, &v, &vlen);
	if (identity_field(r)) {
		struct span sp = { s->field_start, end };
		pvx_buf_append(&s->drops, &sp, sizeof(sp));
	} else if (httpreq_field_is(r, "content-length")) {
		uint64_t cl = 0;
		bool good = vlen > 0 && vlen <= 15;
		for (size_t i = 0; good && i < vlen; i++) {
			if (v[i] < '0' || v[i] > '9')
				good = false;
			else
				cl = cl * 10 + (uint64_t)(v[i] - '0');
		}
		if (!good || (s->content_length >= 0 && (uint64_t)s->content_length != cl))
			s->cl_bad = true;
		else
			s->content_length = (int64_t)cl;
	} else if (httpreq_field_is(r, "transfer-encoding")) {
		/* chunked must be the last coding, and only once */
		size_t n = vlen;
		bool last_chunked = n >= 7 && strncasecmp(v + n - 7, "chunked", 7) == 0 &&
				    (n == 7 || v[n - 8] == ' ' || v[n - 8] == ',' || v[n - 8] == '\t');
		s->te_chunked = !s->te_seen && last_chunked;
		s->te_seen = true;
	} else if (httpreq_field_is(r, "connection")) {
		/* every token of every Connection field, whatever its length */
		if (list_has_token(v, vlen, "upgrade"))
			s->conn_upgrade = true;
	} else if (httpreq_field_is(r, "upgrade")) {
		s->has_upgrade = true;
	}
	s->field_start = end;
}

/* The head is complete: check the framing, write it out rewritten, and
 * set up for its body. */
static enum relay_verdict head_done(struct rest_state *s, struct pvx_buf *out)
{
	if (s->identity_len == 0)
		return refuse(s, 500, "the link's consumer or role cannot be sent as identity");
	if (s->cl_bad)
		return refuse(s, 400, "malformed or conflicting Content-Length");
	if (s->te_seen && s->content_length >= 0)
		return refuse(s, 400, "both Content-Length and Transfer-Encoding");
	if (s->te_seen && !s->te_chunked)
		return refuse(s, 400, "Transfer-Encoding whose last coding is not chunked");
	if (s->k_len == REST_MAX_PIPELINE)
		return refuse(s, 400, "too many pipelined requests");

	/* Everything but the X-PV- fields and the final empty line, then our
	 * fields, then the empty line. */
	const struct span *d = (const struct span *)s->drops.data;
	size_t nd = s->drops.len / sizeof(*d), pos = 0, body_start = s->head.len - 2;
	for (size_t i = 0; i < nd; i++) {
		pvx_buf_append(out, s->head.data + pos, d[i].start - pos);
		pos = d[i].end;
	}
	pvx_buf_append(out, s->head.data + pos, body_start - pos);
	pvx_buf_append(out, s->identity, s->identity_len);
	pvx_buf_append(out, "\r\n", 2);
	rest_stats(s->link)->requests++;

	enum httpreq_method m = httpreq_method(&s->req);
	enum req_kind k = m == METHOD_CONNECT ? K_CONNECT
			  : s->conn_upgrade && s->has_upgrade ? K_UPGRADE
			  : m == METHOD_HEAD ? K_HEAD : K_PLAIN;
	s->kinds[(s->k_head + s->k_len++) % REST_MAX_PIPELINE] = (unsigned char)k;
	if (s->k_len == 1)
		resp_reset(s);

	bool chunked = s->te_chunked;
	uint64_t cl = s->content_length > 0 ? (uint64_t)s->content_length : 0;
	head_reset(s);
	if (k == K_UPGRADE || k == K_CONNECT) {
		if (s->resp_lost)
			return refuse(s, 400, "cannot follow the provider's answers, upgrade refused");
		s->stage = ST_WAIT;
		return RELAY_HOLD;
	}
	if (chunked) {
		httpreq_start_chunked(&s->req);
		s->stage = ST_CHUNKED;
	} else if (cl > 0) {
		s->body_left = cl;
		s->stage = ST_BODY;
	}
	return RELAY_PASS;
}

static enum relay_verdict rest_to_provider(void *st, const char *in, size_t n, struct pvx_buf *out)
{
	struct rest_state *s = st;

	/* Bytes held while waiting come first. */
	if (!in && s->held.len) {
		struct pvx_buf held = s->held;
		s->held = (struct pvx_buf){0};
		enum relay_verdict v = rest_to_provider(s, held.data, held.len, out);
		pvx_buf_free(&held);
		return v;
	}
	while (n > 0) {
		switch (s->stage) {
		case ST_WAIT:
		case ST_FAILED:
			if (s->stage == ST_WAIT && s->held.len + n <= REST_MAX_HELD)
				pvx_buf_append(&s->held, in, n);
			return s->stage == ST_FAILED && (s->k_len == 0 || s->resp_lost)
				       ? RELAY_REPLY_CLOSE : RELAY_HOLD;
		case ST_BODY:
		case ST_CHUNK_DATA: {
			size_t k = n < s->body_left ? n : (size_t)s->body_left;
			s->pos += k;
			pvx_buf_append(out, in, k);
			in += k;
			n -= k;
			s->body_left -= k;
			if (s->body_left == 0)
				s->stage = s->stage == ST_BODY ? ST_HEAD : ST_CHUNKED;
			break;
		}
		case ST_HEAD:
		case ST_TRAILER: {
			size_t used;
			enum httpreq_event ev = httpreq_run(&s->req, in, n, &used);
			if (s->head.len == 0)
				s->elem_start = s->pos;
			s->pos += used;
			pvx_buf_append(&s->head, in, used);
			in += used;
			n -= used;
			if (s->head.len > REST_MAX_HEAD)
				return s->stage == ST_HEAD ? refuse(s, 431, "request head larger than 64 KiB")
							   : refuse_in_body(s, 431, "trailers larger than 64 KiB");
			if (ev == HTTPREQ_ERROR)
				return s->stage == ST_HEAD ? refuse(s, 400, "malformed request head")
							   : refuse_in_body(s, 400, "malformed trailer");
			if (ev == HTTPREQ_FIELD) {
				field_seen(s, s->head.len);
			} else if (ev == HTTPREQ_HEAD) {
				enum relay_verdict v = head_done(s, out);
				if (v != RELAY_PASS)
					return v == RELAY_HOLD && s->stage == ST_WAIT
						       ? (pvx_buf_append(&s->held, in, n), RELAY_HOLD)
						       : v;
			} else if (ev == HTTPREQ_TRAILER) {
				/* A trailer field: passed on unless it claims identity. */
				if (!identity_field(&s->req))
					pvx_buf_append(out, s->head.data, s->head.len);
				pvx_buf_reset(&s->head);
			} else if (ev == HTTPREQ_BODY_END) {
				pvx_buf_append(out, s->head.data, s->head.len);
				head_reset(s);
			}
			break;
		}
		case ST_CHUNKED: {
			size_t used;
			enum httpreq_event ev = httpreq_run(&s->req, in, n, &used);
			/* The chunk-size line is held until it is whole and good:
			 * a refused one never reaches the provider. */
			if (s->head.len == 0)
				s->elem_start = s->pos;
			s->pos += used;
			pvx_buf_append(&s->head, in, used);
			in += used;
			n -= used;
			if (ev == HTTPREQ_ERROR)
				return refuse_in_body(s, 400, s->req.size_overflow
								 ? "chunk size of more than 15 hex digits"
								 : "malformed chunked body");
			if (s->head.len > REST_MAX_CHUNK_LINE)
				return refuse_in_body(s, 400, "chunk-size line longer than 4 KiB");
			if (ev != HTTPREQ_CHUNK)
				break;
			pvx_buf_append(out, s->head.data, s->head.len);
			pvx_buf_reset(&s->head);
			if (s->req.chunk_size > 0) {
				s->body_left = s->req.chunk_size;
				s->stage = ST_CHUNK_DATA;
			} else {
				s->stage = ST_TRAILER;
			}
			break;
		}
		}
	}
	return RELAY_PASS;
}

/* Provider bytes: follow the answers to know which request each ends. */
static enum relay_verdict rest_from_provider(void *st, const char *in, size_t n)
{
	struct rest_state *s = st;
	while (n > 0 && s->k_len > 0 && !s->resp_lost) {
		int r = httpresp_feed(&s->resp, in, n);
		if (r < 0) {
			s->resp_lost = true;
			link_error(s->link, 0, "provider answer not readable as HTTP (%s)", s->resp.error);
			break;
		}
		in += s->resp.consumed;
		n -= s->resp.consumed;
		if (s->resp.consumed > 0)
			s->resp_begun = true;
		if (r != HTTPRESP_DONE)
			break;
		int status = s->resp.status;
		enum req_kind k = (enum req_kind)s->kinds[s->k_head];
		if (status / 100 == 1 && status != 101) {
			resp_reset(s); /* interim answer: the real one follows */
			continue;
		}
		s->k_head = (s->k_head + 1) % REST_MAX_PIPELINE;
		s->k_len--;
		resp_reset(s);
		if ((k == K_UPGRADE && status == 101) || (k == K_CONNECT && status / 100 == 2))
			return RELAY_TUNNEL;
		if (k == K_UPGRADE || k == K_CONNECT) {
			s->stage = ST_HEAD;
			return RELAY_RELEASE;
		}
	}
	if (s->stage == ST_FAILED && (s->k_len == 0 || s->resp_lost))
		return RELAY_REPLY_CLOSE;
	return RELAY_PASS;
}

static const char *rest_reply(void *st, size_t *len)
{
	struct rest_state *s = st;
	*len = s->reply_len;
	return s->reply;
}

uint64_t rest_refused_at(void *st)
{
	return ((struct rest_state *)st)->refused_at;
}

static const struct relay_filter rest_filter = {
	.open = rest_open,
	.close = rest_close,
	.to_provider = rest_to_provider,
	.from_provider = rest_from_provider,
	.reply = rest_reply,
};

static const struct pvx_stat
	st_requests = { "http", "requests", "pvx_link_http_requests_total", "counter",
			"HTTP requests forwarded with identity (rest links).", NULL },
	st_proxy_4xx = { "http", "proxy_4xx", "pvx_link_http_proxy_4xx_total", "counter",
			 "Requests the proxy refused itself with 400 or 431 (rest links).", NULL };
static const struct pvx_stat *const rest_stats_list[] = { &st_requests, &st_proxy_4xx, NULL };

static void rest_describe(const struct pvx_link *l, struct pvx_stats_sink *out)
{
	static const struct rest_stats none;
	const struct rest_stats *st = link_type_stats_peek(l, &pvx_plugin_rest);
	if (!st)
		st = &none;
	pvx_stats_value(out, &st_requests, st->requests);
	pvx_stats_value(out, &st_proxy_4xx, st->proxy_4xx);
}

const struct pvx_plugin pvx_plugin_rest = {
	.type = "rest",
	STREAM_HOOKS,
	.filter = &rest_filter,
	.describe = rest_describe,
	.stats = rest_stats_list,
	.stats_size = sizeof(struct rest_stats),
};
