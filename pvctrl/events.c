/* Events to pv-ctrl; see events.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "pvctrl/http_client.h"
#include "lib/loop.h"
#include "pvctrl/events.h"
#include "lib/log.h"

#define RETRY_FIRST 0.5
#define RETRY_MAX 30.0

static char *ctrl;
static char *queue[EVENTS_MAX];
static size_t q_head, q_len;
static struct http_request *inflight;
static ev_timer retry;
static double retry_delay = RETRY_FIRST;
static unsigned long sent, dropped;
static struct pvx_log_once post_error;

static void send_next(void);

static void pop(void)
{
	free(queue[q_head]);
	queue[q_head] = NULL;
	q_head = (q_head + 1) % EVENTS_MAX;
	q_len--;
}

static void post_done(void *ctx, int err, int status, const char *body, size_t len, const char *msg)
{
	inflight = NULL;
	if (err || status < 200 || status > 299) {
		char why[300];
		if (err)
			snprintf(why, sizeof(why), "events: POST /xconnect/events to %s failed (%s); retrying",
				 ctrl, msg);
		else
			snprintf(why, sizeof(why), "events: POST /xconnect/events to %s answered HTTP %d; retrying",
				 ctrl, status);
		pvx_log_once(&post_error, PVX_LOG_WARN, why);
		ev_timer_set(&retry, retry_delay, 0.);
		ev_timer_start(pvx_loop, &retry);
		retry_delay = retry_delay * 2 > RETRY_MAX ? RETRY_MAX : retry_delay * 2;
		return;
	}
	if (pvx_log_once_clear(&post_error))
		log_info("events: pv-ctrl takes events again");
	retry_delay = RETRY_FIRST;
	pop();
	sent++;
	send_next();
}

static void retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	send_next();
}

static void send_next(void)
{
	if (!ctrl || inflight || q_len == 0 || ev_is_active(&retry))
		return;
	const char *body = queue[q_head];
	inflight = http_request_start(pvx_loop, ctrl, "POST", "/xconnect/events", body, strlen(body),
				      5.0, 64 * 1024, post_done, NULL);
}

void events_init(const char *ctrl_path)
{
	free(ctrl);
	ctrl = ctrl_path ? strdup(ctrl_path) : NULL;
	ev_timer_init(&retry, retry_cb, 0., 0.);
}

void events_post(const char *event, const char *consumer, const char *pool, const char *ip,
		 const char *reason)
{
	json_t *o = json_pack("{s:s}", "event", event);
	if (consumer)
		json_object_set_new(o, "consumer", json_string(consumer));
	if (pool)
		json_object_set_new(o, "pool", json_string(pool));
	if (ip)
		json_object_set_new(o, "ip", json_string(ip));
	if (reason)
		json_object_set_new(o, "reason", json_string(reason));
	char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (!text)
		return;
	log_info("event %s", text);
	if (!ctrl) {
		free(text);
		return; /* no pv-ctrl: the log line is the event */
	}
	if (q_len == EVENTS_MAX) {
		dropped++;
		log_error("events: queue full (%d), oldest event dropped: %s", EVENTS_MAX, queue[q_head]);
		pop();
	}
	queue[(q_head + q_len) % EVENTS_MAX] = text;
	q_len++;
	send_next();
}

static unsigned long activations;
static unsigned activate_inflight;
#define ACTIVATE_MAX_INFLIGHT 16

static void activate_done(void *ctx, int err, int status, const char *body, size_t len,
			  const char *msg)
{
	(void)body;
	(void)len;
	char *name = ctx;
	activate_inflight--;
	if (err < 0)
		log_warn("activation: POST /xconnect/dbus/activate for %s failed: %s", name, msg);
	else if (status < 200 || status > 299)
		log_warn("activation: POST /xconnect/dbus/activate for %s answered HTTP %d", name, status);
	free(name);
}

void events_dbus_activate(const char *name)
{
	json_t *o = json_pack("{s:s}", "name", name);
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!text)
		return;
	activations++;
	log_info("activation %s", text);
	char *ctx = strdup(name);
	if (ctrl && ctx && activate_inflight < ACTIVATE_MAX_INFLIGHT &&
	    http_request_start(pvx_loop, ctrl, "POST", "/xconnect/dbus/activate", text, strlen(text),
			       5.0, 64 * 1024, activate_done, ctx)) {
		activate_inflight++;
		ctx = NULL;
	} else if (ctrl) {
		log_warn("activation: cannot ask pv-ctrl to start the owner of %s", name);
	}
	free(ctx);
	free(text);
}

unsigned long events_activations(void)
{
	return activations;
}

size_t events_queued(void)
{
	return q_len;
}

unsigned long events_sent(void)
{
	return sent;
}

unsigned long events_dropped(void)
{
	return dropped;
}

void events_cleanup(void)
{
	if (inflight)
		http_request_cancel(inflight);
	inflight = NULL;
	ev_timer_stop(pvx_loop, &retry);
	while (q_len) {
		log_warn("events: not delivered before exit: %s", queue[q_head]);
		pop();
	}
	free(ctrl);
	ctrl = NULL;
}
