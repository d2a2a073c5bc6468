/*
 * Statistical disclosure control for the transparency report: counts from
 * 1 to 9 are published as "fewer than 10", and further counts are hidden
 * wherever the published totals would give a small one away, choosing the
 * fewest and smallest (as the statistical offices' hypercube method does),
 * and proving the result with the exact bounds a reader could compute.
 *
 * Why a flow: in a table with margins, the changes to hidden counts that
 * keep every published figure true are exactly the circulations of a
 * bipartite graph (a node per row and per column equation, an edge per
 * hidden count, each bounded by what its mark says: 1-9 for a small count,
 * at least 10 for a complementary one).  So the most a count can rise or
 * fall, which is what linear programming over every published equation
 * would find, is a maximum flow.  Totals enter with their sign flipped
 * (y = -x on row 0 and column 0), which turns "a total equals the sum of
 * its cells" into "every row and column sums to zero".
 */

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define INF	(LLONG_MAX / 4)

/* The graph of one table's equations. */
struct net {
	size_t		 n;		/* nodes */
	long long	*cap;		/* n x n: what can flow u -> v */
};

static int
has_equations(const struct sdc_table *t)
{
	return (t->row_totals || t->col_totals);
}

/* Row i's node, and column j's (rows without equations share one). */
static size_t
row_node(const struct sdc_table *t, size_t i)
{
	return (t->row_totals ? i : 0);
}

static size_t
col_node(const struct sdc_table *t, size_t j)
{
	return ((t->row_totals ? t->rows : 1) + (t->col_totals ? j : 0));
}

static size_t
node_count(const struct sdc_table *t)
{
	return ((t->row_totals ? t->rows : 1) + (t->col_totals ? t->cols : 1));
}

/* -1 for a total (row 0 or column 0 of a table that has them), else 1. */
static int
sign(const struct sdc_table *t, size_t i, size_t j)
{
	int	 s = 1;

	if (t->col_totals && i == 0)
		s = -s;
	if (t->row_totals && j == 0)
		s = -s;
	return (s);
}

static int
hidden(enum sdc_mark m)
{
	return (m == SDC_SMALL || m == SDC_HIDDEN);
}

/* What a reader knows of a hidden count from its mark alone. */
static void
prior(enum sdc_mark m, long long *lo, long long *hi)
{
	if (m == SDC_SMALL) {
		*lo = 1;
		*hi = SDC_SMALL_MAX;
	} else {
		*lo = SDC_HIDDEN_MIN;
		*hi = INF;
	}
}

static long long
sat_add(long long a, long long b)
{
	return (a >= INF - b ? INF : a + b);
}

/*
 * The graph of every hidden count of 'marks' but (skip_i, skip_j): each
 * may change by what its prior allows, in y's sign.
 */
static void
net_build(const struct sdc_table *t, const enum sdc_mark *marks,
    size_t skip_i, size_t skip_j, struct net *g)
{
	size_t		 i, j, u, v;
	long long	 x, lo, hi, up, down;

	memset(g->cap, 0, g->n * g->n * sizeof(*g->cap));
	for (i = 0; i < t->rows; i++)
		for (j = 0; j < t->cols; j++) {
			if ((i == skip_i && j == skip_j) ||
			    !hidden(marks[i * t->cols + j]))
				continue;
			x = t->value[i * t->cols + j];
			prior(marks[i * t->cols + j], &lo, &hi);
			up = hi >= INF ? INF : hi - x;
			down = x - lo;
			if (up < 0)
				up = 0;
			if (down < 0)
				down = 0;
			u = row_node(t, i);
			v = col_node(t, j);
			/* y rises by what x may rise (or fall, for a total). */
			if (sign(t, i, j) > 0) {
				g->cap[u * g->n + v] = sat_add(g->cap[u * g->n +
				    v], up);
				g->cap[v * g->n + u] = sat_add(g->cap[v * g->n +
				    u], down);
			} else {
				g->cap[u * g->n + v] = sat_add(g->cap[u * g->n +
				    v], down);
				g->cap[v * g->n + u] = sat_add(g->cap[v * g->n +
				    u], up);
			}
		}
}

