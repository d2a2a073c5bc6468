# Recourse: build the Kore module and tools, run the service, run the tests.
#   make run    install what is missing, start PostgreSQL under var/, migrate, serve
#   make admin LOGIN=name NAME="Full Name"   the first admin's set-up link
#   make psql   psql on that database as its superuser (or DBROLE=role)
#   make test   every test layer against a throwaway cluster and server
#   make test-asan   unit and HTTP tests under AddressSanitizer + UBSan
#   make bench  durable intake throughput and latency against pgbench

CC	?= cc
BUILD	?= build
KORE_FEATURES := $(shell cat /usr/share/kore/features 2>/dev/null)
WARN	:= -Wall -Wextra -Wshadow -Wpointer-arith -Wcast-qual \
	   -Wmissing-prototypes -Wstrict-prototypes -Wno-unused-parameter
# OPT may be overridden (the sanitizer build does); the rest always applies.
OPT	?= -O2 -g
ALL_CFLAGS := $(OPT) -std=gnu11 $(WARN) -fPIC -D_GNU_SOURCE \
	   -D_FORTIFY_SOURCE=2 -fstack-protector-strong -I/usr/include/postgresql $(CFLAGS)
SAN	:= -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined

# Pure modules: no Kore, no libpq; linked into the unit tests as well.
PURE	:= keyfile sbuf utf8 html formdata intake vault totp staffauth casebox audit \
	   baseurl qrsvg ipaddr
# The SLA engine (docs/SLA.md): pure as well, on libical and jansson.
PURE	+= sla_error sla_zone sla_business sla_calendar sla_policy sla_clock \
	   sla_ical
# The clocks in words for people (reviewers, supervisors, complainants).
PURE	+= sla_words
# A case's clocks from the database's JSON (scheduler and sla-verify).
PURE	+= caseclocks
# The SLA admin forms to definitions and back (rt_admin_sla.c).
PURE	+= slaform
# Evidence uploads: type from content, checks, metadata stripped.
PURE	+= evidence
# Binary parameters for libpq.
PURE	+= pgbinary
# The transparency report: disclosure control, signatures, the model,
# its files.
PURE	+= report_sdc report_sign report_model report_csv report_files \
	   report_svg report_html report_fairness report_scrub
# Modules that need Kore (and through it libpq).
KOREMOD	:= recourse workers assets db db_case complaint background maintenance audit_sealer rt_util client_addr \
	   rt_public rt_track track_detail track_act rt_api rt_api_track apijson page view_public password staff rt_login rt_setup view_staff case_action case_file worklist view_review rt_review rt_account rt_staff_api rt_admin view_admin refusal rt_refusals view_refusals \
	   metrics rt_metrics sla_scheduler rt_outbox view_outbox \
	   clock_action clock_words view_clocks rt_dashboard view_dashboard
# A new case's clocks, computed by the public worker for intake.
KOREMOD	+= intake_clocks
# Erasing closed cases' personal data when their retention period ends.
KOREMOD	+= retention
# Evidence files: the set sent at once (complaint or reply), downloads.
KOREMOD	+= evidence_set rt_evidence
# The transparency reports: published (public side), built and approved
# (back office).
KOREMOD	+= rt_transparency view_report rt_reports view_reports
# Consented narratives for the reports: drafted, flagged and approved on
# the case page.
KOREMOD	+= case_narrative view_narrative
# SLA administration (/admin/calendars, /admin/policies, /admin/pause-reasons).
KOREMOD	+= rt_admin_sla view_admin_sla
PURE_OBJ := $(PURE:%=$(BUILD)/%.o)
MOD_OBJ	:= $(KOREMOD:%=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)

.PHONY: all deps run admin psql test test-unit test-asan bench clean

all: $(BUILD)/recourse.so $(BUILD)/recourse-keygen $(BUILD)/recourse-admin \
	$(BUILD)/recourse-mailer $(BUILD)/recourse-reporter \
	$(BUILD)/recourse-verify

deps:
	@sh src/tools/deps.sh runtime

$(BUILD)/%.o: src/%.c src/recourse.h src/app.h
	@mkdir -p $(BUILD)
	$(CC) $(ALL_CFLAGS) $(KORE_FEATURES) -c $< -o $@

$(BUILD)/sla_%.o: src/sla_%.c src/sla.h src/sla_internal.h src/sla_ical.h
	@mkdir -p $(BUILD)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/sla_words.o: src/sla_words.h

$(BUILD)/rt_transparency.o $(BUILD)/view_report.o $(BUILD)/view_reports.o: \
    src/report.h

