/*
 * The fairness figures: outcomes and timeliness by each answer to the
 * questions about oneself, for consenting complainants only.  The builder
 * opens each case's sealed answers with the review key and counts them
 * here, in memory; only these counts leave, and the model protects them
 * like every other table.  The free self-description is never read.
 */

#include <string.h>

#include <jansson.h>

#include "report.h"

static const char *const questions[] = { "age_band", "gender",
    "disability", "origin" };

#define NOT_ANSWERED	"not_answered"

/* acc.question.answer.{outcome counts, on_time, late}, made as needed. */
static json_t *
slot(json_t *acc, const char *question, const char *answer)
{
	json_t	*q, *a;

	if ((q = json_object_get(acc, question)) == NULL) {
		q = json_object();
		json_object_set_new(acc, question, q);
	}
	if ((a = json_object_get(q, answer)) == NULL) {
		a = json_pack("{s:{},s:i,s:i}", "outcomes", "on_time", 0,
		    "late", 0);
		json_object_set_new(q, answer, a);
	}
	return (a);
}

static void
bump(json_t *o, const char *key)
{
	json_object_set_new(o, key, json_integer(json_integer_value(
	    json_object_get(o, key)) + 1));
}

/*
 * Counts one decided case: its answers (the opened JSON), its outcome,
 * and whether its decision was on time (1), late (0) or is unknown (-1).
 */
void
report_fairness_count(json_t *acc, const json_t *answers,
    const char *outcome, int on_time)
{
	const char	*a;
	json_t		*s;
	size_t		 i;

	for (i = 0; i < sizeof(questions) / sizeof(questions[0]); i++) {
		a = json_string_value(json_object_get(answers, questions[i]));
		s = slot(acc, questions[i], a != NULL ? a : NOT_ANSWERED);
		bump(json_object_get(s, "outcomes"), outcome);
		if (on_time >= 0)
			bump(s, on_time ? "on_time" : "late");
	}
}

/*
 * The counts as the figures carry them, each question's answers in the
 * taxonomy's order (then "not answered"), every outcome listed:
 * {question: {"outcomes": [{code, outcomes: [{code, n}]}],
 *  "timeliness": [{code, ended, on_time, late}]}}.
 */
json_t *
report_fairness_figures(const json_t *acc, const json_t *options)
{
	static const char *const outcomes[] = { "upheld", "partly_upheld",
	    "not_upheld", "out_of_scope", "referred" };
	json_t		*out, *q, *rows, *times, *cells, *codes;
	const json_t	*o, *s;
	const char	*code;
	size_t		 i, j, k;
	long long	 on, late;

	out = json_object();
	for (i = 0; i < sizeof(questions) / sizeof(questions[0]); i++) {
		codes = json_array();
		json_array_foreach(json_object_get(options, questions[i]), j, o)
			json_array_append(codes, json_object_get(o, "code"));
		json_array_append_new(codes, json_string(NOT_ANSWERED));
		rows = json_array();
		times = json_array();
		json_array_foreach(codes, j, o) {
			code = json_string_value(o);
			s = json_object_get(json_object_get(acc, questions[i]),
			    code);
			cells = json_array();
			for (k = 0; k < sizeof(outcomes) / sizeof(outcomes[0]);
			    k++)
				json_array_append_new(cells, json_pack("{s:s,s:I}",
				    "code", outcomes[k], "n", (json_int_t)
				    json_integer_value(json_object_get(
				    json_object_get(s, "outcomes"), outcomes[k]))));
			json_array_append_new(rows, json_pack("{s:s,s:o}", "code",
			    code, "outcomes", cells));
			on = json_integer_value(json_object_get(s, "on_time"));
			late = json_integer_value(json_object_get(s, "late"));
			json_array_append_new(times, json_pack("{s:s,s:I,s:I,s:I}",
			    "code", code, "ended", (json_int_t)(on + late),
			    "on_time", (json_int_t)on, "late", (json_int_t)late));
		}
		q = json_pack("{s:o,s:o}", "outcomes", rows, "timeliness",
		    times);
		json_object_set_new(out, questions[i], q);
		json_decref(codes);
	}
	return (out);
}
