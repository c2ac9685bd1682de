/* make bench, wayland part: a small Wayland client speaking the wire by
 * hand (no libwayland, so the client costs the same on every path).
 *
 *   bench-wayland SOCKET SYNCS BATCH FRAMES
 *
 * prints "syncs/s msgs/s frames/s":
 * - SYNCS wl_display.sync round trips, one at a time;
 * - messages/s: BATCH wl_surface.damage requests then one sync, ten times
 *   (the compositor's answers are not counted);
 * - FRAMES frame round trips: wl_surface.frame, commit (a 4x4 shm buffer
 *   attached), wait for the callback's done. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int fd;
static unsigned char in[1 << 16];
static size_t have;
static uint32_t next_id = 2;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench-wayland: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Output buffer: messages are written here and flushed in one send. */
static unsigned char out[1 << 20];
static size_t nout;

static void put(uint32_t w)
{
	memcpy(out + nout, &w, 4);
	nout += 4;
}

static size_t begin(uint32_t obj, uint16_t op)
{
	size_t at = nout;
	put(obj);
	put(op);
	return at;
}

static void end(size_t at)
{
	uint32_t w;
	memcpy(&w, out + at + 4, 4);
	w |= (uint32_t)(nout - at) << 16;
	memcpy(out + at + 4, &w, 4);
}

static void puts_(const char *s)
{
	uint32_t len = (uint32_t)strlen(s) + 1;
	put(len);
	memset(out + nout, 0, (len + 3) & ~3u);
	memcpy(out + nout, s, len);
	nout += (len + 3) & ~3u;
}

static void flush_fds(const int *fds, int nfds)
{
	struct iovec iov = { out, nout };
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} c;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds) {
		mh.msg_control = c.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfds);
	}
	size_t off = 0;
	while (off < nout) {
		iov.iov_base = out + off;
		iov.iov_len = nout - off;
		ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (n < 0)
			die("send");
		off += (size_t)n;
		mh.msg_control = NULL;
		mh.msg_controllen = 0;
	}
	nout = 0;
}

static void flush(void)
{
	flush_fds(NULL, 0);
}

/* Globals seen: wl_compositor, wl_shm, xdg_wm_base. */
static uint32_t g_comp, g_shm, g_xdg;
/* Object ids of the window: xdg_wm_base, xdg_surface, xdg_toplevel. */
enum { ID_XDG = 9, ID_XDG_SURFACE, ID_TOPLEVEL, ID_FRAME };
static uint32_t configured; /* serial of the last xdg_surface.configure */

/* Reads events until object `until` sends its opcode 0 (a callback's
 * done); an error event ends the program. */
static void wait_for(uint32_t until)
{
	for (;;) {
		size_t off = 0;
		while (have - off >= 8) {
			uint32_t obj, w;
			memcpy(&obj, in + off, 4);
			memcpy(&w, in + off + 4, 4);
			size_t size = w >> 16;
			if (size < 8 || have - off < size)
				break;
			uint16_t op = (uint16_t)w;
			if (obj == 1 && op == 0) {
				fprintf(stderr, "bench-wayland: protocol error: %s\n", (char *)in + off + 20);
				exit(1);
			}
			if (obj == 2 && op == 0) { /* global */
				uint32_t name;
				memcpy(&name, in + off + 8, 4);
				const char *iface = (const char *)in + off + 16;
				if (strcmp(iface, "wl_compositor") == 0)
					g_comp = name;
				if (strcmp(iface, "wl_shm") == 0)
					g_shm = name;
				if (strcmp(iface, "xdg_wm_base") == 0)
					g_xdg = name;
			}
			if (obj == ID_XDG && op == 0) { /* ping: pong */
				uint32_t serial;
				memcpy(&serial, in + off + 8, 4);
				size_t at = begin(ID_XDG, 3);
				put(serial);
				end(at);
				flush();
			}
			if (obj == ID_XDG_SURFACE && op == 0) { /* configure: ack */
				memcpy(&configured, in + off + 8, 4);
				size_t at = begin(ID_XDG_SURFACE, 4);
				put(configured);
				end(at);
			}
			off += size;
			if (obj == until && op == 0) {
				memmove(in, in + off, have - off);
				have -= off;
				return;
			}
		}
		memmove(in, in + off, have - off);
		have -= off;
		ssize_t n = recv(fd, in + have, sizeof(in) - have, 0);
		if (n <= 0)
			die(n == 0 ? "compositor closed the connection" : "recv");
		have += (size_t)n;
	}
}