/* Edmonds-Karp from s to t, at most 'limit'; 'cap' becomes the residue. */
static long long
max_flow(struct net *g, size_t s, size_t t, long long limit)
{
	size_t		*prev, *queue, head, tail, u, v;
	long long	 total = 0, push;

	if ((prev = calloc(g->n, sizeof(*prev))) == NULL ||
	    (queue = calloc(g->n, sizeof(*queue))) == NULL)
		abort();
	while (total < limit) {
		for (u = 0; u < g->n; u++)
			prev[u] = (size_t)-1;
		prev[s] = s;
		head = tail = 0;
		queue[tail++] = s;
		while (head < tail && prev[t] == (size_t)-1) {
			u = queue[head++];
			for (v = 0; v < g->n; v++)
				if (prev[v] == (size_t)-1 &&
				    g->cap[u * g->n + v] > 0) {
					prev[v] = u;
					queue[tail++] = v;
				}
		}
		if (prev[t] == (size_t)-1)
			break;
		push = limit - total;
		for (v = t; v != s; v = prev[v])
			if (g->cap[prev[v] * g->n + v] < push)
				push = g->cap[prev[v] * g->n + v];
		for (v = t; v != s; v = prev[v]) {
			g->cap[prev[v] * g->n + v] -= push;
			g->cap[v * g->n + prev[v]] = sat_add(g->cap[v * g->n +
			    prev[v]], push);
		}
		total = sat_add(total, push);
	}
	free(prev);
	free(queue);
	return (total);
}

/*
 * How far cell (i, j) can rise and fall while every published figure of
 * the table stays true and every other hidden count keeps to its prior.
 */
static void
reach(const struct sdc_table *t, const enum sdc_mark *marks, size_t i,
    size_t j, long long *up, long long *down)
{
	struct net	 g;
	size_t		 u, v;

	if (!has_equations(t)) {
		*up = *down = INF;
		return;
	}
	g.n = node_count(t);
	if ((g.cap = calloc(g.n * g.n, sizeof(*g.cap))) == NULL)
		abort();
	u = row_node(t, i);
	v = col_node(t, j);
	/*
	 * The cell's own edge carries the change; the rest of the graph
	 * must carry it back.  x rising is y rising (u -> v) for a count,
	 * y falling (v -> u) for a total.
	 */
	net_build(t, marks, i, j, &g);
	*up = sign(t, i, j) > 0 ? max_flow(&g, v, u, INF) :
	    max_flow(&g, u, v, INF);
	net_build(t, marks, i, j, &g);
	*down = sign(t, i, j) > 0 ? max_flow(&g, u, v, INF) :
	    max_flow(&g, v, u, INF);
	free(g.cap);
}

/* The bounds a reader can compute for cell (i, j) under 'marks'. */
static void
interval_of(const struct sdc_table *t, const enum sdc_mark *marks, size_t i,
    size_t j, struct sdc_interval *out)
{
	long long	 x = t->value[i * t->cols + j], lo, hi, up, down;
	enum sdc_mark	 m = marks[i * t->cols + j];

	if (!hidden(m)) {
		out->lo = out->hi = x;
		return;
	}
	prior(m, &lo, &hi);
	reach(t, marks, i, j, &up, &down);
	out->lo = down >= x - lo ? lo : x - down;
	out->hi = up >= INF || (hi < INF && up >= hi - x) ?
	    (hi >= INF ? SDC_UNBOUNDED : hi) : x + up;
}

/*
 * What cell (i, j) still lacks: a small count must be able to stand
 * anywhere from 1 to 9, a complementary one must not be pinned to a
 * single value.  0 when protected.
 */
static long long
deficit(const struct sdc_table *t, const enum sdc_mark *marks, size_t i,
    size_t j)
{
	struct sdc_interval	 r;
	enum sdc_mark		 m = marks[i * t->cols + j];

	if (!hidden(m))
		return (0);
	interval_of(t, marks, i, j, &r);
	if (m == SDC_SMALL)
		return ((r.lo - 1) + (SDC_SMALL_MAX - (r.hi == SDC_UNBOUNDED ?
		    SDC_SMALL_MAX : r.hi)));
	return (r.hi != SDC_UNBOUNDED && r.hi <= r.lo ? 1 : 0);
}

/*
 * A cell that may be hidden to protect another: hidden already, or 10 or
 * more and not a grand total other tables publish.
 */
static int
hideable(const struct sdc_table *t, const enum sdc_mark *marks, size_t c)
{
	int	 grand;

	if (hidden(marks[c]))
		return (1);
	grand = c == 0 && ((t->row_totals && t->col_totals) ||
	    (t->col_totals && t->cols == 1) || (t->row_totals && t->rows == 1));
	if (grand && t->keep_total)
		return (0);
	return (t->value[c] >= SDC_HIDDEN_MIN);
}

