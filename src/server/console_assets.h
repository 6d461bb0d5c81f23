#ifndef MLC_CONSOLE_ASSETS_H
#define MLC_CONSOLE_ASSETS_H

#include <stddef.h>

/*
 * The web console's static files (the .html, .css, .js and .svg files of console/),
 * turned into C arrays at build time by console/embed.cmake.  The table
 * ends with a NULL name.  Each data array carries a NUL after its len
 * bytes.
 */
struct console_asset {
	const char *name; /* "index.html" */
	const char *type; /* Content-Type */
	const unsigned char *data;
	size_t len;
};

extern const struct console_asset console_assets[];

#endif
