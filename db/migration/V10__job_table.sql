-- The job pool owns its own table (issue 16). Until V9 the experiment row was both the researcher's record and the
-- queue; the pool's raw SQL and the experiment package's JPA entity wrote the same row. From here:
--
--   experiment  the researcher's record: name, the spec as submitted (completed), what it is filed under (operation,
--               model type, step budget), when it was submitted, tags and note. Written only by the experiment
--               package (ExperimentRepository).
--   job         the run as the job pool executes it: one row per experiment (same id, deleted with it). Written only
--               by io.grokscope.jobs.JobRepository.
--
-- Where status lives: in job, and only there. Every statement that changes a status (claim, heartbeat fence, finish,
-- fail, release, lease expiry, cancel) also changes lease, attempt, worker or failures, and has to do both atomically
-- in one statement on one row: the claim is a single UPDATE ... FROM (SELECT ... FOR UPDATE SKIP LOCKED), and the
-- write fence (metrics.WriteFence) is a share lock on that same row. Splitting status from them would make every
-- claim a two-table write and the fence a join. The researcher's lists and filters read status with a join on the
-- primary key (one row each side), which is cheap.
--
-- For the same reason the outcome lives in job too: started_at and finished_at, error, the analysis headline
-- (verdict, generalization_step, grokking_delay) and the settlement (stop_reason, settled_at, steps_saved) are all
-- written by the pool in the statement that ends a run, so that no finished run is ever seen without them; splitting
-- them off would turn "finish" into a write on two tables by two owners. The researcher sees them unchanged through
-- the API. priority and batch_key are copied from the spec at submission: they are the pool's claim order and
-- grouping, and its partial indexes need them beside status.
create table job (
    experiment_id       bigint           primary key references experiment (id) on delete cascade,
    status              varchar(16)      not null
        check (status in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    priority            integer          not null default 0,
    batch_key           text,
    cancel_requested    boolean          not null default false,
    attempt             integer          not null default 0,
    worker              varchar(200),
    lease_expires_at    timestamptz,
    failures            integer          not null default 0,
    not_before          timestamptz,
    exclusive           boolean          not null default false,
    suspect             boolean          not null default false,
    progress_step       bigint           not null default 0,
    steps_per_second    double precision,
    provenance          jsonb,
    started_at          timestamptz,
    finished_at         timestamptz,
    error               text,
    verdict             varchar(20),
    generalization_step bigint,
    grokking_delay      bigint,
    stop_reason         text,
    settled_at          bigint,
    steps_saved         bigint
);

insert into job (experiment_id, status, priority, batch_key, cancel_requested, attempt, worker, lease_expires_at,
                 failures, not_before, exclusive, suspect, progress_step, steps_per_second, provenance, started_at,
                 finished_at, error, verdict, generalization_step, grokking_delay, stop_reason, settled_at,
                 steps_saved)
select id, status, priority, batch_key, cancel_requested, attempt, worker, lease_expires_at,
       failures, not_before, exclusive, suspect, progress_step, steps_per_second, provenance, started_at,
       finished_at, error, verdict, generalization_step, grokking_delay, stop_reason, settled_at,
       steps_saved
from experiment;

-- The indexes that served these columns on experiment (V1, V2, V8, V9), now on job: claim order, group claim, the
-- list endpoint's status and verdict filters.
create index job_queue_idx on job (priority desc, experiment_id) where status in ('QUEUED', 'RUNNING');
create index job_batch_queue_idx on job (batch_key, priority desc, experiment_id)
    where status = 'QUEUED' and batch_key is not null;
create index job_status_idx on job (status, experiment_id);
create index job_verdict_idx on job (verdict, experiment_id);

-- Dropping the columns drops their indexes (experiment_status_idx, _queue_idx, _batch_queue_idx, _verdict_idx).
alter table experiment
    drop column status,
    drop column priority,
    drop column batch_key,
    drop column cancel_requested,
    drop column attempt,
    drop column worker,
    drop column lease_expires_at,
    drop column failures,
    drop column not_before,
    drop column exclusive,
    drop column suspect,
    drop column progress_step,
    drop column steps_per_second,
    drop column provenance,
    drop column started_at,
    drop column finished_at,
    drop column error,
    drop column verdict,
    drop column generalization_step,
    drop column grokking_delay,
    drop column stop_reason,
    drop column settled_at,
    drop column steps_saved;
