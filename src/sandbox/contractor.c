#include <stdio.h>
#include <string.h>

#include "sandbox/contractor.h"
#include "util/buf.h"
#include "util/banned.h"

static const struct contractor_project projects[CONTRACTOR_PROJECTS] = {
    {"MBG-2401", "Riverside Medical Office Building", "Sacramento", "CA", "95814", 1842500000,
     "Operations - North", "Healthcare", "Sacramento Office"},
    {"MBG-2402", "Harbor View Apartments Phase II", "Oakland", "CA", "94607", 2675000000,
     "Operations - North", "Multifamily", "Bay Area Office"},
    {"MBG-2403", "Lincoln Elementary Modernization", "Fresno", "CA", "93721", 965000000,
     "Operations - Central", "K-12 Education", "Fresno Office"},
    {"MBG-2404", "Summit Logistics Distribution Center", "Stockton", "CA", "95206", 3120000000,
     "Operations - Central", "Industrial", "Sacramento Office"},
    {"MBG-2405", "Cedar Grove Senior Living", "Roseville", "CA", "95661", 2230000000,
     "Operations - North", "Multifamily", "Sacramento Office"},
    {"MBG-2406", "Eastside Fire Station No. 7", "San Jose", "CA", "95112", 785000000,
     "Operations - South", "Public Works", "Bay Area Office"},
    {"MBG-2407", "Valley Tech Campus Building C", "Santa Clara", "CA", "95054", 4410000000,
     "Operations - South", "Commercial Office", "Bay Area Office"},
    {"MBG-2408", "Mission Street Retail Renovation", "San Francisco", "CA", "94103", 612500000,
     "Operations - South", "Retail", "Bay Area Office"},
    {"MBG-2409", "Delta County Courthouse Annex", "Modesto", "CA", "95354", 1598000000,
     "Operations - Central", "Public Works", "Fresno Office"},
    {"MBG-2410", "Oak Park Community Library", "Sacramento", "CA", "95817", 874000000,
     "Operations - North", "Public Works", "Sacramento Office"},
};

static const struct contractor_cost_code cost_codes[] = {
    {"01-100", "General Requirements", 1, "General Requirements"},
    {"01-500", "Temporary Facilities and Controls", 1, "General Requirements"},
    {"02-400", "Demolition", 2, "Existing Conditions"},
    {"03-100", "Concrete Forming", 3, "Concrete"},
    {"03-200", "Concrete Reinforcing", 3, "Concrete"},
    {"03-300", "Cast-in-Place Concrete", 3, "Concrete"},
    {"04-200", "Unit Masonry", 4, "Masonry"},
    {"05-100", "Structural Steel Framing", 5, "Metals"},
    {"05-500", "Metal Fabrications", 5, "Metals"},
    {"06-100", "Rough Carpentry", 6, "Wood, Plastics, and Composites"},
    {"06-400", "Architectural Woodwork", 6, "Wood, Plastics, and Composites"},
    {"07-200", "Thermal Protection", 7, "Thermal and Moisture Protection"},
    {"07-500", "Membrane Roofing", 7, "Thermal and Moisture Protection"},
    {"08-100", "Doors and Frames", 8, "Openings"},
    {"08-500", "Windows", 8, "Openings"},
    {"09-200", "Plaster and Gypsum Board", 9, "Finishes"},
    {"09-600", "Flooring", 9, "Finishes"},
    {"09-900", "Painting and Coating", 9, "Finishes"},
    {"10-100", "Visual Display Units", 10, "Specialties"},
    {"14-200", "Elevators", 14, "Conveying Equipment"},
    {"21-100", "Fire Suppression Sprinkler Systems", 21, "Fire Suppression"},
    {"22-100", "Plumbing Piping", 22, "Plumbing"},
    {"23-300", "HVAC Air Distribution", 23, "Heating, Ventilating, and Air Conditioning"},
    {"26-100", "Medium-Voltage Electrical Distribution", 26, "Electrical"},
    {"26-500", "Lighting", 26, "Electrical"},
    {"31-200", "Earth Moving", 31, "Earthwork"},
    {"32-100", "Flexible Paving", 32, "Exterior Improvements"},
    {"33-100", "Water Utilities", 33, "Utilities"},
};

static const struct contractor_cost_type cost_types[] = {
    {"L", "Labor", "5100"},     {"M", "Material", "5200"}, {"S", "Subcontract", "5300"},
    {"E", "Equipment", "5400"}, {"O", "Other", "5500"},
};

static const char *const departments[] = {"Operations - North", "Operations - Central",
					  "Operations - South", "Preconstruction", "Accounting"};
static const char *const classes[] = {"Healthcare", "Multifamily",  "K-12 Education",
				      "Industrial", "Public Works", "Commercial Office",
				      "Retail"};
static const char *const locations[] = {"Sacramento Office", "Bay Area Office", "Fresno Office"};

const struct contractor_project *contractor_projects(size_t *n)
{
	*n = CONTRACTOR_PROJECTS;
	return projects;
}

const struct contractor_cost_code *contractor_cost_codes(size_t *n)
{
	*n = MLC_ARRAY_LEN(cost_codes);
	return cost_codes;
}

const struct contractor_cost_type *contractor_cost_types(size_t *n)
{
	*n = MLC_ARRAY_LEN(cost_types);
	return cost_types;
}

const char *const *contractor_departments(size_t *n)
{
	*n = MLC_ARRAY_LEN(departments);
	return departments;
}

