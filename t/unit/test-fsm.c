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
	is_int(fsm_state_count[LS_ACTIVE], 1, "one link ACTIVE: counted in fsm_state_count (GET /status)");
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
	is_int(fsm_state_count[LS_ACTIVE], 0, "torn down: no longer counted ACTIVE");
	is_int(fsm_state_count[LS_TORN_DOWN], 1, "... but TORN_DOWN");
	link_free(l);
	size_t left = 0;
	for (int st = 0; st < LS__COUNT; st++)
		left += fsm_state_count[st];
	is_int(left, 0, "every link freed: no state counts one");

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

/* The documented table (DESIGN.md section 4, README "One state table per
 * link"), written out by hand, one row per line, independently of
 * fsm/fsm.c: the test compares the daemon's table and its behaviour with
 * this copy, so a row changed, added or dropped in fsm.c fails here until
 * the documentation and this copy say the same. */
static const struct documented_row {
	enum link_state from;
	enum link_event ev;
	enum link_state to;
	const char *action;
} documented[] = {
	{ LS_NEW, EV_DESIRED, LS_PENDING, NULL },
	{ LS_NEW, EV_REMOVED, LS_TORN_DOWN, NULL },
	{ LS_NEW, EV_SHUTDOWN, LS_TORN_DOWN, NULL },

	{ LS_PENDING, EV_INJECT_OK, LS_INJECTED, NULL },
	{ LS_PENDING, EV_INJECT_FAILED, LS_BACKOFF, NULL },
	{ LS_PENDING, EV_INJECT_REFUSED, LS_FAILED, NULL },
	{ LS_PENDING, EV_PROVIDER_CHANGED, LS_PENDING, NULL },
	{ LS_PENDING, EV_REMOVED, LS_TORN_DOWN, NULL },
	{ LS_PENDING, EV_SHUTDOWN, LS_TORN_DOWN, NULL },
	{ LS_PENDING, EV_CONSUMER_EXITED, LS_TORN_DOWN, NULL },
	{ LS_PENDING, EV_PID_CHANGED, LS_PENDING, NULL },
	{ LS_PENDING, EV_SPEC_CHANGED, LS_PENDING, NULL },

	{ LS_INJECTED, EV_PROVIDER_UP, LS_ACTIVE, NULL },
	{ LS_INJECTED, EV_PROVIDER_DOWN, LS_INJECTED, "link_probe_later" },
	{ LS_INJECTED, EV_RETRY_TIMER, LS_INJECTED, "link_probe" },
	{ LS_INJECTED, EV_PROVIDER_CHANGED, LS_INJECTED, "link_probe" },
	{ LS_INJECTED, EV_PROVIDER_GONE, LS_PENDING, NULL },
	{ LS_INJECTED, EV_REMOVED, LS_TORN_DOWN, NULL },
	{ LS_INJECTED, EV_SHUTDOWN, LS_TORN_DOWN, NULL },
	{ LS_INJECTED, EV_CONSUMER_EXITED, LS_TORN_DOWN, NULL },
	{ LS_INJECTED, EV_PID_CHANGED, LS_PENDING, NULL },
	{ LS_INJECTED, EV_SPEC_CHANGED, LS_PENDING, NULL },

	{ LS_ACTIVE, EV_PROVIDER_UP, LS_ACTIVE, NULL },
	{ LS_ACTIVE, EV_PROVIDER_DOWN, LS_INJECTED, NULL },
	{ LS_ACTIVE, EV_PROVIDER_CHANGED, LS_INJECTED, NULL },
	{ LS_ACTIVE, EV_PROVIDER_GONE, LS_PENDING, NULL },
	{ LS_ACTIVE, EV_REMOVED, LS_TORN_DOWN, NULL },
	{ LS_ACTIVE, EV_SHUTDOWN, LS_TORN_DOWN, NULL },
	{ LS_ACTIVE, EV_CONSUMER_EXITED, LS_TORN_DOWN, NULL },
	{ LS_ACTIVE, EV_PID_CHANGED, LS_PENDING, NULL },
	{ LS_ACTIVE, EV_SPEC_CHANGED, LS_PENDING, NULL },

	{ LS_BACKOFF, EV_RETRY_TIMER, LS_PENDING, NULL },
	{ LS_BACKOFF, EV_PROVIDER_CHANGED, LS_PENDING, NULL },
	{ LS_BACKOFF, EV_REMOVED, LS_TORN_DOWN, NULL },
	{ LS_BACKOFF, EV_SHUTDOWN, LS_TORN_DOWN, NULL },
	{ LS_BACKOFF, EV_CONSUMER_EXITED, LS_TORN_DOWN, NULL },
	{ LS_BACKOFF, EV_PID_CHANGED, LS_PENDING, NULL },
	{ LS_BACKOFF, EV_SPEC_CHANGED, LS_PENDING, NULL },

	{ LS_FAILED, EV_PROVIDER_CHANGED, LS_FAILED, NULL },
	{ LS_FAILED, EV_REMOVED, LS_TORN_DOWN, NULL },
	{ LS_FAILED, EV_SHUTDOWN, LS_TORN_DOWN, NULL },
	{ LS_FAILED, EV_CONSUMER_EXITED, LS_TORN_DOWN, NULL },
	{ LS_FAILED, EV_PID_CHANGED, LS_PENDING, NULL },
	{ LS_FAILED, EV_SPEC_CHANGED, LS_PENDING, NULL },

	{ LS_TORN_DOWN, EV_REMOVED, LS_TORN_DOWN, NULL },
	{ LS_TORN_DOWN, EV_SHUTDOWN, LS_TORN_DOWN, NULL },
	{ LS_TORN_DOWN, EV_CONSUMER_EXITED, LS_TORN_DOWN, NULL },
	{ LS_TORN_DOWN, EV_PROVIDER_CHANGED, LS_TORN_DOWN, NULL },
	{ LS_TORN_DOWN, EV_PID_CHANGED, LS_PENDING, NULL },
	{ LS_TORN_DOWN, EV_SPEC_CHANGED, LS_PENDING, NULL },
};
#define N_DOCUMENTED (sizeof(documented) / sizeof(documented[0]))

