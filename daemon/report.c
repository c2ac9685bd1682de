/* Link changes to pv-ctrl and systemd; see report.h. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <ev.h>
#include <jansson.h>

#include "daemon/report.h"
#include "pvctrl/status.h"
#include "lib/log.h"
#include "lib/loop.h"
#include "lib/notify.h"
#include "sources/source.h"
#include "fsm/fsm.h"
#include "fsm/link.h"
#include "fsm/reconcile.h"

static ev_prepare watch;
static ev_timer notify_debounce;
static uint64_t seen_generation;
static bool started, ready;
static char last_status[256];

char *report_status_json(void)
{
	json_t *a = json_array();
	for (struct pvx_link *l = mesh_first(); a && l; l = l->next)
		json_array_append_new(a, json_pack("{s:s, s:s, s:b, s:s, s:s, s:f}", "consumer",
						   l->spec.consumer, "name", l->spec.name,
						   "established", l->state == LS_ACTIVE, "last_error",
						   l->last_error, "state", link_state_name(l->state),
						   "since", l->since));
	char *s = a ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	return s;
}

void report_status_line(char *buf, size_t len)
{
	size_t count[LS__COUNT] = { 0 };
	for (struct pvx_link *l = mesh_first(); l; l = l->next)
		count[l->state]++;
	int n = snprintf(buf, len, "%zu link%s", mesh_count(), mesh_count() == 1 ? "" : "s");
	const char *sep = ": ";
	for (int s = 0; s < LS__COUNT && n >= 0 && (size_t)n < len; s++) {
		if (!count[s])
			continue;
		n += snprintf(buf + n, len - (size_t)n, "%s%zu %s", sep, count[s], link_state_name(s));
		sep = ", ";
	}
}

/* STATUS= when it says something new; READY=1 with the first. */
static void notify_status(void)
{
	char line[200], msg[256];
	report_status_line(line, sizeof(line));
	snprintf(msg, sizeof(msg), "%sSTATUS=%s", ready ? "" : "READY=1\n", line);
	if (ready && !strcmp(msg, last_status))
		return;
	int r = pvx_notify(msg);
	if (r < 0)
		log_warn("sd_notify: %s", strerror(-r));
	else if (!ready)
		log_info("ready: %s", line);
	ready = true;
	snprintf(last_status, sizeof(last_status), "%s", msg);
}

static void notify_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	notify_status();
}

/* Once per loop iteration: one comparison unless something changed. */
static void watch_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	/* Ready once the first graph read is over (applied, or failed: the
	 * daemon serves and retries; STATUS= and the log say how it went). */
	if (!ready && pvx_notify_enabled() && source_settled()) {
		notify_status();
		seen_generation = pvx_link_generation;
		status_changed();
		return;
	}
	if (pvx_link_generation == seen_generation)
		return;
	seen_generation = pvx_link_generation;
	status_changed();
	if (ready && !ev_is_active(&notify_debounce)) {
		ev_timer_set(&notify_debounce, STATUS_DEBOUNCE, 0.);
		ev_timer_start(pvx_loop, &notify_debounce);
	}
}

void report_start(const char *ctrl_path)
{
	int r = pvx_notify_init();
	if (r < 0)
		log_warn("NOTIFY_SOCKET: %s; not telling systemd", strerror(-r));
	status_init(ctrl_path, report_status_json);
	ev_timer_init(&notify_debounce, notify_cb, 0., 0.);
	ev_prepare_init(&watch, watch_cb);
	ev_prepare_start(pvx_loop, &watch);
	ev_unref(pvx_loop); /* watching alone must not keep the loop alive */
	started = true;
	/* The first report replaces whatever a previous run left in pv-ctrl. */
	status_changed();
}

void report_stop(void)
{
	if (!started)
		return;
	pvx_notify("STOPPING=1");
	ev_ref(pvx_loop);
	ev_prepare_stop(pvx_loop, &watch);
	ev_timer_stop(pvx_loop, &notify_debounce);
	status_cleanup();
	pvx_notify_cleanup();
	started = false;
}
