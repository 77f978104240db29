/* plot-bands.h — the bands of the suite's plots, private to suite-plot.c:
 * which series coincide (within BAND_PCT of the reference line, or of
 * their group's own middle) and are drawn as one band, the band's
 * envelope block in the plot's data file, and its name in the legend and
 * on the subtitle ("exact/masked, no vCPU (band)", "+N more"). The
 * series naming the bands use stays in suite-plot.c (declared below). */
#ifndef PFBENCH_PLOT_BANDS_H
#define PFBENCH_PLOT_BANDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rset.h"

/* The subtitle's word on a plot's bands. */
struct band_words {
	char note[160];  /* the subtitle's word on the bands ... */
	char names[160], names2[160]; /* ... and on two lines the names
				       * their legend had no room for */
};

/* cand's series grouped, lowest first, into runs that coincide: each run
 * of more than one is a band (appended to bands), the rest go to rest;
 * keep (or NULL) is never banded. */
void cluster_bands(const struct rset_measure *m, const json_t *sel, const json_t *fields,
		   const char *x, const json_t *cand, const char *keep, json_t *bands, json_t *rest);
/* cand's series within BAND_PCT of ref: one band when more than one. */
void ref_band(const struct rset_measure *m, const json_t *sel, const json_t *fields,
	      const char *x, const json_t *cand, double ref, json_t *bands, json_t *rest);
/* Each band's block into f, and the subtitle's words into w; has_ref:
 * the plot has a reference line ("no filter"). */
void write_bands(FILE *f, bool has_ref, const struct rset_measure *m, double scale,
		 const json_t *sel, const json_t *bands, const json_t *fields, const char *x,
		 struct band_words *w);

/* From suite-plot.c: a series' name and numbers. */
struct plot_point {
	double x, y, lo, hi;
};
int plot_cmp_double(const void *a, const void *b);
int plot_cmp_point(const void *a, const void *b);
double plot_stat_of(const json_t *r, const char *col);
bool plot_has_title(const json_t *titles, const char *t);
bool plot_field_word(const json_t *rec, const json_t *cols, const char *name, char *val, size_t len);
void plot_series_title(const json_t *rec, const json_t *cols, const char *x, const char *skip,
		  char *buf, size_t len);
const json_t *plot_first_with_title(const json_t *sel, const json_t *fields, const char *x,
			       const char *t);
__attribute__((format(printf, 3, 4))) bool plot_fmt(char *buf, size_t len, const char *f, ...);

#endif
