#ifndef MLC_VENDOR_MATCH_H
#define MLC_VENDOR_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Matching the vendors of one system (the "source": NetSuite vendors in
 * the flow "vendors", Procore vendors in "vendors-back") to the vendors of
 * the other (the "destination"), so that the two directories never hold
 * the same company twice.  A pure function over two lists; the flows read
 * the lists and act on the answers.
 *
 * Evidence comes in tiers, each run over every source vendor before the
 * next tier starts:
 *   1. an origin_id ("ns:vendor:<id>" on the Procore vendor) names the pair;
 *   2. a link known before (the id map, a NetSuite externalId
 *      "pc:<company>:vendor:<id>");
 *   3. the same folded name (util/normalize.h name_fold(): case,
 *      punctuation, spacing and Unicode form folded, legal suffix kept), so
 *      "Acme Mechanical Co." is the twin of "ACME MECHANICAL CO" and not of
 *      "Acme Mechanical Corp.";
 *   4. the same normalised name (name_normalize(): legal suffix dropped).
 * A destination vendor is claimed by the first source vendor it is linked
 * to and is never offered to another in the same run.
 *
 * At tier 3 a source vendor with folded twins links to the one unclaimed
 * twin, is ambiguous when two or more twins are unclaimed (candidates: those
 * twins) and is taken when every twin is claimed (a duplicate of an already
 * linked vendor; candidates: the twins).  Tier 4 only sees source vendors
 * without a folded twin, and offers a destination vendor only when it is
 * unclaimed and no source vendor (matched or not, passive included) has it
 * as a folded twin.  There: one such candidate links; two or more are
 * ambiguous; none while the name has normalised namesakes means create
 * when every namesake belongs to its own twin (claimed at tiers 1-3, or
 * reserved by a source twin: "Acme Mechanical LLC" next to a linked "Acme
 * Mechanical Co." and "Acme Mechanical Corp." is a company of its own),
 * and taken otherwise (a namesake claimed at tier 4 or owned outside).
 * A tier-4 candidate sought by source vendors of two or more folded names
 * ("Quartz Masonry LLC" and "Quartz Masonry Inc" for one "Quartz
 * Masonry") is contested and taken by none of them: which company it is
 * takes a person (the answer would otherwise depend on list order, and
 * the next run, seeing the pair linked, would create the other sibling).
 * Source vendors of one folded name are duplicates of each other: the
 * first in the list takes it, the others find it taken; when they would
 * be created, the first is and the others are duplicates of it, so no
 * folded name is created twice.
 */

enum vendor_match_kind {
	VENDOR_LINK_ORIGIN, /* tier 1 */
	VENDOR_LINK_KNOWN,  /* tier 2 */
	VENDOR_LINK_TWIN,   /* tier 3: the one unclaimed vendor with the same folded name */
	VENDOR_LINK_NAME,   /* tier 4: the one unclaimed vendor with the same normalised name */
	VENDOR_CREATE,      /* no candidate, or only namesakes that belong to their own twins */
	VENDOR_AMBIGUOUS,   /* two or more unclaimed candidates at the first tier with any: park */
	VENDOR_TAKEN,       /* every candidate is linked to another vendor: park */
	VENDOR_CONTESTED,   /* tier 4: the one candidate is also sought by a vendor of
			       another folded name: park (candidates: that one) */
	VENDOR_DUPLICATE,   /* would be created, but an earlier source vendor of the same
			       folded name is: park (first: that one) */
	VENDOR_BADNAME,     /* no link and the name cannot be read (not UTF-8): park */
	VENDOR_PASSIVE,     /* not matched, as the caller asked (vendor_rec.passive) */
};

/* One vendor of either list.  name is borrowed for the call (NULL: no
 * name, never matched by name). */
struct vendor_rec {
	int64_t id;
	const char *name;
	bool owned;   /* destination: claimed outside this match (an origin_id
			 that is not ours): never a candidate */
	bool passive; /* source: not matched (its links and its name still
			 claim and reserve as described above) */
};

/* A pair known before matching: tier 1 when origin, else tier 2.  A link
 * whose destination is not in the list is ignored; a link whose source is
 * not in the list still claims its destination (the source vendor was not
 * read this run). */
struct vendor_link {
	int64_t src, dst;
	bool origin;
};

/* The answer for one source vendor. */
struct vendor_match {
	enum vendor_match_kind kind;
	size_t dst;   /* for the LINK kinds: index into the destination list */
	size_t *cand; /* for AMBIGUOUS and TAKEN: indexes into the destination list */
	size_t ncand;
	size_t first; /* for DUPLICATE: index into the source list */
};

/*
 * Matches every source vendor, in list order within a tier.  Returns
 * nsrc answers, answer i for src[i]; caller frees with
 * vendor_matches_free(answers, nsrc).  Cannot fail (allocation failure
 * aborts, as everywhere).
 */
struct vendor_match *vendor_match_all(const struct vendor_rec *src, size_t nsrc,
				      const struct vendor_rec *dst, size_t ndst,
				      const struct vendor_link *links, size_t nlinks);
void vendor_matches_free(struct vendor_match *m, size_t n);
const char *vendor_match_kind_name(enum vendor_match_kind k);

#endif
