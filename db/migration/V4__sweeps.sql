-- A sweep: a base spec expanded over axes (a grid of spec fields) and seeds into experiments queued together.
-- axes is an array of {path, values} so that the axes keep the order the client gave (jsonb objects do not).
create table sweep (
    id         bigserial    primary key,
    name       varchar(100) not null,
    base       jsonb        not null,
    axes       jsonb        not null,
    seeds      jsonb,
    created_at timestamptz  not null default now()
);

create index sweep_name_idx on sweep (name);

-- The experiments of a sweep: cell is the index into the cartesian product of the axes (first axis outermost),
-- seed the repetition (null when the sweep gives no seeds). Deleting an experiment on its own removes it from its
-- sweep; deleting a sweep deletes its experiments (the service does that, then this row goes with the sweep).
create table sweep_experiment (
    sweep_id      bigint  not null references sweep (id) on delete cascade,
    experiment_id bigint  not null unique references experiment (id) on delete cascade,
    cell          integer not null,
    seed          bigint,
    primary key (sweep_id, experiment_id)
);

create index sweep_experiment_cell_idx on sweep_experiment (sweep_id, cell);
