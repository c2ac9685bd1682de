/* The worker pool (lib/worker.c): jobs run off the loop thread and come
 * back on it, a job that never returns holds one thread and not the
 * others, an abandoned job still releases through done(), signals stay
 * with the loop, and an idle pool keeps no loop alive. */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <unistd.h>
#include <ev.h>

#include "lib/worker.h"
#include "t/tap.h"

static pthread_t loop_thread;
static atomic_int ran_off_loop, ran_on_loop, signals_open;
static int delivered, delivered_off_loop;

struct test_job {
	struct pvx_job job;
	int block_fd;     /* run() reads one byte from it first, or -1 */
	bool saw_abandoned;
	bool done;
};

static void job_run(struct pvx_job *j)
{
	struct test_job *t = (struct test_job *)j;
	sigset_t mask;
	pthread_sigmask(SIG_SETMASK, NULL, &mask);
	if (!sigismember(&mask, SIGTERM) || !sigismember(&mask, SIGHUP))
		signals_open++;
	if (pthread_equal(pthread_self(), loop_thread))
		ran_on_loop++;
	else
		ran_off_loop++;
	if (t->block_fd >= 0) {
		char c;
		if (read(t->block_fd, &c, 1) < 0)
			return;
	}
}

static void job_done(struct pvx_job *j)
{
	struct test_job *t = (struct test_job *)j;
	if (!pthread_equal(pthread_self(), loop_thread))
		delivered_off_loop++;
	t->saw_abandoned = j->abandoned;
	t->done = true;
	delivered++;
}

static void job_init(struct test_job *t, int block_fd)
{
	*t = (struct test_job){ .job = { .run = job_run, .done = job_done }, .block_fd = block_fd };
}

static atomic_int lock_held, loop_went_on;
static bool lock_timed_out;

/* Holds the pool's mutex until the loop says it went on, or 3 s (the loop
 * was stuck on the mutex: a failure). */
static void *hold_lock(void *arg)
{
	(void)arg;
	pvx_worker_hold_lock_for_test(true);
	atomic_store(&lock_held, 1);
	for (int i = 0; i < 3000 && !atomic_load(&loop_went_on); i++)
		usleep(1000);
	lock_timed_out = !atomic_load(&loop_went_on);
	pvx_worker_hold_lock_for_test(false);
	return NULL;
}

/* Runs the loop until n jobs more have come back, or 5 s (a failure). */
static bool wait_delivered(struct ev_loop *loop, int n)
{
	int target = delivered + n;
	for (int i = 0; i < 5000 && delivered < target; i++) {
		ev_run(loop, EVRUN_NOWAIT);
		if (delivered < target)
			usleep(1000);
	}
	return delivered >= target;
}

