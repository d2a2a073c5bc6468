-- pgbench script for tests/bench/run.sh: the database's floor for one durable complaint, one INSERT of a row as large as an average stored case per transaction.
-- run.sh creates bench_floor and passes -D payload= (random bytes, as bytea hex).
INSERT INTO bench_floor (body) VALUES (:payload::bytea);
