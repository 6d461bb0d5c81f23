#include <string.h>

#include "net/http_note.h"
#include "util/str.h"
#include "util/banned.h"

static __thread struct mlc_http_write_note last_write;
static __thread bool noted;

void http_write_note_set(const struct mlc_http_req *req, const struct mlc_http_resp *resp)
{
	memset(&last_write, 0, sizeof(last_write));
	last_write.attempts = resp->attempts > 0 ? resp->attempts : 1;
	str_copy(last_write.retried, sizeof(last_write.retried), resp->retried);
	str_copy(last_write.summary, sizeof(last_write.summary), req->method);
	if (strlen(last_write.summary) + 1 < sizeof(last_write.summary)) {
		size_t at = strlen(last_write.summary);
		last_write.summary[at] = ' ';
		str_copy(last_write.summary + at + 1, sizeof(last_write.summary) - at - 1,
			 req->path);
	}
	noted = true;
}

bool http_write_note_take(struct mlc_http_write_note *out)
{
	bool had = noted;

	if (had)
		*out = last_write;
	else
		memset(out, 0, sizeof(*out));
	http_write_note_clear();
	return had;
}

void http_write_note_clear(void)
{
	memset(&last_write, 0, sizeof(last_write));
	noted = false;
}
