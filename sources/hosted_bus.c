/* The hosted system bus (sources/hosted_bus.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/loop.h"
#include "lib/ns.h"
#include "lib/util.h"
#include "lib/worker.h"
#include "policy/bus_config.h"
#include "pvctrl/events.h"
#include "plugins/dbus_hosted.h"
#include "plugins/dbus_activate.h"
#include "sources/hosted_bus.h"

#define BACKOFF_FIRST 0.2
#define BACKOFF_MAX 10.0
#define STABLE_AFTER 30.0 /* a daemon up this long restarts at BACKOFF_FIRST */
#define READY_TIMEOUT 10.0

static bool enabled;
static char *dir, *uid_file, *daemon_prog, *sock, *conf_path, *passwd_path, *group_path;

/* Shared with the graph worker. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct bus_user *users; /* role uids; the strings are ours */
static size_t n_users;
static char *last_conf, *last_passwd;
static char **held_name, **held_by; /* who keeps each claimed name */
static size_t n_held;

/* Loop only. */
static pid_t bus_pid;
static int bus_pidfd = -1;
static ev_io bus_watch;
static ev_timer restart_timer;
static double backoff = BACKOFF_FIRST, started_at;
static unsigned starts;
static bool starting, stopping, reload_wanted;
static char **posted; /* refusals already sent as rollback events ("who\nwhy") */
static size_t n_posted;

static void start_daemon(void);

bool hosted_bus_enabled(void)
{
	return enabled;
}

const char *hosted_bus_socket(void)
{
	return sock;
}

int hosted_bus_pid(void)
{
	return (int)bus_pid;
}

unsigned hosted_bus_starts(void)
{
	return starts;
}

/* ---- files --------------------------------------------------------- */

static int write_atomic(const char *path, const char *text)
{
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	size_t len = strlen(text);
	ssize_t w = write(fd, text, len);
	int e = w == (ssize_t)len ? 0 : w < 0 ? errno : EIO;
	if (!e && fsync(fd) < 0)
		e = errno;
	close(fd);
	if (!e && rename(tmp, path) < 0)
		e = errno;
	if (e)
		unlink(tmp);
	return -e;
}

/* passwd and group are bind-mounted into the daemon's mount namespace:
 * rewritten in place (a rename would leave the daemon the old file). */
static int write_in_place(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	size_t len = strlen(text);
	ssize_t w = write(fd, text, len);
	int e = w == (ssize_t)len ? 0 : w < 0 ? errno : EIO;
	close(fd);
	return -e;
}

/* Under lock. */
static int save_uids(void)
{
	struct pvx_buf b = {0};
	pvx_buf_printf(&b, "# pv-xconnect: uids of the hosted bus's roles (role uid)\n");
	for (size_t i = 0; i < n_users; i++)
		pvx_buf_printf(&b, "%s %u\n", users[i].role, users[i].uid);
	int r = b.data ? write_atomic(uid_file, b.data) : -ENOMEM;
	pvx_buf_free(&b);
	return r;
}

static int add_user(const char *role, unsigned uid)
{
	struct bus_user *v = realloc(users, (n_users + 1) * sizeof(*v));
	if (!v)
		return -1;
	users = v;
	char *r = strdup(role);
	if (!r)
		return -1;
	v[n_users++] = (struct bus_user){ .role = r, .uid = uid };
	return 0;
}

