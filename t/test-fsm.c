/* Link state table tests, mongrel2 style: event scripts replayed against a
 * link whose plugin returns scripted results; then every row of the table
 * and every undefined pair, one at a time. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "fsm/fsm.h"
#include "fsm/link.h"
#include "fsm/plugin.h"
#include "t/tap.h"

/* The scripted plugin runs on worker threads, like real ones. */
static _Atomic int plant_result, probe_result;
static _Atomic int plants, unplants, probes;

static int script_plant(const struct pvx_link_spec *spec, struct pvx_planted *p, char *why, size_t n)
{
	plants++;
	p->made = true;
	snprintf(why, n, "scripted result %d", (int)plant_result);
	return plant_result;
}
static void script_remove(struct pvx_planted *p) { unplants++; p->made = false; }
static int script_probe(const struct pvx_link_spec *spec, char *why, size_t n)
{
	probes++;
	return probe_result;
}

static const struct pvx_plugin script_plugin = {
	.type = "script",
	.plant = script_plant,
	.remove = script_remove,
	.probe = script_probe,
};

/* Fires ev, then lets the plant or probe jobs it started come back. */
static void fire(struct pvx_link *l, enum link_event ev)
{
	link_fire(l, ev);
	pvx_worker_drain(5.0);
}

/* The first transition a fired event causes. */
static struct {
	bool seen;
	enum link_state from, to;
	enum link_event ev;
} first;

static void observe(struct pvx_link *l, enum link_state from, enum link_event ev,
		    enum link_state to)
{
	if (first.seen)
		return;
	first.seen = true;
	first.from = from;
	first.ev = ev;
	first.to = to;
}

static struct pvx_link *new_link(void)
{
	struct pvx_link_spec spec = {
		.type = LINK_UNIX,
		.name = "svc",
		.consumer = "app",
		.consumer_pid = 0,
		.role = "any",
		.interface = "unix",
		.target = "/run/svc.sock",
		.socket = "/run/p.sock",
	};
	struct pvx_link *l = link_new(&spec);
	l->plugin = &script_plugin;
	return l;
}

/* Replays events on a new link; plant and probe answer as given. */
static enum link_state run(int plant, int probe, const enum link_event *evs, size_t n)
{
	plant_result = plant;
	probe_result = probe;
	struct pvx_link *l = new_link();
	for (size_t i = 0; i < n; i++)
		fire(l, evs[i]);
	enum link_state s = l->state;
	link_free(l);
	return s;
}

#define RUN(plant, probe, ...)                                                         \
	run(plant, probe, (const enum link_event[]){ __VA_ARGS__ },                    \
	    sizeof((const enum link_event[]){ __VA_ARGS__ }) / sizeof(enum link_event))

