/*
 * The plan of one NetSuite vendor (flows/vendor_plan.h): every match kind
 * with the id_map states that change its answer, as a table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "flows/vendor_plan.h"

#define H1 "aaaa"
#define H2 "bbbb"

struct row {
	const char *name;
	struct vendor_plan_in in;
	enum vendor_plan_action want;
	const char *why; /* in full, or NULL for none */
};

static const struct row rows[] = {
    {"ambiguous",
     {.kind = VENDOR_AMBIGUOUS, .ncand = 3, .name = "Acme"},
     VENDOR_PLAN_PARK,
     "3 Procore vendors match the name 'Acme'; choose one"},
    {"taken",
     {.kind = VENDOR_TAKEN, .ncand = 1, .name = "Acme"},
     VENDOR_PLAN_PARK,
     "the Procore vendor named like 'Acme' is linked to another NetSuite vendor"},
    {"contested",
     {.kind = VENDOR_CONTESTED, .ncand = 1, .name = "Acme Inc"},
     VENDOR_PLAN_PARK,
     "the Procore vendor named like 'Acme Inc' matches other NetSuite vendors too (another "
     "legal suffix); choose"},
    {"duplicate",
     {.kind = VENDOR_DUPLICATE, .first_id = 17, .name = "Acme"},
     VENDOR_PLAN_PARK,
     "NetSuite vendor ns:vendor:17 has the same name 'Acme' and is the one made in Procore; "
     "merge the two in NetSuite or link this one"},
    {"bad name",
     {.kind = VENDOR_BADNAME},
     VENDOR_PLAN_PARK,
     "the vendor name is not valid UTF-8; correct it in NetSuite"},
    {"park wins over a master",
     {.kind = VENDOR_AMBIGUOUS, .ncand = 2, .name = "A", .master = MD_PROCORE},
     VENDOR_PLAN_PARK,
     "2 Procore vendors match the name 'A'; choose one"},
    {"origin link, same hash, same vendor",
     {.kind = VENDOR_LINK_ORIGIN,
      .pc_id = 900,
      .known_pc_key = "900",
      .known_hash = H1,
      .hash = H1},
     VENDOR_PLAN_SKIP,
     NULL},
    {"known link, same hash",
     {.kind = VENDOR_LINK_KNOWN, .pc_id = 900, .known_pc_key = "900", .known_hash = H1, .hash = H1},
     VENDOR_PLAN_SKIP,
     NULL},
    {"twin, same hash",
     {.kind = VENDOR_LINK_TWIN, .pc_id = 900, .known_pc_key = "900", .known_hash = H1, .hash = H1},
     VENDOR_PLAN_SKIP,
     NULL},
    {"name, same hash",
     {.kind = VENDOR_LINK_NAME, .pc_id = 900, .known_pc_key = "900", .known_hash = H1, .hash = H1},
     VENDOR_PLAN_SKIP,
     NULL},
    {"link, hash changed",
     {.kind = VENDOR_LINK_ORIGIN,
      .pc_id = 900,
      .known_pc_key = "900",
      .known_hash = H1,
      .hash = H2},
     VENDOR_PLAN_SETTLE,
     NULL},
    {"link to another vendor",
     {.kind = VENDOR_LINK_NAME, .pc_id = 901, .known_pc_key = "900", .known_hash = H1, .hash = H1},
     VENDOR_PLAN_SETTLE,
     NULL},
    {"link, never synced",
     {.kind = VENDOR_LINK_TWIN, .pc_id = 900, .hash = H1},
     VENDOR_PLAN_SETTLE,
     NULL},
    {"link, id_map without hash",
     {.kind = VENDOR_LINK_KNOWN, .pc_id = 900, .known_pc_key = "900", .hash = H1},
     VENDOR_PLAN_SETTLE,
     NULL},
    {"link, id_map without Procore key",
     {.kind = VENDOR_LINK_KNOWN, .pc_id = 900, .known_hash = H1, .hash = H1},
     VENDOR_PLAN_SETTLE,
     NULL},
    {"link under a Procore master",
     {.kind = VENDOR_LINK_NAME, .pc_id = 900, .hash = H1, .master = MD_PROCORE},
     VENDOR_PLAN_SETTLE,
     NULL},
    {"create", {.kind = VENDOR_CREATE, .hash = H1}, VENDOR_PLAN_CREATE, NULL},
    {"create, both masters", {.kind = VENDOR_CREATE, .master = MD_BOTH}, VENDOR_PLAN_CREATE, NULL},
    {"passive", {.kind = VENDOR_PASSIVE}, VENDOR_PLAN_CREATE, NULL},
    {"create under a Procore master",
     {.kind = VENDOR_CREATE, .master = MD_PROCORE},
     VENDOR_PLAN_PARK_MASTER,
     "a NetSuite vendor with no Procore twin, and Procore masters vendors (master.vendors): "
     "add it in Procore or link it"},
    {"passive under a Procore master",
     {.kind = VENDOR_PASSIVE, .master = MD_PROCORE},
     VENDOR_PLAN_PARK_MASTER,
     "a NetSuite vendor with no Procore twin, and Procore masters vendors (master.vendors): "
     "add it in Procore or link it"},
};

static void test_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct vendor_plan p;
		vendor_plan_make(&rows[i].in, &p);
		if (p.action != rows[i].want)
			fail_msg("%s: action %d, wanted %d", rows[i].name, p.action, rows[i].want);
		if (strcmp(p.why, rows[i].why ? rows[i].why : "") != 0)
			fail_msg("%s: why '%s', wanted '%s'", rows[i].name, p.why,
				 rows[i].why ? rows[i].why : "");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
