/*
 * A main() for the libFuzzer targets without libFuzzer: built with the
 * default compiler by every `make test` (CMakeLists.txt, fuzz replay
 * block), so a target that no longer compiles or links (a parser renamed
 * or removed) breaks the ordinary build, not only CI's fuzz step.  The
 * test then runs the target once over each file of its seed corpus
 * (fuzz/corpus/<target>/), as libFuzzer would replay them.
 *
 *   replay_fuzz_url fuzz/corpus/url          every file of the directory
 *   replay_fuzz_url a.txt b.txt              these files
 *
 * Exits 0 after every input ran (a crash is a crash), 2 when an input
 * cannot be read or nothing was given.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Runs the target on the file's bytes; -1 when it cannot be read. */
static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t len = 0, cap = 0, got;
	int rc = 0;

	if (!f) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return -1;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			data = realloc(data, cap);
			if (!data)
				abort();
		}
		got = fread(data + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		rc = -1;
	} else {
		LLVMFuzzerTestOneInput(data, len);
	}
	fclose(f);
	free(data);
	return rc;
}

/* Every regular file of dir, in readdir order; *n counts them. */
static int replay_dir(const char *dir, int *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	struct stat st;
	int rc = 0;

	if (!d) {
		fprintf(stderr, "replay: cannot open %s\n", dir);
		return -1;
	}
	while (rc == 0) {
		e = readdir(d);
		if (!e)
			break;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		rc = replay_file(path);
		(*n)++;
	}
	closedir(d);
	return rc;
}

int main(int argc, char **argv)
{
	struct stat st;
	int n = 0;

	for (int i = 1; i < argc; i++) {
		int rc;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			rc = replay_dir(argv[i], &n);
		} else {
			rc = replay_file(argv[i]);
			n++;
		}
		if (rc != 0)
			return 2;
	}
	if (n == 0) {
		fprintf(stderr, "replay: no input (give corpus directories or files)\n");
		return 2;
	}
	printf("replayed %d input%s\n", n, n == 1 ? "" : "s");
	return 0;
}
