/*
 * Vendor matching in tiers (flows/vendor_match.h): a pure function over
 * two lists, tested on small directories written out by hand and on a
 * generated one checked against the rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flows/vendor_match.h"

/* src/dst lists by name, ids 1.. (source) and 101.. (destination). */
#define MAXV 64
struct world {
	struct vendor_rec src[MAXV], dst[MAXV];
	size_t nsrc, ndst;
	struct vendor_link links[MAXV];
	size_t nlinks;
	struct vendor_match *m;
};

static void add_src(struct world *w, const char *name)
{
	w->src[w->nsrc] = (struct vendor_rec){.id = (int64_t)w->nsrc + 1, .name = name};
	w->nsrc++;
}

static void add_dst(struct world *w, const char *name)
{
	w->dst[w->ndst] = (struct vendor_rec){.id = (int64_t)w->ndst + 101, .name = name};
	w->ndst++;
}

static void run(struct world *w)
{
	w->m = vendor_match_all(w->src, w->nsrc, w->dst, w->ndst, w->links, w->nlinks);
}

static void done(struct world *w)
{
	vendor_matches_free(w->m, w->nsrc);
	w->m = NULL;
}

/* The answer for source i, checked: kind and, for links, the name it links to. */
static void expect(const struct world *w, size_t i, enum vendor_match_kind kind,
		   const char *dst_name)
{
	const struct vendor_match *m = &w->m[i];
	if (m->kind != kind)
		fail_msg("'%s': %s, wanted %s", w->src[i].name, vendor_match_kind_name(m->kind),
			 vendor_match_kind_name(kind));
	if (dst_name)
		assert_string_equal(w->dst[m->dst].name, dst_name);
}

/* Whether name is among the candidates of source i. */
static int has_cand(const struct world *w, size_t i, const char *name)
{
	for (size_t k = 0; k < w->m[i].ncand; k++)
		if (strcmp(w->dst[w->m[i].cand[k]].name, name) == 0)
			return 1;
	return 0;
}

static size_t count_parked(const struct world *w)
{
	size_t n = 0;
	for (size_t i = 0; i < w->nsrc; i++)
		n += w->m[i].kind == VENDOR_AMBIGUOUS || w->m[i].kind == VENDOR_TAKEN ||
		     w->m[i].kind == VENDOR_CONTESTED || w->m[i].kind == VENDOR_DUPLICATE ||
		     w->m[i].kind == VENDOR_BADNAME;
	return n;
}

/* No destination is the link of two sources. */
static void assert_no_double_link(const struct world *w)
{
	for (size_t i = 0; i < w->nsrc; i++)
		for (size_t j = i + 1; j < w->nsrc; j++) {
			const struct vendor_match *a = &w->m[i], *b = &w->m[j];
			int la = a->kind <= VENDOR_LINK_NAME, lb = b->kind <= VENDOR_LINK_NAME;
			if (la && lb && a->dst == b->dst)
				fail_msg("'%s' and '%s' both linked to '%s'", w->src[i].name,
					 w->src[j].name, w->dst[a->dst].name);
		}
}

/* The directory: three suffix siblings in both systems, listed in
 * different orders: three pairs by folded name, nothing parked. */
static void test_suffix_siblings(void **state)
{
	struct world w = {0};
	(void)state;

	add_src(&w, "Acme Mechanical Inc.");
	add_src(&w, "Acme Mechanical Co.");
	add_src(&w, "Acme Mechanical Corp.");
	add_dst(&w, "Acme Mechanical Corp.");
	add_dst(&w, "Acme Mechanical Inc.");
	add_dst(&w, "Acme Mechanical Co.");
	run(&w);
	expect(&w, 0, VENDOR_LINK_TWIN, "Acme Mechanical Inc.");
	expect(&w, 1, VENDOR_LINK_TWIN, "Acme Mechanical Co.");
	expect(&w, 2, VENDOR_LINK_TWIN, "Acme Mechanical Corp.");
	assert_int_equal(count_parked(&w), 0);
	assert_no_double_link(&w);
	done(&w);
}

/* Case, punctuation, spacing, Unicode form and the spelling of the suffix
 * are folded; the suffix itself is kept. */
