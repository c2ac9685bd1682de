/* Link objects and the state hooks the table (fsm.c) calls: planting
 * and probing through the link type's plugin on a worker thread (nothing
 * that touches a container runs on the loop), the retry timer with capped
 * exponential backoff, and pidfd watchers that notice a consumer or
 * provider exit at once instead of at the next poll. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "lib/log.h"
#include "lib/ns.h"
#include "lib/util.h"
#include "fsm/fsm.h"
#include "fsm/link.h"
#include "fsm/plugin.h"

double pvx_backoff_base = 0.25;
double pvx_backoff_cap = 30.0;
double pvx_step_timeout = 10.0;
uint64_t pvx_link_generation;

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pvx_link *l = w->data;
	link_fire(l, EV_RETRY_TIMER);
}

static void consumer_exit_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct pvx_link *l = w->data;
	ev_io_stop(loop, w);
	l->consumer_pidfd = safe_close(l->consumer_pidfd);
	log_info("link %s: consumer pid %d exited", link_key(l),
		 (int)(l->planted.pid ? l->planted.pid : l->spec.consumer_pid));
	link_fire(l, EV_CONSUMER_EXITED);
}

static void provider_exit_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct pvx_link *l = w->data;
	ev_io_stop(loop, w);
	l->provider_pidfd = safe_close(l->provider_pidfd);
	link_error(l, 0, "provider pid %d exited", (int)l->spec.provider_pid);
	link_fire(l, EV_PROVIDER_DOWN);
}

static void step_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents);

struct pvx_link *link_new(const struct pvx_link_spec *spec)
{
	struct pvx_link *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	if (pvx_link_spec_copy(&l->spec, spec) < 0) {
		free(l);
		return NULL;
	}
	l->plugin = pvx_plugin_for(spec->type);
	l->state = LS_NEW;
	fsm_state_count[LS_NEW]++;
	l->since = pvx_wallclock();
	l->planted.fd = -1;
	l->consumer_pidfd = l->provider_pidfd = -1;
	ev_init(&l->step_timer, step_timeout_cb);
	l->step_timer.data = l;
	ev_init(&l->timer, timer_cb);
	l->timer.data = l;
	ev_init(&l->consumer_exit_watcher, consumer_exit_cb);
	l->consumer_exit_watcher.data = l;
	ev_init(&l->provider_exit_watcher, provider_exit_cb);
	l->provider_exit_watcher.data = l;
	return l;
}

static void close_pidfds(struct pvx_link *l)
{
	ev_io_stop(pvx_loop, &l->consumer_exit_watcher);
	ev_io_stop(pvx_loop, &l->provider_exit_watcher);
	l->consumer_pidfd = safe_close(l->consumer_pidfd);
	l->provider_pidfd = safe_close(l->provider_pidfd);
}

/* The job mechanism: lib/worker's done() on the loop, back to the link. */
static void job_done(struct pvx_job *w)
{
	struct link_job *j = (struct link_job *)w;
	struct pvx_link *l = j->link;
	if (l) {
		for (struct link_job **p = &l->jobs; *p; p = &(*p)->next_of_link)
			if (*p == j) {
				*p = j->next_of_link;
				break;
			}
		l->jobs_out--;
		if (j->stuck)
			l->jobs_stuck--;
		if (l->step == j)
			l->step = NULL;
	}
	j->finish(j, l && !w->abandoned && j->gen == l->gen ? l : NULL);
}

void link_job_submit(struct pvx_link *l, struct link_job *j, pvx_job_fn run,
		     void (*finish)(struct link_job *j, struct pvx_link *l))
{
	j->job.run = run;
	j->job.done = job_done;
	j->finish = finish;
	j->stuck = false;
	j->link = l;
	j->next_of_link = NULL;
	j->gen = l ? l->gen : 0;
	if (l) {
		j->next_of_link = l->jobs;
		l->jobs = j;
		l->jobs_out++;
	}
	pvx_worker_submit(&j->job);
}

/* Stops waiting for the plant or probe in flight: its result, when it
 * comes, is undone instead of applied. */
static void cancel_step(struct pvx_link *l)
{
	ev_timer_stop(pvx_loop, &l->step_timer);
	if (l->step) {
		l->step->job.abandoned = true;
		l->step = NULL;
	}
}

struct remove_job {
	struct link_job lj;
	const struct pvx_plugin *plugin;
	struct pvx_planted planted;
};

