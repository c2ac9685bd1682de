/* make bench, dbus part: a libdbus service and a client measuring method
 * calls per second through whatever sits between them.
 *   bench-dbus serve ADDRESS NAME        owns NAME, answers Echo(s) -> s
 *   bench-dbus call ADDRESS NAME N C     C connections in parallel (one
 *                                        process each), N calls each, one
 *                                        at a time; prints calls/s
 *   bench-dbus connects ADDRESS N        N connections one after the other
 *                                        (connect, authenticate, Hello,
 *                                        close); prints connections/s */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dbus/dbus.h>

static DBusConnection *connect_bus(const char *address)
{
	DBusError err;
	dbus_error_init(&err);
	DBusConnection *c = dbus_connection_open_private(address, &err);
	if (!c || !dbus_bus_register(c, &err)) {
		fprintf(stderr, "bench-dbus: %s: %s\n", address, err.message);
		exit(1);
	}
	return c;
}

static DBusHandlerResult on_message(DBusConnection *c, DBusMessage *m, void *data)
{
	if (!dbus_message_is_method_call(m, (const char *)data, "Echo"))
		return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
	DBusMessage *r = dbus_message_new_method_return(m);
	const char *s = "";
	dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, &s, DBUS_TYPE_INVALID);
	dbus_message_append_args(r, DBUS_TYPE_STRING, &s, DBUS_TYPE_INVALID);
	dbus_connection_send(c, r, NULL);
	dbus_message_unref(r);
	return DBUS_HANDLER_RESULT_HANDLED;
}

static int serve(const char *address, const char *name)
{
	DBusConnection *c = connect_bus(address);
	DBusError err;
	dbus_error_init(&err);
	if (dbus_bus_request_name(c, name, DBUS_NAME_FLAG_DO_NOT_QUEUE, &err) !=
	    DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER) {
		fprintf(stderr, "bench-dbus: cannot own %s\n", name);
		return 1;
	}
	dbus_connection_add_filter(c, on_message, (void *)name, NULL);
	printf("serving\n");
	fflush(stdout);
	while (dbus_connection_read_write_dispatch(c, -1))
		;
	return 0;
}

static void calls(const char *address, const char *name, long n)
{
	DBusConnection *c = connect_bus(address);
	const char *payload = "0123456789abcdef0123456789abcdef";
	for (long i = 0; i < n; i++) {
		DBusMessage *m = dbus_message_new_method_call(name, "/", name, "Echo");
		dbus_message_append_args(m, DBUS_TYPE_STRING, &payload, DBUS_TYPE_INVALID);
		DBusError err;
		dbus_error_init(&err);
		DBusMessage *r = dbus_connection_send_with_reply_and_block(c, m, 5000, &err);
		dbus_message_unref(m);
		if (!r) {
			fprintf(stderr, "bench-dbus: call %ld: %s\n", i, err.message);
			exit(1);
		}
		dbus_message_unref(r);
	}
	dbus_connection_close(c);
	dbus_connection_unref(c);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int connects(const char *address, long n)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		DBusConnection *c = connect_bus(address);
		dbus_connection_close(c);
		dbus_connection_unref(c);
	}
	printf("%.0f\n", (double)n / seconds_since(&t0));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "serve"))
		return serve(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "connects"))
		return connects(argv[2], atol(argv[3]));
	if (argc != 6 || strcmp(argv[1], "call")) {
		fprintf(stderr, "usage: bench-dbus serve ADDRESS NAME | call ADDRESS NAME N CONNECTIONS"
				" | connects ADDRESS N\n");
		return 2;
	}
	long n = atol(argv[4]);
	int conns = atoi(argv[5]);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < conns; i++)
		if (fork() == 0) {
			calls(argv[2], argv[3], n);
			_exit(0);
		}
	int failed = 0, st;
	while (wait(&st) > 0)
		failed |= !WIFEXITED(st) || WEXITSTATUS(st);
	printf("%.0f\n", (double)n * conns / seconds_since(&t0));
	return failed;
}
