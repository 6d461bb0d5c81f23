#ifndef MLC_WEBHOOK_RESOURCES_H
#define MLC_WEBHOOK_RESOURCES_H

#include <stddef.h>

/*
 * The Procore webhook resources, as the flow registry declares them
 * (flows/flow.h, struct flow_def): every resource the connector registers
 * triggers for (webhook register) is a resource an event is routed for
 * (serve, the inbox drain), and the other way round.  Names are Procore's
 * resource names, the same in v2 `resource_name`, v3 and v4
 * `resource_type` (docs/reference/procore/webhook-payloads.md).
 */
struct mlc_webhook_resource {
	const char *name; /* "Direct Costs" */
	const char *flow; /* the flow its events enqueue: "costs" */
};

/* The table, in registry order; *n is set to its length.  Static storage,
 * built once from the registry on first call (thread-safe), never freed. */
const struct mlc_webhook_resource *webhook_resources(size_t *n);

/* The flow for a resource name, or NULL when the connector does not
 * route (and does not register) that resource. */
const char *webhook_resource_flow(const char *name);

#endif