static void remove_run(struct pvx_job *w)
{
	struct remove_job *j = (struct remove_job *)w;
	j->plugin->remove(&j->planted);
}

static void remove_finish(struct link_job *lj, struct pvx_link *l)
{
	free(lj);
}

/* Removes p on a worker (p is taken over, *p reset). */
static void remove_later(const struct pvx_plugin *plugin, struct pvx_planted *p)
{
	if (p->made) {
		struct remove_job *j = calloc(1, sizeof(*j));
		if (j) {
			j->plugin = plugin;
			j->planted = *p;
			link_job_submit(NULL, &j->lj, remove_run, remove_finish);
		} else {
			log_error("out of memory: a planted resource is left in consumer pid %d", (int)p->pid);
			if (p->fd >= 0)
				close(p->fd);
		}
	}
	*p = (struct pvx_planted){ .fd = -1 };
}

void link_unplant(struct pvx_link *l)
{
	cancel_step(l);
	if (!l->plugin)
		return;
	if (l->live && l->plugin->release)
		l->plugin->release(l);
	l->live = NULL;
	l->gen++;
	remove_later(l->plugin, &l->planted);
}

void link_free(struct pvx_link *l)
{
	if (!l)
		return;
	link_unplant(l);
	close_pidfds(l);
	ev_timer_stop(pvx_loop, &l->timer);
	/* Jobs still out come back to no one: they undo what they made. */
	for (struct link_job *j = l->jobs; j; j = j->next_of_link)
		j->link = NULL;
	fsm_state_count[l->state]--;
	pvx_link_spec_free(&l->spec);
	free(l->relay_stats);
	free(l->type_stats);
	free(l);
}

void *link_type_stats(struct pvx_link *l, const struct pvx_plugin *p)
{
	if (!p || p != l->plugin)
		return NULL;
	if (l->type_stats && l->type_stats_of == p)
		return l->type_stats;
	if (!p->stats_size)
		return NULL;
	void *st = calloc(1, p->stats_size);
	if (!st)
		return NULL;
	free(l->type_stats);
	l->type_stats = st;
	l->type_stats_of = p;
	return st;
}

const void *link_type_stats_peek(const struct pvx_link *l, const struct pvx_plugin *p)
{
	return l->type_stats_of == p ? l->type_stats : NULL;
}

const char *link_key(const struct pvx_link *l)
{
	/* Log lines only: one static buffer is enough in a single thread. */
	static char buf[600];
	snprintf(buf, sizeof(buf), "%s/%s -> %s", l->spec.consumer, l->spec.name, l->spec.target);
	return buf;
}

void link_error(struct pvx_link *l, int err, const char *fmt, ...)
{
	char msg[sizeof(l->last_error)];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err && n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s", strerror(err < 0 ? -err : err));
	l->errors++;
	if (strcmp(msg, l->last_error) != 0) {
		log_warn("link %s: %s", link_key(l), msg);
		snprintf(l->last_error, sizeof(l->last_error), "%s", msg);
		pvx_link_generation++;
	}
}

static void start_timer(struct pvx_link *l)
{
	double delay = pvx_backoff_base;
	for (unsigned i = 0; i < l->attempts && delay < pvx_backoff_cap; i++)
		delay *= 2;
	if (delay > pvx_backoff_cap)
		delay = pvx_backoff_cap;
	l->attempts++;
	ev_timer_stop(pvx_loop, &l->timer);
	ev_timer_set(&l->timer, delay, 0.);
	ev_timer_start(pvx_loop, &l->timer);
}

void link_stop_timer(struct pvx_link *l)
{
	ev_timer_stop(pvx_loop, &l->timer);
}

/* The consumer's pidfd tells us at once when the container goes away. */
static int watch_consumer(struct pvx_link *l)
{
	if (l->spec.consumer_pid == 0 || l->consumer_pidfd >= 0)
		return 0;
	int fd = pvx_pidfd_open(l->spec.consumer_pid);
	if (fd < 0)
		return fd;
	l->consumer_pidfd = fd;
	ev_io_set(&l->consumer_exit_watcher, fd, EV_READ);
	ev_io_start(pvx_loop, &l->consumer_exit_watcher);
	return 0;
}

static void watch_provider(struct pvx_link *l)
{
	if (l->provider_pidfd >= 0 || l->spec.provider_pid == 0)
		return;
	int fd = pvx_pidfd_open(l->spec.provider_pid);
	if (fd < 0)
		return; /* gone already: the next connect will tell */
	l->provider_pidfd = fd;
	ev_io_set(&l->provider_exit_watcher, fd, EV_READ);
	ev_io_start(pvx_loop, &l->provider_exit_watcher);
}

