#ifndef MLC_DOC_LOCK_H
#define MLC_DOC_LOCK_H

/*
 * Per-document serialisation inside the process (issue 20): a fixed table
 * of mutexes, the one for a key chosen by its hash.  Two documents may
 * share a mutex (they then wait for each other, never for a whole run);
 * the same document always gets the same one.  A thread holds at most one
 * document lock at a time, so the table cannot deadlock.
 */
void doc_lock(const char *key);
void doc_unlock(const char *key);

#endif
