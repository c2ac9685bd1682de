/* libFuzzer: IPAM's inputs.  Byte 0 even: the rest is a pools object (as in
 * device.json or the graph), then a few reservations against it.  Odd: the
 * rest is a lease file.  Nothing is written (no store directory). */
#include "config.h"

#include <string.h>

#include "ipam/ipam.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	if (size < 1)
		return 0;
	char why[300];
	if (data[0] & 1) {
		struct pvx_buf e = { 0 };
		json_t *pools = json_loads("{\"internal\": {\"bridge\": \"br0\", \"subnet\": \"10.0.3.0/24\", "
					   "\"gateway\": \"10.0.3.1\"}}", 0, NULL);
		ipam_set_pools(pools, &e);
		json_decref(pools);
		pvx_buf_free(&e);
		ipam_load_state_text((const char *)data + 1, size - 1, why, sizeof(why));
		const struct ipam_lease *l;
		ipam_reserve("internal", "fuzz", "eth0", NULL, NULL, &l, why, sizeof(why));
	} else {
		json_t *o = json_loadb((const char *)data + 1, size - 1, 0, NULL);
		struct pvx_buf e = { 0 };
		ipam_set_pools(o, &e);
		pvx_buf_free(&e);
		const char *name;
		json_t *v;
		json_object_foreach(o, name, v) {
			const struct ipam_lease *l;
			ipam_reserve(name, "a", "eth0", NULL, NULL, &l, why, sizeof(why));
			ipam_reserve(name, "b", "eth0", "10.0.3.50", "02:00:00:00:00:01", &l, why, sizeof(why));
			ipam_reserve(name, "c", "eth0", NULL, NULL, &l, why, sizeof(why));
			ipam_reserve(name, "a", "eth1", "10.0.3.60", NULL, &l, why, sizeof(why));
			ipam_release(name, "a", "eth0");
		}
		json_decref(o);
	}
	ipam_reset();
	return 0;
}
