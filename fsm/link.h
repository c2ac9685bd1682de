/* The link object: one wanted connection (consumer, name, target), its
 * state in the link state table (fsm.c), what is planted for it and the
 * counters pvxctl shows (each module keeps its own, fsm/plugin.h). */
#ifndef PVX_LINK_H
#define PVX_LINK_H

#include <stdbool.h>
#include <stdint.h>
#include <ev.h>

#include "lib/loop.h"
#include "lib/worker.h"
#include "model/spec.h"

enum link_state {
	LS_NEW,       /* created by the reconciler, nothing done yet */
	LS_PENDING,   /* planting the resource in the consumer */
	LS_INJECTED,  /* resource planted, provider not (yet) reachable */
	LS_ACTIVE,    /* planted and the provider answers */
	LS_BACKOFF,   /* planting failed, waiting to retry */
	LS_FAILED,    /* refused for good until the graph changes the link */
	LS_TORN_DOWN, /* nothing planted: removed, consumer gone, or shutdown */
	LS__COUNT
};

enum link_event {
	EV_DESIRED,          /* the graph wants this new link */
	EV_INJECT_OK,
	EV_INJECT_FAILED,    /* retryable: consumer or provider not there yet */
	EV_INJECT_REFUSED,   /* permanent: bad target, unsupported type */
	EV_PROVIDER_UP,      /* a connect to the provider succeeded */
	EV_PROVIDER_DOWN,    /* a connect failed or the provider exited */
	EV_PROVIDER_CHANGED, /* graph: provider pid or path changed */
	EV_PROVIDER_GONE,    /* the provider's device node vanished: unplant, plant again */
	EV_PID_CHANGED,      /* graph: consumer restarted (new pid) */
	EV_SPEC_CHANGED,     /* graph: type, role or other link fields changed */
	EV_CONSUMER_EXITED,  /* the consumer's pidfd fired */
	EV_RETRY_TIMER,
	EV_REMOVED,          /* no longer in the graph */
	EV_SHUTDOWN,
	EV__COUNT
};

struct pvx_plugin;
struct relay_session;
struct relay_stats;
struct link_job;

/* What a plugin's plant() made, from the worker that made it to the link
 * that keeps it, and back to a worker for remove() (fsm/plugin.h). */
struct pvx_planted {
	bool made;         /* something to remove */
	int fd;            /* socket types: the listening socket, else -1 */
	pid_t pid;         /* the consumer pid it was planted in */
	char *target;      /* where, inside that consumer */
	uint64_t dev, ino; /* what we created: only that is ever removed */
	void *priv;        /* the type's own (drm: the node; network: the veth) */
	char detail[128];  /* facts for pvxctl links (drm: node, kind, driver) */
};

/* Bumped whenever what GET /links shows of a link's state changes (a
 * transition, a new last_error, a link added or removed), so that
 * observers (the status report to pv-ctrl, sd_notify) notice a change with
 * one comparison per loop iteration instead of walking every link. */
extern uint64_t pvx_link_generation;

struct pvx_link {
	struct pvx_link_spec spec;
	const struct pvx_plugin *plugin;
	enum link_state state;
	double since; /* wall clock of the last state change */

	/* Event queue: an event fired while a transition runs is handled
	 * after it, in order. */
	enum link_event queue[8];
	unsigned q_head, q_len;
	bool dispatching;

	/* What is planted for the link (fsm/plugin.h), and the type's own
	 * state on the loop while it is (adopt() to release()). */
	struct pvx_planted planted;
	void *live;

	/* Work off the loop for this link (lib/worker.h): every job still
	 * out, so a link freed before they return can disown them; the
	 * plant or probe in flight; jobs that overran their time. */
	struct link_job *jobs;
	struct link_job *step;
	unsigned jobs_out, jobs_stuck;
	unsigned gen; /* counts plants: a job answers only for its own */
	ev_timer step_timer; /* the plant or probe's time limit */

	int consumer_pidfd, provider_pidfd;
	ev_io consumer_exit_watcher, provider_exit_watcher;

	ev_timer timer;     /* backoff retry, provider probe */
	unsigned attempts;  /* consecutive failures, for the backoff */

	struct relay_session *sessions; /* open relay sessions */

