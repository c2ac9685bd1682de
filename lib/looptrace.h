/* A debugging aid for loop stalls: with PVX_LOOP_TRACE=MS in the
 * environment, every loop iteration whose callbacks took more than MS
 * milliseconds (wall clock) is logged (at error level, so whatever
 * --log-level says) with the loop thread's
 * CPU time over the same span: wall well above CPU means the thread was
 * preempted or waited (page faults, a lock), CPU near wall means work done
 * on the loop.  The line gives the iteration's start on CLOCK_MONOTONIC,
 * the clock of `perf record -k mono`, to find its samples.  Without the
 * variable nothing is started. */
#ifndef PVX_LOOPTRACE_H
#define PVX_LOOPTRACE_H

#include <ev.h>

void pvx_looptrace_start(struct ev_loop *loop);
void pvx_looptrace_stop(struct ev_loop *loop);

#endif
