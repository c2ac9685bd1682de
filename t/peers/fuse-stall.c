/* A FUSE file system that never answers, for the hostile tests: mounts
 * itself at DIR and then sleeps, reading no request, so that every access
 * under DIR waits (the way a container's FUSE server can stall whoever
 * looks there).  Killing it aborts the connection: the waiters get
 * ENOTCONN.
 *   fuse-stall DIR    (root; prints "mounted" once the mount is in place) */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fuse-stall DIR\n");
		return 2;
	}
	int fd = open("/dev/fuse", O_RDWR);
	if (fd < 0) {
		perror("fuse-stall: /dev/fuse");
		return 77;
	}
	char opts[128];
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other", fd);
	if (mount("pvx-stall", argv[1], "fuse", MS_NOSUID | MS_NODEV, opts) < 0) {
		perror("fuse-stall: mount");
		return 77;
	}
	printf("mounted\n");
	fflush(stdout);
	for (;;)
		pause();
}
