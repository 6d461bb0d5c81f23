#ifndef MLC_BANNED_H
#define MLC_BANNED_H

/*
 * Functions that are too easy to misuse (git's banned.h).  Including this
 * header after the system headers turns any use into a compile error that
 * names the safe replacement.
 *   strcpy/strcat/sprintf/vsprintf -> struct mlc_buf or snprintf
 *   strtok                          -> str_split / manual scanning
 *   atoi/atol/atoll                 -> num_parse_i64 and friends
 *   gmtime/localtime                -> gmtime_r via time_format_rfc3339
 */
#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef atoll
#define atoll(x) BANNED(atoll)
#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef localtime
#define localtime(t) BANNED(localtime)

#endif
