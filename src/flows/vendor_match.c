/*
 * Vendor matching in tiers (flows/vendor_match.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "flows/vendor_match.h"
#include "util/buf.h"
#include "util/normalize.h"
#include "util/banned.h"

/* Why a destination vendor is not free. */
enum claim {
	CLAIM_NONE,
	CLAIM_LINK,  /* tiers 1-2: by its own pair */
	CLAIM_TWIN,  /* tier 3: by its folded twin */
	CLAIM_NAME,  /* tier 4: by a vendor of the same normalised name */
	CLAIM_OWNED, /* outside this match */
};

struct keys {
	char *fold, *norm; /* NULL: the name cannot be read */
};

struct matcher {
	const struct vendor_rec *src, *dst;
	size_t nsrc, ndst;
	struct keys *sk, *dk;
	enum claim *claim;
	json_t *dst_by_id;   /* id (text) -> index */
	json_t *src_by_id;   /* id (text) -> index */
	json_t *dst_by_fold; /* folded name -> [index] */
	json_t *dst_by_norm; /* normalised name -> [index] */
	json_t *src_folds;   /* folded names of every source vendor -> true */
	struct vendor_match *out;
	bool *done;
};

static void keys_of(const char *name, struct keys *k)
{
	struct mlc_buf f = MLC_BUF_INIT, n = MLC_BUF_INIT;

	k->fold = k->norm = NULL;
	if (!name)
		return;
	if (name_fold(name, &f, NULL) == 0 && name_normalize(name, &n, NULL) == 0) {
		k->fold = buf_detach(&f, NULL);
		k->norm = buf_detach(&n, NULL);
	}
	buf_release(&f);
	buf_release(&n);
}

static void index_add(json_t *map, const char *key, size_t i)
{
	json_t *list;

	if (!key || !*key)
		return;
	list = json_object_get(map, key);
	if (!list) {
		list = json_array();
		json_object_set_new(map, key, list);
	}
	json_array_append_new(list, json_integer((json_int_t)i));
}

static long lookup_id(json_t *map, int64_t id)
{
	char key[32];
	json_t *v;

	snprintf(key, sizeof(key), "%lld", (long long)id);
	v = json_object_get(map, key);
	return v ? (long)json_integer_value(v) : -1;
}

static void put_id(json_t *map, int64_t id, size_t i)
{
	char key[32];

	snprintf(key, sizeof(key), "%lld", (long long)id);
	/* the first of two records with one id wins: ids are unique in both APIs */
	if (!json_object_get(map, key))
		json_object_set_new(map, key, json_integer((json_int_t)i));
}

static void answer(struct matcher *m, size_t i, enum vendor_match_kind kind, size_t dst)
{
	m->out[i].kind = kind;
	m->out[i].dst = dst;
	m->done[i] = true;
}

/* Answers i with kind and the listed candidates (indexes in list). */
static void answer_cands(struct matcher *m, size_t i, enum vendor_match_kind kind,
			 const size_t *list, size_t n)
{
	answer(m, i, kind, 0);
	m->out[i].cand = xcalloc(n ? n : 1, sizeof(size_t));
	memcpy(m->out[i].cand, list, n * sizeof(size_t));
	m->out[i].ncand = n;
}

/* Tiers 1 and 2, origin links over every vendor before known ones. */
static void tier_links(struct matcher *m, const struct vendor_link *links, size_t nlinks,
		       bool origin)
{
	for (size_t k = 0; k < nlinks; k++) {
		long d, s;
		if (links[k].origin != origin)
			continue;
		d = lookup_id(m->dst_by_id, links[k].dst);
		if (d < 0)
			continue; /* gone */
		s = lookup_id(m->src_by_id, links[k].src);
		if (m->claim[d] == CLAIM_LINK) {
			/* already the pair of a vendor: a second link to it
			 * (stale evidence) never makes a second pair */
			continue;
		}
		m->claim[d] = CLAIM_LINK;
		if (s >= 0 && !m->done[s] && !m->src[s].passive)
			answer(m, (size_t)s, origin ? VENDOR_LINK_ORIGIN : VENDOR_LINK_KNOWN,
			       (size_t)d);
	}
}

