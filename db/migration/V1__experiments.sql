-- Experiments: the spec as submitted-and-completed (jsonb), plus the columns the API filters and sorts on.
create table experiment (
    id                  bigserial primary key,
    name                varchar(100) not null,
    status              varchar(16)  not null
        check (status in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    spec                jsonb        not null,
    operation           varchar(40)  not null,
    model_type          varchar(20)  not null,
    priority            integer      not null default 0,
    total_steps         bigint       not null,
    cancel_requested    boolean      not null default false,
    created_at          timestamptz  not null default now(),
    started_at          timestamptz,
    finished_at         timestamptz,
    error               text,
    version             bigint       not null default 0
);

create index experiment_status_idx on experiment (status, id);
create index experiment_name_idx on experiment (name);

-- What the job pool and the analysis report back, denormalised for listing without reading metrics.
alter table experiment
    add column attempt             integer          not null default 0,
    add column worker              varchar(200),
    add column progress_step       bigint           not null default 0,
    add column steps_per_second    double precision,
    add column verdict             varchar(20),
    add column generalization_step bigint,
    add column grokking_delay      bigint;
