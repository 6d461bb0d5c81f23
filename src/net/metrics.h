#ifndef MLC_METRICS_H
#define MLC_METRICS_H

#include <stdint.h>

#include "util/buf.h"

/*
 * A small process-wide registry of counters and histograms, rendered in
 * the Prometheus text exposition format (version 0.0.4) by the server's
 * /metrics route.  The HTTP server records requests by route and status,
 * the HTTP client records upstream calls, retries, 429s and time spent
 * waiting on limits.  Thread-safe.
 *
 * A family is named once (name, help, type fixed by its first use); its
 * series are told apart by a label text such as
 * `route="/healthz",status="200"`, built with metrics_labels() so values
 * are escaped.  Histograms use fixed latency buckets in seconds.
 */

/* Adds delta (>= 0) to a counter series. */
void metrics_counter_add(const char *name, const char *help, const char *labels, double delta);
/* Sets a gauge series (a value that goes up and down). */
void metrics_gauge_set(const char *name, const char *help, const char *labels, double value);
/* Records one observation (seconds) in a histogram series. */
void metrics_histogram_observe(const char *name, const char *help, const char *labels,
			       double value);
/* Current value of a counter series, 0 if absent (tests, status pages). */
double metrics_counter_get(const char *name, const char *labels);
/*
 * Appends label text to out from key, value pairs ending with NULL:
 * metrics_labels(&b, "route", r, "status", "200", NULL).  Values are
 * escaped as the exposition format requires.
 */
void metrics_labels(struct mlc_buf *out, ...);
/*
 * Bounds a label value taken from outside input: value itself when it is
 * one of known (NULL-terminated, compared exactly), else "other".  Every
 * series costs memory and a line of /metrics for the life of the process,
 * so a label an unauthenticated client controls must come from a known
 * set.  Returns a pointer into known or a static string.
 */
const char *metrics_bounded(const char *value, const char *const *known);
/* Appends every family in exposition format. */
void metrics_render(struct mlc_buf *out);
/* Forgets every series (tests). */
void metrics_reset(void);

#endif
