#ifndef MLC_CLI_CLOCK_H
#define MLC_CLI_CLOCK_H

#include "util/compat.h"
#include "util/error.h"

/*
 * Where the program picks its clock (auth/clock.h).  The one place that
 * reads MLC_CLOCK_URL: when set (tests and demos; a loopback URL of the
 * sandbox's GET /_sandbox/time), the process's clock follows the
 * sandbox's time travel; otherwise it is the wall clock.
 *
 * cli_clock_setup() runs once in cli_main() before any command and before
 * threads start.  With an unusable URL it warns, keeps the wall clock and
 * remembers the reason for cli_clock_error() (ping fails on it).
 * cli_clock_release() undoes it at exit.
 */
void cli_clock_setup(void);
/* MLC_OK, or the setup's failure copied into err. */
int cli_clock_error(struct mlc_error *err) MLC_MUST_CHECK;
void cli_clock_release(void);

#endif
