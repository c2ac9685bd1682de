/* pvxctl retry's decision (fsm/link.c link_retry_now): a BACKOFF link
 * takes the table's own retry event at once, its timer no longer armed;
 * a link in any other state is left as it is with -EBUSY.  And which
 * links a key names (link_key_match). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "lib/worker.h"
#include "fsm/fsm.h"
#include "fsm/link.h"
#include "fsm/plugin.h"
#include "t/tap.h"

static _Atomic int plant_result, plants;

static int script_plant(const struct pvx_link_spec *spec, struct pvx_planted *p, char *why, size_t n)
{
	plants++;
	p->made = plant_result == 0;
	snprintf(why, n, "scripted result %d", (int)plant_result);
	return plant_result;
}
static void script_remove(struct pvx_planted *p) { p->made = false; }
static int script_probe(const struct pvx_link_spec *spec, char *why, size_t n) { return 0; }

static const struct pvx_plugin script_plugin = {
	.type = "script",
	.plant = script_plant,
	.remove = script_remove,
	.probe = script_probe,
};

static struct {
	int n;
	enum link_state from, to;
	enum link_event ev;
} seen;

static void observe(struct pvx_link *l, enum link_state from, enum link_event ev, enum link_state to)
{
	if (seen.n++)
		return;
	seen.from = from;
	seen.ev = ev;
	seen.to = to;
}

static struct pvx_link *new_link(void)
{
	struct pvx_link_spec spec = {
		.type = LINK_UNIX, .name = "svc", .consumer = "app", .role = "any",
		.interface = "unix", .target = "/run/svc.sock", .socket = "/run/p.sock",
	};
	struct pvx_link *l = link_new(&spec);
	l->plugin = &script_plugin;
	return l;
}

static void fire(struct pvx_link *l, enum link_event ev)
{
	link_fire(l, ev);
	pvx_worker_drain(5.0);
}

int main(void)
{
	pvx_loop = EV_DEFAULT;
	pvx_log_threshold = PVX_LOG_ERROR;
	pvx_worker_init(pvx_loop, 2);
	pvx_backoff_base = 3600; /* the timer alone would retry in an hour */
	pvx_backoff_cap = 7200;

	struct pvx_link *l = new_link();
	plant_result = -ENOENT;
	fire(l, EV_DESIRED);
	is_int(l->state, LS_BACKOFF, "plant fails: BACKOFF");
	ok(ev_is_active(&l->timer), "... its retry timer armed");
	ok(ev_timer_remaining(pvx_loop, &l->timer) > 3000, "... an hour away");

	/* The provider is there now: retry plants at once. */
	plant_result = 0;
	int p0 = plants;
	seen.n = 0;
	fsm_observer = observe;
	is_int(link_retry_now(l), 0, "retry of a BACKOFF link: 0");
	ok(seen.n > 0 && seen.from == LS_BACKOFF && seen.ev == EV_RETRY_TIMER && seen.to == LS_PENDING,
	   "... the table's (BACKOFF, retry-timer) row taken, to PENDING");
	ok(!ev_is_active(&l->timer), "... the backoff timer stopped (BACKOFF's exit hook)");
	pvx_worker_drain(5.0);
	is_int(plants - p0, 1, "... planted once more, without the loop running the timer");
	is_int(l->state, LS_ACTIVE, "... and ACTIVE");

	/* Any other state: nothing fired. */
	seen.n = 0;
	is_int(link_retry_now(l), -EBUSY, "retry of an ACTIVE link: -EBUSY");
	is_int(seen.n, 0, "... no event fired");
	is_int(l->state, LS_ACTIVE, "... still ACTIVE");
	fsm_observer = NULL;
	link_free(l);

	l = new_link();
	plant_result = PVX_REFUSED;
	fire(l, EV_DESIRED);
	is_int(l->state, LS_FAILED, "plant refused: FAILED");
	is_int(link_retry_now(l), -EBUSY, "retry of a FAILED link: -EBUSY (it waits for a graph change)");
	is_int(l->state, LS_FAILED, "... still FAILED");
	link_free(l);

	l = new_link();
	is_int(link_retry_now(l), -EBUSY, "retry of a NEW link: -EBUSY");
	is_int(link_key_match(l, "app/svc -> /run/svc.sock"), 2, "key: the whole key");
	is_int(link_key_match(l, "app/svc"), 1, "key: consumer/name");
	is_int(link_key_match(l, "app/sv"), 0, "key: a prefix of the name is no match");
	is_int(link_key_match(l, "app/svc -> /run/other.sock"), 0, "key: another target");
	is_int(link_key_match(l, "app/svc -> /run/svc.sock2"), 0, "key: a longer target");
	is_int(link_key_match(l, "ap/svc"), 0, "key: another consumer");
	is_int(link_key_match(l, "appsvc"), 0, "key: no slash");
	link_free(l);

	pvx_worker_shutdown();
	return tap_done();
}
