#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"
#include "util/banned.h"

int error_set(struct mlc_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int error_prefix(struct mlc_error *err, const char *fmt, ...)
{
	char prefix[256];
	char old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return MLC_OK;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	size_t pl = strlen(prefix), ol = strlen(old);
	if (pl > sizeof(err->msg) - 1)
		pl = sizeof(err->msg) - 1;
	if (ol > sizeof(err->msg) - 1 - pl)
		ol = sizeof(err->msg) - 1 - pl;
	memcpy(err->msg, prefix, pl);
	memcpy(err->msg + pl, old, ol);
	err->msg[pl + ol] = '\0';
	return err->code;
}

void error_clear(struct mlc_error *err)
{
	if (!err)
		return;
	err->code = MLC_OK;
	err->msg[0] = '\0';
}

const char *error_name(int code)
{
	switch (code) {
	case MLC_OK:
		return "ok";
	case MLC_EINVAL:
		return "invalid";
	case MLC_ENOMEM:
		return "out of memory";
	case MLC_EIO:
		return "i/o error";
	case MLC_ENOTFOUND:
		return "not found";
	case MLC_EEXIST:
		return "already exists";
	case MLC_ESTORE:
		return "store error";
	case MLC_ECONFIG:
		return "config error";
	case MLC_ERANGE:
		return "out of range";
	case MLC_EAUTH:
		return "authentication failed";
	case MLC_ETRANSIENT:
		return "transient";
	case MLC_ERATELIMIT:
		return "rate limited";
	case MLC_EPERM:
		return "permanent";
	case MLC_EUNKNOWN:
		return "unknown outcome";
	case MLC_ECRYPTO:
		return "crypto error";
	case MLC_EBUSY:
		return "busy";
	case MLC_ESTATE:
		return "bad state";
	}
	return "error";
}