static void scripts(void)
{
	is_int(RUN(0, 0, EV_DESIRED), LS_ACTIVE, "desired, plant ok, provider answers -> ACTIVE");
	is_int(RUN(0, -ECONNREFUSED, EV_DESIRED), LS_INJECTED,
	       "desired, provider silent -> INJECTED");
	is_int(RUN(0, -ECONNREFUSED, EV_DESIRED, EV_PROVIDER_UP), LS_ACTIVE,
	       "INJECTED, first use reaches provider -> ACTIVE");
	is_int(RUN(-ENOENT, 0, EV_DESIRED), LS_BACKOFF, "plant fails -> BACKOFF");
	is_int(RUN(PVX_REFUSED, 0, EV_DESIRED), LS_FAILED, "plant refused -> FAILED");
	is_int(RUN(0, 0, EV_DESIRED, EV_REMOVED), LS_TORN_DOWN, "removed -> TORN_DOWN");
	is_int(RUN(0, 0, EV_DESIRED, EV_CONSUMER_EXITED), LS_TORN_DOWN,
	       "consumer exit -> TORN_DOWN");
	is_int(RUN(0, 0, EV_DESIRED, EV_CONSUMER_EXITED, EV_PID_CHANGED), LS_ACTIVE,
	       "consumer restarted with a new pid -> planted again");
	is_int(RUN(-ENOENT, 0, EV_DESIRED, EV_RETRY_TIMER), LS_BACKOFF,
	       "retry that fails again stays in BACKOFF");
	is_int(RUN(PVX_REFUSED, 0, EV_DESIRED, EV_RETRY_TIMER), LS_TORN_DOWN,
	       "undefined (FAILED, retry-timer) tears the link down");
	is_int(RUN(0, 0, EV_PROVIDER_UP), LS_TORN_DOWN, "undefined (NEW, provider-up) tears down");
	is_int(RUN(0, 0, EV_DESIRED, EV_SHUTDOWN), LS_TORN_DOWN, "shutdown -> TORN_DOWN");

	/* pid change re-plants: one more plant, and the old resource removed. */
	plant_result = probe_result = 0;
	struct pvx_link *l = new_link();
	fire(l, EV_DESIRED);
	int p0 = plants, u0 = unplants;
	fire(l, EV_PID_CHANGED);
	is_int(l->state, LS_ACTIVE, "pid changed: ACTIVE again");
	is_int(plants - p0, 1, "pid changed: planted once more");
	ok(unplants - u0 >= 1, "pid changed: old resource removed first");
	/* an undefined pair is counted and named */
	unsigned long long e0 = l->errors;
	fire(l, EV_INJECT_OK);
	is_int(l->state, LS_TORN_DOWN, "(ACTIVE, inject-ok) is undefined: torn down");
	ok(l->errors == e0 + 1 && strstr(l->last_error, "no transition for (ACTIVE, inject-ok)"),
	   "undefined pair recorded as last error: %s", l->last_error);
	fire(l, EV_INJECT_OK);
	is_int(l->state, LS_TORN_DOWN, "undefined pair in TORN_DOWN stays TORN_DOWN");
	link_free(l);

	/* provider down while ACTIVE: INJECTED, probing on a timer */
	plant_result = probe_result = 0;
	l = new_link();
	fire(l, EV_DESIRED);
	probe_result = -ECONNREFUSED;
	fire(l, EV_PROVIDER_DOWN);
	is_int(l->state, LS_INJECTED, "ACTIVE, provider down -> INJECTED");
	ok(ev_is_active(&l->timer), "INJECTED with a silent provider probes again later");
	probe_result = 0;
	fire(l, EV_RETRY_TIMER);
	is_int(l->state, LS_ACTIVE, "probe answered -> ACTIVE");
	link_free(l);

	/* backoff doubles and is capped */
	plant_result = -ENOENT;
	l = new_link();
	fire(l, EV_DESIRED);
	double d1 = ev_timer_remaining(pvx_loop, &l->timer);
	fire(l, EV_RETRY_TIMER);
	double d2 = ev_timer_remaining(pvx_loop, &l->timer);
	for (int i = 0; i < 20; i++)
		fire(l, EV_RETRY_TIMER);
	double d3 = ev_timer_remaining(pvx_loop, &l->timer);
	ok(d2 > d1 * 1.9 && d2 < d1 * 2.1, "backoff doubles (%.2fs then %.2fs)", d1, d2);
	ok(d3 <= pvx_backoff_cap + 0.001 && d3 > pvx_backoff_cap - 1, "backoff capped at %.0fs (%.2fs)",
	   pvx_backoff_cap, d3);
	link_free(l);
}

/* Every row: a link put in the row's state takes that row on its event. */
static void rows(void)
{
	int defined = 0, undefined = 0, bad = 0;
	fsm_observer = observe;
	for (int s = 0; s < LS__COUNT; s++) {
		for (int e = 0; e < EV__COUNT; e++) {
			plant_result = 0;
			probe_result = 0;
			struct pvx_link *l = new_link();
			l->state = (enum link_state)s;
			first.seen = false;
			unsigned long long errs = l->errors;
			link_fire(l, (enum link_event)e);
			const struct fsm_transition *t = &fsm_table[s][e];
			if (t->defined) {
				defined++;
				if (!first.seen || (int)first.from != s || (int)first.ev != e || first.to != t->next) {
					bad++;
					tap_diag("row (%s, %s) did not go to %s", fsm_states[s].name,
						 fsm_event_names[e], fsm_states[t->next].name);
				}
			} else {
				undefined++;
				if (l->errors != errs + 1 || l->state != LS_TORN_DOWN) {
					bad++;
					tap_diag("undefined (%s, %s) not handled", fsm_states[s].name,
						 fsm_event_names[e]);
				}
			}
			link_free(l);
			pvx_worker_drain(5.0);
		}
	}
	fsm_observer = NULL;
	ok(bad == 0, "all %d defined rows taken as written, all %d undefined pairs torn down",
	   defined, undefined);
	ok(defined > 40, "the table has %d rows", defined);
}

static void names(void)
{
	int missing = 0;
	for (int s = 0; s < LS__COUNT; s++)
		missing += !fsm_states[s].name;
	for (int e = 0; e < EV__COUNT; e++)
		missing += !fsm_event_names[e];
	is_int(missing, 0, "every state and event has a name");
}

int main(void)
{
	pvx_loop = EV_DEFAULT;
	pvx_log_threshold = PVX_LOG_ERROR;
	pvx_worker_init(pvx_loop, 4);
	scripts();
	rows();
	names();
	pvx_worker_shutdown();
	return tap_done();
}
