/* D-Bus message framing and header fields (the D-Bus specification,
 * "Message Format"), for dbus links after authentication.
 *
 * A message is a 16-byte fixed header (endianness, type, flags, version,
 * body length, serial, length of the header field array), the header field
 * array, padding to 8, then the body.  The framing needs only the fixed
 * header; the filter of a dbus link also reads the fields.  Our own reader:
 * libdbus's public dbus_message_demarshal() refuses any message that
 * carries file descriptors, which is exactly the traffic a link relays. */
#ifndef PVX_DBUS_MSG_H
#define PVX_DBUS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DBUS_FIXED_HEADER 16
/* The specification's limits: a whole message, and one array. */
#define DBUS_MAX_MESSAGE (128u * 1024 * 1024)
#define DBUS_MAX_ARRAY (64u * 1024 * 1024)

enum dbus_msg_type {
	DBUS_MSG_INVALID = 0,
	DBUS_MSG_METHOD_CALL = 1,
	DBUS_MSG_METHOD_RETURN = 2,
	DBUS_MSG_ERROR = 3,
	DBUS_MSG_SIGNAL = 4,
};

#define DBUS_FLAG_NO_REPLY_EXPECTED 0x1

struct dbus_frame {
	bool big_endian;
	uint8_t type, flags;
	uint32_t body_len, serial, fields_len;
	uint32_t header_len; /* fixed header + fields + padding to 8 */
	uint32_t total;      /* header_len + body_len */
};

/* Reads the fixed header (16 bytes at p).  Returns 0 or a static reason
 * (bad endianness mark, version, serial 0, over the size limits). */
const char *dbus_frame_read(const unsigned char *p, struct dbus_frame *f);

/* Header fields; strings point into the message and are NUL-terminated
 * there.  NULL: absent. */
struct dbus_fields {
	const char *path, *interface, *member, *error_name;
	const char *destination, *sender, *signature;
	uint32_t reply_serial, unix_fds;
	bool has_reply_serial;
};

/* Reads the header field array of a message whose first f->header_len
 * bytes are at p: known fields must have their specified type, unknown
 * fields are skipped, the fields each message type requires must be there.
 * Returns 0 or a static reason. */
const char *dbus_fields_read(const unsigned char *p, const struct dbus_frame *f,
			     struct dbus_fields *out);

/* The leading string arguments of a body (f->body_len bytes at body): up
 * to max of them, as far as the signature starts with "s".  Returns how
 * many were read (RequestName and GetNameOwner name the bus name first,
 * NameOwnerChanged carries name, old owner, new owner). */
int dbus_body_strings(const unsigned char *body, const struct dbus_frame *f,
		      const struct dbus_fields *h, const char **out, int max);

/* The argument at index of a body (f->body_len bytes at body), when it is
 * a string, object path or signature: returns 1 and sets *out (pointing
 * into body) and *type ('s', 'o', 'g'); 0 when the body has no such
 * argument or it is of another type; -1 when the body is malformed
 * before it. */
int dbus_body_arg(const unsigned char *body, const struct dbus_frame *f,
		  const struct dbus_fields *h, unsigned index, const char **out, char *type);

/* Rewrites the array of strings ("as") a message's body holds, keeping
 * only the strings keep() says yes to: out (room for f->total bytes)
 * receives the message (msg: f->total bytes) with its body replaced and
 * its body length fixed.  Returns the new length, or 0 when the body is
 * not one "as". */
size_t dbus_body_filter_strings(const unsigned char *msg, const struct dbus_frame *f,
				const struct dbus_fields *h, unsigned char *out,
				bool (*keep)(void *ctx, const char *s), void *ctx);

#endif