/* A sync, its done awaited; the id is reused after delete_id (which comes
 * with the done), as libwayland does. */
static void roundtrip(uint32_t cb)
{
	size_t at = begin(1, 0);
	put(cb);
	end(at);
	flush();
	wait_for(cb);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: bench-wayland SOCKET SYNCS BATCH FRAMES\n");
		return 2;
	}
	alarm(120); /* a compositor that stops answering ends the run */
	long syncs = atol(argv[2]), batch = atol(argv[3]), frames = atol(argv[4]);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("connect");

	size_t at = begin(1, 1); /* get_registry(2) */
	put(2);
	end(at);
	uint32_t cb = 3;
	roundtrip(cb);
	if (!g_comp || !g_shm || !g_xdg) {
		fprintf(stderr, "bench-wayland: no wl_compositor, wl_shm or xdg_wm_base\n");
		return 1;
	}
	/* ids (in order, as the compositor insists): 4 compositor, 5 surface,
	 * 6 shm, 7 pool, 8 buffer, then the window (ID_XDG...) */
	at = begin(2, 0), put(g_comp), puts_("wl_compositor"), put(4), put(4), end(at);
	at = begin(4, 0), put(5), end(at); /* create_surface */
	at = begin(2, 0), put(g_shm), puts_("wl_shm"), put(1), put(6), end(at);
	int mfd = memfd_create("bench", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, 64) < 0)
		die("memfd");
	at = begin(6, 0), put(7), put(64), end(at); /* create_pool(7, fd, 64) */
	flush_fds(&mfd, 1);
	close(mfd);
	at = begin(7, 0), put(8), put(0), put(4), put(4), put(16), put(1), end(at); /* create_buffer xrgb */
	/* a toplevel: the compositor shows it, so frame callbacks come */
	at = begin(2, 0), put(g_xdg), puts_("xdg_wm_base"), put(1), put(ID_XDG), end(at);
	at = begin(ID_XDG, 2), put(ID_XDG_SURFACE), put(5), end(at);
	at = begin(ID_XDG_SURFACE, 1), put(ID_TOPLEVEL), end(at);
	at = begin(5, 6), end(at); /* commit: asks for the first configure */
	for (int i = 0; i < 100 && !configured; i++)
		roundtrip(cb);
	at = begin(5, 1), put(8), put(0), put(0), end(at); /* attach */
	at = begin(5, 6), end(at);
	roundtrip(cb);
	(void)next_id;

	double t0 = now();
	for (long i = 0; i < syncs; i++)
		roundtrip(cb);
	double t_sync = now() - t0;

	t0 = now();
	for (int r = 0; r < 10; r++) {
		for (long i = 0; i < batch; i++) {
			at = begin(5, 2), put(0), put(0), put(1), put(1), end(at); /* damage */
			if (nout > sizeof(out) - 64)
				flush();
		}
		roundtrip(cb);
	}
	double t_msg = now() - t0;

	t0 = now();
	for (long i = 0; i < frames; i++) {
		at = begin(5, 3), put(ID_FRAME), end(at);
		at = begin(5, 2), put(0), put(0), put(4), put(4), end(at);
		at = begin(5, 6), end(at);           /* commit */
		flush();
		wait_for(ID_FRAME);
	}
	double t_frame = now() - t0;
	printf("%.0f %.0f %.1f\n", (double)syncs / t_sync, (double)(batch * 10 + 10) / t_msg,
	       (double)frames / t_frame);
	return 0;
}