int main(void)
{
	struct ev_loop *loop = ev_default_loop(0);
	loop_thread = pthread_self();
	tap_ok(pvx_worker_init(loop, 16) == 0, "pool starts with sixteen threads at most");
	tap_ok(ev_run(loop, 0) == 0, "an idle pool keeps no loop alive (ev_run returns)");

	static struct test_job many[200];
	for (int i = 0; i < 200; i++) {
		job_init(&many[i], -1);
		pvx_worker_submit(&many[i].job);
	}
	tap_ok(pvx_worker_pending() == 200, "200 jobs pending after submit");
	tap_ok(wait_delivered(loop, 200), "all 200 jobs came back");
	tap_ok(ran_off_loop == 200 && ran_on_loop == 0, "every run() was off the loop thread (%d off, %d on)",
	       (int)ran_off_loop, (int)ran_on_loop);
	tap_ok(delivered_off_loop == 0, "every done() ran on the loop thread");
	tap_ok(signals_open == 0, "worker threads block SIGTERM and SIGHUP");
	tap_ok(pvx_worker_pending() == 0, "nothing pending afterwards");
	tap_ok(pvx_worker_threads() <= 4, "a burst of quick jobs used the soft cap of threads at most (%u)",
	       pvx_worker_threads());

	/* One job that waits for good: the others still run. */
	int p[2];
	if (pipe(p) < 0)
		return 1;
	static struct test_job stuck;
	job_init(&stuck, p[0]);
	pvx_worker_submit(&stuck.job);
	static struct test_job after[50];
	for (int i = 0; i < 50; i++) {
		job_init(&after[i], -1);
		pvx_worker_submit(&after[i].job);
	}
	tap_ok(wait_delivered(loop, 50), "50 jobs complete while one job is stuck");
	tap_ok(!stuck.done && pvx_worker_busy() == 1, "the stuck job holds exactly one thread");
	stuck.job.abandoned = true; /* its owner gave up (a timeout) */
	if (write(p[1], "x", 1) != 1)
		return 1;
	tap_ok(wait_delivered(loop, 1) && stuck.done && stuck.saw_abandoned,
	       "the abandoned job comes back once unstuck, marked abandoned");

	/* A thread holds the pool's mutex (a worker preempted in its
	 * bookkeeping, for as long as the machine is busy): the loop goes on
	 * all the same, and a job submitted meanwhile runs once it is free. */
	pthread_t holder;
	pthread_create(&holder, NULL, hold_lock, NULL);
	while (!atomic_load(&lock_held))
		usleep(1000);
	static struct test_job while_held;
	job_init(&while_held, -1);
	pvx_worker_submit(&while_held.job);
	for (int i = 0; i < 20; i++)
		ev_run(loop, EVRUN_NOWAIT);
	atomic_store(&loop_went_on, 1);
	pthread_join(holder, NULL);
	tap_ok(!lock_timed_out, "the loop went on while a thread held the pool's mutex");
	tap_ok(wait_delivered(loop, 1) && while_held.done, "... and the job submitted meanwhile ran once it was free");

	/* More jobs stuck than the soft cap: the pool grows past it for the
	 * jobs queued behind them. */
	int q[2];
	if (pipe(q) < 0)
		return 1;
	static struct test_job stuck6[6]; /* outlive main: their threads never return */
	for (int i = 0; i < 6; i++) {
		job_init(&stuck6[i], q[0]);
		pvx_worker_submit(&stuck6[i].job);
	}
	static struct test_job behind[3];
	for (int i = 0; i < 3; i++) {
		job_init(&behind[i], -1);
		pvx_worker_submit(&behind[i].job);
	}
	tap_ok(wait_delivered(loop, 3), "jobs queued behind six stuck ones still run (pool grew past its soft cap)");
	tap_ok(pvx_worker_busy() == 6 && pvx_worker_threads() <= 16, "six threads held, %u in all",
	       pvx_worker_threads());

	/* Shutdown with stuck jobs and queued ones: queued jobs come back
	 * abandoned, the stuck threads are left behind. */
	static struct test_job stuck10[10]; /* outlive main: their threads never return */
	for (int i = 0; i < 10; i++) {
		job_init(&stuck10[i], q[0]);
		pvx_worker_submit(&stuck10[i].job);
	}
	for (int i = 0; i < 5000 && pvx_worker_busy() < 16; i++) {
		ev_run(loop, EVRUN_NOWAIT);
		usleep(1000);
	}
	tap_ok(pvx_worker_busy() == 16, "sixteen stuck jobs fill the pool's sixteen threads");
	static struct test_job queued[3];
	for (int i = 0; i < 3; i++) {
		job_init(&queued[i], -1);
		pvx_worker_submit(&queued[i].job);
	}
	int before = delivered;
	pvx_worker_shutdown();
	tap_ok(delivered == before + 3 && queued[0].saw_abandoned && queued[2].saw_abandoned,
	       "shutdown returns the queued jobs abandoned, without waiting for stuck ones");
	tap_ok(ev_run(loop, 0) == 0, "after shutdown the loop is not held");
	return tap_done();
}