const char *const *contractor_classes(size_t *n)
{
	*n = MLC_ARRAY_LEN(classes);
	return classes;
}

const char *const *contractor_locations(size_t *n)
{
	*n = MLC_ARRAY_LEN(locations);
	return locations;
}

uint64_t contractor_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int64_t contractor_rand_range(uint64_t *state, int64_t lo, int64_t hi)
{
	uint64_t span = (uint64_t)(hi - lo) + 1;
	return lo + (int64_t)(contractor_rand(state) % span);
}

static const char *const name_first[] = {
    "Acme",          "Pacific",        "Golden State", "Sierra",  "Bayside",     "Summit",
    "Valley",        "Redwood",        "Capitol",      "Delta",   "Coastal",     "Granite",
    "Iron Horse",    "Blue Oak",       "Evergreen",    "Apex",    "Keystone",    "Pioneer",
    "Northstar",     "Central Valley", "Premier",      "Liberty", "Cornerstone", "Westside",
    "Mountain View", "Diablo",         "Tahoe",        "Sequoia", "Horizon",     "Allied",
};

struct trade {
	const char *word, *trade;
};

static const struct trade trades[] = {
    {"Concrete", "Concrete"},
    {"Steel Erectors", "Structural Steel"},
    {"Electric", "Electrical"},
    {"Plumbing", "Plumbing"},
    {"Mechanical", "HVAC"},
    {"Drywall", "Drywall"},
    {"Roofing", "Roofing"},
    {"Glass & Glazing", "Glazing"},
    {"Painting", "Painting"},
    {"Flooring", "Flooring"},
    {"Excavation", "Earthwork"},
    {"Paving", "Paving"},
    {"Fire Protection", "Fire Protection"},
    {"Masonry", "Masonry"},
    {"Millwork", "Carpentry"},
    {"Equipment Rental", "Equipment"},
    {"Building Supply", "Materials"},
    {"Elevator", "Conveying"},
    {"Landscaping", "Landscape"},
    {"Door & Hardware", "Openings"},
};

const char *contractor_trade(size_t i)
{
	return i < MLC_ARRAY_LEN(trades) ? trades[i].trade : NULL;
}

static const char *const suffixes[] = {", Inc.", " LLC", ", LLC",    " Co.",  " Corp.",
				       " Ltd.",  "",     " Company", ", Inc", " Incorporated"};

/* A different spelling of the same company, as another clerk would type it. */
static void respell(const char *name, uint64_t *rng, char *out, size_t n)
{
	struct mlc_buf b = MLC_BUF_INIT;
	int style = (int)contractor_rand_range(rng, 0, 3);

	for (const char *p = name; *p; p++) {
		char c = *p;
		if (style == 0 && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A'); /* ACME CONCRETE INC */
		if ((style == 0 || style == 2) && (c == ',' || c == '.'))
			continue;
		buf_addch(&b, c);
	}
	if (style == 1) {
		/* legal suffix changed: "Acme Concrete, Inc." -> "Acme Concrete LLC"? no: drop it
		 */
		char *comma = strstr(b.data, ",");
		if (comma)
			buf_setlen(&b, (size_t)(comma - b.data));
	} else if (style == 3 && strstr(b.data, " & ")) {
		char *amp = strstr(b.data, " & ");
		struct mlc_buf c2 = MLC_BUF_INIT;
		buf_add(&c2, b.data, (size_t)(amp - b.data));
		buf_addstr(&c2, " and ");
		buf_addstr(&c2, amp + 3);
		buf_release(&b);
		b = c2;
	}
	snprintf(out, n, "%s", b.data);
	buf_release(&b);
}

struct contractor_vendor *contractor_vendors(uint64_t seed, int scale, size_t *n)
{
	size_t total = (size_t)300 * (size_t)(scale > 0 ? scale : 1);
	struct contractor_vendor *v = xcalloc(total, sizeof(*v));
	uint64_t rng = seed ^ 0x76656e646f72ULL;
	size_t i;

	for (i = 0; i < total; i++) {
		const char *first = name_first[i % MLC_ARRAY_LEN(name_first)];
		const struct trade *t =
		    &trades[(i / MLC_ARRAY_LEN(name_first)) % MLC_ARRAY_LEN(trades)];
		size_t round = i / (MLC_ARRAY_LEN(name_first) * MLC_ARRAY_LEN(trades));
		const char *suffix = suffixes[contractor_rand(&rng) % MLC_ARRAY_LEN(suffixes)];
		int roll = (int)contractor_rand_range(&rng, 0, 99);

		if (round)
			snprintf(v[i].name, sizeof(v[i].name), "%s %s %zu%s", first, t->word,
				 round + 1, suffix);
		else
			snprintf(v[i].name, sizeof(v[i].name), "%s %s%s", first, t->word, suffix);
		snprintf(v[i].trade, sizeof(v[i].trade), "%s", t->trade);
		if (roll < 20) {
			v[i].netsuite_only = 1; /* never used on site */
		} else if (roll < 30) {
			v[i].procore_only = 1; /* added by a project manager */
			snprintf(v[i].procore_name, sizeof(v[i].procore_name), "%s", v[i].name);
		} else if (roll < 65) {
			snprintf(v[i].procore_name, sizeof(v[i].procore_name), "%s", v[i].name);
		} else {
			respell(v[i].name, &rng, v[i].procore_name, sizeof(v[i].procore_name));
		}
	}
	*n = total;
	return v;
}
