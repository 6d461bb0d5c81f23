#ifndef MLC_SANDBOX_BUSY_H
#define MLC_SANDBOX_BUSY_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

/*
 * How busy a simulator's concurrency pool was kept, time-weighted (issue
 * 20): busy slot-seconds / (limit x wall seconds), where a slot is busy
 * while an API request holds it (at most `limit` at once count).  Two
 * windows:
 *   all     from the first API request since the last reset to the end
 *           of the last one;
 *   writes  only the moments when at least one write (not a GET, not a
 *           query) is in flight: "while a bulk write lasts", every
 *           request in flight then counted.
 * Times are monotonic microseconds.  Not locked: the simulator calls
 * these under its own lock (struct sbx_sim.lock).
 */
struct sbx_busy {
	int active, writes;       /* API requests / writes in flight now */
	int64_t last_us;          /* the last change of active */
	int64_t first_us, end_us; /* the "all" window; 0: nothing yet */
	double slot_us;           /* busy slot-time in the "all" window */
	double write_wall_us;     /* time with a write in flight */
	double write_slot_us;     /* busy slot-time during that time */
	int max_active;
};

void sbx_busy_reset(struct sbx_busy *b);
/* An API request starts / ends; limit is the pool's size (0: no cap,
 * every request counted). */
void sbx_busy_enter(struct sbx_busy *b, bool write, int limit);
void sbx_busy_leave(struct sbx_busy *b, bool write, int limit);
/* {"limit","seconds","slot_seconds","busy","write_seconds",
 *  "write_slot_seconds","write_busy","max_in_flight"}; busy figures are
 * null when no limit or no time.  Caller decrefs. */
json_t *sbx_busy_json(const struct sbx_busy *b, int limit);
/* Whether a request is a write for the "writes" window. */
bool sbx_busy_is_write(const char *method, const char *path);

#endif