static int load_uids(char *err, size_t n)
{
	FILE *f = fopen(uid_file, "re");
	if (!f)
		return errno == ENOENT ? 0 : (snprintf(err, n, "%s: %s", uid_file, strerror(errno)), -1);
	char line[256];
	unsigned lineno = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		char role[80];
		unsigned uid;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%79s %u", role, &uid) != 2 || uid < BUS_UID_FIRST || uid > BUS_UID_LAST) {
			log_warn("hosted bus: %s:%u: not 'role uid' with a uid in %u-%u; line ignored",
				 uid_file, lineno, BUS_UID_FIRST, BUS_UID_LAST);
			continue;
		}
		bool dup = false;
		for (size_t i = 0; i < n_users && !dup; i++)
			dup = strcmp(users[i].role, role) == 0 || users[i].uid == uid;
		if (dup) {
			log_warn("hosted bus: %s:%u: role or uid given twice; line ignored", uid_file, lineno);
			continue;
		}
		if (add_user(role, uid) < 0) {
			fclose(f);
			snprintf(err, n, "out of memory");
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/* Under lock. */
static int role_uid_locked(const char *role, unsigned *uid)
{
	for (size_t i = 0; i < n_users; i++)
		if (strcmp(users[i].role, role) == 0) {
			*uid = users[i].uid;
			return 0;
		}
	unsigned *used = malloc((n_users + 1) * sizeof(unsigned));
	if (!used)
		return -1;
	for (size_t i = 0; i < n_users; i++)
		used[i] = users[i].uid;
	unsigned u = bus_uid_next(used, n_users);
	free(used);
	if (!u || add_user(role, u) < 0)
		return -1;
	int r = save_uids();
	if (r < 0)
		log_warn("hosted bus: cannot save %s: %s (role '%s' has uid %u until restart)", uid_file,
			 strerror(-r), role, u);
	*uid = u;
	return 0;
}

int hosted_bus_role_uid(void *ctx, const char *role, unsigned *uid)
{
	(void)ctx;
	pthread_mutex_lock(&lock);
	int r = role_uid_locked(role, uid);
	pthread_mutex_unlock(&lock);
	return r;
}

/* ---- claims -> files (graph worker) ------------------------------- */

static const char *held(void *ctx, const char *owns)
{
	(void)ctx;
	for (size_t i = 0; i < n_held; i++)
		if (strcmp(held_name[i], owns) == 0)
			return held_by[i];
	return NULL;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Under lock: the files for claims c (resolved), rewritten when they
 * differ from the last ones written. */
static int write_files(const struct bus_claim *c, size_t n, bool *changed, char *err, size_t errlen)
{
	char *conf = bus_config_xml(sock, c, n);
	char *pw = bus_passwd_text(users, n_users), *gr = bus_group_text(users, n_users);
	int r = 0;
	if (!conf || !pw || !gr) {
		snprintf(err, errlen, "out of memory");
		r = -1;
	}
	if (!r && !pvx_streq0(pw, last_passwd)) {
		int e = write_in_place(passwd_path, pw);
		if (e == 0)
			e = write_in_place(group_path, gr);
		if (e < 0) {
			snprintf(err, errlen, "cannot write %s: %s", passwd_path, strerror(-e));
			r = -1;
		} else {
			free(last_passwd);
			last_passwd = pw;
			pw = NULL;
			*changed = true;
		}
	}
	if (!r && !pvx_streq0(conf, last_conf)) {
		int e = write_atomic(conf_path, conf);
		if (e < 0) {
			snprintf(err, errlen, "cannot write %s: %s", conf_path, strerror(-e));
			r = -1;
		} else {
			free(last_conf);
			last_conf = conf;
			conf = NULL;
			*changed = true;
		}
	}
	free(conf);
	free(pw);
	free(gr);
	return r;
}

void hosted_bus_prepare(struct hosted_bus_build *b)
{
	struct statedir_bus *sb = &b->bus;
	struct bus_claim *c = calloc(sb->n_claims + 1, sizeof(*c));
	if (!c) {
		snprintf(b->err, sizeof(b->err), "out of memory");
		return;
	}
	for (size_t i = 0; i < sb->n_claims; i++)
		c[i] = (struct bus_claim){ .container = sb->claims[i].container,
					   .owns = sb->claims[i].owns, .role = sb->claims[i].role,
					   .allow = (const char *const *)sb->claims[i].allow,
					   .n_allow = sb->claims[i].n_allow };
	pthread_mutex_lock(&lock);
	unsigned uid;
	for (size_t i = 0; i < sb->n_roles; i++)
		if (role_uid_locked(sb->roles[i], &uid) < 0)
			snprintf(b->err, sizeof(b->err), "no uid for role '%s'", sb->roles[i]);
	if (bus_claims_resolve(c, sb->n_claims, held, NULL) < 0)
		snprintf(b->err, sizeof(b->err), "out of memory");
	/* The keepers of this build hold their names from now on. */
	char **nn = calloc(sb->n_claims + 1, sizeof(char *)), **nb = calloc(sb->n_claims + 1, sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; nn && nb && i < sb->n_claims; i++)
		if (!c[i].refused && (nn[k] = strdup(c[i].owns)) && (nb[k] = strdup(c[i].container)))
			k++;
	if (nn && nb) {
		strv_free(held_name, n_held);
		strv_free(held_by, n_held);
		held_name = nn;
		held_by = nb;
		n_held = k;
	} else {
		free(nn);
		free(nb);
	}
	b->who = calloc(sb->n_claims + 1, sizeof(char *));
	b->why = calloc(sb->n_claims + 1, sizeof(char *));
	for (size_t i = 0; b->who && b->why && i < sb->n_claims; i++) {
		if (!c[i].refused)
			continue;
		bool seen = false;
		for (size_t j = 0; j < b->n_refused && !seen; j++)
			seen = strcmp(b->who[j], c[i].container) == 0;
		if (seen)
			continue;
		b->who[b->n_refused] = strdup(c[i].container);
		b->why[b->n_refused] = strdup(c[i].refused);
		b->n_refused++;
	}
	b->claimed = calloc(sb->n_claims + 1, sizeof(char *));
	for (size_t i = 0; b->claimed && i < sb->n_claims; i++)
		if (!c[i].refused && (b->claimed[b->n_claimed] = strdup(c[i].owns)))
			b->n_claimed++;
	write_files(c, sb->n_claims, &b->changed, b->err, sizeof(b->err));
	pthread_mutex_unlock(&lock);
	bus_claims_clear(c, sb->n_claims);
	free(c);
}

void hosted_bus_build_free(struct hosted_bus_build *b)
{
	statedir_bus_free(&b->bus);
	strv_free(b->who, b->n_refused);
	strv_free(b->why, b->n_refused);
	strv_free(b->claimed, b->n_claimed);
	b->who = b->why = b->claimed = NULL;
	b->n_refused = b->n_claimed = 0;
}

/* ---- the daemon ---------------------------------------------------- */

static int send_signal(int sig)
{
	if (bus_pidfd < 0)
		return -ESRCH;
	return syscall(SYS_pidfd_send_signal, bus_pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

void hosted_bus_apply(struct hosted_bus_build *b)
{
	if (!enabled)
		return;
	if (b->err[0])
		log_warn("hosted bus: %s", b->err);
	dbus_hosted_set(sock, (const char *const *)b->who, (const char *const *)b->why, b->n_refused);
	dbus_activate_set_claims((const char *const *)b->claimed, b->n_claimed);
	for (size_t i = 0; i < b->n_refused; i++) {
		struct pvx_buf key = {0};
		pvx_buf_printf(&key, "%s\n%s", b->who[i], b->why[i]);
		bool seen = false;
		for (size_t j = 0; j < n_posted && !seen; j++)
			seen = key.data && strcmp(posted[j], key.data) == 0;
		char **v = seen || !key.data ? NULL : realloc(posted, (n_posted + 1) * sizeof(*v));
		if (v) {
			posted = v;
			posted[n_posted++] = key.data;
			key.data = NULL;
			log_error("hosted bus: refusing '%s': %s", b->who[i], b->why[i]);
			events_post("rollback", b->who[i], NULL, NULL, b->why[i]);
		}
		pvx_buf_free(&key);
	}
	if (b->changed) {
		if (starting)
			reload_wanted = true;
		else if (send_signal(SIGHUP) == 0)
			log_info("hosted bus: configuration changed, daemon told to reload");
	}
}

static void restart_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
	start_daemon();
}

static void schedule_restart(void)
{
	if (stopping)
		return;
	log_warn("hosted bus: restarting %s in %.1f s", daemon_prog, backoff);
	ev_timer_stop(pvx_loop, &restart_timer);
	ev_timer_set(&restart_timer, backoff, 0.);
	ev_timer_start(pvx_loop, &restart_timer);
	backoff = backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : backoff * 2;
}

static void bus_gone(void)
{
	ev_io_stop(pvx_loop, &bus_watch);
	if (bus_pidfd >= 0)
		close(bus_pidfd);
	bus_pidfd = -1;
	bus_pid = 0;
}

static void exited_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
	int st = 0;
	pid_t p = bus_pid;
	/* The loop's own child reaper may have collected it already. */
	bool got = waitpid(p, &st, WNOHANG) == p;
	bus_gone();
	if (got && WIFSIGNALED(st))
		log_warn("hosted bus: %s (pid %d) killed by signal %d", daemon_prog, (int)p, WTERMSIG(st));
	else if (got)
		log_warn("hosted bus: %s (pid %d) exited with status %d", daemon_prog, (int)p,
			 WEXITSTATUS(st));
	else
		log_warn("hosted bus: %s (pid %d) exited", daemon_prog, (int)p);
	if (pvx_now() - started_at >= STABLE_AFTER)
		backoff = BACKOFF_FIRST;
	schedule_restart();
}

struct start_job {
	struct pvx_job j;
	pid_t pid;
	int pidfd;
	char why[200];
};

/* The child: its own mount namespace with the private passwd and group,
 * every signal unblocked (worker threads block them), then the daemon. */
static void child_exec(void)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(passwd_path, "/etc/passwd", NULL, MS_BIND, NULL) < 0 ||
	    mount(group_path, "/etc/group", NULL, MS_BIND, NULL) < 0)
		_exit(126);
	char arg[4200];
	snprintf(arg, sizeof(arg), "--config-file=%s", conf_path);
	execlp(daemon_prog, daemon_prog, arg, "--nofork", "--nopidfile", "--nosyslog", (char *)NULL);
	_exit(127);
}

