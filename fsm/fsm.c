/* The link state machine as data (DESIGN.md section 4).
 *
 * fsm_states[] says what entering and leaving a state does; fsm_table[][]
 * says, for each (state, event), which state comes next and which action
 * runs on the way.  A pair without a row is a bug somewhere else: it is
 * logged with the caller's file and line and only that link is torn down.
 * Entering PENDING, BACKOFF, FAILED or TORN_DOWN always removes whatever is
 * planted, so no row has to remember to. */
#include "config.h"

#include <stdio.h>

#include "lib/util.h"

#include "lib/log.h"
#include "fsm/fsm.h"

const struct fsm_state_def fsm_states[LS__COUNT] = {
	[LS_NEW] = { "NEW", NULL, NULL },
	[LS_PENDING] = { "PENDING", link_enter_pending, NULL },
	[LS_INJECTED] = { "INJECTED", link_enter_injected, link_stop_timer },
	[LS_ACTIVE] = { "ACTIVE", link_enter_active, NULL },
	[LS_BACKOFF] = { "BACKOFF", link_enter_backoff, link_stop_timer },
	[LS_FAILED] = { "FAILED", link_enter_failed, NULL },
	[LS_TORN_DOWN] = { "TORN_DOWN", link_enter_torn_down, NULL },
};
_Static_assert(sizeof(fsm_states) / sizeof(fsm_states[0]) == LS__COUNT, "one entry per state");

const char *const fsm_event_names[EV__COUNT] = {
	[EV_DESIRED] = "desired",
	[EV_INJECT_OK] = "inject-ok",
	[EV_INJECT_FAILED] = "inject-failed",
	[EV_INJECT_REFUSED] = "inject-refused",
	[EV_PROVIDER_UP] = "provider-up",
	[EV_PROVIDER_DOWN] = "provider-down",
	[EV_PROVIDER_CHANGED] = "provider-changed",
	[EV_PROVIDER_GONE] = "provider-gone",
	[EV_PID_CHANGED] = "pid-changed",
	[EV_SPEC_CHANGED] = "spec-changed",
	[EV_CONSUMER_EXITED] = "consumer-exited",
	[EV_RETRY_TIMER] = "retry-timer",
	[EV_REMOVED] = "removed",
	[EV_SHUTDOWN] = "shutdown",
};
_Static_assert(sizeof(fsm_event_names) / sizeof(fsm_event_names[0]) == EV__COUNT,
	       "one name per event");

#define GO(s) { .defined = true, .next = (s) }
#define DO(s, fn) { .defined = true, .next = (s), .action = (fn), .action_name = #fn }

/* Rows every live state shares: leaving the graph, the consumer going away
 * and shutdown end in TORN_DOWN; a restarted consumer or a changed link is
 * planted again from scratch. */
#define ENDINGS                                  \
	[EV_REMOVED] = GO(LS_TORN_DOWN),         \
	[EV_SHUTDOWN] = GO(LS_TORN_DOWN),        \
	[EV_CONSUMER_EXITED] = GO(LS_TORN_DOWN), \
	[EV_PID_CHANGED] = GO(LS_PENDING),       \
	[EV_SPEC_CHANGED] = GO(LS_PENDING)