/* What hiding these cells costs: the counts newly hidden, summed. */
static long long
cost_of(const struct sdc_table *t, const enum sdc_mark *marks,
    const size_t *cells, size_t n)
{
	long long	 c = 0;
	size_t		 k;

	for (k = 0; k < n; k++)
		if (!hidden(marks[cells[k]]))
			c += t->value[cells[k]];
	return (c);
}

/*
 * The best partners for cell (i, j): another count on the same two
 * equations, or the three other corners of a rectangle through it.  The
 * best makes the cell safe at the least cost; failing that, it leaves the
 * least deficit.  Returns how many cells 'best' holds (0: none helps).
 */
static size_t
best_partners(const struct sdc_table *t, enum sdc_mark *marks, size_t i,
    size_t j, size_t best[3])
{
	size_t		 ii, jj, k, n, cand[3];
	long long	 now, d, c, best_d, best_c = 0;
	size_t		 best_n = 0;
	enum sdc_mark	 saved[3];

	now = deficit(t, marks, i, j);
	best_d = now;
	for (ii = 0; ii < t->rows; ii++)
		for (jj = 0; jj < t->cols; jj++) {
			n = 0;
			if (row_node(t, ii) == row_node(t, i) &&
			    col_node(t, jj) == col_node(t, j)) {
				if (ii == i && jj == j)
					continue;
				cand[n++] = ii * t->cols + jj;
			} else if (row_node(t, ii) != row_node(t, i) &&
			    col_node(t, jj) != col_node(t, j)) {
				cand[n++] = i * t->cols + jj;
				cand[n++] = ii * t->cols + j;
				cand[n++] = ii * t->cols + jj;
			} else
				continue;
			for (k = 0; k < n; k++)
				if (!hideable(t, marks, cand[k]))
					break;
			if (k < n)
				continue;
			c = cost_of(t, marks, cand, n);
			if (c == 0)
				continue;	/* nothing new: already tried */
			for (k = 0; k < n; k++) {
				saved[k] = marks[cand[k]];
				if (!hidden(saved[k]))
					marks[cand[k]] = SDC_HIDDEN;
			}
			d = deficit(t, marks, i, j);
			for (k = 0; k < n; k++)
				marks[cand[k]] = saved[k];
			if (d < best_d || (d == best_d && best_n > 0 &&
			    c < best_c)) {
				best_d = d;
				best_c = c;
				best_n = n;
				memcpy(best, cand, n * sizeof(*cand));
			}
		}
	return (best_d < now ? best_n : 0);
}

/*
 * Marks the table: small counts, then complementary ones until every
 * hidden count is protected.  Cells the caller marked SDC_HIDDEN stay
 * hidden (a correction keeps what its first version hid).  Returns how
 * many counts were hidden for protection, or -1 when the table cannot be
 * protected (the caller then withholds it whole).
 */
int
sdc_protect(struct sdc_table *t)
{
	size_t	 c, n = t->rows * t->cols, k, got, best[3], guard;
	int	 extra = 0;

	for (c = 0; c < n; c++) {
		if (t->value[c] >= 1 && t->value[c] <= SDC_SMALL_MAX)
			t->mark[c] = SDC_SMALL;
		else if (t->mark[c] == SDC_HIDDEN &&
		    t->value[c] >= SDC_HIDDEN_MIN)
			t->mark[c] = SDC_HIDDEN;
		else
			t->mark[c] = SDC_SHOWN;
	}
	for (guard = 0; guard <= n; guard++) {
		for (c = 0; c < n; c++)
			if (deficit(t, t->mark, c / t->cols, c % t->cols) > 0)
				break;
		if (c == n)
			break;
		got = best_partners(t, t->mark, c / t->cols, c % t->cols,
		    best);
		if (got == 0)
			return (-1);
		for (k = 0; k < got; k++)
			if (!hidden(t->mark[best[k]])) {
				t->mark[best[k]] = SDC_HIDDEN;
				extra++;
			}
	}
	return (sdc_exposed(t) == 0 ? extra : -1);
}

/* The bounds a reader can compute for a cell from the whole table. */
void
sdc_interval(const struct sdc_table *t, size_t row, size_t col,
    struct sdc_interval *out)
{
	interval_of(t, t->mark, row, col, out);
}

/* How many hidden counts a reader could narrow: 0 for a safe table. */
size_t
sdc_exposed(const struct sdc_table *t)
{
	size_t	 c, n = 0;

	for (c = 0; c < t->rows * t->cols; c++)
		if (deficit(t, t->mark, c / t->cols, c % t->cols) > 0)
			n++;
	return (n);
}