static bool answers(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock);
	bool ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

/* Worker: starts the daemon and waits until its socket answers. */
static void start_run(struct pvx_job *w)
{
	struct start_job *j = (struct start_job *)w;
	j->pidfd = -1;
	pid_t p = fork();
	if (p < 0) {
		snprintf(j->why, sizeof(j->why), "fork: %s", strerror(errno));
		return;
	}
	if (p == 0)
		child_exec();
	j->pid = p;
	j->pidfd = pvx_pidfd_open(p);
	if (j->pidfd < 0) {
		snprintf(j->why, sizeof(j->why), "exited at once");
		j->pid = 0;
		return;
	}
	double end = pvx_now() + READY_TIMEOUT;
	while (pvx_now() < end) {
		if (answers())
			return;
		struct pollfd pf = { .fd = j->pidfd, .events = POLLIN };
		if (poll(&pf, 1, 20) > 0) {
			int st = 0;
			if (waitpid(p, &st, WNOHANG) == p && WIFEXITED(st))
				snprintf(j->why, sizeof(j->why), "exited with status %d%s", WEXITSTATUS(st),
					 WEXITSTATUS(st) == 127 ? " (not found?)"
					 : WEXITSTATUS(st) == 126 ? " (private passwd not mounted)" : "");
			else
				snprintf(j->why, sizeof(j->why), "exited during start-up");
			close(j->pidfd);
			j->pidfd = -1;
			j->pid = 0;
			return;
		}
	}
	snprintf(j->why, sizeof(j->why), "socket %s did not answer within %.0f s", sock, READY_TIMEOUT);
	syscall(SYS_pidfd_send_signal, j->pidfd, SIGKILL, NULL, 0);
	/* Its exit is seen by the loop's watcher like any other. */
}

