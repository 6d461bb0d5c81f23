#ifndef MLC_AUTH_PKEY_H
#define MLC_AUTH_PKEY_H

/*
 * The private-key loader moved to util/pkey.h: it depends on nothing but
 * util and OpenSSL, and core (secret_check) needs it below auth.  This
 * header keeps the old include working.
 */
#include "util/pkey.h"

#endif
