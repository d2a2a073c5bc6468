/*
 * Disclosure control of the report's tables: small counts are marked, the
 * complementary counts chosen protect them, and the bounds the module
 * computes are exactly what a real LP solver (glpsol) finds from every
 * published figure, on hand-made tables and on a few hundred random ones.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "report.h"

/* A table with its totals computed from the interior counts. */
struct fixture {
	size_t		 rows, cols;	/* totals included */
	long long	 v[16 * 8];
	enum sdc_mark	 m[16 * 8];
	struct sdc_table t;
};

static void
fixture_init(struct fixture *f, size_t r, size_t c, int row_totals,
    int col_totals, const long long *interior)
{
	size_t	 i, j, i0 = col_totals ? 1 : 0, j0 = row_totals ? 1 : 0;

	memset(f, 0, sizeof(*f));
	f->rows = r + i0;
	f->cols = c + j0;
	for (i = 0; i < r; i++)
		for (j = 0; j < c; j++)
			f->v[(i + i0) * f->cols + j + j0] = interior[i * c + j];
	for (i = i0; i < f->rows; i++)
		for (j = j0; j < f->cols; j++) {
			if (row_totals)
				f->v[i * f->cols] += f->v[i * f->cols + j];
			if (col_totals)
				f->v[j] += f->v[i * f->cols + j];
			if (row_totals && col_totals)
				f->v[0] += f->v[i * f->cols + j];
		}
	f->t = (struct sdc_table){ f->rows, f->cols, row_totals, col_totals,
	    f->v, f->m, 0 };
}

/*
 * glpsol's bound for cell (ci, cj): the reader's LP over every published
 * figure of the table, each hidden count within what its mark says.
 * Returns 0 when the LP is unbounded that way.
 */
static int
lp_bound(const struct sdc_table *t, size_t ci, size_t cj, int maximise,
    long long *out)
{
	char		 lp[] = "/tmp/sdc-lp-XXXXXX", cmd[256], line[512];
	FILE		*fp, *res;
	size_t		 i, j, k;
	long long	 rhs;
	int		 fd, n = 0, unbounded = 0, found = 0;
	double		 val = 0;

	if ((fd = mkstemp(lp)) == -1 || (fp = fdopen(fd, "w")) == NULL)
		fail_msg("mkstemp");
	fprintf(fp, "%s\n obj: x_%zu_%zu\nSubject To\n", maximise ?
	    "Maximize" : "Minimize", ci, cj);
	/* One equation per line that has a total: the total minus its cells. */
	for (k = 0; k < 2; k++) {
		size_t lines = k == 0 ? t->cols : t->rows;
		size_t len = k == 0 ? t->rows : t->cols;

		if ((k == 0 && !t->col_totals) || (k == 1 && !t->row_totals))
			continue;
		for (i = 0; i < lines; i++) {
			rhs = 0;
			fprintf(fp, " e%d:", n++);
			int terms = 0;
			for (j = 0; j < len; j++) {
				size_t r = k == 0 ? j : i, c = k == 0 ? i : j;
				long long coef = j == 0 ? 1 : -1;
				size_t cell = r * t->cols + c;

				if (t->mark[cell] == SDC_SHOWN)
					rhs -= coef * t->value[cell];
				else {
					fprintf(fp, " %c x_%zu_%zu", coef > 0 ?
					    '+' : '-', r, c);
					terms++;
				}
			}
			if (terms == 0)
				fprintf(fp, " 0 x_%zu_%zu", ci, cj);
			fprintf(fp, " = %lld\n", rhs);
		}
	}
	fprintf(fp, "Bounds\n");
	for (i = 0; i < t->rows; i++)
		for (j = 0; j < t->cols; j++) {
			enum sdc_mark m = t->mark[i * t->cols + j];
			if (m == SDC_SMALL)
				fprintf(fp, " 1 <= x_%zu_%zu <= %d\n", i, j,
				    SDC_SMALL_MAX);
			else if (m == SDC_HIDDEN)
				fprintf(fp, " x_%zu_%zu >= %d\n", i, j,
				    SDC_HIDDEN_MIN);
		}
	fprintf(fp, "End\n");
	fclose(fp);
	(void)snprintf(cmd, sizeof(cmd), "glpsol --lp %s -o /dev/stdout "
	    "2>&1", lp);
	if ((res = popen(cmd, "r")) == NULL)
		fail_msg("glpsol");
	while (fgets(line, sizeof(line), res) != NULL) {
		if (strstr(line, "UNBOUNDED") != NULL)
			unbounded = 1;
		if (sscanf(line, "Objective: obj = %lf", &val) == 1)
			found = 1;
	}
	if (pclose(res) == -1)
		fail_msg("glpsol did not run");
	unlink(lp);
	if (unbounded)
		return (0);
	if (!found)
		fail_msg("glpsol gave no objective for cell %zu,%zu", ci, cj);
	*out = (long long)(val + (val >= 0 ? 0.5 : -0.5));
	return (1);
}