static void start_done(struct pvx_job *w)
{
	struct start_job *j = (struct start_job *)w;
	starting = false;
	if (j->pidfd >= 0 && (stopping || j->j.abandoned)) {
		syscall(SYS_pidfd_send_signal, j->pidfd, SIGTERM, NULL, 0);
		close(j->pidfd);
		free(j);
		return;
	}
	if (j->pidfd >= 0) {
		bus_pid = j->pid;
		bus_pidfd = j->pidfd;
		starts++;
		ev_io_init(&bus_watch, exited_cb, bus_pidfd, EV_READ);
		ev_io_start(pvx_loop, &bus_watch);
		if (j->why[0]) {
			log_warn("hosted bus: %s (pid %d): %s", daemon_prog, (int)j->pid, j->why);
		} else {
			log_info("hosted bus: %s (pid %d) listens on %s", daemon_prog, (int)j->pid, sock);
			if (reload_wanted)
				send_signal(SIGHUP);
		}
		reload_wanted = false;
	} else {
		log_error("hosted bus: cannot start %s: %s", daemon_prog, j->why);
		schedule_restart();
	}
	free(j);
}

static void start_daemon(void)
{
	if (starting || bus_pid || stopping)
		return;
	struct start_job *j = calloc(1, sizeof(*j));
	if (!j) {
		schedule_restart();
		return;
	}
	j->j.run = start_run;
	j->j.done = start_done;
	starting = true;
	started_at = pvx_now();
	pvx_worker_submit(&j->j);
}

