-- The job pool's lease on an experiment row. A worker owns a RUNNING experiment while lease_expires_at (database
-- clock) is in the future; every write it makes is fenced on (id, attempt, worker).
alter table experiment
    add column lease_expires_at timestamptz,
    add column failures         integer not null default 0;

-- Claim order: highest priority first, then FIFO; expired leases are found through the same index.
create index experiment_queue_idx on experiment (priority desc, id) where status in ('QUEUED', 'RUNNING');

-- One row per (experiment, metric, step): re-delivery after a resume is harmless.
create table metric_point (
    experiment_id bigint           not null references experiment (id) on delete cascade,
    metric        varchar(40)      not null,
    step          bigint           not null,
    value         double precision not null,
    recorded_at   timestamptz      not null default now(),
    primary key (experiment_id, metric, step)
);

-- The latest checkpoint of each experiment (weights, optimizer and filter state, RNG): any instance can resume it.
create table checkpoint (
    experiment_id bigint      primary key references experiment (id) on delete cascade,
    step          bigint      not null,
    attempt       integer     not null,
    payload       bytea       not null,
    created_at    timestamptz not null default now()
);

-- Fourier spectra (per-frequency norms of W_E and W_L) at every measured step, for /spectrum.
create table spectrum (
    experiment_id   bigint             not null references experiment (id) on delete cascade,
    step            bigint             not null,
    embed_norms     double precision[] not null,
    unembed_norms   double precision[] not null,
    key_frequencies integer[]          not null,
    primary key (experiment_id, step)
);
