/* GET /links written a piece at a time (daemon/control.c,
 * control_links_more): the pieces put together are the bytes of the answer
 * built at once, which are jansson's compact dump of the array; links
 * removed between two pieces (and freed, as the loop's reaper does) are
 * left out and the rest follows; links added at the end come too. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "daemon/control.h"
#include "fsm/reconcile.h"
#include "lib/log.h"
#include "lib/loop.h"
#include "lib/worker.h"
#include "parsers/graph.h"
#include "t/tap.h"

static char dir[] = "/tmp/pvx-links-stream.XXXXXX";

#define is_str(got, want, ...)                                                   \
	do {                                                                     \
		const char *g_ = (got), *w_ = (want);                            \
		if (!tap_ok(g_ && w_ && strcmp(g_, w_) == 0, __VA_ARGS__))       \
			tap_diag("got '%.300s', want '%.300s'", g_ ? g_ : "(null)", \
				 w_ ? w_ : "(null)");                            \
	} while (0)

static void bail(const char *what)
{
	printf("Bail out! %s\n", what);
	exit(1);
}

/* Applies a graph of unix links named by names (space separated). */
static void apply(const char *names)
{
	struct pvx_buf body = {0};
	pvx_buf_append(&body, "[", 1);
	char copy[256];
	snprintf(copy, sizeof(copy), "%s", names);
	bool first = true;
	for (char *save, *n = strtok_r(copy, " ", &save); n; n = strtok_r(NULL, " ", &save)) {
		pvx_buf_printf(&body,
			       "%s{\"type\": \"unix\", \"name\": \"%s\", \"consumer\": \"c\", "
			       "\"socket\": \"%s/none.sock\", \"target\": \"%s/%s.sock\"}",
			       first ? "" : ",", n, dir, dir, n);
		first = false;
	}
	pvx_buf_append(&body, "]", 1);
	struct pvx_graph g;
	char err[256];
	if (pvx_graph_parse(body.data, body.len, &g, err, sizeof(err), NULL, NULL) < 0)
		bail(err);
	mesh_apply(&g, NULL);
	pvx_graph_free(&g);
	pvx_buf_free(&body);
}

/* The names in a GET /links answer, space separated, or "(not JSON)". */
static const char *names_of(const char *text)
{
	static char out[256];
	json_error_t e;
	json_t *a = json_loads(text, 0, &e);
	if (!json_is_array(a)) {
		json_decref(a);
		return "(not JSON)";
	}
	out[0] = '\0';
	size_t i;
	json_t *l;
	json_array_foreach(a, i, l) {
		size_t n = strlen(out);
		snprintf(out + n, sizeof(out) - n, "%s%s", n ? " " : "",
			 json_string_value(json_object_get(l, "name")));
	}
	json_decref(a);
	return out;
}

/* One link per call: the smallest pieces. */
static int one_piece(struct control_links_stream *s, struct pvx_buf *b)
{
	return control_links_more(s, b, b->len + 1, 1e300);
}

int main(void)
{
	pvx_loop = EV_DEFAULT;
	pvx_log_threshold = PVX_LOG_ERROR;
	pvx_worker_init(pvx_loop, 4);
	if (!mkdtemp(dir))
		bail("mkdtemp");

	apply("l0 l1 l2 l3 l4");
	char *whole = control_links_json();
	is_str(names_of(whole), "l0 l1 l2 l3 l4", "the answer at once has every link in order");
	json_t *a = json_loads(whole, 0, NULL);
	char *dumped = json_dumps(a, JSON_COMPACT);
	is_str(whole, dumped, "... and is the compact dump of that array, byte for byte");
	free(dumped);
	json_decref(a);

	struct control_links_stream s;
	struct pvx_buf b = {0};
	int calls = 0, r = 0;
	control_links_open(&s);
	while (!s.done && r == 0 && calls < 100) {
		r = one_piece(&s, &b);
		calls++;
	}
	control_links_close(&s);
	is_int(r, 0, "pieces of one link each: no error");
	is_int(calls, 6, "... five pieces of one link, then the closing bracket");
	is_str(b.data, whole, "... put together, the same bytes as the answer at once");
	pvx_buf_reset(&b);
	free(whole);

	/* l1 is the next link of the stream when it and l2 go, and l5 comes
	 * at the end; one piece while the removed links are still in memory
	 * (the loop's reaper frees them when the iteration is over), the
	 * rest after they are freed. */
	control_links_open(&s);
	r = one_piece(&s, &b);
	apply("l0 l3 l4 l5");
	if (r == 0)
		r = one_piece(&s, &b); /* with l1 and l2 removed, not yet freed */
	mesh_reap();
	while (!s.done && r == 0)
		r = one_piece(&s, &b);
	control_links_close(&s);
	is_int(r, 0, "links removed between two pieces: no error");
	is_str(names_of(b.data), "l0 l3 l4 l5",
	       "... the removed ones are left out, the rest and the one added follow");
	pvx_buf_reset(&b);

	/* A stream closed half way (the client went) leaves no cursor behind:
	 * removing every link afterwards touches nothing of it. */
	control_links_open(&s);
	r = one_piece(&s, &b);
	control_links_close(&s);
	memset(&s, 0xa5, sizeof(s));
	apply("");
	mesh_reap();
	whole = control_links_json();
	is_str(whole, "[]", "a stream closed half way, then every link removed: GET /links is []");
	free(whole);
	pvx_buf_free(&b);

	mesh_shutdown();
	pvx_worker_drain(5);
	pvx_worker_shutdown();
	char cmd[sizeof(dir) + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
	return tap_done();
}