static void test_folded_variants(void **state)
{
	struct world w = {0};
	(void)state;

	add_src(&w, "ACME MECHANICAL, INC");
	add_src(&w, "acme   mechanical   company");
	add_src(&w,
		"\xEF\xBC\xA1\xEF\xBD\x83\xEF\xBD\x8D\xEF\xBD\x85 Mechanical Corp"); /* fullwidth */
	add_dst(&w, "Acme Mechanical Co.");
	add_dst(&w, "Acme Mechanical Inc.");
	add_dst(&w, "Acme Mechanical Corporation");
	run(&w);
	expect(&w, 0, VENDOR_LINK_TWIN, "Acme Mechanical Inc.");
	expect(&w, 1, VENDOR_LINK_TWIN, "Acme Mechanical Co.");
	expect(&w, 2, VENDOR_LINK_TWIN, "Acme Mechanical Corporation");
	done(&w);
}

/* NetSuite "Acme Mechanical LLC", Procore "Co." and "Corp." with no twin
 * of their own in NetSuite: genuinely ambiguous, both listed. */
static void test_ambiguous(void **state)
{
	struct world w = {0};
	(void)state;

	add_src(&w, "Acme Mechanical LLC");
	add_dst(&w, "Acme Mechanical Co.");
	add_dst(&w, "Acme Mechanical Corp.");
	run(&w);
	expect(&w, 0, VENDOR_AMBIGUOUS, NULL);
	assert_int_equal(w.m[0].ncand, 2);
	assert_true(has_cand(&w, 0, "Acme Mechanical Co."));
	assert_true(has_cand(&w, 0, "Acme Mechanical Corp."));
	done(&w);

	/* two Procore spellings of one folded name: ambiguous at tier 3 */
	memset(&w, 0, sizeof(w));
	add_src(&w, "Acme Mechanical Co");
	add_dst(&w, "ACME MECHANICAL CO.");
	add_dst(&w, "Acme Mechanical Co.");
	add_dst(&w, "Acme Mechanical");
	run(&w);
	expect(&w, 0, VENDOR_AMBIGUOUS, NULL);
	assert_int_equal(w.m[0].ncand, 2);
	assert_false(has_cand(&w, 0, "Acme Mechanical"));
	done(&w);
}

/* The only normalised namesakes belong to their own twins: created, not
 * parked, wherever the vendor stands in the list. */
static void test_claimed_namesakes_create(void **state)
{
	struct world w = {0};
	(void)state;

	add_src(&w, "Acme Mechanical LLC"); /* first: tiers 1-3 still run before it */
	add_src(&w, "Acme Mechanical Co.");
	add_src(&w, "Acme Mechanical Corp.");
	add_dst(&w, "Acme Mechanical Co.");
	add_dst(&w, "Acme Mechanical Corp.");
	run(&w);
	expect(&w, 0, VENDOR_CREATE, NULL);
	expect(&w, 1, VENDOR_LINK_TWIN, "Acme Mechanical Co.");
	expect(&w, 2, VENDOR_LINK_TWIN, "Acme Mechanical Corp.");
	assert_int_equal(count_parked(&w), 0);
	done(&w);

	/* claimed by an origin_id (the twin not read this run) and reserved by
	 * a passive twin: the same */
	memset(&w, 0, sizeof(w));
	add_src(&w, "Acme Mechanical LLC");
	add_src(&w, "Acme Mechanical Corp.");
	w.src[1].passive = true;
	add_dst(&w, "Acme Mechanical Co.");
	add_dst(&w, "Acme Mechanical Corp.");
	w.links[w.nlinks++] = (struct vendor_link){.src = 77, .dst = 101, .origin = true};
	run(&w);
	expect(&w, 0, VENDOR_CREATE, NULL);
	expect(&w, 1, VENDOR_PASSIVE, NULL);
	done(&w);

	/* but a namesake held by a tier-4 match or owned outside: taken */
	memset(&w, 0, sizeof(w));
	add_src(&w, "Acme Mechanical LLC");
	add_src(&w, "ACME MECHANICAL, LLC"); /* a NetSuite duplicate of the first */
	add_src(&w, "Acme Plumbing Inc");
	add_dst(&w, "Acme Mechanical");
	add_dst(&w, "Acme Plumbing");
	w.dst[1].owned = true;
	run(&w);
	expect(&w, 0, VENDOR_LINK_NAME, "Acme Mechanical");
	expect(&w, 1, VENDOR_TAKEN, NULL);
	assert_true(has_cand(&w, 1, "Acme Mechanical"));
	expect(&w, 2, VENDOR_TAKEN, NULL);
	assert_no_double_link(&w);
	done(&w);
}

