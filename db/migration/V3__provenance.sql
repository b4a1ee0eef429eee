-- How each run was executed: instance, worker slot, ND4J backend and threads, JVM, OS, code version.
alter table experiment add column provenance jsonb;
