-- A run's parameter history: the parameters only (no optimizer state), FP32, in CheckpointCodec's format, taken at the
-- progress-measure cadence and thinned to a byte budget (io.grokscope.history.HistoryThinning). Written under the
-- same fence as the checkpoint; deleted with the experiment.
create table parameter_snapshot (
    experiment_id bigint      not null references experiment (id) on delete cascade,
    step          bigint      not null,
    payload       bytea       not null,
    created_at    timestamptz not null default now(),
    primary key (experiment_id, step)
);
-- Float data barely compresses: skip TOAST's compression attempt, keep out-of-line storage.
alter table parameter_snapshot alter column payload set storage external;

-- The excluded loss of every single frequency at each measured step (element k-1 = frequency k); null for rows written
-- before this column existed and for tasks without restricted/excluded loss.
alter table spectrum add column excluded_losses double precision[];

-- The whole-run measures: restricted_loss and excluded_loss rows of the experiment were recomputed at every stored
-- snapshot with one key set, that of the model at key_step. Without this row those series are provisional (each
-- step's own key set).
create table whole_run_measures (
    experiment_id   bigint      primary key references experiment (id) on delete cascade,
    key_step        bigint      not null,
    key_frequencies integer[]   not null,
    steps           integer     not null,
    computed_at     timestamptz not null default now()
);
