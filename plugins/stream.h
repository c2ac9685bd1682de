/* Socket link types: a listening socket planted at the link's target in
 * the consumer, each accepted connection relayed to the provider socket. */
#ifndef PVX_STREAM_H
#define PVX_STREAM_H

#include "fsm/link.h"

int stream_plant(struct pvx_link *l);
void stream_unplant(struct pvx_link *l);
int stream_probe(struct pvx_link *l);

#endif
