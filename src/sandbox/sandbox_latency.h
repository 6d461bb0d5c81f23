#ifndef MLC_SANDBOX_LATENCY_H
#define MLC_SANDBOX_LATENCY_H

#include <stdbool.h>
#include <stdint.h>

#include "util/compat.h"
#include "util/error.h"

/*
 * Latency per side and kind of request (`mlc-sandbox --latency SPEC`), for
 * benches that need the APIs' realistic pace (issue 20: NetSuite writes
 * 300-800 ms, reads 200 ms, Procore 150 ms).  SPEC is a comma list of
 * SIDE[:KIND]=MS or =MIN-MAX, SIDE ns or pc, KIND read or write (none:
 * both): "ns:read=200,ns:write=300-800,pc=150".  A range is drawn
 * uniformly per request.  Process-wide, set once at start; added to
 * --latency-ms.  Writes are what sandbox_busy.h calls writes.
 */

/* Parses and installs SPEC (NULL or "": none). */
int sbx_latency_set(const char *spec, struct mlc_error *err) MLC_MUST_CHECK;
/* Whether a spec is installed (the draw for it is made only then, so the
 * seeded fault draws stay as they were without one). */
bool sbx_latency_on(void);
/* The added latency in ms for a request to side ("netsuite"/"procore"),
 * r a uniform draw in [0, 1). */
int64_t sbx_latency_ms(const char *side, bool write, double r);

#endif
