/* Link objects and the state hooks the table (fsm.c) calls: planting
 * through the link type's plugin, the retry timer with capped exponential
 * backoff, and pidfd watchers that notice a consumer or provider exit at
 * once instead of at the next poll. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "lib/log.h"
#include "lib/ns.h"
#include "lib/util.h"
#include "fsm/link.h"
#include "fsm/plugin.h"

double pvx_backoff_base = 0.25;
double pvx_backoff_cap = 30.0;

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
	log_info("link %s: consumer pid %d exited", link_key(l), (int)l->planted_pid);
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
	l->since = pvx_wallclock();
	l->listen_fd = -1;
	l->consumer_pidfd = l->provider_pidfd = -1;
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

static void unplant(struct pvx_link *l)
{
	if (l->plugin)
		l->plugin->unplant(l);
}

void link_free(struct pvx_link *l)
{
	if (!l)
		return;
	unplant(l);
	close_pidfds(l);
	ev_timer_stop(pvx_loop, &l->timer);
	pvx_link_spec_free(&l->spec);
	free(l);
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

void link_enter_pending(struct pvx_link *l)
{
	unplant(l);
	close_pidfds(l);
	if (!l->plugin) {
		link_error(l, 0, "link type '%s' %s", pvx_link_type_names[l->spec.type],
			   pvx_plugin_missing_reason(l->spec.type));
		link_fire(l, EV_INJECT_REFUSED);
		return;
	}
	if (l->spec.consumer_pid && pvx_ns_shares_our_root(l->spec.consumer_pid)) {
		link_error(l, 0, "consumer pid %d runs in the host's root (still starting?), not planting",
			   (int)l->spec.consumer_pid);
		link_fire(l, EV_INJECT_FAILED);
		return;
	}
	int r = l->plugin->plant(l);
	if (r == 0)
		r = watch_consumer(l);
	if (r == PVX_REFUSED) {
		link_fire(l, EV_INJECT_REFUSED);
	} else if (r < 0) {
		unplant(l);
		link_fire(l, EV_INJECT_FAILED);
	} else {
		link_fire(l, EV_INJECT_OK);
	}
}

void link_probe(struct pvx_link *l)
{
	int r = l->plugin->probe(l);
	if (r == 0) {
		watch_provider(l);
		link_fire(l, EV_PROVIDER_UP);
	} else {
		link_probe_later(l);
	}
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
	l->attempts = 0;
	l->last_error[0] = '\0';
}

void link_enter_backoff(struct pvx_link *l)
{
	unplant(l);
	close_pidfds(l);
	start_timer(l);
}

void link_enter_failed(struct pvx_link *l)
{
	unplant(l);
	close_pidfds(l);
	l->attempts = 0;
}

void link_enter_torn_down(struct pvx_link *l)
{
	unplant(l);
	close_pidfds(l);
	ev_timer_stop(pvx_loop, &l->timer);
	l->attempts = 0;
}