/* One Procore namesake sought by NetSuite vendors of two folded names:
 * contested, none takes it; by duplicates of one folded name: the first. */
static void test_contested(void **state)
{
	struct world w = {0};
	(void)state;

	add_src(&w, "Quartz Masonry LLC");
	add_src(&w, "QUARTZ MASONRY INC");
	add_src(&w, "Tahoe Plumbing, LLC");
	add_src(&w, "TAHOE PLUMBING LLC");
	add_dst(&w, "Quartz Masonry");
	add_dst(&w, "Tahoe Plumbing");
	run(&w);
	expect(&w, 0, VENDOR_CONTESTED, NULL);
	expect(&w, 1, VENDOR_CONTESTED, NULL);
	assert_int_equal(w.m[1].ncand, 1);
	assert_true(has_cand(&w, 1, "Quartz Masonry"));
	expect(&w, 2, VENDOR_LINK_NAME, "Tahoe Plumbing");
	expect(&w, 3, VENDOR_TAKEN, NULL);
	done(&w);
}

/* Two vendors to be created with one folded name: the first is, the
 * other is its duplicate (never two of one company). */
static void test_duplicates_created_once(void **state)
{
	struct world w = {0};
	(void)state;

	add_src(&w, "Acme Concrete LLC");
	add_src(&w, "Acme Concrete, Inc.");
	add_src(&w, "ACME CONCRETE INC");
	add_src(&w, "Brand New Supply");
	add_src(&w, "Brand  New Supply.");
	add_dst(&w, "Acme Concrete LLC");
	run(&w);
	expect(&w, 0, VENDOR_LINK_TWIN, "Acme Concrete LLC");
	expect(&w, 1, VENDOR_CREATE, NULL);
	expect(&w, 2, VENDOR_DUPLICATE, NULL);
	assert_int_equal(w.m[2].first, 1);
	expect(&w, 3, VENDOR_CREATE, NULL);
	expect(&w, 4, VENDOR_DUPLICATE, NULL);
	assert_int_equal(w.m[4].first, 3);
	done(&w);
}

/* Links first: origin_id over any name, then the known link; a duplicate
 * of a linked vendor is taken, never a second pair. */
static void test_links_and_duplicates(void **state)
{
	struct world w = {0};
	(void)state;

	add_src(&w, "Totally Different Name"); /* 1 */
	add_src(&w, "Acme Concrete, Inc.");    /* 2 */
	add_src(&w, "ACME Concrete Inc");      /* 3: a NetSuite near-duplicate */
	add_src(&w, "Delta Paving");           /* 4 */
	add_src(&w, "Brand New Supply");       /* 5 */
	add_src(&w, "Renamed Since");          /* 6: known link */
	add_src(&w, "bad \xFF utf8");          /* 7 */
	add_src(&w, "Sierra Glass & Glazing LLC");
	add_dst(&w, "Pacific Plumbing");  /* 101 */
	add_dst(&w, "ACME CONCRETE INC"); /* 102 */
	add_dst(&w, "Delta Paving");      /* 103: origin of a vendor not read */
	add_dst(&w, "Old Name");          /* 104 */
	add_dst(&w, "Sierra Glass and Glazing");
	w.dst[1].id = 9007199254740993LL; /* past 2^53, kept exact */
	w.links[w.nlinks++] = (struct vendor_link){.src = 1, .dst = 101, .origin = true};
	w.links[w.nlinks++] = (struct vendor_link){.src = 500, .dst = 103, .origin = true};
	w.links[w.nlinks++] = (struct vendor_link){.src = 6, .dst = 104};
	/* stale: the id map names a Procore vendor whose origin_id names another */
	w.links[w.nlinks++] = (struct vendor_link){.src = 5, .dst = 101};
	w.links[w.nlinks++] = (struct vendor_link){.src = 4, .dst = 999}; /* gone: ignored */
	run(&w);
	expect(&w, 0, VENDOR_LINK_ORIGIN, "Pacific Plumbing");
	expect(&w, 1, VENDOR_LINK_TWIN, "ACME CONCRETE INC");
	assert_int_equal(w.dst[w.m[1].dst].id, 9007199254740993LL);
	expect(&w, 2, VENDOR_TAKEN, NULL);
	assert_true(has_cand(&w, 2, "ACME CONCRETE INC"));
	expect(&w, 3, VENDOR_TAKEN, NULL);
	expect(&w, 4, VENDOR_CREATE, NULL);
	expect(&w, 5, VENDOR_LINK_KNOWN, "Old Name");
	expect(&w, 6, VENDOR_BADNAME, NULL);
	expect(&w, 7, VENDOR_LINK_NAME, "Sierra Glass and Glazing");
	assert_no_double_link(&w);
	done(&w);
}

