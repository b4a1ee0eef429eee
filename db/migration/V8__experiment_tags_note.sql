-- Researchers' own labels on a run: tags to find and group runs by (at most 20, checked by the service), and a
-- free-text note. GIN indexes serve the list endpoint's filters: tags @> array[...] and spec @> '{...}' (a spec
-- field's value, e.g. {"optimizer": {"weightDecay": 1}}).
alter table experiment
    add column tags text[] not null default '{}',
    add column note text;

create index experiment_tags_idx on experiment using gin (tags);
create index experiment_spec_idx on experiment using gin (spec jsonb_path_ops);
create index experiment_verdict_idx on experiment (verdict, id);