const struct fsm_transition fsm_table[LS__COUNT][EV__COUNT] = {
	[LS_NEW] = {
		[EV_DESIRED] = GO(LS_PENDING),
		[EV_REMOVED] = GO(LS_TORN_DOWN),
		[EV_SHUTDOWN] = GO(LS_TORN_DOWN),
	},
	[LS_PENDING] = {
		ENDINGS,
		[EV_INJECT_OK] = GO(LS_INJECTED),
		[EV_INJECT_FAILED] = GO(LS_BACKOFF),
		[EV_INJECT_REFUSED] = GO(LS_FAILED),
		[EV_PROVIDER_CHANGED] = GO(LS_PENDING),
	},
	[LS_INJECTED] = {
		ENDINGS,
		[EV_PROVIDER_UP] = GO(LS_ACTIVE),
		[EV_PROVIDER_DOWN] = DO(LS_INJECTED, link_probe_later),
		[EV_RETRY_TIMER] = DO(LS_INJECTED, link_probe),
		[EV_PROVIDER_CHANGED] = DO(LS_INJECTED, link_probe),
		[EV_PROVIDER_GONE] = GO(LS_PENDING),
	},
	[LS_ACTIVE] = {
		ENDINGS,
		[EV_PROVIDER_UP] = GO(LS_ACTIVE),
		[EV_PROVIDER_DOWN] = GO(LS_INJECTED),
		[EV_PROVIDER_CHANGED] = GO(LS_INJECTED),
		[EV_PROVIDER_GONE] = GO(LS_PENDING),
	},
	[LS_BACKOFF] = {
		ENDINGS,
		[EV_RETRY_TIMER] = GO(LS_PENDING),
		[EV_PROVIDER_CHANGED] = GO(LS_PENDING),
	},
	[LS_FAILED] = {
		ENDINGS,
		[EV_PROVIDER_CHANGED] = GO(LS_FAILED),
	},
	[LS_TORN_DOWN] = {
		[EV_REMOVED] = GO(LS_TORN_DOWN),
		[EV_SHUTDOWN] = GO(LS_TORN_DOWN),
		[EV_CONSUMER_EXITED] = GO(LS_TORN_DOWN),
		[EV_PROVIDER_CHANGED] = GO(LS_TORN_DOWN),
		[EV_PID_CHANGED] = GO(LS_PENDING),
		[EV_SPEC_CHANGED] = GO(LS_PENDING),
	},
};
_Static_assert(sizeof(fsm_table) / sizeof(fsm_table[0]) == LS__COUNT, "one row set per state");
_Static_assert(sizeof(fsm_table[0]) / sizeof(fsm_table[0][0]) == EV__COUNT,
	       "one column per event");

const char *link_state_name(enum link_state s)
{
	return (unsigned)s < LS__COUNT ? fsm_states[s].name : "?";
}

const char *link_event_name(enum link_event e)
{
	return (unsigned)e < EV__COUNT ? fsm_event_names[e] : "?";
}

void (*fsm_observer)(struct pvx_link *l, enum link_state from, enum link_event ev,
		     enum link_state to);

size_t fsm_state_count[LS__COUNT];

/* Moves l from its state to next: exit hook, action, enter hook.  A row
 * that stays in its state runs only its action. */
static void transition(struct pvx_link *l, enum link_event ev, const struct fsm_transition *t)
{
	enum link_state from = l->state;

	if (fsm_observer)
		fsm_observer(l, from, ev, t->next);
	if (t->next == from) {
		log_debug("link %s: %s in %s", link_key(l), link_event_name(ev), link_state_name(from));
		if (t->action)
			t->action(l);
		return;
	}
	log_info("link %s: %s -> %s (%s)", link_key(l), link_state_name(from),
		 link_state_name(t->next), link_event_name(ev));
	if (fsm_states[from].exit)
		fsm_states[from].exit(l);
	if (t->action)
		t->action(l);
	fsm_state_count[from]--;
	fsm_state_count[t->next]++;
	l->state = t->next;
	l->since = pvx_wallclock();
	pvx_link_generation++;
	if (fsm_states[t->next].enter)
		fsm_states[t->next].enter(l);
}

static const struct fsm_transition teardown_row = GO(LS_TORN_DOWN);

void fsm_fire_at(struct pvx_link *l, enum link_event ev, const char *file, int line)
{
	if (l->q_len == sizeof(l->queue) / sizeof(l->queue[0])) {
		log_error("link %s: event queue overflow at %s:%d, tearing down", link_key(l), file,
			  line);
		l->q_len = 0;
		ev = EV_SHUTDOWN;
	}
	l->queue[(l->q_head + l->q_len++) % 8] = ev;
	if (l->dispatching)
		return;

	l->dispatching = true;
	while (l->q_len > 0) {
		enum link_event e = l->queue[l->q_head];
		l->q_head = (l->q_head + 1) % 8;
		l->q_len--;
		const struct fsm_transition *t = &fsm_table[l->state][e];
		if (!t->defined) {
			log_error("link %s: no transition for (%s, %s), fired at %s:%d; tearing the link down",
				  link_key(l), link_state_name(l->state), link_event_name(e), file, line);
			snprintf(l->last_error, sizeof(l->last_error), "internal: no transition for (%s, %s)",
				 link_state_name(l->state), link_event_name(e));
			pvx_link_generation++;
			l->errors++;
			if (l->state == LS_TORN_DOWN)
				continue;
			t = &teardown_row;
		}
		transition(l, e, t);
	}
	l->dispatching = false;
}