void link_provider_reset(struct pvx_link *l)
{
	ev_io_stop(pvx_loop, &l->provider_exit_watcher);
	l->provider_pidfd = safe_close(l->provider_pidfd);
}

/* Planting, off the loop: the job carries a copy of the specification
 * and what was planted before (removed first, in the same job, so the new
 * socket never meets the old one). */
struct plant_job {
	struct link_job lj;
	const struct pvx_plugin *plugin;
	struct pvx_link_spec spec;
	struct pvx_planted old, planted;
	int result;
	char why[160];
};

static void plant_run(struct pvx_job *w)
{
	struct plant_job *j = (struct plant_job *)w;
	if (j->old.made)
		j->plugin->remove(&j->old);
	if (j->spec.consumer_pid && pvx_ns_shares_our_root(j->spec.consumer_pid)) {
		snprintf(j->why, sizeof(j->why),
			 "consumer pid %d runs in the host's root (still starting?), not planting",
			 (int)j->spec.consumer_pid);
		j->result = -EAGAIN;
		return;
	}
	j->result = j->plugin->plant(&j->spec, &j->planted, j->why, sizeof(j->why));
	if (j->result != 0 && j->planted.made)
		j->plugin->remove(&j->planted);
}

static void plant_job_free(struct plant_job *j)
{
	pvx_link_spec_free(&j->spec);
	free(j);
}

static void plant_finish(struct link_job *lj, struct pvx_link *l)
{
	struct plant_job *j = (struct plant_job *)lj;
	if (!l) {
		/* No longer wanted: undo what it made. */
		remove_later(j->plugin, &j->planted);
		plant_job_free(j);
		return;
	}
	ev_timer_stop(pvx_loop, &l->step_timer);
	int r = j->result;
	if (r == 0) {
		l->planted = j->planted;
		j->planted = (struct pvx_planted){ .fd = -1 };
		r = l->plugin->adopt ? l->plugin->adopt(l, j->why, sizeof(j->why)) : 0;
		if (r == 0) {
			r = watch_consumer(l);
			if (r < 0)
				snprintf(j->why, sizeof(j->why), "consumer pid %d: %s",
					 (int)l->spec.consumer_pid, strerror(-r));
		}
	}
	if (r != 0)
		link_error(l, 0, "%s", j->why[0] ? j->why : strerror(r < 0 ? -r : EINVAL));
	plant_job_free(j);
	if (r == PVX_REFUSED) {
		link_fire(l, EV_INJECT_REFUSED);
	} else if (r < 0) {
		link_unplant(l);
		link_fire(l, EV_INJECT_FAILED);
	} else {
		link_fire(l, EV_INJECT_OK);
	}
}

static void step_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pvx_link *l = w->data;
	struct link_job *j = l->step;
	if (!j)
		return;
	j->stuck = true;
	l->jobs_stuck++;
	cancel_step(l);
	link_error(l, 0, "%s did not finish in %.0f s (does the container's filesystem answer?)",
		   l->state == LS_PENDING ? "planting" : "probing the provider", pvx_step_timeout);
	link_fire(l, l->state == LS_PENDING ? EV_INJECT_FAILED : EV_PROVIDER_DOWN);
}

static void start_step(struct pvx_link *l, struct link_job *j, pvx_job_fn run,
		       void (*finish)(struct link_job *j, struct pvx_link *l))
{
	l->step = j;
	link_job_submit(l, j, run, finish);
	ev_timer_set(&l->step_timer, pvx_step_timeout, 0.);
	ev_timer_start(pvx_loop, &l->step_timer);
}

/* A job of the link overran its time and is still out: starting another
 * would only add a thread to the ones that container holds. */
static bool held_back(struct pvx_link *l)
{
	if (!l->jobs_stuck)
		return false;
	link_error(l, 0, "%u job(s) of this link still wait in the container; not starting another",
		   l->jobs_stuck);
	return true;
}