/* Every hidden cell: the module's bounds are glpsol's, and protected. */
static void
check_against_lp(const struct sdc_table *t)
{
	struct sdc_interval	 r;
	size_t			 i, j;
	long long		 lo, hi;
	int			 bounded;

	for (i = 0; i < t->rows; i++)
		for (j = 0; j < t->cols; j++) {
			enum sdc_mark m = t->mark[i * t->cols + j];
			if (m == SDC_SHOWN)
				continue;
			sdc_interval(t, i, j, &r);
			assert_true(lp_bound(t, i, j, 0, &lo));
			bounded = lp_bound(t, i, j, 1, &hi);
			assert_int_equal(r.lo, lo);
			if (bounded)
				assert_int_equal(r.hi, hi);
			else
				assert_int_equal(r.hi, SDC_UNBOUNDED);
			if (m == SDC_SMALL) {
				assert_int_equal(lo, 1);
				assert_true(!bounded || hi >= SDC_SMALL_MAX);
			} else
				assert_true(!bounded || hi > lo);
		}
}

static size_t
count(const struct sdc_table *t, enum sdc_mark m)
{
	size_t	 c, n = 0;

	for (c = 0; c < t->rows * t->cols; c++)
		n += t->mark[c] == m;
	return (n);
}

/* Two small counts that sum to 10 protect each other: 10 - c is 1 to 9. */
static void
test_pair_summing_to_ten(void **state)
{
	static const long long in[] = { 30, 7, 3 };
	struct fixture	 f;

	fixture_init(&f, 3, 1, 0, 1, in);
	assert_int_equal(sdc_protect(&f.t), 0);
	assert_int_equal(count(&f.t, SDC_SMALL), 2);
	assert_int_equal(f.m[1], SDC_SHOWN);
	check_against_lp(&f.t);
}

/* 7 and 2 make 9: each would be bounded by 8, so the 30 is hidden too. */
static void
test_complement_in_a_list(void **state)
{
	static const long long in[] = { 30, 7, 2, 50 };
	struct fixture	 f;

	fixture_init(&f, 4, 1, 0, 1, in);
	assert_int_equal(sdc_protect(&f.t), 1);
	assert_int_equal(f.m[1], SDC_HIDDEN);	/* 30: smaller than 50 */
	assert_int_equal(f.m[4], SDC_SHOWN);
	assert_int_equal(f.m[0], SDC_SHOWN);	/* the total stays */
	check_against_lp(&f.t);
}

/*
 * A partner that can fall only to 10 cannot carry a 3 up to 9; hiding the
 * total can, unless other tables publish it.
 */
static void
test_unprotectable(void **state)
{
	static const long long in[] = { 12, 3 };
	struct fixture	 f;

	fixture_init(&f, 2, 1, 0, 1, in);
	f.t.keep_total = 1;
	assert_int_equal(sdc_protect(&f.t), -1);
	fixture_init(&f, 2, 1, 0, 1, in);
	assert_int_equal(sdc_protect(&f.t), 1);
	assert_int_equal(f.m[0], SDC_HIDDEN);
	check_against_lp(&f.t);
}

/* With margins both ways, a small count needs a rectangle of partners. */
static void
test_rectangle(void **state)
{
	static const long long in[] = {
		40, 3, 25,
		31, 44, 52,
		60, 12, 70,
	};
	struct fixture	 f;
	int		 extra;

	fixture_init(&f, 3, 3, 1, 1, in);
	extra = sdc_protect(&f.t);
	assert_true(extra >= 3);
	assert_int_equal(count(&f.t, SDC_SMALL), 1);
	assert_int_equal(sdc_exposed(&f.t), 0);
	/* Neither the grand total nor any margin was needed. */
	assert_int_equal(f.m[0], SDC_SHOWN);
	check_against_lp(&f.t);
}

