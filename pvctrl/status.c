/* Link states to pv-ctrl; see status.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvctrl/http_client.h"
#include "pvctrl/status.h"
#include "lib/log.h"
#include "lib/loop.h"

#define RETRY_FIRST 0.5
#define RETRY_MAX 30.0
#define POST_TIMEOUT 5.0

static char *ctrl;
static status_build_fn build;
static struct http_request *inflight;
static char *inflight_text; /* its body, freed by post_done or status_cleanup */
/* Fires after the debounce (a change) or the backoff (a failed POST). */
static ev_timer wake;
static bool dirty;     /* a change not yet built into a report */
static char *unsent;   /* a built report that failed: resent unless a newer comes */
static double retry_delay = RETRY_FIRST;
static unsigned long sent, failed;
static struct pvx_log_once post_error;

static void send_now(void);

static void post_done(void *ctx, int err, int status, const char *body, size_t len, const char *msg)
{
	char *text = ctx;
	inflight = NULL;
	inflight_text = NULL;
	if (err || status < 200 || status > 299) {
		char why[300];
		if (err)
			snprintf(why, sizeof(why), "status: POST /xconnect-status to %s failed (%s); retrying",
				 ctrl, msg);
		else
			snprintf(why, sizeof(why), "status: POST /xconnect-status to %s answered HTTP %d; retrying",
				 ctrl, status);
		pvx_log_once(&post_error, PVX_LOG_WARN, why);
		failed++;
		/* Latest wins: a change since then is rebuilt instead. */
		if (dirty)
			free(text);
		else {
			free(unsent);
			unsent = text;
		}
		ev_timer_stop(pvx_loop, &wake);
		ev_timer_set(&wake, retry_delay, 0.);
		ev_timer_start(pvx_loop, &wake);
		retry_delay = retry_delay * 2 > RETRY_MAX ? RETRY_MAX : retry_delay * 2;
		return;
	}
	free(text);
	if (pvx_log_once_clear(&post_error))
		log_info("status: pv-ctrl takes link states again");
	retry_delay = RETRY_FIRST;
	sent++;
	/* Changes made while this one was out: after a debounce of their own. */
	if (dirty && !ev_is_active(&wake)) {
		ev_timer_set(&wake, STATUS_DEBOUNCE, 0.);
		ev_timer_start(pvx_loop, &wake);
	}
}

static void send_now(void)
{
	if (!ctrl || inflight)
		return;
	char *text = NULL;
	if (dirty) {
		text = build();
		if (!text)
			return; /* out of memory: the next change tries again */
		dirty = false;
		free(unsent);
		unsent = NULL;
	} else if (unsent) {
		text = unsent;
		unsent = NULL;
	} else {
		return;
	}
	inflight = http_request_start(pvx_loop, ctrl, "POST", "/xconnect-status", text,
				      strlen(text), POST_TIMEOUT, 64 * 1024, post_done, text);
	if (inflight)
		inflight_text = text;
	else
		unsent = text; /* out of memory: the next change tries again */
}

static void wake_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	send_now();
}

void status_init(const char *ctrl_path, status_build_fn fn)
{
	free(ctrl);
	ctrl = ctrl_path ? strdup(ctrl_path) : NULL;
	build = fn;
	ev_timer_init(&wake, wake_cb, 0., 0.);
}

void status_changed(void)
{
	if (!ctrl)
		return;
	dirty = true;
	/* A pending retry keeps its backoff; a POST in flight sends the
	 * change when it is answered (post_done). */
	if (inflight || ev_is_active(&wake))
		return;
	ev_timer_set(&wake, STATUS_DEBOUNCE, 0.);
	ev_timer_start(pvx_loop, &wake);
}

unsigned long status_sent(void)
{
	return sent;
}

unsigned long status_failed(void)
{
	return failed;
}

void status_cleanup(void)
{
	if (inflight) {
		http_request_cancel(inflight); /* done is not called */
		inflight = NULL;
		free(inflight_text);
		inflight_text = NULL;
	}
	if (ctrl)
		ev_timer_stop(pvx_loop, &wake);
	free(unsent);
	unsent = NULL;
	dirty = false;
	free(ctrl);
	ctrl = NULL;
}
