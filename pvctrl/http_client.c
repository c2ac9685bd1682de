#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "pvctrl/http_client.h"
#include "lib/util.h"
#include "parsers/http_response.h"

struct http_request {
	struct ev_loop *loop;
	int fd;
	ev_io io;
	ev_timer timer; /* overall timeout, and the deferred error report */
	struct pvx_buf out;
	size_t out_off;
	struct httpresp resp;
	http_done_fn done;
	void *ctx;
	int err;
	char msg[160];
};

static int connect_unix(const char *path, int flags)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

static int build_request(struct pvx_buf *out, const char *method, const char *path,
			 const char *body, size_t body_len)
{
	int r = pvx_buf_printf(out, "%s %s HTTP/1.0\r\nHost: localhost\r\n", method, path);
	if (r == 0 && body)
		r = pvx_buf_printf(out, "Content-Type: application/json\r\nContent-Length: %zu\r\n",
				   body_len);
	if (r == 0)
		r = pvx_buf_append(out, "\r\n", 2);
	if (r == 0 && body)
		r = pvx_buf_append(out, body, body_len);
	return r;
}

static void request_free(struct http_request *r)
{
	ev_io_stop(r->loop, &r->io);
	ev_timer_stop(r->loop, &r->timer);
	r->fd = safe_close(r->fd);
	pvx_buf_free(&r->out);
	httpresp_free(&r->resp);
	free(r);
}

/* The request whose done callback runs (http_take_body). */
static struct http_request *finishing;

/* Reports the outcome; with err, prefix and detail make the message. */
static void finish(struct http_request *r, int err, const char *prefix, const char *detail)
{
	if (err && prefix)
		snprintf(r->msg, sizeof(r->msg), "%s%s", prefix, detail);
	finishing = err ? NULL : r;
	r->done(r->ctx, err, err ? 0 : r->resp.status, r->resp.body.data ? r->resp.body.data : "",
		r->resp.body.len, err ? r->msg : NULL);
	finishing = NULL;
	request_free(r);
}

char *http_take_body(size_t *len, size_t *cap)
{
	if (!finishing || !finishing->resp.body.data)
		return NULL;
	char *body = finishing->resp.body.data;
	*len = finishing->resp.body.len;
	*cap = finishing->resp.body.cap;
	finishing->resp.body = (struct pvx_buf){0};
	return body;
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct http_request *r = w->data;

	if (r->out_off < r->out.len) {
		ssize_t n = send(r->fd, r->out.data + r->out_off, r->out.len - r->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN)
			return finish(r, -errno, "write: ", strerror(errno));
		if (n > 0)
			r->out_off += (size_t)n;
		if (r->out_off == r->out.len) {
			ev_io_stop(loop, w);
			ev_io_set(w, r->fd, EV_READ);
			ev_io_start(loop, w);
		}
		return;
	}
	/* At most 1 MiB per wake-up: a large body from a fast sender must not
	 * hold the loop until it has all arrived (the watcher fires again). */
	for (int reads = 0; reads < 16; reads++) {
		char buf[65536];
		ssize_t n = recv(r->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			return finish(r, -errno, "read: ", strerror(errno));
		}
		int res = n == 0 ? httpresp_eof(&r->resp) : httpresp_feed(&r->resp, buf, (size_t)n);
		if (res < 0)
			return finish(r, res, "bad response: ", r->resp.error);
		if (res == HTTPRESP_DONE)
			return finish(r, 0, NULL, NULL);
	}
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct http_request *r = w->data;
	if (r->err)
		finish(r, r->err, NULL, NULL); /* connect failed: msg is set */
	else
		finish(r, -ETIMEDOUT, "timed out", "");
}

struct http_request *http_request_start(struct ev_loop *loop, const char *socket_path,
					const char *method, const char *path, const char *body,
					size_t body_len, double timeout, size_t max_body,
					http_done_fn done, void *ctx)
{
	struct http_request *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->loop = loop;
	r->done = done;
	r->ctx = ctx;
	httpresp_init(&r->resp, max_body);
	ev_init(&r->io, io_cb);
	r->io.data = r;
	ev_init(&r->timer, timer_cb);
	r->timer.data = r;

	if (build_request(&r->out, method, path, body, body_len) < 0) {
		request_free(r);
		return NULL;
	}
	/* A Unix connect never waits for the peer to accept, so doing it
	 * here does not block; a full backlog (EAGAIN) is reported like any
	 * other failure, from the loop, never from inside this call. */
	r->fd = connect_unix(socket_path, SOCK_NONBLOCK);
	if (r->fd < 0) {
		r->err = r->fd;
		snprintf(r->msg, sizeof(r->msg), "cannot connect to %s: %s", socket_path,
			 strerror(-r->fd));
		ev_timer_set(&r->timer, 0., 0.);
	} else {
		ev_io_set(&r->io, r->fd, EV_WRITE);
		ev_io_start(loop, &r->io);
		ev_timer_set(&r->timer, timeout, 0.);
	}
	ev_timer_start(loop, &r->timer);
	return r;
}

void http_request_cancel(struct http_request *r)
{
	if (r)
		request_free(r);
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int http_fetch(const char *socket_path, const char *method, const char *path,
	       const char *body, double timeout, char **out, size_t *out_len, char *err,
	       size_t errlen)
{
	_cleanup_close_ int fd = connect_unix(socket_path, 0);
	if (fd < 0) {
		snprintf(err, errlen, "cannot connect to %s: %s", socket_path, strerror(-fd));
		return fd;
	}
	struct pvx_buf req = {0};
	if (build_request(&req, method, path, body, body ? strlen(body) : 0) < 0) {
		pvx_buf_free(&req);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t off = 0; off < req.len;) {
		ssize_t n = send(fd, req.data + off, req.len - off, MSG_NOSIGNAL);
		if (n < 0) {
			int e = -errno;
			snprintf(err, errlen, "write to %s: %s", socket_path, strerror(errno));
			pvx_buf_free(&req);
			return e;
		}
		off += (size_t)n;
	}
	pvx_buf_free(&req);

	struct httpresp resp;
	httpresp_init(&resp, 0);
	double deadline = mono() + timeout;
	int res = HTTPRESP_MORE;
	while (res == HTTPRESP_MORE) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int left = (int)((deadline - mono()) * 1000);
		if (left <= 0 || poll(&pfd, 1, left) == 0) {
			snprintf(err, errlen, "no answer from %s within %.0f s", socket_path, timeout);
			httpresp_free(&resp);
			return -ETIMEDOUT;
		}
		char buf[65536];
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = -errno;
			snprintf(err, errlen, "read from %s: %s", socket_path, strerror(errno));
			httpresp_free(&resp);
			return e;
		}
		res = n == 0 ? httpresp_eof(&resp) : httpresp_feed(&resp, buf, (size_t)n);
	}
	if (res < 0) {
		snprintf(err, errlen, "bad response from %s: %s", socket_path, resp.error);
		httpresp_free(&resp);
		return res;
	}
	if (pvx_buf_append(&resp.body, "", 0) < 0) {
		httpresp_free(&resp);
		return -ENOMEM;
	}
	*out = resp.body.data;
	*out_len = resp.body.len;
	return resp.status;
}
