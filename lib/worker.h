/* Work that may wait, done off the loop (DESIGN.md section 7).
 *
 * Anything that can block the daemon's one thread goes here: a path
 * resolved inside a container (a FUSE mount there may never answer),
 * netlink and nft, a connect as another uid.  A job's run() executes on a
 * worker thread and must touch nothing the loop owns; its done() then runs
 * on the loop thread, in submission order per thread, where the result is
 * applied (typically by firing an FSM event).
 *
 * A job that waits for good holds its thread, not the loop: the pool grows
 * up to its cap, so other jobs still run.  The owner that stops caring (a
 * timeout, a link torn down) marks the job abandoned and forgets it; done()
 * still runs when run() returns, sees the flag and releases what run()
 * made.  A job is never freed while a thread holds it.
 *
 * The threads block every signal, so SIGTERM and SIGHUP reach the loop. */
#ifndef PVX_WORKER_H
#define PVX_WORKER_H

#include <stdbool.h>

struct ev_loop;
struct pvx_job;

typedef void (*pvx_job_fn)(struct pvx_job *j);

struct pvx_job {
	pvx_job_fn run;  /* on a worker thread */
	pvx_job_fn done; /* on the loop thread, after run(); owns the job then */
	/* Set by the owner on the loop thread; read by done() (also on the
	 * loop), so it needs no lock.  run() must not rely on it. */
	bool abandoned;
	struct pvx_job *next; /* the pool's queues */
};

/* Starts the pool on loop with at most max_threads threads (created as
 * jobs arrive).  Returns 0 or -errno. */
int pvx_worker_init(struct ev_loop *loop, unsigned max_threads);
/* Queues j; run() starts as soon as a thread is free. */
void pvx_worker_submit(struct pvx_job *j);
/* Jobs queued or running, for metrics and tests. */
unsigned pvx_worker_pending(void);
/* Threads currently inside a run(), and threads in all. */
unsigned pvx_worker_busy(void);
unsigned pvx_worker_threads(void);
/* Runs the loop until no job is pending or seconds have passed (at exit:
 * the removal of what was planted).  Returns the jobs still pending. */
unsigned pvx_worker_drain(double seconds);
/* Stops the pool: queued jobs are dropped through done() with abandoned
 * set, idle threads are joined; a thread stuck in run() is detached and
 * dies with the process.  Returns how many were left so. */
unsigned pvx_worker_shutdown(void);

/* For tests: takes (hold) or releases the pool's mutex from the calling
 * thread, as a worker preempted in its bookkeeping would hold it. */
void pvx_worker_hold_lock_for_test(bool hold);

#endif