/*
 * A generated directory: families of suffix siblings with case and
 * punctuation variants, some with a sibling on one side only, some with
 * no twin for a NetSuite sibling and two untwinned Procore siblings (the
 * one ambiguous shape).  The number parked is the number ambiguous by
 * construction and no Procore vendor is linked twice.
 */
static void test_generated(void **state)
{
	static const char *const base[] = {"Acme Mechanical", "Pacific Paving", "Summit Steel",
					   "Delta Drywall",   "Granite Glass",  "Tahoe Tile"};
	static const char *const sfx[] = {" Co.", " Corp.", ", Inc.", " LLC", " Ltd."};
	static char names[2][MAXV][64];
	struct world w = {0};
	size_t want_parked = 0, want_create = 0;
	(void)state;

	for (size_t f = 0; f < sizeof(base) / sizeof(base[0]); f++) {
		size_t shape = f % 3;
		/* both sides: Co. and Corp. twins (NetSuite in capitals without
		 * punctuation) */
		for (size_t k = 0; k < 2; k++) {
			char *s = names[0][w.nsrc], *d = names[1][w.ndst];
			snprintf(d, 64, "%s%s", base[f], sfx[k]);
			snprintf(s, 64, "%s%s", base[f], sfx[k]);
			for (char *p = s; *p; p++)
				if (*p >= 'a' && *p <= 'z')
					*p = (char)(*p - 'a' + 'A');
			add_src(&w, s);
			add_dst(&w, d);
		}
		if (shape == 1) {
			/* a NetSuite sibling with no twin: its namesakes are all
			 * twinned, so it is created */
			snprintf(names[0][w.nsrc], 64, "%s%s", base[f], sfx[3]);
			add_src(&w, names[0][w.nsrc]);
			want_create++;
		} else if (shape == 2) {
			/* two untwinned Procore siblings and one untwinned
			 * NetSuite sibling: ambiguous */
			snprintf(names[1][w.ndst], 64, "%s%s", base[f], sfx[2]);
			add_dst(&w, names[1][w.ndst]);
			snprintf(names[1][w.ndst], 64, "%s%s", base[f], sfx[4]);
			add_dst(&w, names[1][w.ndst]);
			snprintf(names[0][w.nsrc], 64, "%s%s", base[f], sfx[3]);
			add_src(&w, names[0][w.nsrc]);
			want_parked++;
		}
	}
	run(&w);
	assert_int_equal(count_parked(&w), want_parked);
	{
		size_t created = 0;
		for (size_t i = 0; i < w.nsrc; i++)
			created += w.m[i].kind == VENDOR_CREATE;
		assert_int_equal(created, want_create);
	}
	assert_no_double_link(&w);
	done(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_suffix_siblings),
	    cmocka_unit_test(test_folded_variants),
	    cmocka_unit_test(test_ambiguous),
	    cmocka_unit_test(test_claimed_namesakes_create),
	    cmocka_unit_test(test_contested),
	    cmocka_unit_test(test_duplicates_created_once),
	    cmocka_unit_test(test_links_and_duplicates),
	    cmocka_unit_test(test_generated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