/* Tier 3: the folded twins. */
static void tier_twins(struct matcher *m)
{
	size_t *free_ = xcalloc(m->ndst ? m->ndst : 1, sizeof(size_t));
	size_t *all = xcalloc(m->ndst ? m->ndst : 1, sizeof(size_t));

	for (size_t i = 0; i < m->nsrc; i++) {
		json_t *list, *pos;
		size_t nfree = 0, nall = 0, k;

		if (m->done[i] || m->src[i].passive || !m->sk[i].fold)
			continue;
		list = json_object_get(m->dst_by_fold, m->sk[i].fold);
		json_array_foreach (list, k, pos) {
			size_t d = (size_t)json_integer_value(pos);
			all[nall++] = d;
			if (m->claim[d] == CLAIM_NONE)
				free_[nfree++] = d;
		}
		if (!nall)
			continue; /* no twin: tier 4 */
		if (nfree == 1) {
			m->claim[free_[0]] = CLAIM_TWIN;
			answer(m, i, VENDOR_LINK_TWIN, free_[0]);
		} else if (nfree > 1) {
			answer_cands(m, i, VENDOR_AMBIGUOUS, free_, nfree);
		} else {
			answer_cands(m, i, VENDOR_TAKEN, all, nall);
		}
	}
	free(free_);
	free(all);
}

/* The destination vendors source i may have by normalised name: into
 * free_ those unclaimed and held by no twin, into all every namesake;
 * *nother counts the namesakes claimed at tier 4 or owned outside. */
static void namesakes(const struct matcher *m, size_t i, size_t *free_, size_t *nfree, size_t *all,
		      size_t *nall, size_t *nother)
{
	json_t *list = json_object_get(m->dst_by_norm, m->sk[i].norm), *pos;
	size_t k;

	*nfree = *nall = *nother = 0;
	json_array_foreach (list, k, pos) {
		size_t d = (size_t)json_integer_value(pos);
		bool reserved = json_object_get(m->src_folds, m->dk[d].fold) != NULL;
		all[(*nall)++] = d;
		if (m->claim[d] == CLAIM_NONE && !reserved)
			free_[(*nfree)++] = d;
		else if (m->claim[d] == CLAIM_NAME || m->claim[d] == CLAIM_OWNED)
			(*nother)++;
	}
}

/* Whether source i takes part in tier 4. */
static bool at_tier4(const struct matcher *m, size_t i)
{
	return !m->done[i] && !m->src[i].passive && m->sk[i].norm && *m->sk[i].norm;
}

/*
 * Tier 4: the normalised namesakes no twin holds.  A namesake sought by
 * source vendors of two different folded names ("Quartz Masonry LLC" and
 * "Quartz Masonry Inc" for a Procore "Quartz Masonry") is contested: none
 * takes it.  Seekers of one folded name are duplicates of each other: the
 * first takes it, the others find it taken.  Likewise of two vendors to
 * be created with one folded name only the first is.
 */
static void tier_names(struct matcher *m)
{
	size_t *free_ = xcalloc(m->ndst ? m->ndst : 1, sizeof(size_t));
	size_t *all = xcalloc(m->ndst ? m->ndst : 1, sizeof(size_t));
	const char **seeker = xcalloc(m->ndst ? m->ndst : 1, sizeof(char *));
	bool *contested = xcalloc(m->ndst ? m->ndst : 1, sizeof(bool));
	json_t *created = json_object(), *first; /* folded name -> source index */
	size_t nfree, nall, nother;

	for (size_t i = 0; i < m->nsrc; i++) {
		if (!at_tier4(m, i))
			continue;
		namesakes(m, i, free_, &nfree, all, &nall, &nother);
		for (size_t k = 0; k < nfree; k++) {
			size_t d = free_[k];
			if (!seeker[d])
				seeker[d] = m->sk[i].fold;
			else if (strcmp(seeker[d], m->sk[i].fold) != 0)
				contested[d] = true;
		}
	}
	for (size_t i = 0; i < m->nsrc; i++) {
		if (m->done[i] || m->src[i].passive)
			continue;
		if (m->src[i].name && !m->sk[i].norm) {
			answer(m, i, VENDOR_BADNAME, 0);
			continue;
		}
		if (!at_tier4(m, i)) {
			answer(m, i, VENDOR_CREATE, 0); /* no name to match */
			continue;
		}
		namesakes(m, i, free_, &nfree, all, &nall, &nother);
		first = json_object_get(created, m->sk[i].fold);
		if (nfree == 1 && contested[free_[0]]) {
			answer_cands(m, i, VENDOR_CONTESTED, free_, 1);
		} else if (nfree == 1) {
			m->claim[free_[0]] = CLAIM_NAME;
			answer(m, i, VENDOR_LINK_NAME, free_[0]);
		} else if (nfree > 1) {
			answer_cands(m, i, VENDOR_AMBIGUOUS, free_, nfree);
		} else if (nother) {
			answer_cands(m, i, VENDOR_TAKEN, all, nall);
		} else if (first) {
			/* the same folded name is created already: one company */
			answer(m, i, VENDOR_DUPLICATE, 0);
			m->out[i].first = (size_t)json_integer_value(first);
		} else {
			/* no namesake, or each belongs to its own twin */
			answer(m, i, VENDOR_CREATE, 0);
			json_object_set_new(created, m->sk[i].fold, json_integer((json_int_t)i));
		}
	}
	free(free_);
	free(all);
	free(seeker);
	free(contested);
	json_decref(created);
}

