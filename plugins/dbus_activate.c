/* Activation on first call on the hosted bus (plugins/dbus_activate.h). */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <dbus/dbus.h>

#include "lib/log.h"
#include "lib/loop.h"
#include "lib/util.h"
#include "policy/activation.h"
#include "pvctrl/events.h"
#include "fsm/link.h"
#include "plugins/dbus_activate.h"

struct dbus_hold {
	struct dbus_hold *next;
	struct pvx_link *link;
	char *dest;
	ev_timer timer;
	dbus_hold_fn done;
	void *ctx;
};

static char *bus_socket;
static double hold_timeout = DBUS_ACTIVATE_DEFAULT_TIMEOUT;
static char **claims;
static size_t n_claims;
static char **owned; /* loop: names with an owner */
static size_t n_owned;
static bool known;   /* loop: the watcher's view is current */
static struct dbus_hold *holds;

/* Watcher -> loop. */
struct update {
	struct update *next;
	int kind; /* 0: name owned, 1: name lost, 2: reset (disconnected), 3: known */
	char *name;
};
static pthread_t watcher;
static bool watching, stop_watch;
static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static struct update *q_head, **q_tail = &q_head;
static ev_async q_async;

static bool in(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

bool dbus_activate_link(const struct pvx_link *l)
{
	return bus_socket && l->spec.provider && strcmp(l->spec.provider, "_pv_") == 0 &&
	       l->spec.socket && strcmp(l->spec.socket, bus_socket) == 0;
}

bool dbus_activate_claimed(const char *name)
{
	return in(claims, n_claims, name);
}

bool dbus_activate_known(void)
{
	return known;
}

bool dbus_activate_owned(const char *name)
{
	return in(owned, n_owned, name);
}

unsigned dbus_activate_held(const struct pvx_link *l)
{
	unsigned n = 0;
	for (struct dbus_hold *h = holds; h; h = h->next)
		n += h->link == l;
	return n;
}

void dbus_activate_set_claims(const char *const *names, size_t n)
{
	strv_free(claims, n_claims);
	claims = calloc(n + 1, sizeof(char *));
	n_claims = 0;
	for (size_t i = 0; claims && i < n; i++)
		if ((claims[n_claims] = strdup(names[i])))
			n_claims++;
}

static void unlink_hold(struct dbus_hold *h)
{
	for (struct dbus_hold **p = &holds; *p; p = &(*p)->next)
		if (*p == h) {
			*p = h->next;
			break;
		}
	ev_timer_stop(pvx_loop, &h->timer);
}

void dbus_activate_cancel(struct dbus_hold *h)
{
	if (!h)
		return;
	unlink_hold(h);
	free(h->dest);
	free(h);
}

static void finish(struct dbus_hold *h, bool owner)
{
	unlink_hold(h);
	dbus_hold_fn done = h->done;
	void *ctx = h->ctx;
	free(h->dest);
	free(h);
	done(ctx, owner);
}

static void timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct dbus_hold *h = (struct dbus_hold *)((char *)w - offsetof(struct dbus_hold, timer));
	log_warn("link %s: %s got no owner within %.1f s; the held call fails", link_key(h->link),
		 h->dest, hold_timeout);
	finish(h, false);
}

/* Releases every hold of name (new owner seen). */
static void owner_appeared(const char *name)
{
	for (;;) {
		struct dbus_hold *h = holds;
		while (h && !activation_releases(h->dest, name, ":"))
			h = h->next;
		if (!h)
			return;
		log_info("link %s: %s has an owner now; the held call goes on", link_key(h->link), name);
		finish(h, true);
	}
}

/* One POST per name while calls wait for it. */
static bool asked(const char *dest)
{
	for (struct dbus_hold *h = holds; h; h = h->next)
		if (strcmp(h->dest, dest) == 0)
			return true;
	return false;
}

struct dbus_hold *dbus_activate_hold(struct pvx_link *l, const char *dest, dbus_hold_fn done,
				     void *ctx)
{
	struct dbus_hold *h = calloc(1, sizeof(*h));
	if (!h || !(h->dest = strdup(dest))) {
		free(h);
		return NULL;
	}
	bool first = !asked(dest);
	h->link = l;
	h->done = done;
	h->ctx = ctx;
	ev_timer_init(&h->timer, timeout_cb, hold_timeout, 0.);
	ev_timer_start(pvx_loop, &h->timer);
	h->next = holds;
	holds = h;
	if (first) {
		log_info("link %s: a call to %s, which nobody owns yet: asking pv-ctrl to start its owner",
			 link_key(l), dest);
		events_dbus_activate(dest);
	}
	return h;
}

/* ---- the watcher ---------------------------------------------------- */

static void push(int kind, const char *name)
{
	struct update *u = calloc(1, sizeof(*u));
	if (!u)
		return;
	u->kind = kind;
	u->name = name ? strdup(name) : NULL;
	pthread_mutex_lock(&q_lock);
	*q_tail = u;
	q_tail = &u->next;
	pthread_mutex_unlock(&q_lock);
	ev_async_send(pvx_loop, &q_async);
}

