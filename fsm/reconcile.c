/* Reconciler: a hash table of live links keyed by (consumer, name, target)
 * plus a list in creation order for stable output.  Applying a graph of n
 * links costs O(n); an unchanged link costs a lookup and a compare. */
#include "config.h"

#include <string.h>

#include "lib/list.h"
#include "lib/log.h"
#include "lib/util.h"
#include "fsm/reconcile.h"
#include "fsm/plugin.h"

static struct pvx_link **buckets;
static size_t n_buckets, n_links;
static struct pvx_link *head, *tail, *zombies;
static uint64_t round_no;
static struct mesh_cursor *cursors;

static uint64_t key_hash(const struct pvx_link_spec *s)
{
	uint64_t h = pvx_hash64(s->consumer, strlen(s->consumer) + 1, PVX_HASH_SEED);
	h = pvx_hash64(s->name, strlen(s->name) + 1, h);
	return pvx_hash64(s->target, strlen(s->target), h);
}

/* The table doubles when it holds as many links as buckets, and the links
 * move to the new table MIGRATE_STEP old buckets per insert, not all at
 * once: rehashing 8,192 links in one go held the loop for 3 to 8 ms on a
 * VM.  Until they have all moved, a link is in one table or the other, and
 * find and unlink look in both.  Each insert moves 4 buckets, so the move
 * is over long before the new table is full. */
#define MIGRATE_STEP 4
static struct pvx_link **old_buckets;
static size_t n_old, migrated; /* old buckets below migrated have moved */

static void chain_push(struct pvx_link **b, size_t n, struct pvx_link *l)
{
	size_t i = l->key_hash & (n - 1);
	l->hash_next = b[i];
	b[i] = l;
}

static void migrate(size_t steps)
{
	for (; old_buckets && steps; steps--) {
		for (struct pvx_link *l = old_buckets[migrated], *next; l; l = next) {
			next = l->hash_next;
			chain_push(buckets, n_buckets, l);
		}
		old_buckets[migrated] = NULL;
		if (++migrated == n_old) {
			free(old_buckets);
			old_buckets = NULL;
			n_old = migrated = 0;
		}
	}
}

static int grow(void)
{
	migrate((size_t)-1); /* not reached with MIGRATE_STEP per insert */
	size_t n = n_buckets ? n_buckets * 2 : 64;
	struct pvx_link **b = calloc(n, sizeof(*b));
	if (!b)
		return -ENOMEM;
	old_buckets = buckets;
	n_old = n_buckets;
	migrated = 0;
	buckets = b;
	n_buckets = n;
	if (!old_buckets)
		n_old = 0;
	return 0;
}

/* Where a link with this hash is or would be chained. */
static struct pvx_link **chain_of(uint64_t h)
{
	if (old_buckets && (h & (n_old - 1)) >= migrated)
		return &old_buckets[h & (n_old - 1)];
	return &buckets[h & (n_buckets - 1)];
}

static struct pvx_link *find(const struct pvx_link_spec *s)
{
	if (!n_buckets)
		return NULL;
	uint64_t h = key_hash(s);
	for (struct pvx_link *l = *chain_of(h); l; l = l->hash_next)
		if (l->key_hash == h && pvx_link_spec_same_key(&l->spec, s))
			return l;
	return NULL;
}

static int insert(struct pvx_link *l)
{
	if (n_links + 1 > n_buckets && grow() < 0)
		return -ENOMEM;
	migrate(MIGRATE_STEP);
	l->key_hash = key_hash(&l->spec);
	struct pvx_link **chain = chain_of(l->key_hash);
	l->hash_next = *chain;
	*chain = l;
	PVX_LIST_APPEND(head, tail, l);
	n_links++;
	pvx_link_generation++;
	return 0;
}

static void unlink_link(struct pvx_link *l)
{
	for (struct mesh_cursor *c = cursors; c; c = c->next)
		if (c->at == l)
			c->at = l->next;
	struct pvx_link **pp = chain_of(l->key_hash);
	while (*pp != l)
		pp = &(*pp)->hash_next;
	*pp = l->hash_next;
	PVX_LIST_UNLINK_TAIL(head, tail, l);
	n_links--;
	pvx_link_generation++;
	l->zombie = true;
	l->next = zombies;
	zombies = l;
}

