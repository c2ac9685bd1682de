/* sd_notify by hand; see notify.h. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/notify.h"

static int notify_fd = -1;
static struct sockaddr_un notify_sa;
static socklen_t notify_len;

int pvx_notify_addr(const char *value, struct sockaddr_un *sa, socklen_t *len)
{
	size_t n = value ? strlen(value) : 0;
	if (n < 2 || (value[0] != '/' && value[0] != '@'))
		return -EINVAL;
	if (n > sizeof(sa->sun_path) - (value[0] == '/'))
		return -ENAMETOOLONG;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, value, n);
	if (value[0] == '@')
		sa->sun_path[0] = '\0'; /* abstract: the length says where it ends */
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (value[0] == '/'));
	return 0;
}

int pvx_notify_init(void)
{
	const char *v = getenv("NOTIFY_SOCKET");
	if (!v || !*v)
		return 0;
	int r = pvx_notify_addr(v, &notify_sa, &notify_len);
	if (r < 0)
		return r;
	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	return notify_fd < 0 ? -errno : 0;
}

int pvx_notify_enabled(void)
{
	return notify_fd >= 0;
}

int pvx_notify(const char *msg)
{
	if (notify_fd < 0)
		return 0;
	if (sendto(notify_fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT,
		   (struct sockaddr *)&notify_sa, notify_len) < 0)
		return -errno;
	return 0;
}

void pvx_notify_cleanup(void)
{
	if (notify_fd >= 0)
		close(notify_fd);
	notify_fd = -1;
}
