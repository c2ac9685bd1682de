/* The worker pool; see worker.h.  One mutex guards two FIFO queues (jobs
 * waiting for a thread, jobs whose run() returned); an ev_async wakes the
 * loop for the second.
 *
 * Threads are created on demand.  Up to a soft cap (twice the CPUs, at
 * least 4) they come as soon as jobs wait; beyond it only for jobs held
 * up behind threads that have been in one job for STALL seconds (a
 * container that does not answer), up to the hard cap.  So a burst of
 * quick jobs (a 10,000-link graph) uses a few threads, and a stuck one
 * still leaves room for the rest.  Threads above the soft cap leave after
 * RETIRE seconds idle; the others sleep on a condition variable (no
 * wakeups).
 *
 * The loop never waits for the mutex: a thread holding it may be
 * preempted (it runs at nice WORKER_NICE, behind everything else on a busy
 * machine) and the loop would then stall with it for a whole time slice of
 * the others, tens of milliseconds.  So completed jobs come back on a
 * lock-free stack (threads push, the loop takes the whole stack at once),
 * and the loop only ever tries the mutex: when a thread holds it, the jobs
 * submitted wait in the outbox for the next try, RETRY seconds later. */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <ev.h>

#include "lib/log.h"
#include "lib/worker.h"

/* Enough for what jobs do (openat2, netlink buffers, a clone task with its
 * own static stack); the default 8 MiB would only cost address space. */
#define WORKER_STACK (256 * 1024)
#define STALL 0.05
#define RETIRE 10
#define REBALANCE 0.1
#define DELIVER_BATCH 32
#define DELIVER_SLICE 0.0005
#define WORKER_NICE 10
#define RETRY 0.0005

/* One per thread, on its stack: is it in a job, since when. */
struct runner {
	struct runner *next;
	double started;
	bool busy;
};

struct job_queue {
	struct pvx_job *head, *tail;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;    /* a job was queued, or stop */
	pthread_cond_t exited;  /* a thread left */
	struct job_queue todo;
	struct pvx_job *finished; /* lock-free stack, newest first (atomics) */
	unsigned threads, idle, busy, max_threads, soft_threads;
	struct runner *runners;
	unsigned queued;  /* jobs in todo */
	unsigned pending; /* queued + running + finished not yet delivered */
	bool stopping, started;
	bool async_on; /* under the lock: threads may wake the loop */
	struct ev_loop *loop;
	ev_async async;
	/* Loop side, no lock: jobs submitted during this loop iteration (handed
	 * to the threads at once before the loop waits: one lock for a whole
	 * graph's jobs, not one each), and jobs back but not yet delivered
	 * (DELIVER_BATCH per wake-up, so a burst of completions never holds
	 * the loop). */
	struct job_queue outbox, inbox;
	ev_prepare flush;
	ev_timer retry;     /* the outbox, when the mutex was held */
	ev_timer rebalance; /* while jobs wait behind a full pool */
} pool = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.exited = PTHREAD_COND_INITIALIZER,
};

static void queue_push(struct job_queue *q, struct pvx_job *j)
{
	j->next = NULL;
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
}

static struct pvx_job *queue_take_all(struct job_queue *q)
{
	struct pvx_job *all = q->head;
	q->head = q->tail = NULL;
	return all;
}

static void queue_append(struct job_queue *q, struct job_queue *more)
{
	if (!more->head)
		return;
	if (q->tail)
		q->tail->next = more->head;
	else
		q->head = more->head;
	q->tail = more->tail;
	more->head = more->tail = NULL;
}

static void finished_push(struct pvx_job *j)
{
	j->next = __atomic_load_n(&pool.finished, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(&pool.finished, &j->next, j, true, __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED))
		;
}

/* Takes every completed job, oldest first, onto q (loop side). */
static void finished_take(struct job_queue *q)
{
	struct pvx_job *stack = __atomic_exchange_n(&pool.finished, NULL, __ATOMIC_ACQUIRE);
	struct job_queue fifo = { NULL, NULL };
	while (stack) {
		struct pvx_job *j = stack;
		stack = j->next;
		j->next = fifo.head;
		fifo.head = j;
		if (!fifo.tail)
			fifo.tail = j;
	}
	queue_append(q, &fifo);
}