static void set_owned(const char *name, bool yes)
{
	for (size_t i = 0; i < n_owned; i++)
		if (strcmp(owned[i], name) == 0) {
			if (!yes) {
				free(owned[i]);
				owned[i] = owned[--n_owned];
			}
			return;
		}
	if (!yes)
		return;
	char **v = realloc(owned, (n_owned + 1) * sizeof(*v));
	if (!v)
		return;
	owned = v;
	if ((owned[n_owned] = strdup(name)))
		n_owned++;
}

/* Every queued update, in order; the queue is left empty. */
static struct update *q_take(void)
{
	pthread_mutex_lock(&q_lock);
	struct update *u = q_head;
	q_head = NULL;
	q_tail = &q_head;
	pthread_mutex_unlock(&q_lock);
	return u;
}

static void q_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
	struct update *u = q_take();
	while (u) {
		struct update *next = u->next;
		switch (u->kind) {
		case 0:
			set_owned(u->name, true);
			owner_appeared(u->name);
			break;
		case 1:
			set_owned(u->name, false);
			break;
		case 2:
			strv_free(owned, n_owned);
			owned = NULL;
			n_owned = 0;
			known = false;
			break;
		default:
			known = true;
			break;
		}
		free(u->name);
		free(u);
		u = next;
	}
}

static bool stopping_watch(void)
{
	pthread_mutex_lock(&q_lock);
	bool s = stop_watch;
	pthread_mutex_unlock(&q_lock);
	return s;
}

/* One connection's life: names, then NameOwnerChanged until it ends. */
static void watch_once(const char *address)
{
	DBusError e;
	dbus_error_init(&e);
	DBusConnection *c = dbus_connection_open_private(address, &e);
	if (!c) {
		dbus_error_free(&e);
		return;
	}
	dbus_connection_set_exit_on_disconnect(c, FALSE);
	if (!dbus_bus_register(c, &e))
		goto out;
	dbus_bus_add_match(c, "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
			      "member='NameOwnerChanged'", &e);
	if (dbus_error_is_set(&e))
		goto out;
	DBusMessage *m = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS,
						      DBUS_INTERFACE_DBUS, "ListNames");
	DBusMessage *r = m ? dbus_connection_send_with_reply_and_block(c, m, 5000, &e) : NULL;
	if (m)
		dbus_message_unref(m);
	if (!r)
		goto out;
	char **names = NULL;
	int n = 0;
	if (dbus_message_get_args(r, &e, DBUS_TYPE_ARRAY, DBUS_TYPE_STRING, &names, &n, DBUS_TYPE_INVALID)) {
		for (int i = 0; i < n; i++)
			if (names[i][0] != ':')
				push(0, names[i]);
		dbus_free_string_array(names);
	}
	dbus_message_unref(r);
	push(3, NULL);
	while (!stopping_watch() && dbus_connection_read_write(c, 200)) {
		DBusMessage *s;
		while ((s = dbus_connection_pop_message(c))) {
			const char *name, *old, *new_owner;
			if (dbus_message_is_signal(s, DBUS_INTERFACE_DBUS, "NameOwnerChanged") &&
			    dbus_message_get_args(s, NULL, DBUS_TYPE_STRING, &name, DBUS_TYPE_STRING, &old,
						  DBUS_TYPE_STRING, &new_owner, DBUS_TYPE_INVALID) &&
			    name[0] != ':')
				push(new_owner[0] ? 0 : 1, name);
			dbus_message_unref(s);
		}
	}
	push(2, NULL);
out:
	dbus_error_free(&e);
	dbus_connection_close(c);
	dbus_connection_unref(c);
}

static void *watch_main(void *arg)
{
	const char *address = arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (!stopping_watch()) {
		watch_once(address);
		for (int i = 0; i < 4 && !stopping_watch(); i++)
			usleep(50000);
	}
	return NULL;
}

static char *watch_address;

int dbus_activate_start(const char *socket_path, double timeout)
{
	bus_socket = strdup(socket_path);
	struct pvx_buf a = {0};
	pvx_buf_printf(&a, "unix:path=%s", socket_path);
	watch_address = a.data;
	if (!bus_socket || !watch_address)
		return -1;
	if (timeout > 0)
		hold_timeout = timeout;
	ev_async_init(&q_async, q_cb);
	ev_async_start(pvx_loop, &q_async);
	ev_unref(pvx_loop); /* the watcher alone must not keep the loop alive */
	stop_watch = false;
	if (pthread_create(&watcher, NULL, watch_main, watch_address) != 0)
		return -1;
	watching = true;
	return 0;
}

void dbus_activate_stop(void)
{
	if (watching) {
		pthread_mutex_lock(&q_lock);
		stop_watch = true;
		pthread_mutex_unlock(&q_lock);
		pthread_join(watcher, NULL);
		watching = false;
		ev_ref(pvx_loop);
		ev_async_stop(pvx_loop, &q_async);
	}
	while (holds)
		finish(holds, false);
	struct update *u = q_take();
	while (u) {
		struct update *next = u->next;
		free(u->name);
		free(u);
		u = next;
	}
	strv_free(claims, n_claims);
	strv_free(owned, n_owned);
	claims = owned = NULL;
	n_claims = n_owned = 0;
	known = false;
	free(bus_socket);
	free(watch_address);
	bus_socket = watch_address = NULL;
}
