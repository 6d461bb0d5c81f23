#ifndef MLC_CLI_RECONCILE_COMMITTED_H
#define MLC_CLI_RECONCILE_COMMITTED_H

#include <jansson.h>

/*
 * Prints a reconcile_committed_run() report (flows/reconcile_committed.h)
 * as format "table", "csv" or "json", rows by project then PO.
 */
void reconcile_committed_print(const json_t *report, const char *format);

#endif