static double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *worker_main(void *arg)
{
	(void)arg;
	struct runner me = {0};
	/* A umask and working directory of our own: jobs set the umask
	 * around bind() (lib/ns.c), which must not leak into other threads. */
	if (unshare(CLONE_FS) < 0)
		log_warn("worker: unshare(CLONE_FS): %s (umask shared with the loop)", strerror(errno));
	/* Below the loop: planting 10,000 links must not take the CPU from
	 * the connections already relayed (this thread only; Linux nice
	 * values are per thread). */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), WORKER_NICE);
	pthread_mutex_lock(&pool.lock);
	me.next = pool.runners;
	pool.runners = &me;
	for (;;) {
		bool retire = false;
		while (!pool.todo.head && !pool.stopping && !retire) {
			pool.idle++;
			if (pool.threads > pool.soft_threads) {
				struct timespec until;
				clock_gettime(CLOCK_REALTIME, &until);
				until.tv_sec += RETIRE;
				retire = pthread_cond_timedwait(&pool.wake, &pool.lock, &until) == ETIMEDOUT &&
					 pool.threads > pool.soft_threads;
			} else {
				pthread_cond_wait(&pool.wake, &pool.lock);
			}
			pool.idle--;
		}
		if (!pool.todo.head)
			break; /* stopping or retiring, nothing left */
		struct pvx_job *j = pool.todo.head;
		pool.todo.head = j->next;
		if (!pool.todo.head)
			pool.todo.tail = NULL;
		pool.queued--;
		__atomic_store_n(&pool.busy, pool.busy + 1, __ATOMIC_RELAXED);
		me.busy = true;
		me.started = now_mono();
		pthread_mutex_unlock(&pool.lock);

		j->run(j);

		pthread_mutex_lock(&pool.lock);
		me.busy = false;
		__atomic_store_n(&pool.busy, pool.busy - 1, __ATOMIC_RELAXED);
		finished_push(j);
		if (__atomic_load_n(&pool.async_on, __ATOMIC_ACQUIRE))
			ev_async_send(pool.loop, &pool.async);
	}
	for (struct runner **r = &pool.runners; *r; r = &(*r)->next)
		if (*r == &me) {
			*r = me.next;
			break;
		}
	__atomic_store_n(&pool.threads, pool.threads - 1, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&pool.exited);
	pthread_mutex_unlock(&pool.lock);
	return NULL;
}

/* Called with the lock held. */
static int spawn_thread(void)
{
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t t;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, WORKER_STACK);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* The new thread inherits this mask: signals stay with the loop. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&t, &attr, worker_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc)
		return -rc;
	__atomic_store_n(&pool.threads, pool.threads + 1, __ATOMIC_RELAXED);
	return 0;
}

/* With the lock held: a thread more if jobs wait and the caps allow. */
static void maybe_spawn(void)
{
	if (pool.queued <= pool.idle || pool.threads >= pool.max_threads)
		return;
	unsigned allowed = pool.soft_threads;
	if (pool.threads >= allowed) {
		double t = now_mono();
		for (struct runner *r = pool.runners; r; r = r->next)
			allowed += r->busy && t - r->started > STALL;
	}
	if (pool.threads < allowed) {
		int rc = spawn_thread();
		if (rc < 0 && pool.threads == 0)
			log_error("worker: cannot start a thread (%s); job waits", strerror(-rc));
	}
}

static void rebalance_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	if (pthread_mutex_trylock(&pool.lock))
		return; /* a thread has it: the next tick */
	maybe_spawn();
	bool waiting = pool.queued > 0;
	pthread_mutex_unlock(&pool.lock);
	if (!waiting)
		ev_timer_stop(loop, w);
}

static void deliver(struct pvx_job *list)
{
	while (list) {
		struct pvx_job *j = list;
		list = j->next;
		j->next = NULL;
		pool.pending--;
		if (pool.pending == 0 && pool.started)
			ev_unref(pool.loop); /* idle again: the pool keeps no loop alive */
		j->done(j);
	}
}

static void on_async(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)revents;
	finished_take(&pool.inbox);
	/* A bounded batch, in count and in time (a done() may cost a page
	 * fault or a few syscalls); the rest after whatever else is ready. */
	double until = now_mono() + DELIVER_SLICE;
	for (unsigned n = 0; pool.inbox.head && n < DELIVER_BATCH; n++) {
		if (n && n % 4 == 0 && now_mono() >= until)
			break;
		struct pvx_job *j = pool.inbox.head;
		pool.inbox.head = j->next;
		if (!pool.inbox.head)
			pool.inbox.tail = NULL;
		j->next = NULL;
		deliver(j);
	}
	if (pool.inbox.head)
		ev_async_send(loop, w);
}

/* Nothing to do: the loop comes round, and flush_cb tries again. */
static void retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
}

