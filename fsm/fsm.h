/* The link state table: const data indexed by (state, event), one
 * function that moves a link along it.  pvxctl fsm prints the same table. */
#ifndef PVX_FSM_H
#define PVX_FSM_H

#include <stdbool.h>
#include "fsm/link.h"

typedef void (*fsm_hook)(struct pvx_link *l);

struct fsm_state_def {
	const char *name;
	fsm_hook enter;
	fsm_hook exit;
};

struct fsm_transition {
	bool defined;
	enum link_state next;
	fsm_hook action; /* runs between exit and enter, or alone on a self row */
	const char *action_name;
};

extern const struct fsm_state_def fsm_states[LS__COUNT];
extern const struct fsm_transition fsm_table[LS__COUNT][EV__COUNT];
extern const char *const fsm_event_names[EV__COUNT];

/* Links in each state, kept by transitions, link_new() and link_free(),
 * so that GET /status counts ACTIVE links without walking 10,000 of them
 * on the loop (pvxctl wait asks it ten times a second). */
extern size_t fsm_state_count[LS__COUNT];

/* Called on every transition taken (tests, tracing); NULL by default. */
extern void (*fsm_observer)(struct pvx_link *l, enum link_state from, enum link_event ev,
			    enum link_state to);

#endif
