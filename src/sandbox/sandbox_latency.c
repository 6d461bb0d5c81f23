#include <stdio.h>
#include <string.h>

#include "sandbox/sandbox_latency.h"
#include "util/num.h"
#include "util/banned.h"

/* [side][kind]: side 0 NetSuite, 1 Procore; kind 0 read, 1 write. */
static int64_t lo[2][2], hi[2][2];
static bool on;

static int parse_range(const char *text, int64_t *a, int64_t *b, struct mlc_error *err)
{
	char buf[48];
	char *dash;

	snprintf(buf, sizeof(buf), "%s", text);
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	if (num_parse_i64(buf, a, err) < 0 || (dash && num_parse_i64(dash, b, err) < 0))
		return error_set(err, MLC_EINVAL, "--latency: '%s' is not MS or MIN-MAX", text);
	if (!dash)
		*b = *a;
	if (*a < 0 || *b < *a || *b > 600000)
		return error_set(err, MLC_EINVAL, "--latency: '%s' is out of 0..600000 ms", text);
	return MLC_OK;
}

/* One SIDE[:KIND]=RANGE item. */
static int parse_item(char *item, struct mlc_error *err)
{
	char *eq = strchr(item, '='), *kind;
	int side;
	int64_t a, b;

	if (!eq)
		return error_set(err, MLC_EINVAL, "--latency: '%s' has no '='", item);
	*eq++ = '\0';
	kind = strchr(item, ':');
	if (kind)
		*kind++ = '\0';
	if (!strcmp(item, "ns"))
		side = 0;
	else if (!strcmp(item, "pc"))
		side = 1;
	else
		return error_set(err, MLC_EINVAL, "--latency: side '%s' is not ns or pc", item);
	if (kind && strcmp(kind, "read") && strcmp(kind, "write"))
		return error_set(err, MLC_EINVAL, "--latency: kind '%s' is not read or write",
				 kind);
	if (parse_range(eq, &a, &b, err) < 0)
		return err->code;
	for (int k = 0; k < 2; k++) {
		if (kind && k != (strcmp(kind, "write") == 0))
			continue;
		lo[side][k] = a;
		hi[side][k] = b;
	}
	return MLC_OK;
}

int sbx_latency_set(const char *spec, struct mlc_error *err)
{
	char buf[256];
	char *p, *next;

	memset(lo, 0, sizeof(lo));
	memset(hi, 0, sizeof(hi));
	on = false;
	if (!spec || !*spec)
		return MLC_OK;
	if (strlen(spec) >= sizeof(buf))
		return error_set(err, MLC_EINVAL, "--latency: the spec is too long");
	snprintf(buf, sizeof(buf), "%s", spec);
	for (p = buf; p && *p; p = next) {
		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		if (parse_item(p, err) < 0) {
			memset(lo, 0, sizeof(lo));
			memset(hi, 0, sizeof(hi));
			return err->code;
		}
	}
	on = true;
	return MLC_OK;
}

bool sbx_latency_on(void)
{
	return on;
}

int64_t sbx_latency_ms(const char *side, bool write, double r)
{
	int s = strcmp(side, "netsuite") == 0 ? 0 : 1, k = write ? 1 : 0;

	return lo[s][k] + (int64_t)(r * (double)(hi[s][k] - lo[s][k] + 1));
}
