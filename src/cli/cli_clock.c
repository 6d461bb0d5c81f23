#include <stdlib.h>

#include "auth/clock.h"
#include "cli/cli_clock.h"
#include "util/log.h"
#include "util/banned.h"

#define CLOCK_ENV "MLC_CLOCK_URL"

static struct mlc_url_clock *url_clock;
static struct mlc_error setup_err;

void cli_clock_setup(void)
{
	const char *url = getenv(CLOCK_ENV);
	struct mlc_clock c = {0};

	if (!url || !*url)
		return;
	if (url_clock_new(url, &url_clock, &setup_err) < 0) {
		error_prefix(&setup_err, CLOCK_ENV ": ");
		log_warn(CLOCK_ENV " unusable; using the wall clock", "error", setup_err.msg);
		return;
	}
	c.now_ms = url_clock_now;
	c.ctx = url_clock;
	clock_set(&c);
}

int cli_clock_error(struct mlc_error *err)
{
	if (setup_err.code == 0)
		return MLC_OK;
	*err = setup_err;
	return setup_err.code;
}

void cli_clock_release(void)
{
	clock_set(NULL);
	url_clock_free(url_clock);
	url_clock = NULL;
}