/*
 * A row of 6 that splits into 4 and 2: whatever is hidden, a reader knows
 * each part is at most 8, so the table cannot be protected as it is; with
 * that row merged into another ("other ..."), it can.
 */
static void
test_small_margin(void **state)
{
	static const long long in[] = {
		0, 4, 0, 2,
		35, 20, 18, 41,
		22, 31, 15, 26,
	};
	static const long long merged[] = {
		35, 24, 18, 43,
		22, 31, 15, 26,
	};
	static const long long single[] = {
		0, 6, 0, 0,
		35, 20, 18, 41,
		22, 31, 15, 26,
	};
	struct fixture	 f;

	fixture_init(&f, 3, 4, 1, 1, in);
	assert_int_equal(sdc_protect(&f.t), -1);
	fixture_init(&f, 2, 4, 1, 1, merged);
	assert_int_equal(sdc_protect(&f.t), 0);
	/* A small row with a single count: the count and its total move
	 * together, with a rectangle of partners. */
	fixture_init(&f, 3, 4, 1, 1, single);
	f.t.keep_total = 1;
	assert_true(sdc_protect(&f.t) > 0);
	assert_int_equal(f.m[1 * f.cols], SDC_SMALL);
	assert_int_equal(f.m[0], SDC_SHOWN);
	check_against_lp(&f.t);
}

/* Without equations, nothing needs a partner; and marks are redone. */
static void
test_no_totals(void **state)
{
	static const long long in[] = { 5, 0, 14, 9 };
	struct fixture	 f;

	fixture_init(&f, 4, 1, 0, 0, in);
	f.m[2] = SDC_HIDDEN;	/* a 14 a correction's first version hid */
	f.m[1] = SDC_HIDDEN;	/* a 0 cannot stay hidden */
	assert_int_equal(sdc_protect(&f.t), 0);
	assert_int_equal(f.m[0], SDC_SMALL);
	assert_int_equal(f.m[1], SDC_SHOWN);
	assert_int_equal(f.m[2], SDC_HIDDEN);
	assert_int_equal(f.m[3], SDC_SMALL);
}

/* The same table gives the same marks: the report is reproducible. */
static void
test_deterministic(void **state)
{
	static const long long in[] = {
		11, 3, 25, 8,
		31, 44, 1, 52,
		60, 12, 70, 19,
	};
	struct fixture	 a, b;

	fixture_init(&a, 3, 4, 1, 1, in);
	fixture_init(&b, 3, 4, 1, 1, in);
	assert_int_equal(sdc_protect(&a.t), sdc_protect(&b.t));
	assert_memory_equal(a.m, b.m, sizeof(a.m));
}

/*
 * Random tables with many small counts, each shape of equations: every
 * result is either withheld or protected exactly as glpsol sees it.
 */
static void
test_random_against_lp(void **state)
{
	long long	 in[15 * 7];
	struct fixture	 f;
	unsigned	 seed = 20261207;
	int		 round, withheld = 0, protected = 0;
	size_t		 r, c, k;

	for (round = 0; round < 120; round++) {
		r = 2 + (size_t)(rand_r(&seed) % 8);
		c = 1 + (size_t)(rand_r(&seed) % 5);
		for (k = 0; k < r * c; k++) {
			int kind = rand_r(&seed) % 10;
			in[k] = kind < 3 ? 1 + rand_r(&seed) % 9 : kind < 4 ? 0 :
			    10 + rand_r(&seed) % 90;
		}
		fixture_init(&f, r, c, c > 1 && round % 3 != 0, 1, in);
		f.t.keep_total = round % 2;
		if (sdc_protect(&f.t) < 0) {
			withheld++;
			continue;
		}
		protected++;
		assert_int_equal(sdc_exposed(&f.t), 0);
		check_against_lp(&f.t);
	}
	/* The generator makes tables of both kinds. */
	assert_true(protected > 60);
	assert_true(withheld > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pair_summing_to_ten),
		cmocka_unit_test(test_complement_in_a_list),
		cmocka_unit_test(test_unprotectable),
		cmocka_unit_test(test_rectangle),
		cmocka_unit_test(test_small_margin),
		cmocka_unit_test(test_no_totals),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_random_against_lp),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
