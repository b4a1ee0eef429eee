-- Idempotency-Key on POST /api/v1/experiments and /api/v1/sweeps: the first answer to a (scope, key), kept until
-- expires_at so that a client retrying after a timeout gets that answer instead of a second run. The primary key is
-- what makes it safe across instances and concurrent retries: the row is inserted in the same transaction that
-- creates the resource, so a concurrent retry waits on the unique index and then reads the committed answer.
create table idempotency_key (
    scope        varchar(40)  not null,
    key          varchar(200) not null,
    request_hash char(64)     not null,
    status       integer      not null,
    location     text,
    body         text         not null,
    created_at   timestamptz  not null default now(),
    expires_at   timestamptz  not null,
    primary key (scope, key)
);

create index idempotency_key_expires_idx on idempotency_key (expires_at);
