#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/metrics.h"
#include "util/banned.h"

static const double bucket_bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
				       0.5,   1.0,  2.5,   5.0,  10.0};
#define NBUCKETS MLC_ARRAY_LEN(bucket_bounds)

struct series {
	char *labels;
	double value;               /* counters; histograms: sum */
	uint64_t count;             /* histograms: observations */
	uint64_t buckets[NBUCKETS]; /* histograms: per bucket, not cumulative */
};

struct family {
	char *name;
	char *help;
	bool histogram;
	bool gauge; /* a counter family whose values are set, not added */
	struct series *series;
	size_t nseries;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct family *families;
static size_t nfamilies;

/* Finds or creates a series; called with lock held. */
static struct series *series_get(const char *name, const char *help, bool histogram,
				 const char *labels)
{
	struct family *f = NULL;
	struct series *s;

	for (size_t i = 0; i < nfamilies && !f; i++)
		if (strcmp(families[i].name, name) == 0)
			f = &families[i];
	if (!f) {
		families = xrealloc(families, (nfamilies + 1) * sizeof(*families));
		f = &families[nfamilies++];
		memset(f, 0, sizeof(*f));
		f->name = xstrdup(name);
		f->help = xstrdup(help ? help : name);
		f->histogram = histogram;
	}
	if (!labels)
		labels = "";
	for (size_t i = 0; i < f->nseries; i++)
		if (strcmp(f->series[i].labels, labels) == 0)
			return &f->series[i];
	f->series = xrealloc(f->series, (f->nseries + 1) * sizeof(*f->series));
	s = &f->series[f->nseries++];
	memset(s, 0, sizeof(*s));
	s->labels = xstrdup(labels);
	return s;
}

void metrics_counter_add(const char *name, const char *help, const char *labels, double delta)
{
	pthread_mutex_lock(&lock);
	series_get(name, help, false, labels)->value += delta;
	pthread_mutex_unlock(&lock);
}

/* Marks a family as a gauge; called with lock held. */
static void gauge_mark(const char *name)
{
	for (size_t i = 0; i < nfamilies; i++)
		if (strcmp(families[i].name, name) == 0)
			families[i].gauge = true;
}

void metrics_gauge_set(const char *name, const char *help, const char *labels, double value)
{
	pthread_mutex_lock(&lock);
	series_get(name, help, false, labels)->value = value;
	gauge_mark(name);
	pthread_mutex_unlock(&lock);
}

void metrics_histogram_observe(const char *name, const char *help, const char *labels, double value)
{
	struct series *s;

	pthread_mutex_lock(&lock);
	s = series_get(name, help, true, labels);
	s->value += value;
	s->count++;
	for (size_t i = 0; i < NBUCKETS; i++) {
		if (value <= bucket_bounds[i]) {
			s->buckets[i]++;
			break;
		}
	}
	pthread_mutex_unlock(&lock);
}

double metrics_counter_get(const char *name, const char *labels)
{
	double v = 0;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nfamilies; i++) {
		if (strcmp(families[i].name, name) != 0)
			continue;
		for (size_t j = 0; j < families[i].nseries; j++)
			if (strcmp(families[i].series[j].labels, labels ? labels : "") == 0)
				v = families[i].series[j].value;
	}
	pthread_mutex_unlock(&lock);
	return v;
}

void metrics_labels(struct mlc_buf *out, ...)
{
	va_list ap;
	const char *key;
	bool first = true;

	va_start(ap, out);
	while ((key = va_arg(ap, const char *)) != NULL) {
		const char *v = va_arg(ap, const char *);
		if (!first)
			buf_addch(out, ',');
		first = false;
		buf_addstr(out, key);
		buf_addstr(out, "=\"");
		for (; v && *v; v++) {
			if (*v == '\\' || *v == '"')
				buf_addch(out, '\\');
			if (*v == '\n')
				buf_addstr(out, "\\n");
			else
				buf_addch(out, *v);
		}
		buf_addch(out, '"');
	}
	va_end(ap);
}

const char *metrics_bounded(const char *value, const char *const *known)
{
	for (size_t i = 0; value && known && known[i]; i++)
		if (strcmp(value, known[i]) == 0)
			return known[i];
	return "other";
}

/* name{labels,extra} or name{extra} or name{labels} or name. */
static void add_sample(struct mlc_buf *out, const char *name, const char *suffix,
		       const char *labels, const char *extra)
{
	bool have_l = labels && *labels, have_e = extra && *extra;

	buf_addstr(out, name);
	buf_addstr(out, suffix);
	if (have_l || have_e)
		buf_addf(out, "{%s%s%s}", have_l ? labels : "", have_l && have_e ? "," : "",
			 have_e ? extra : "");
	buf_addch(out, ' ');
}

static void render_series(struct mlc_buf *out, const struct family *f, const struct series *s)
{
	uint64_t cum = 0;
	char le[48];

	if (!f->histogram) {
		add_sample(out, f->name, "", s->labels, NULL);
		buf_addf(out, "%.10g\n", s->value);
		return;
	}
	for (size_t i = 0; i < NBUCKETS; i++) {
		cum += s->buckets[i];
		snprintf(le, sizeof(le), "le=\"%g\"", bucket_bounds[i]);
		add_sample(out, f->name, "_bucket", s->labels, le);
		buf_addf(out, "%llu\n", (unsigned long long)cum);
	}
	add_sample(out, f->name, "_bucket", s->labels, "le=\"+Inf\"");
	buf_addf(out, "%llu\n", (unsigned long long)s->count);
	add_sample(out, f->name, "_sum", s->labels, NULL);
	buf_addf(out, "%.10g\n", s->value);
	add_sample(out, f->name, "_count", s->labels, NULL);
	buf_addf(out, "%llu\n", (unsigned long long)s->count);
}

void metrics_render(struct mlc_buf *out)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nfamilies; i++) {
		const struct family *f = &families[i];
		buf_addf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name,
			 f->histogram ? "histogram"
			 : f->gauge   ? "gauge"
				      : "counter");
		for (size_t j = 0; j < f->nseries; j++)
			render_series(out, f, &f->series[j]);
	}
	pthread_mutex_unlock(&lock);
}

void metrics_reset(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nfamilies; i++) {
		for (size_t j = 0; j < families[i].nseries; j++)
			free(families[i].series[j].labels);
		free(families[i].series);
		free(families[i].name);
		free(families[i].help);
	}
	free(families);
	families = NULL;
	nfamilies = 0;
	pthread_mutex_unlock(&lock);
}
