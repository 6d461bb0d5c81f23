#include <pthread.h>
#include <string.h>

#include "flows/flow.h"
#include "server/webhook_resources.h"
#include "util/compat.h"
#include "util/banned.h"

/* The registry's Procore triggers (flows/flow.c), flattened once. */
#define MAX_RESOURCES 64

static struct mlc_webhook_resource table[MAX_RESOURCES];
static size_t ntable;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void flatten(void)
{
	size_t n = 0;
	const struct flow_def *f = flow_list(&n);

	for (size_t i = 0; i < n; i++)
		for (const char *const *t = f[i].procore_resources; t && *t; t++)
			if (ntable < MAX_RESOURCES)
				table[ntable++] = (struct mlc_webhook_resource){*t, f[i].name};
}

const struct mlc_webhook_resource *webhook_resources(size_t *n)
{
	pthread_once(&once, flatten);
	*n = ntable;
	return table;
}

const char *webhook_resource_flow(const char *name)
{
	return flow_for_procore_resource(name);
}
