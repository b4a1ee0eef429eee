-- Batched runs (issue 18): queued runs with equal keys can train together as lanes of one batched computation. The
-- key is written at submission from the resolved spec (BatchKey.canonical(): task table, MLP shape, batch size, loss);
-- null for runs that cannot be batched (transformers) and for runs queued before this migration, which run alone.
-- The partial index serves the group claim: the queued mates of the claimed head, in claim order.
alter table experiment add column batch_key text;

create index experiment_batch_queue_idx on experiment (batch_key, priority desc, id)
    where status = 'QUEUED' and batch_key is not null;

-- Stopping when settled (analysis.stopWhenSettled): a run that ended early because its analysis could no longer
-- change says why, from which step its analysis was fixed, and how many steps of its budget it did not need.
alter table experiment
    add column stop_reason text,
    add column settled_at bigint,
    add column steps_saved bigint;
