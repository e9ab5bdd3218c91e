-- Run by run.sh after the COPY: the secondary indexes, the graph's edges
-- and the planner's statistics (and the visibility map, for index-only
-- scans). Primary keys, unique keys and foreign keys are in schema.sql.
set search_path = geo;

create index on actor (country_code);
create index on relationship (subject_id);
create index on relationship (object_actor_id);
create index on relationship (object_country_code);

-- Event lists in timeline order (instant, precision, key), also by type;
-- PostGraphile appends the primary key to every order.
create index event_time on event (occurred_at, precision, key, id);
create index event_type_time on event (type, occurred_at, precision, key, id);
-- eventCounts reads only this index (an index-only scan).
create index event_counts on event (occurred_at) include (type, country_code, fatalities);
create index on event (country_code);
create index event_search on event using gin (search);
create index on participant (actor_id, event_id);
create index on event_link (other_event_id);

create index statement_time on statement (made_at, precision, key, id);
create index on statement (speaker_id);
create index on statement (delivered_by_id);
create index statement_search on statement using gin (search);
create index on statement_addressee (actor_id);
create index on statement_about (event_id);

refresh materialized view graph_edge;
create index graph_edge_src on graph_edge (src, kind, dst);
create index graph_edge_pair on graph_edge (src, dst); -- edges between two given nodes

vacuum analyze;