/* Fields whose change means the resource must be planted again. */
static bool spec_differs(const struct pvx_link_spec *a, const struct pvx_link_spec *b)
{
	return a->type != b->type || !pvx_streq0(a->socket, b->socket) ||
	       !pvx_streq0(a->role, b->role) || !pvx_streq0(a->interface, b->interface) ||
	       a->has_uid != b->has_uid || a->uid != b->uid ||
	       !pvx_streq0(a->ipv4_address, b->ipv4_address) ||
	       !pvx_streq0(a->mac_address, b->mac_address) || !pvx_streq0(a->globals, b->globals);
}

/* Brings a live link's spec up to date and says which event that is. */
static int update(struct pvx_link *l, const struct pvx_link_spec *s)
{
	/* Most links of a changed graph are unchanged: compare before
	 * copying anything. */
	pid_t cpid = s->consumer_pid ? s->consumer_pid : l->spec.consumer_pid;
	pid_t ppid = s->provider_pid ? s->provider_pid : l->spec.provider_pid;
	if (!spec_differs(&l->spec, s) && cpid == l->spec.consumer_pid &&
	    ppid == l->spec.provider_pid && pvx_streq0(s->provider, l->spec.provider))
		return -1;

	struct pvx_link_spec next;
	if (pvx_link_spec_copy(&next, s) < 0)
		return -ENOMEM;
	/* A pid of 0 means "unknown": it never tears a working link down. */
	if (next.consumer_pid == 0)
		next.consumer_pid = l->spec.consumer_pid;
	if (next.provider_pid == 0)
		next.provider_pid = l->spec.provider_pid;

	int ev = -1;
	if (spec_differs(&l->spec, &next))
		ev = EV_SPEC_CHANGED;
	else if (next.consumer_pid != l->spec.consumer_pid)
		ev = EV_PID_CHANGED;
	else if (next.provider_pid != l->spec.provider_pid ||
		 !pvx_streq0(next.provider, l->spec.provider))
		ev = EV_PROVIDER_CHANGED;

	if (ev < 0) {
		pvx_link_spec_free(&next);
		return -1;
	}
	/* What is planted belongs to the old spec and the old plugin. */
	if (ev != EV_PROVIDER_CHANGED)
		link_unplant(l);
	link_provider_reset(l);
	pvx_link_spec_free(&l->spec);
	l->spec = next;
	l->plugin = pvx_plugin_for(l->spec.type);
	return ev;
}

/* The graph being applied: links for APPLY_SLICE seconds per loop
 * iteration, then the links it no longer names, the same way, so that
 * applying 10,000 links never holds the loop for more than about that.
 * The bound is time, not a count: a link costs a few allocations, and on
 * a fresh heap each page of them is a page fault, which on some VMs costs
 * more than the rest of the link; 16 links took from 0.1 to 3 ms.  The
 * clock is read every APPLY_STEP links.  A timer of 0 s brings the next
 * step after whatever else is ready. */
#define APPLY_STEP 4
#define APPLY_SLICE 0.0005

static struct {
	const struct pvx_graph *g;
	size_t next;              /* index into g->links */
	bool sweeping;            /* links done: removing what g does not name */
	struct pvx_link *sweep_at;
	struct pvx_reconcile_stats st;
	mesh_applied_fn done;
	void *ctx;
	ev_timer step;
} ap;

static void apply_one(const struct pvx_link_spec *s, struct pvx_reconcile_stats *st)
{
	struct pvx_link *l = find(s);
	if (l && l->seen_round == round_no) {
		if (st->duplicates < MESH_DUPLICATES_LOGGED)
			log_warn("graph: duplicate link %s/%s -> %s skipped", s->consumer, s->name, s->target);
		st->duplicates++;
		return;
	}
	if (!l) {
		l = link_new(s);
		if (!l || insert(l) < 0) {
			log_error("graph: out of memory adding %s/%s", s->consumer, s->name);
			link_free(l);
			return;
		}
		l->seen_round = round_no;
		st->added++;
		link_fire(l, EV_DESIRED);
		return;
	}
	l->seen_round = round_no;
	int ev = update(l, s);
	if (ev < 0) {
		st->unchanged++;
		return;
	}
	st->changed++;
	link_fire(l, (enum link_event)ev);
}