/* mkdir -p */
static int make_dirs(const char *path, mode_t mode)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, mode) < 0 && errno != EEXIST ? -1 : 0;
}

static char *join(const char *a, const char *b)
{
	struct pvx_buf o = {0};
	pvx_buf_printf(&o, "%s/%s", a, b);
	return o.data;
}

int hosted_bus_init(const struct hosted_bus_config *c, char *err, size_t n)
{
	dir = strdup(c->dir);
	uid_file = strdup(c->uid_file);
	daemon_prog = strdup(c->daemon ? c->daemon : HOSTED_BUS_DEFAULT_DAEMON);
	sock = join(c->dir, "system_bus_socket");
	conf_path = join(c->dir, "bus.conf");
	passwd_path = join(c->dir, "passwd");
	group_path = join(c->dir, "group");
	if (!dir || !uid_file || !daemon_prog || !sock || !conf_path || !passwd_path || !group_path) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	if (strlen(sock) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		snprintf(err, n, "%s is too long for a socket address", sock);
		return -1;
	}
	if (make_dirs(dir, 0755) < 0) {
		snprintf(err, n, "cannot make %s: %s", dir, strerror(errno));
		return -1;
	}
	char *slash = strrchr(uid_file, '/');
	if (slash && slash != uid_file) {
		*slash = '\0';
		int r = make_dirs(uid_file, 0755);
		if (r < 0)
			snprintf(err, n, "cannot make %s: %s", uid_file, strerror(errno));
		*slash = '/';
		if (r < 0)
			return -1;
	}
	if (load_uids(err, n) < 0)
		return -1;
	bool changed = false;
	pthread_mutex_lock(&lock);
	int r = write_files(NULL, 0, &changed, err, n);
	pthread_mutex_unlock(&lock);
	if (r < 0)
		return -1;
	enabled = true;
	dbus_hosted_set(sock, NULL, NULL, 0);
	ev_timer_init(&restart_timer, restart_cb, 0., 0.);
	if (dbus_activate_start(sock, c->activation_timeout) < 0) {
		snprintf(err, n, "cannot start watching the bus for activation");
		return -1;
	}
	start_daemon();
	return 0;
}

void hosted_bus_stop(void)
{
	if (!enabled)
		return;
	stopping = true;
	ev_timer_stop(pvx_loop, &restart_timer);
	if (bus_pidfd >= 0) {
		send_signal(SIGTERM);
		struct pollfd pf = { .fd = bus_pidfd, .events = POLLIN };
		if (poll(&pf, 1, 1000) <= 0)
			send_signal(SIGKILL);
		waitpid(bus_pid, NULL, WNOHANG);
		bus_gone();
	}
	dbus_hosted_reset();
	dbus_activate_stop();
	strv_free(posted, n_posted);
	posted = NULL;
	n_posted = 0;
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < n_users; i++)
		free((char *)users[i].role);
	free(users);
	users = NULL;
	n_users = 0;
	free(last_conf);
	free(last_passwd);
	last_conf = last_passwd = NULL;
	strv_free(held_name, n_held);
	strv_free(held_by, n_held);
	held_name = held_by = NULL;
	n_held = 0;
	pthread_mutex_unlock(&lock);
	free(dir);
	free(uid_file);
	free(daemon_prog);
	free(sock);
	free(conf_path);
	free(passwd_path);
	free(group_path);
	dir = uid_file = daemon_prog = sock = conf_path = passwd_path = group_path = NULL;
	enabled = false;
}
