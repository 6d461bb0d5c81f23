#ifndef MLC_DIGEST_H
#define MLC_DIGEST_H

#include <jansson.h>

/* Room for a 32-byte digest in hex and the terminator. */
#define MLC_DIGEST_HEX 65

/*
 * Content hash of a JSON value: BLAKE2b-256 over its canonical text
 * (sorted keys, compact), in hex.  Two records with the same content
 * always hash the same, whatever their key order; the id_map stores it
 * so that an unchanged record costs no API call.
 */
void digest_json(const json_t *v, char out[MLC_DIGEST_HEX]);
/* BLAKE2b-256 of bytes, in hex. */
void digest_bytes(const void *data, size_t n, char out[MLC_DIGEST_HEX]);

#endif
