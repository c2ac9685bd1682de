#include "config.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "t/manifest-ref.h"

static int walk(struct mf_builder *b, json_t *v)
{
	if (json_is_object(v)) {
		if (mf_begin(b, true) < 0)
			return -1;
		const char *k;
		size_t klen;
		json_t *child;
		void *tmp;
		json_object_keylen_foreach_safe(v, tmp, k, klen, child) {
			if (mf_key(b, k, klen) < 0 || walk(b, child) < 0)
				return -1;
		}
		return mf_end(b);
	}
	if (json_is_array(v)) {
		if (mf_begin(b, false) < 0)
			return -1;
		size_t i;
		json_t *child;
		json_array_foreach(v, i, child)
			if (walk(b, child) < 0)
				return -1;
		return mf_end(b);
	}
	if (json_is_string(v))
		return mf_scalar(b, JR_STRING, json_string_value(v), json_string_length(v));
	if (json_is_true(v))
		return mf_scalar(b, JR_TRUE, "true", 4);
	if (json_is_false(v))
		return mf_scalar(b, JR_FALSE, "false", 5);
	if (json_is_null(v))
		return mf_scalar(b, JR_NULL, "null", 4);
	return mf_scalar(b, JR_NUMBER, "0", 1);
}

int manifest_ref_read(enum manifest_kind kind, const char *data, size_t len,
		      struct pvx_manifest *out, char *err, size_t errlen)
{
	json_error_t jerr;
	/* Duplicate keys are the builder's to judge, as in the grammar:
	 * jansson would keep only the last one. */
	json_t *root = json_loadb(data, len, JSON_ALLOW_NUL | JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err, errlen, "jansson: %s", jerr.text);
		return -2;
	}
	struct mf_builder *b = mf_builder_new(kind);
	int rc = walk(b, root) < 0 || mf_finish(b, out) < 0 ? -1 : 0;
	if (rc < 0)
		snprintf(err, errlen, "%s", mf_builder_error(b));
	mf_builder_free(b);
	json_decref(root);
	return rc;
}
