/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer. Calls nest like the document: inside an
 * object every value takes a key, inside an array and at top level the key
 * is NULL. The top-level value is followed by a newline.
 */
#ifndef CONENAT_TOOL_JSON_H
#define CONENAT_TOOL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	bool pretty;
	int depth;
	bool first[JSON_MAX_DEPTH + 1];	/* no member written yet at depth */
};

void json_init(struct json *j, FILE *f, bool pretty);
void json_begin_object(struct json *j, const char *key);
void json_end_object(struct json *j);
void json_begin_array(struct json *j, const char *key);
void json_end_array(struct json *j);
void json_string(struct json *j, const char *key, const char *val);
void json_uint(struct json *j, const char *key, uint64_t val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);

/* Writes s as a quoted JSON string. Invalid UTF-8 becomes U+FFFD. */
void json_write_string(FILE *f, const char *s);

#endif