static const char *const documented_states[LS__COUNT] = {
	"NEW", "PENDING", "INJECTED", "ACTIVE", "BACKOFF", "FAILED", "TORN_DOWN",
};
static const char *const documented_events[EV__COUNT] = {
	"desired",        "inject-ok",   "inject-failed", "inject-refused", "provider-up",
	"provider-down",  "provider-changed", "provider-gone", "pid-changed", "spec-changed",
	"consumer-exited", "retry-timer", "removed",       "shutdown",
};

static const struct documented_row *documented_find(int s, int e)
{
	for (size_t i = 0; i < N_DOCUMENTED; i++)
		if ((int)documented[i].from == s && (int)documented[i].ev == e)
			return &documented[i];
	return NULL;
}

static bool same_action(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Every pair: the daemon's table says what the documented copy says, and a
 * link put in the pair's state takes the documented row on its event (or,
 * for a pair without a row, is counted and torn down). */
static void rows(void)
{
	int defined = 0, undefined = 0, bad = 0, differ = 0;
	fsm_observer = observe;
	for (int s = 0; s < LS__COUNT; s++) {
		for (int e = 0; e < EV__COUNT; e++) {
			const struct documented_row *doc = documented_find(s, e);
			const struct fsm_transition *t = &fsm_table[s][e];
			if (t->defined != !!doc ||
			    (doc && (t->next != doc->to || !same_action(t->action_name, doc->action)))) {
				differ++;
				tap_diag("fsm.c row (%s, %s) -> %s%s%s, documented %s%s%s",
					 documented_states[s], documented_events[e],
					 t->defined ? documented_states[t->next] : "(none)",
					 t->action_name ? " " : "", t->action_name ? t->action_name : "",
					 doc ? documented_states[doc->to] : "(none)",
					 doc && doc->action ? " " : "", doc && doc->action ? doc->action : "");
			}

			plant_result = 0;
			probe_result = 0;
			struct pvx_link *l = new_link();
			l->state = (enum link_state)s;
			first.seen = false;
			unsigned long long errs = l->errors;
			link_fire(l, (enum link_event)e);
			if (doc) {
				defined++;
				if (!first.seen || (int)first.from != s || (int)first.ev != e || first.to != doc->to) {
					bad++;
					tap_diag("(%s, %s) did not go to %s", documented_states[s],
						 documented_events[e], documented_states[doc->to]);
				}
			} else {
				undefined++;
				if (l->errors != errs + 1 || l->state != LS_TORN_DOWN) {
					bad++;
					tap_diag("undefined (%s, %s) not handled", documented_states[s],
						 documented_events[e]);
				}
			}
			link_free(l);
			pvx_worker_drain(5.0);
		}
	}
	fsm_observer = NULL;
	is_int(differ, 0, "fsm_table equals the documented table, all %d rows and %d empty pairs",
	       (int)N_DOCUMENTED, LS__COUNT * EV__COUNT - (int)N_DOCUMENTED);
	ok(bad == 0, "all %d documented rows taken, all %d undefined pairs torn down", defined,
	   undefined);
	is_int(defined, 50, "the documented table has 50 rows");
}

static void names(void)
{
	int wrong = 0;
	for (int s = 0; s < LS__COUNT; s++)
		if (!fsm_states[s].name || strcmp(fsm_states[s].name, documented_states[s]) != 0) {
			wrong++;
			tap_diag("state %d is named %s, documented %s", s,
				 fsm_states[s].name ? fsm_states[s].name : "(none)", documented_states[s]);
		}
	for (int e = 0; e < EV__COUNT; e++)
		if (!fsm_event_names[e] || strcmp(fsm_event_names[e], documented_events[e]) != 0) {
			wrong++;
			tap_diag("event %d is named %s, documented %s", e,
				 fsm_event_names[e] ? fsm_event_names[e] : "(none)", documented_events[e]);
		}
	is_int(wrong, 0, "every state and event has its documented name");
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