/* One step; true when the whole graph is applied. */
static bool apply_step(size_t budget)
{
	while (!ap.sweeping && budget) {
		if (ap.next == ap.g->n_links) {
			ap.sweeping = true;
			ap.sweep_at = head;
			break;
		}
		apply_one(&ap.g->links[ap.next++], &ap.st);
		budget--;
	}
	/* Links created by this graph are at the tail with this round: the
	 * sweep passes them, and nothing else unlinks links meanwhile. */
	while (ap.sweeping && ap.sweep_at && budget) {
		struct pvx_link *l = ap.sweep_at;
		ap.sweep_at = l->next;
		budget--;
		if (l->seen_round == round_no)
			continue;
		ap.st.removed++;
		link_fire(l, EV_REMOVED);
		unlink_link(l);
	}
	return ap.sweeping && !ap.sweep_at;
}

/* At least one APPLY_STEP, then more until APPLY_SLICE has gone by; true
 * when the whole graph is applied. */
static bool apply_slice(void)
{
	double until = pvx_now() + APPLY_SLICE;
	bool done;
	while (!(done = apply_step(APPLY_STEP)) && pvx_now() < until)
		;
	return done;
}

static void apply_finish(void)
{
	mesh_applied_fn done = ap.done;
	void *ctx = ap.ctx;
	struct pvx_reconcile_stats st = ap.st;
	ev_timer_stop(pvx_loop, &ap.step);
	ap.g = NULL;
	if (done)
		done(ctx, &st);
}

static void step_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	if (!ap.g)
		return;
	if (apply_slice()) {
		apply_finish();
		return;
	}
	ev_timer_set(w, 0., 0.);
	ev_timer_start(loop, w);
}

/* A new round for g: links it names are marked with it, the others go. */
static void apply_begin(const struct pvx_graph *g, mesh_applied_fn done, void *ctx)
{
	round_no++;
	ap.g = g;
	ap.next = 0;
	ap.sweeping = false;
	ap.sweep_at = NULL;
	ap.st = (struct pvx_reconcile_stats){0};
	ap.done = done;
	ap.ctx = ctx;
}

void mesh_apply_start(const struct pvx_graph *g, mesh_applied_fn done, void *ctx)
{
	apply_begin(g, done, ctx);
	if (apply_slice()) {
		apply_finish();
		return;
	}
	ev_timer_init(&ap.step, step_cb, 0., 0.); /* as soon as the loop comes round */
	ev_timer_start(pvx_loop, &ap.step);
}

bool mesh_applying(void)
{
	return ap.g != NULL;
}

void mesh_apply(const struct pvx_graph *g, struct pvx_reconcile_stats *st)
{
	apply_begin(g, NULL, NULL);
	while (!apply_step((size_t)-1))
		;
	if (st)
		*st = ap.st;
	ap.g = NULL;
}

void mesh_shutdown(void)
{
	if (ap.g) {
		/* An apply cut short: its caller is told, with what was done. */
		ap.sweep_at = NULL;
		ap.sweeping = true;
		apply_finish();
	}
	for (struct pvx_link *l = head, *next; l; l = next) {
		next = l->next;
		link_fire(l, EV_SHUTDOWN);
		unlink_link(l);
	}
	mesh_reap();
	free(buckets);
	buckets = NULL;
	n_buckets = 0;
	free(old_buckets);
	old_buckets = NULL;
	n_old = migrated = 0;
}

void mesh_reap(void)
{
	while (zombies) {
		struct pvx_link *l = zombies;
		zombies = l->next;
		link_free(l);
	}
}

struct pvx_link *mesh_first(void)
{
	return head;
}

size_t mesh_count(void)
{
	return n_links;
}

void mesh_cursor_open(struct mesh_cursor *c)
{
	c->at = head;
	PVX_LIST_PUSH(cursors, c);
}

struct pvx_link *mesh_cursor_next(struct mesh_cursor *c)
{
	struct pvx_link *l = c->at;
	if (l)
		c->at = l->next;
	return l;
}

void mesh_cursor_close(struct mesh_cursor *c)
{
	PVX_LIST_UNLINK(cursors, c);
}
