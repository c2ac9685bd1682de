/* rest links (rest.c): what tests and the fuzz target may ask the filter
 * beyond the relay_filter interface. */
#ifndef PVX_REST_H
#define PVX_REST_H

#include <stdint.h>

/* Where in the consumer's byte stream the element the filter refused
 * began (a request head, a chunk-size line, a trailer field); UINT64_MAX
 * while nothing was refused.  No byte from there on reached the provider. */
uint64_t rest_refused_at(void *filter_state);

#endif