struct vendor_match *vendor_match_all(const struct vendor_rec *src, size_t nsrc,
				      const struct vendor_rec *dst, size_t ndst,
				      const struct vendor_link *links, size_t nlinks)
{
	struct matcher m = {
	    .src = src,
	    .dst = dst,
	    .nsrc = nsrc,
	    .ndst = ndst,
	    .sk = xcalloc(nsrc ? nsrc : 1, sizeof(struct keys)),
	    .dk = xcalloc(ndst ? ndst : 1, sizeof(struct keys)),
	    .claim = xcalloc(ndst ? ndst : 1, sizeof(enum claim)),
	    .dst_by_id = json_object(),
	    .src_by_id = json_object(),
	    .dst_by_fold = json_object(),
	    .dst_by_norm = json_object(),
	    .src_folds = json_object(),
	    .out = xcalloc(nsrc ? nsrc : 1, sizeof(struct vendor_match)),
	    .done = xcalloc(nsrc ? nsrc : 1, sizeof(bool)),
	};

	for (size_t d = 0; d < ndst; d++) {
		put_id(m.dst_by_id, dst[d].id, d);
		if (dst[d].owned)
			m.claim[d] = CLAIM_OWNED;
		keys_of(dst[d].name, &m.dk[d]);
		index_add(m.dst_by_fold, m.dk[d].fold, d);
		index_add(m.dst_by_norm, m.dk[d].norm, d);
	}
	for (size_t i = 0; i < nsrc; i++) {
		put_id(m.src_by_id, src[i].id, i);
		keys_of(src[i].name, &m.sk[i]);
		if (m.sk[i].fold && *m.sk[i].fold)
			json_object_set_new(m.src_folds, m.sk[i].fold, json_true());
		if (src[i].passive)
			answer(&m, i, VENDOR_PASSIVE, 0);
	}
	tier_links(&m, links, nlinks, true);
	tier_links(&m, links, nlinks, false);
	tier_twins(&m);
	tier_names(&m);

	for (size_t i = 0; i < nsrc; i++) {
		free(m.sk[i].fold);
		free(m.sk[i].norm);
	}
	for (size_t d = 0; d < ndst; d++) {
		free(m.dk[d].fold);
		free(m.dk[d].norm);
	}
	free(m.sk);
	free(m.dk);
	free(m.claim);
	free(m.done);
	json_decref(m.dst_by_id);
	json_decref(m.src_by_id);
	json_decref(m.dst_by_fold);
	json_decref(m.dst_by_norm);
	json_decref(m.src_folds);
	return m.out;
}

void vendor_matches_free(struct vendor_match *m, size_t n)
{
	if (!m)
		return;
	for (size_t i = 0; i < n; i++)
		free(m[i].cand);
	free(m);
}

const char *vendor_match_kind_name(enum vendor_match_kind k)
{
	switch (k) {
	case VENDOR_LINK_ORIGIN:
		return "link-origin";
	case VENDOR_LINK_KNOWN:
		return "link-known";
	case VENDOR_LINK_TWIN:
		return "link-twin";
	case VENDOR_LINK_NAME:
		return "link-name";
	case VENDOR_CREATE:
		return "create";
	case VENDOR_AMBIGUOUS:
		return "ambiguous";
	case VENDOR_TAKEN:
		return "taken";
	case VENDOR_CONTESTED:
		return "contested";
	case VENDOR_DUPLICATE:
		return "duplicate";
	case VENDOR_BADNAME:
		return "bad-name";
	case VENDOR_PASSIVE:
		return "passive";
	}
	return "?";
}
