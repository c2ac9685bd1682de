/* NAT for pools with "nat": true: one nftables table per pool
 * ("ip pvx_nat_<pool>", masquerading what leaves the subnet for elsewhere),
 * installed by the pool's first planted link and removed with its last,
 * through libnftables (no nft process). */
#ifndef PVX_NAT_H
#define PVX_NAT_H

#include "ipam/ipam.h"

/* One more (or one fewer) planted link of the pool. */
int nat_ref(const struct ipam_pool *p, char *err, size_t errlen);
void nat_unref(const char *pool);

#endif