/* Before the loop waits: the jobs submitted since, to the threads. */
static void flush_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	if (!pool.outbox.head)
		return;
	if (pthread_mutex_trylock(&pool.lock)) {
		if (!ev_is_active(&pool.retry))
			ev_timer_start(loop, &pool.retry);
		return;
	}
	ev_timer_stop(loop, &pool.retry);
	unsigned n = 0;
	for (struct pvx_job *j = pool.outbox.head; j; j = j->next)
		n++;
	queue_append(&pool.todo, &pool.outbox);
	/* A thread signalled but not yet awake still counts as idle: compare
	 * with the queue, not with zero, or a job could wait behind a stuck
	 * one while the pool is below its cap. */
	pool.queued += n;
	maybe_spawn();
	bool waiting = pool.queued > pool.idle;
	if (n > 1)
		pthread_cond_broadcast(&pool.wake);
	else
		pthread_cond_signal(&pool.wake);
	pthread_mutex_unlock(&pool.lock);
	if (waiting && !ev_is_active(&pool.rebalance))
		ev_timer_start(loop, &pool.rebalance);
}

int pvx_worker_init(struct ev_loop *loop, unsigned max_threads)
{
	if (pool.started)
		return -EALREADY;
	pool.loop = loop;
	pool.max_threads = max_threads ? max_threads : 1;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	pool.soft_threads = cpus > 2 ? (unsigned)cpus * 2 : 4;
	if (pool.soft_threads > pool.max_threads)
		pool.soft_threads = pool.max_threads;
	ev_timer_init(&pool.rebalance, rebalance_cb, REBALANCE, REBALANCE);
	ev_timer_init(&pool.retry, retry_cb, RETRY, RETRY);
	pool.stopping = false;
	ev_async_init(&pool.async, on_async);
	ev_async_start(loop, &pool.async);
	ev_prepare_init(&pool.flush, flush_cb);
	ev_prepare_start(loop, &pool.flush);
	ev_unref(loop); /* the flush alone keeps no loop alive */
	ev_unref(loop); /* referenced only while jobs are pending */
	__atomic_store_n(&pool.async_on, true, __ATOMIC_RELEASE);
	pool.started = true;
	return 0;
}

void pvx_worker_submit(struct pvx_job *j)
{
	j->abandoned = false;
	if (pool.pending++ == 0)
		ev_ref(pool.loop);
	queue_push(&pool.outbox, j);
}

unsigned pvx_worker_pending(void)
{
	return pool.pending;
}

/* A counter the threads change under the lock, read without it. */
static unsigned locked_read(const unsigned *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

unsigned pvx_worker_busy(void)
{
	return locked_read(&pool.busy);
}

static void drain_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
	*(bool *)w->data = true;
}

unsigned pvx_worker_drain(double seconds)
{
	if (!pool.started)
		return 0;
	bool expired = false;
	ev_timer t;
	ev_timer_init(&t, drain_timeout, seconds, 0.);
	t.data = &expired;
	ev_timer_start(pool.loop, &t);
	while (pool.pending && !expired)
		ev_run(pool.loop, EVRUN_ONCE);
	ev_timer_stop(pool.loop, &t);
	return pool.pending;
}

unsigned pvx_worker_threads(void)
{
	return locked_read(&pool.threads);
}

unsigned pvx_worker_shutdown(void)
{
	if (!pool.started)
		return 0;
	pthread_mutex_lock(&pool.lock);
	pool.stopping = true;
	__atomic_store_n(&pool.async_on, false, __ATOMIC_RELEASE);
	queue_append(&pool.todo, &pool.outbox);
	struct pvx_job *queued = queue_take_all(&pool.todo);
	pool.queued = 0;
	pthread_cond_broadcast(&pool.wake);
	/* Idle threads leave at once; one stuck in run() is left behind
	 * (detached), after at most a second of waiting for it. */
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 1;
	while (pool.threads > pool.busy)
		if (pthread_cond_timedwait(&pool.exited, &pool.lock, &until) == ETIMEDOUT)
			break;
	finished_take(&pool.inbox);
	struct pvx_job *finished = queue_take_all(&pool.inbox);
	pthread_mutex_unlock(&pool.lock);
	for (struct pvx_job *j = queued; j; j = j->next)
		j->abandoned = true;
	deliver(finished);
	deliver(queued);
	ev_timer_stop(pool.loop, &pool.rebalance);
	ev_timer_stop(pool.loop, &pool.retry);
	if (pool.pending)
		ev_unref(pool.loop); /* jobs still running are never delivered */
	ev_ref(pool.loop);           /* the unrefs of init, before the stops */
	ev_async_stop(pool.loop, &pool.async);
	ev_ref(pool.loop);
	ev_prepare_stop(pool.loop, &pool.flush);
	pool.started = false;
	return locked_read(&pool.busy);
}

void pvx_worker_hold_lock_for_test(bool hold)
{
	if (hold)
		pthread_mutex_lock(&pool.lock);
	else
		pthread_mutex_unlock(&pool.lock);
}