	/* Counters kept with the link, not with what is planted (l->live),
	 * so they count across plants until link_free(): the relay's
	 * (relay/relay.h, from the first connection on) and the link type's
	 * own (link_type_stats()); the plugin's describe() shows them. */
	struct relay_stats *relay_stats;
	void *type_stats;
	const struct pvx_plugin *type_stats_of; /* the plugin that made them */
	uint64_t errors;
	char last_error[160];

	/* Reconciler bookkeeping. */
	struct pvx_link *hash_next;
	uint64_t key_hash; /* of (consumer, name, target), which never change */
	struct pvx_link *next, *prev; /* all links, in graph order of creation */
	uint64_t seen_round;
	bool zombie; /* removed; freed from the check watcher */
};

/* Fires an event at a link; the caller's file and line are logged if the
 * table has no row for it. */
#define link_fire(l, ev) fsm_fire_at((l), (ev), __FILE__, __LINE__)
void fsm_fire_at(struct pvx_link *l, enum link_event ev, const char *file, int line);

const char *link_state_name(enum link_state s);
const char *link_event_name(enum link_event e);

/* The link object's life. */
struct pvx_link *link_new(const struct pvx_link_spec *spec);
void link_free(struct pvx_link *l);
/* Records the reason of the latest failure (shown by pvxctl) and logs it
 * with the link's key, once per distinct reason. */
void link_error(struct pvx_link *l, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The counters of the link's type, plugin p's struct of p->stats_size
 * bytes, zeroed when first asked for.  NULL when out of memory or when p
 * is no longer the link's plugin (the graph changed its type: the new
 * type starts from zero). */
void *link_type_stats(struct pvx_link *l, const struct pvx_plugin *p);
/* The same without making them: NULL when none were counted yet. */
const void *link_type_stats_peek(const struct pvx_link *l, const struct pvx_plugin *p);
/* "consumer/name -> target", for log lines. */
const char *link_key(const struct pvx_link *l);

/* Whether key names l: 2 for its whole key ("consumer/name -> target"),
 * 1 for "consumer/name" alone (which may name several links), else 0. */
int link_key_match(const struct pvx_link *l, const char *key);
/* An operator's "retry now" (pvxctl retry): a BACKOFF link gets the
 * table's own retry event at once instead of at its timer.  -EBUSY, and
 * nothing fired, when the link is in another state. */
int link_retry_now(struct pvx_link *l);

/* Backoff: first retry after this many seconds, doubling up to the cap. */
extern double pvx_backoff_base, pvx_backoff_cap;
/* How long a plant or a probe may take before the link stops waiting for
 * it (a container's filesystem that does not answer). */
extern double pvx_step_timeout;

/* Work of a link's done off the loop (lib/worker.h).  run() gets the job
 * on a worker thread; finish() gets it back on the loop with link set, or
 * NULL when the link was freed or stopped waiting (abandoned) meanwhile,
 * and then frees it (also NULL when the link planted anew since: a job
 * answers only for the plant it was started for).  A link keeps count of its jobs: those that overran
 * their time hold it back from starting more. */
struct link_job {
	struct pvx_job job;
	struct pvx_link *link;  /* NULL once the link is gone */
	struct link_job *next_of_link;
	void (*finish)(struct link_job *j, struct pvx_link *l);
	bool stuck;             /* overran its time: counted in jobs_stuck */
	unsigned gen;           /* the link's plant it was started for */
};
void link_job_submit(struct pvx_link *l, struct link_job *j, pvx_job_fn run,
		     void (*finish)(struct link_job *j, struct pvx_link *l));
/* Stops waiting for l's plant or probe in flight and hands what l has
 * planted to a worker for removal (after release()). */
void link_unplant(struct pvx_link *l);

/* State hooks, called by the table (fsm.c); implemented in link.c. */
void link_enter_pending(struct pvx_link *l);
void link_enter_injected(struct pvx_link *l);
void link_enter_active(struct pvx_link *l);
void link_enter_backoff(struct pvx_link *l);
void link_enter_failed(struct pvx_link *l);
void link_enter_torn_down(struct pvx_link *l);
void link_stop_timer(struct pvx_link *l);
void link_probe(struct pvx_link *l);
void link_probe_later(struct pvx_link *l);
/* The provider changed (pid or path): forget its pidfd. */
void link_provider_reset(struct pvx_link *l);

#endif
