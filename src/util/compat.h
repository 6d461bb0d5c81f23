#ifndef MLC_COMPAT_H
#define MLC_COMPAT_H

/*
 * Compiler helpers used across the tree.  MLC_MUST_CHECK marks every
 * function whose failure the caller has to handle (curl's WARN_UNUSED_RESULT).
 */
#define MLC_MUST_CHECK        __attribute__((warn_unused_result))
#define MLC_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define MLC_NORETURN          __attribute__((noreturn))
#define MLC_ARRAY_LEN(a)      (sizeof(a) / sizeof((a)[0]))
#define MLC_UNUSED(x)         ((void)(x))

#endif
