/* Stream benchmark peer for `make bench`:
 *   bench-unix serve PATH          sink/echo server (one process per connection)
 *   bench-unix bulk PATH MIB       send MIB MiB, print MiB/s
 *   bench-unix rtt PATH N          N 64-byte round trips, print p50/p99 in us
 *   bench-unix listen PATH         accept and close at once (a cheap provider)
 *   bench-unix keep PATH           accept and keep every connection open
 *   bench-unix hold PATH N         open N connections to PATH and keep them
 *   bench-unix splice PATH TARGET  the least a relay can do: per connection
 *                                  and direction, one process moving bytes
 *                                  with blocking splice() (drops fds)
 *   bench-unix hup PATH PID NEW GRAPH
 *                                  rename NEW to GRAPH, SIGHUP PID, print ms
 *                                  until PATH is a socket
 *   bench-unix stall PATH STOP     64-byte round trips, one after the other,
 *                                  until the file STOP exists; prints the
 *                                  worst and the p99 in ms and the count
 *                                  (how long the loop stalls while the
 *                                  daemon does other work)
 *   bench-unix sample PATH STOP MS one 64-byte round trip every MS ms until
 *                                  STOP exists; prints p50, p99 and the
 *                                  worst in ms and the count (an innocent
 *                                  link's latency beside other load,
 *                                  without taking a core itself)
 * The first byte of a connection picks the mode: 'B' bulk, 'R' echo. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int sock_at(const char *path, int do_listen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (do_listen) {
		unlink(path);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 128) < 0) {
			perror("bind");
			exit(1);
		}
	} else if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("connect");
		exit(1);
	}
	return fd;
}

static int full_read(int fd, char *buf, size_t n)
{
	for (size_t off = 0; off < n;) {
		ssize_t r = read(fd, buf + off, n - off);
		if (r <= 0)
			return -1;
		off += (size_t)r;
	}
	return 0;
}

static void serve_one(int c, const char *unused)
{
	static char buf[1 << 18];
	char mode;
	if (read(c, &mode, 1) != 1)
		_exit(0);
	if (mode == 'B') {
		uint64_t total = 0;
		ssize_t r;
		while ((r = read(c, buf, sizeof(buf))) > 0)
			total += (uint64_t)r;
		if (write(c, &total, sizeof(total)) < 0)
			_exit(1);
	} else {
		while (full_read(c, buf, 64) == 0)
			if (write(c, buf, 64) != 64)
				break;
	}
	_exit(0);
}

/* One direction of the splice relay: src to dst through a pipe until EOF. */
static void splice_one_way(int src, int dst)
{
	int p[2];
	if (pipe(p) < 0)
		_exit(1);
	fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
	for (;;) {
		ssize_t n = splice(src, NULL, p[1], NULL, 1 << 20, SPLICE_F_MOVE);
		if (n <= 0)
			break;
		while (n > 0) {
			ssize_t w = splice(p[0], NULL, dst, NULL, (size_t)n, SPLICE_F_MOVE);
			if (w <= 0)
				_exit(0);
			n -= w;
		}
	}
	shutdown(dst, SHUT_WR);
	_exit(0);
}

/* A connection of the splice relay: a process per direction. */
static void splice_both_ways(int c, const char *target)
{
	int t = sock_at(target, 0);
	if (fork() == 0)
		splice_one_way(t, c);
	splice_one_way(c, t);
}

/* Listens on path and runs child(connection, arg) in a process of its own
 * for each connection; never returns. */
