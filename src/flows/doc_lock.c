#include <pthread.h>
#include <stdint.h>

#include "flows/doc_lock.h"
#include "util/banned.h"

#define DOC_LOCKS 64

static pthread_mutex_t locks[DOC_LOCKS];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_locks(void)
{
	for (int i = 0; i < DOC_LOCKS; i++)
		pthread_mutex_init(&locks[i], NULL);
}

/* FNV-1a of the key. */
static pthread_mutex_t *lock_of(const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	pthread_once(&once, init_locks);

	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return &locks[h % DOC_LOCKS];
}

void doc_lock(const char *key)
{
	pthread_mutex_lock(lock_of(key));
}

void doc_unlock(const char *key)
{
	pthread_mutex_unlock(lock_of(key));
}
