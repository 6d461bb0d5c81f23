#ifndef MLC_CLI_RECONCILE_BILLED_H
#define MLC_CLI_RECONCILE_BILLED_H

#include <jansson.h>

/*
 * Prints a reconcile_billed_run() report (flows/reconcile_billed.h) as
 * format "table", "csv" or "json", rows by project then line.
 */
void reconcile_billed_print(const json_t *report, const char *format);

#endif