void link_enter_pending(struct pvx_link *l)
{
	cancel_step(l);
	close_pidfds(l);
	if (!l->plugin) {
		link_error(l, 0, "link type '%s' %s", pvx_link_type_names[l->spec.type],
			   pvx_plugin_missing_reason(l->spec.type));
		link_fire(l, EV_INJECT_REFUSED);
		return;
	}
	if (l->live && l->plugin->release)
		l->plugin->release(l);
	l->live = NULL;
	l->gen++;
	if (held_back(l)) {
		link_unplant(l);
		link_fire(l, EV_INJECT_FAILED);
		return;
	}
	struct plant_job *j = calloc(1, sizeof(*j));
	if (!j || pvx_link_spec_copy(&j->spec, &l->spec) < 0) {
		free(j);
		link_unplant(l);
		link_error(l, -ENOMEM, "planting");
		link_fire(l, EV_INJECT_FAILED);
		return;
	}
	j->plugin = l->plugin;
	j->planted.fd = -1;
	j->old = l->planted;
	l->planted = (struct pvx_planted){ .fd = -1 };
	int r = l->plugin->prepare ? l->plugin->prepare(l, &j->planted) : 0;
	if (r != 0) {
		remove_later(l->plugin, &j->old);
		plant_job_free(j);
		link_fire(l, r == PVX_REFUSED ? EV_INJECT_REFUSED : EV_INJECT_FAILED);
		return;
	}
	start_step(l, &j->lj, plant_run, plant_finish);
}

/* Probing, off the loop too: the provider's socket or node is looked up
 * inside the provider. */
struct probe_job {
	struct link_job lj;
	const struct pvx_plugin *plugin;
	struct pvx_link_spec spec;
	int result;
	char why[160];
};

static void probe_run(struct pvx_job *w)
{
	struct probe_job *j = (struct probe_job *)w;
	j->result = j->plugin->probe(&j->spec, j->why, sizeof(j->why));
}

static void probe_finish(struct link_job *lj, struct pvx_link *l)
{
	struct probe_job *j = (struct probe_job *)lj;
	int r = j->result;
	if (l) {
		ev_timer_stop(pvx_loop, &l->step_timer);
		if (r != 0 && j->why[0])
			link_error(l, 0, "%s", j->why);
	}
	pvx_link_spec_free(&j->spec);
	free(j);
	if (!l || l->state != LS_INJECTED)
		return;
	if (r == 0) {
		watch_provider(l);
		link_fire(l, EV_PROVIDER_UP);
	} else {
		link_probe_later(l);
	}
}

void link_probe(struct pvx_link *l)
{
	if (l->step)
		return; /* one at a time: its answer is as good */
	if (held_back(l)) {
		link_probe_later(l);
		return;
	}
	struct probe_job *j = calloc(1, sizeof(*j));
	if (!j || pvx_link_spec_copy(&j->spec, &l->spec) < 0) {
		free(j);
		link_probe_later(l);
		return;
	}
	j->plugin = l->plugin;
	start_step(l, &j->lj, probe_run, probe_finish);
}

void link_probe_later(struct pvx_link *l)
{
	if (!ev_is_active(&l->timer))
		start_timer(l);
}

void link_enter_injected(struct pvx_link *l)
{
	l->attempts = 0;
	link_probe(l);
}

void link_enter_active(struct pvx_link *l)
{
	cancel_step(l);
	l->attempts = 0;
	l->last_error[0] = '\0';
}

void link_enter_backoff(struct pvx_link *l)
{
	link_unplant(l);
	close_pidfds(l);
	start_timer(l);
}

void link_enter_failed(struct pvx_link *l)
{
	link_unplant(l);
	close_pidfds(l);
	l->attempts = 0;
}

void link_enter_torn_down(struct pvx_link *l)
{
	link_unplant(l);
	close_pidfds(l);
	ev_timer_stop(pvx_loop, &l->timer);
	l->attempts = 0;
}

int link_key_match(const struct pvx_link *l, const char *key)
{
	size_t c = strlen(l->spec.consumer), n = strlen(l->spec.name);
	if (strncmp(key, l->spec.consumer, c) != 0 || key[c] != '/' ||
	    strncmp(key + c + 1, l->spec.name, n) != 0)
		return 0;
	const char *rest = key + c + 1 + n;
	if (!*rest)
		return 1;
	return strncmp(rest, " -> ", 4) == 0 && strcmp(rest + 4, l->spec.target) == 0 ? 2 : 0;
}

int link_retry_now(struct pvx_link *l)
{
	if (l->state != LS_BACKOFF)
		return -EBUSY;
	log_info("link %s: retry asked by the operator", link_key(l));
	link_fire(l, EV_RETRY_TIMER);
	return 0;
}
