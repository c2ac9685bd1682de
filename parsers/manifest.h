/* Container manifests (DESIGN.md section 3.2): services.json (provider),
 * run.json and args.json (consumer), read by the streaming JSON reader
 * (json.rl) into the structs below.  Errors name file:line:column and
 * say what was expected. */
#ifndef PVX_MANIFEST_H
#define PVX_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include "model/spec.h"
#include "parsers/json.h"

#define MANIFEST_MAX_SIZE (1024 * 1024)
#define MANIFEST_MAX_STRING JSON_MAX_STRING
#define MANIFEST_MAX_DEPTH JSON_MAX_DEPTH

enum manifest_kind { MANIFEST_SERVICES, MANIFEST_RUN, MANIFEST_ARGS };

struct pvx_service { /* services.json entry */
	char *name;
	enum pvx_link_type type;
	char *socket;
};

struct pvx_requirement { /* run.json / args.json entry */
	char *name;
	int type; /* enum pvx_link_type, or -1 when the requirement names none */
	char *role, *interface, *target; /* NULL when absent */
	char *globals;                   /* wayland: the globals shown, NULL when absent */
	bool required;
};

struct pvx_net_iface {
	char *name, *pool, *ipv4_address, *mac_address;
};

struct pvx_network { /* run.json "network", args.json "network" and PV_NETWORK_* */
	bool present;
	char *mode, *pool, *hostname, *static_ip, *mac;
	struct pvx_net_iface *ifaces;
	size_t n_ifaces;
};

struct pvx_manifest {
	enum manifest_kind kind;
	bool legacy;       /* services.json as a bare array */
	char *spec;        /* "#spec" */
	char *name, *type; /* run.json */
	struct pvx_service *services;
	size_t n_services;
	struct pvx_requirement *reqs;
	size_t n_reqs;
	struct pvx_network net;
	char *warnings; /* "file:line:col: unknown key ..." lines, NULL if none */
};

struct manifest_parser;

/* file is the name used in error messages. */
struct manifest_parser *manifest_parser_new(enum manifest_kind kind, const char *file);
/* Feeds the next piece; returns 0, or -1 with the error in
 * manifest_parser_error().  Pieces may be cut anywhere. */
int manifest_parser_feed(struct manifest_parser *p, const char *data, size_t len);
/* Ends the input and hands the result over (caller frees it with
 * manifest_free); returns 0 or -1. */
int manifest_parser_finish(struct manifest_parser *p, struct pvx_manifest *out);
const char *manifest_parser_error(const struct manifest_parser *p);
/* The warnings so far (unknown keys, "file:line:col: ..." a line), "" if
 * none; manifest_parser_finish moves them into the manifest's warnings. */
const char *manifest_parser_warnings(const struct manifest_parser *p);
void manifest_parser_free(struct manifest_parser *p);

/* Reads a whole file; kind is taken from its base name (services.json,
 * run.json, args.json).  Returns 0, or -1 with a message in err; out's
 * warnings are set on failure too (the rest of out empty: manifest_free
 * it either way). */
int manifest_read_file(const char *path, struct pvx_manifest *out, char *err, size_t errlen);
int manifest_kind_from_name(const char *basename);

void manifest_free(struct pvx_manifest *m);

/* A canonical text form, one line per item, used by the fixtures and the
 * differential check. Caller frees. */
char *manifest_dump(const struct pvx_manifest *m);

/* The schema side of the reader, driven by events; exposed so that a
 * jansson tree can drive it too (differential tests, fuzzing). */
struct mf_builder;
struct mf_builder *mf_builder_new(enum manifest_kind kind);
void mf_builder_free(struct mf_builder *b);
/* Each returns 0, or -1 with a message (no position) in mf_builder_error(). */
int mf_begin(struct mf_builder *b, bool object);
int mf_end(struct mf_builder *b);
int mf_key(struct mf_builder *b, const char *s, size_t n);
int mf_scalar(struct mf_builder *b, enum jr_scalar t, const char *s, size_t n);
int mf_finish(struct mf_builder *b, struct pvx_manifest *out);
const char *mf_builder_error(const struct mf_builder *b);
/* The warning of the last mf_key call (an unknown key), NULL if none;
 * the caller adds where it was and clears it. */
const char *mf_builder_warning(struct mf_builder *b);
void mf_builder_warning_clear(struct mf_builder *b);

#endif