# The report's pure modules: their own header, no Kore.
$(BUILD)/report_%.o: src/report_%.c src/report.h src/recourse.h
	@mkdir -p $(BUILD)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The scheduler runs in Kore: not the engine's rule above (which its name
# matches), but Kore's flags and the module's headers, so that a change of
# app.h's structs rebuilds it.
$(BUILD)/sla_scheduler.o: src/sla_scheduler.c src/recourse.h src/app.h \
    src/caseclocks.h src/sla.h
	@mkdir -p $(BUILD)
	$(CC) $(ALL_CFLAGS) $(KORE_FEATURES) -c $< -o $@
$(BUILD)/clock_words.o $(BUILD)/view_clocks.o $(BUILD)/view_dashboard.o: \
    src/sla_words.h src/sla.h

# The engine's contract is in these objects' structs: rebuild with it.
$(BUILD)/caseclocks.o $(BUILD)/intake_clocks.o: src/caseclocks.h src/sla.h
$(BUILD)/slaform.o $(BUILD)/rt_admin_sla.o $(BUILD)/view_admin_sla.o: \
	    src/slaform.h src/caseclocks.h src/sla.h src/sla_ical.h

# What the pure objects need, wherever they are linked.
PURE_LIBS := -lsodium -lcrypto -lqrencode -lical -ljansson

$(BUILD)/recourse.so: $(PURE_OBJ) $(MOD_OBJ)
	$(CC) -shared $(LDFLAGS) -o $@ $^ $(PURE_LIBS) -lpq

$(BUILD)/recourse-keygen: src/tools/keygen.c $(PURE_OBJ)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $^ $(PURE_LIBS)

$(BUILD)/recourse-admin: src/tools/admin.c src/caseclocks.h src/sla.h $(PURE_OBJ)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $(filter-out %.h,$^) $(PURE_LIBS) -lpq

$(BUILD)/recourse-mailer: src/tools/mailer.c $(PURE_OBJ)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $^ $(PURE_LIBS) -lpq -lcurl

$(BUILD)/recourse-verify: src/tools/verify.c src/report.h $(PURE_OBJ)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ src/tools/verify.c $(PURE_OBJ) \
	    $(PURE_LIBS)

$(BUILD)/recourse-reporter: src/tools/reporter.c src/report.h $(PURE_OBJ)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ src/tools/reporter.c $(PURE_OBJ) \
	    $(PURE_LIBS) -lpq

$(BUILD)/unit/%: tests/unit/%.c $(PURE_OBJ)
	@mkdir -p $(BUILD)/unit
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $^ $(PURE_LIBS) -lcmocka

run: deps all
	@sh src/tools/run.sh

# The first admin of the cluster 'make run' started (var/pg), or another
# account: make admin LOGIN=ann NAME="Ann Example" [ROLES=admin,supervisor]
admin: all
	@sh src/tools/admin.sh "$(LOGIN)" "$(NAME)" "$(ROLES)"

# psql on the database of 'make run' (var/pg), as the cluster's superuser or
# as DBROLE=recourse_owner, recourse_public or recourse_review.  The socket
# folder is given as an absolute path: libpq takes a relative one for a
# host name.
PGSUPER	= $$(sh src/tools/pgcluster.sh superuser var/pg)
psql:
	@psql -h "$(CURDIR)/var/pg" -U "$(or $(DBROLE),$(PGSUPER))" recourse

test-unit:
	@sh src/tools/deps.sh test
	@$(MAKE) --no-print-directory test-unit-bins
	@sh tests/unit/run.sh $(UNIT_BIN)

test:
	@sh src/tools/deps.sh test
	@$(MAKE) --no-print-directory all test-unit-bins
	@sh tests/run.sh all

test-unit-bins: $(UNIT_BIN)

# The same unit and HTTP tests, with every object built under the sanitizers
# into a separate tree, and the sanitizer runtime preloaded into Kore.
test-asan:
	@sh src/tools/deps.sh test
	@rm -rf build/asan
	@$(MAKE) --no-print-directory BUILD=build/asan \
	    OPT="-O1 -g $(SAN)" LDFLAGS="$(SAN)" all test-unit-bins
	@RECOURSE_BUILD=build/asan sh tests/run.sh asan

bench:
	@sh src/tools/deps.sh bench
	@$(MAKE) --no-print-directory all
	@sh tests/bench/run.sh
	@sh tests/bench/evidence.sh
	@[ "$${BENCH_REPORT:-1}" = 0 ] || sh tests/bench/report.sh

clean:
	rm -rf $(BUILD)
