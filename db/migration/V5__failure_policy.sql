-- The job pool's failure policy (JobRepository):
-- not_before: a job re-queued after a failed attempt waits until then before it is claimed again (back-off);
-- exclusive:  the current attempt runs alone on its instance (a single-worker instance, or a suspect run in isolation),
--             so a lease that expires (the instance died) is blamed on it;
-- suspect:    a lease of this job expired while other jobs shared its instance: it is not blamed for that, but runs
--             alone next time; cleared once an attempt passes a checkpoint.
alter table experiment
    add column not_before timestamptz,
    add column exclusive  boolean not null default false,
    add column suspect    boolean not null default false;
