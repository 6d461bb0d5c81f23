#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flows/vendor_match.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/normalize.h"
#include "util/banned.h"

struct vendor_index {
	json_t *by_name;    /* normalised name -> [index into vendors] */
	json_t *by_origin;  /* origin_id -> index */
	json_t *claimed;    /* procore id (text) -> netsuite id */
	json_t *known;      /* netsuite id (text) -> procore id, links known before matching */
	json_t *by_id;      /* procore id (text) -> true */
	json_t *vendors;    /* the Procore vendors (borrowed reference kept) */
};

int vendor_index_new(const json_t *procore_vendors, struct vendor_index **out,
		     struct mlc_error *err)
{
	struct vendor_index *idx = xcalloc(1, sizeof(*idx));
	size_t i;
	json_t *v;

	idx->by_name = json_object();
	idx->by_origin = json_object();
	idx->claimed = json_object();
	idx->known = json_object();
	idx->by_id = json_object();
	idx->vendors = json_incref((json_t *)procore_vendors);
	json_array_foreach(procore_vendors, i, v) {
		const char *name = jsonx_str(v, "name"), *origin = jsonx_str(v, "origin_id");
		struct mlc_buf norm = MLC_BUF_INIT;
		int64_t id = 0;
		if (jsonx_id(v, "id", &id) == 0 && id) {
			char key[32];
			snprintf(key, sizeof(key), "%lld", (long long)id);
			json_object_set_new(idx->by_id, key, json_true());
		}
		if (origin && *origin)
			json_object_set_new(idx->by_origin, origin, json_integer((json_int_t)i));
		if (!name || name_normalize(name, &norm, NULL) < 0 || !norm.len) {
			buf_release(&norm);
			continue;
		}
		json_t *list = json_object_get(idx->by_name, norm.data);
		if (!list) {
			list = json_array();
			json_object_set_new(idx->by_name, norm.data, list);
		}
		json_array_append_new(list, json_integer((json_int_t)i));
		buf_release(&norm);
	}
	MLC_UNUSED(err);
	*out = idx;
	return MLC_OK;
}

void vendor_index_free(struct vendor_index *idx)
{
	if (!idx)
		return;
	json_decref(idx->by_name);
	json_decref(idx->by_origin);
	json_decref(idx->claimed);
	json_decref(idx->known);
	json_decref(idx->by_id);
	json_decref(idx->vendors);
	free(idx);
}

void vendor_match_release(struct vendor_match *m)
{
	if (!m)
		return;
	json_decref(m->candidates);
	memset(m, 0, sizeof(*m));
}

const char *vendor_match_kind_name(enum vendor_match_kind k)
{
	switch (k) {
	case VENDOR_LINK_ORIGIN: return "link-origin";
	case VENDOR_LINK_KNOWN: return "link-known";
	case VENDOR_LINK_NAME: return "link-name";
	case VENDOR_CREATE: return "create";
	case VENDOR_AMBIGUOUS: return "ambiguous";
	case VENDOR_TAKEN: return "taken";
	}
	return "?";
}

static json_t *candidate(const json_t *v)
{
	json_t *c = json_object();
	json_object_set(c, "id", json_object_get(v, "id"));
	json_object_set(c, "name", json_object_get(v, "name"));
	if (jsonx_str(v, "origin_id"))
		json_object_set(c, "origin_id", json_object_get(v, "origin_id"));
	return c;
}

static void claim(struct vendor_index *idx, int64_t procore_id, int64_t netsuite_id)
{
	char key[32];
	snprintf(key, sizeof(key), "%lld", (long long)procore_id);
	json_object_set_new(idx->claimed, key, json_integer(netsuite_id));
}

static int64_t claimed_by(struct vendor_index *idx, int64_t procore_id)
{
	char key[32];
	snprintf(key, sizeof(key), "%lld", (long long)procore_id);
	return json_integer_value(json_object_get(idx->claimed, key));
}

void vendor_index_link(struct vendor_index *idx, int64_t procore_id, int64_t netsuite_id)
{
	char pkey[32], nkey[32];

	snprintf(pkey, sizeof(pkey), "%lld", (long long)procore_id);
	snprintf(nkey, sizeof(nkey), "%lld", (long long)netsuite_id);
	if (!json_object_get(idx->by_id, pkey))
		return;
	claim(idx, procore_id, netsuite_id);
	json_object_set_new(idx->known, nkey, json_integer(procore_id));
}

int vendor_index_match(struct vendor_index *idx, int64_t netsuite_id, const char *name,
		       struct vendor_match *m, struct mlc_error *err)
{
	char origin[48];
	json_t *hit, *list;
	struct mlc_buf norm = MLC_BUF_INIT;
	size_t i;
	json_t *pos;
	int rc;

	memset(m, 0, sizeof(*m));
	snprintf(origin, sizeof(origin), "ns:vendor:%lld", (long long)netsuite_id);
	hit = json_object_get(idx->by_origin, origin);
	if (hit) {
		json_t *v = json_array_get(idx->vendors, (size_t)json_integer_value(hit));
		if (jsonx_id(v, "id", &m->procore_id) < 0 || !m->procore_id)
			return error_set(err, MLC_EINVAL, "Procore vendor with origin %s has no id",
					 origin);
		m->kind = VENDOR_LINK_ORIGIN;
		claim(idx, m->procore_id, netsuite_id);
		return MLC_OK;
	}
	{
		char nkey[32];
		snprintf(nkey, sizeof(nkey), "%lld", (long long)netsuite_id);
		hit = json_object_get(idx->known, nkey);
		if (hit) {
			m->kind = VENDOR_LINK_KNOWN;
			m->procore_id = json_integer_value(hit);
			return MLC_OK;
		}
	}
	if ((rc = name_normalize(name ? name : "", &norm, err)) < 0)
		return rc;
	list = json_object_get(idx->by_name, norm.data);
	buf_release(&norm);
	m->candidates = json_array();
	int64_t only = 0;
	size_t free_count = 0;
	json_array_foreach(list, i, pos) {
		json_t *v = json_array_get(idx->vendors, (size_t)json_integer_value(pos));
		int64_t id = 0;
		const char *vo = jsonx_str(v, "origin_id");
		if (jsonx_id(v, "id", &id) < 0 || !id)
			continue;
		json_array_append_new(m->candidates, candidate(v));
		/* owned by another NetSuite vendor (by origin or earlier in this run) */
		if ((vo && *vo) || (claimed_by(idx, id) && claimed_by(idx, id) != netsuite_id))
			continue;
		free_count++;
		only = id;
	}
	if (json_array_size(m->candidates) == 0) {
		m->kind = VENDOR_CREATE;
	} else if (free_count == 1 && json_array_size(m->candidates) == 1) {
		m->kind = VENDOR_LINK_NAME;
		m->procore_id = only;
		claim(idx, only, netsuite_id);
	} else if (free_count == 0) {
		m->kind = VENDOR_TAKEN;
	} else {
		m->kind = VENDOR_AMBIGUOUS;
	}
	if (m->kind == VENDOR_CREATE || m->kind == VENDOR_LINK_NAME) {
		json_decref(m->candidates);
		m->candidates = NULL;
	}
	return MLC_OK;
}
