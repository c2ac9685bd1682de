/* See looptrace.h.  An ev_check of the highest priority runs first after
 * the poll, an ev_prepare of the lowest last before the next one: what lies
 * between is the iteration's callbacks. */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "lib/log.h"
#include "lib/looptrace.h"

static struct {
	ev_check after_poll;
	ev_prepare before_poll;
	double threshold_ms, wall0, cpu0, worst_ms;
	bool on, armed;
} tr;

static double clock_ms(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void after_poll_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	(void)loop, (void)w, (void)revents;
	tr.wall0 = clock_ms(CLOCK_MONOTONIC);
	tr.cpu0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
	tr.armed = true;
}

static void before_poll_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop, (void)w, (void)revents;
	if (!tr.armed)
		return;
	tr.armed = false;
	double wall = clock_ms(CLOCK_MONOTONIC) - tr.wall0;
	double cpu = clock_ms(CLOCK_THREAD_CPUTIME_ID) - tr.cpu0;
	if (wall > tr.worst_ms)
		tr.worst_ms = wall;
	if (wall > tr.threshold_ms)
		log_error("loop: iteration took %.2f ms (%.2f ms CPU on the loop thread; worst %.2f ms) "
			  "from CLOCK_MONOTONIC %.3f ms",
			  wall, cpu, tr.worst_ms, tr.wall0);
}

void pvx_looptrace_start(struct ev_loop *loop)
{
	const char *v = getenv("PVX_LOOP_TRACE");
	if (!v || !*v)
		return;
	char *end;
	tr.threshold_ms = strtod(v, &end);
	if (*end || !(tr.threshold_ms >= 0))
		tr.threshold_ms = 1;
	ev_check_init(&tr.after_poll, after_poll_cb);
	ev_set_priority(&tr.after_poll, EV_MAXPRI);
	ev_check_start(loop, &tr.after_poll);
	ev_unref(loop);
	ev_prepare_init(&tr.before_poll, before_poll_cb);
	ev_set_priority(&tr.before_poll, EV_MINPRI);
	ev_prepare_start(loop, &tr.before_poll);
	ev_unref(loop);
	tr.on = true;
	log_info("loop trace: iterations over %.2f ms are logged", tr.threshold_ms);
}

void pvx_looptrace_stop(struct ev_loop *loop)
{
	if (!tr.on)
		return;
	ev_ref(loop);
	ev_check_stop(loop, &tr.after_poll);
	ev_ref(loop);
	ev_prepare_stop(loop, &tr.before_poll);
	tr.on = false;
}