static void accept_forking(const char *path, void (*child)(int c, const char *arg), const char *arg)
{
	signal(SIGCHLD, SIG_IGN);
	int l = sock_at(path, 1);
	for (;;) {
		int c = accept(l, NULL, NULL);
		if (c < 0)
			continue;
		if (fork() == 0)
			child(c, arg);
		close(c);
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench-unix serve|bulk|rtt PATH [N]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(argv[1], "serve"))
		accept_forking(argv[2], serve_one, NULL);
	if (!strcmp(argv[1], "splice") && argc > 3)
		accept_forking(argv[2], splice_both_ways, argv[3]);
	if (!strcmp(argv[1], "listen") || !strcmp(argv[1], "keep")) {
		bool keep = argv[1][0] == 'k';
		struct rlimit rl;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		int l = sock_at(argv[2], 1);
		for (;;) {
			int c = accept(l, NULL, NULL);
			if (c >= 0 && !keep)
				close(c);
		}
	}
	long n = argc > 3 ? atol(argv[3]) : 1024;
	if (!strcmp(argv[1], "hup")) {
		/* Timed here, not in the shell: a shell's own forks and
		 * loops cost milliseconds. */
		struct stat st;
		if (argc < 6)
			return 2;
		double t0 = now();
		if (rename(argv[4], argv[5]) < 0 || kill((pid_t)n, SIGHUP) < 0)
			return 1;
		while (stat(argv[2], &st) < 0 || !S_ISSOCK(st.st_mode))
			if (now() - t0 > 30)
				return 1;
		printf("%.1f\n", (now() - t0) * 1e3);
		return 0;
	}
	if (!strcmp(argv[1], "hold")) {
		for (long i = 0; i < n; i++)
			sock_at(argv[2], 0);
		printf("holding %ld connections\n", n);
		fflush(stdout);
		pause();
		return 0;
	}
	int fd = sock_at(argv[2], 0);
	if (!strcmp(argv[1], "bulk")) {
		static char buf[1 << 18];
		memset(buf, 'x', sizeof(buf));
		uint64_t total = (uint64_t)n << 20, sent = 0;
		double t0 = now();
		if (write(fd, "B", 1) != 1)
			return 1;
		while (sent < total) {
			size_t k = total - sent < sizeof(buf) ? (size_t)(total - sent) : sizeof(buf);
			ssize_t w = write(fd, buf, k);
			if (w <= 0)
				return 1;
			sent += (uint64_t)w;
		}
		shutdown(fd, SHUT_WR);
		uint64_t got = 0;
		if (full_read(fd, (char *)&got, sizeof(got)) < 0 || got != total) {
			fprintf(stderr, "bulk: server got %llu of %llu bytes\n", (unsigned long long)got,
				(unsigned long long)total);
			return 1;
		}
		printf("%.1f\n", (double)n / (now() - t0));
		return 0;
	}
	char msg[64], back[64];
	if (!strcmp(argv[1], "stall") || (!strcmp(argv[1], "sample") && argc > 4)) {
		/* stall: back to back; sample: paced, one every MS ms. */
		bool paced = argv[1][1] == 'a';
		long gap_ns = paced ? (long)(atof(argv[4]) * 1e6) : 0;
		struct timespec gap = { gap_ns / 1000000000L, gap_ns % 1000000000L };
		size_t cap = 1 << 20, count = 0;
		double *rt = calloc(cap, sizeof(double)), worst = 0;
		struct stat st;
		memset(msg, 's', sizeof(msg));
		if (!rt || write(fd, "R", 1) != 1)
			return 1;
		while (stat(argv[3], &st) < 0) {
			double t0 = now();
			if (write(fd, msg, 64) != 64 || full_read(fd, back, 64) < 0)
				return 1;
			double ms = (now() - t0) * 1e3;
			if (ms > worst)
				worst = ms;
			if (count < cap)
				rt[count++] = ms;
			if (paced)
				nanosleep(&gap, NULL);
		}
		qsort(rt, count, sizeof(double), cmp);
		if (paced)
			printf("%.3f %.3f %.3f %zu\n", count ? rt[count / 2] : 0.0,
			       count ? rt[count * 99 / 100] : 0.0, worst, count);
		else
			printf("%.2f %.2f %zu\n", worst, count ? rt[count * 99 / 100] : 0.0, count);
		return 0;
	}
	double *lat = calloc((size_t)n, sizeof(double));
	memset(msg, 'r', sizeof(msg));
	if (write(fd, "R", 1) != 1)
		return 1;
	for (long i = 0; i < n; i++) {
		double t0 = now();
		if (write(fd, msg, 64) != 64 || full_read(fd, back, 64) < 0)
			return 1;
		lat[i] = (now() - t0) * 1e6;
	}
	qsort(lat, (size_t)n, sizeof(double), cmp);
	printf("%.1f %.1f\n", lat[n / 2], lat[n * 99 / 100]);
	return 0;
}
