-- geotimeline's model for PostgreSQL 15 behind PostGraphile 4: the schema an
-- analyst team would write for the same data and the same questions, for the
-- side-by-side benchmark (run.sh). Tables are loaded with COPY from the CSV
-- files of fixturecsv; indexes, the graph's edge table and the statistics
-- are built after the load (see the end of this file, run by run.sh).
--
-- PostGraphile exposes the schema geo: tables as connections (allEvents,
-- eventByKey, participantsByEventIdList, …), the functions below as root
-- fields (eventCountsList, searchTimeline, neighborhood).

create schema geo;
set search_path = geo;

create type time_precision as enum ('YEAR', 'MONTH', 'DAY', 'MINUTE', 'SECOND'); -- coarser sorts first
create type actor_kind as enum ('PERSON', 'STATE', 'GOVERNMENT_BODY', 'MILITARY', 'ARMED_GROUP',
  'POLITICAL_PARTY', 'INTERNATIONAL_ORGANIZATION', 'NGO', 'MEDIA', 'OTHER');
create type event_type as enum ('ATTACK', 'STRIKE', 'CALL', 'MEETING', 'STATEMENT_OF_POLICY', 'PROTEST',
  'SANCTION', 'AGREEMENT', 'CEASEFIRE', 'MOBILIZATION', 'CEREMONY', 'OTHER', 'SUPPORT', 'CONCESSION',
  'COOPERATION', 'AID', 'RETREAT', 'REQUEST', 'ACCUSATION', 'REJECTION', 'THREAT', 'COERCION');
create type participant_role as enum ('INITIATOR', 'TARGET', 'PARTICIPANT', 'MEDIATOR', 'VICTIM');
create type link_kind as enum ('RESPONSE_TO', 'ESCALATION_OF', 'PART_OF', 'FOLLOWS');
create type statement_kind as enum ('QUOTE', 'READOUT', 'PRESS_RELEASE', 'SOCIAL_MEDIA_POST', 'SPEECH',
  'INTERVIEW', 'OTHER');
create type relationship_kind as enum ('HOLDS_POSITION', 'MEMBER_OF', 'SPOKESPERSON_FOR', 'LEADS',
  'ALLIED_WITH', 'OPPOSES', 'SUPPORTS', 'BASED_IN');

create table country (
  code    text primary key check (code ~ '^[A-Z]{2}$'),
  id      int not null unique, -- the country's number in graph_edge
  alpha3  text,
  numeric text,
  name    text not null,
  region  text
);
comment on column country.id is '@omit';

create table actor (
  id           int primary key,
  key          text not null unique,
  name         text not null,
  kind         actor_kind not null,
  country_code text references country,
  aliases      text[] not null default '{}',
  description  text
);

create table relationship (
  id                  int primary key,
  key                 text unique,
  kind                relationship_kind not null,
  subject_id          int not null references actor,
  object_actor_id     int references actor,
  object_country_code text references country,
  title               text,
  from_at             timestamptz,
  from_precision      time_precision,
  to_at               timestamptz,
  to_precision        time_precision,
  check ((object_actor_id is null) <> (object_country_code is null))
);

-- The words a text filter matches: titles, summaries and tags of events,
-- texts and summaries of statements, split like geotimeline's FTS
-- (unicode61: case folded, no stemming), hence the 'simple' configuration.
create function document(variadic parts text[]) returns tsvector
  language sql immutable parallel safe
  as $$ select to_tsvector('simple'::regconfig, array_to_string(parts, ' ')) $$;
comment on function document(text[]) is '@omit';

create table event (
  id              int primary key,
  key             text not null unique,
  type            event_type not null,
  title           text not null,
  summary         text,
  occurred_at     timestamptz not null,
  precision       time_precision not null,
  ended_at        timestamptz,
  ended_precision time_precision,
  country_code    text references country, -- where it happened
  place           text,
  lat             double precision check (lat between -90 and 90),
  lon             double precision check (lon between -180 and 180),
  fatalities      int check (fatalities >= 0),
  injured         int check (injured >= 0),
  tags            text[] not null default '{}',
  search          tsvector not null generated always as
                    (document(variadic array[title, summary] || tags)) stored
);
comment on column event.search is '@omit';

create table participant (
  event_id int not null references event on delete cascade,
  ord      int not null, -- fixture order
  actor_id int not null references actor,
  role     participant_role not null,
  primary key (event_id, ord),
  unique (event_id, actor_id)
);

create table event_link (
  event_id       int not null references event on delete cascade, -- the subject
  ord            int not null,
  kind           link_kind not null,
  other_event_id int not null references event,
  primary key (event_id, ord)
);

create table statement (
  id              int primary key,
  key             text not null unique,
  kind            statement_kind not null,
  speaker_id      int not null references actor,
  delivered_by_id int references actor,
  made_at         timestamptz not null,
  precision       time_precision not null,
  text            text not null,
  summary         text,
  stances         text[] not null default '{}',
  search          tsvector not null generated always as (document(text, summary)) stored
);
comment on column statement.search is '@omit';

create table statement_addressee (
  statement_id int not null references statement on delete cascade,
  ord          int not null,
  actor_id     int not null references actor,
  primary key (statement_id, ord)
);

create table statement_about (
  statement_id int not null references statement on delete cascade,
  ord          int not null,
  event_id     int not null references event,
  primary key (statement_id, ord)
);

-- The timeline: events and statements interleaved, by instant, precision
-- (coarser first), key, events before statements.
create view timeline_item as
  select 'EVENT'::text as kind, e.key, e.occurred_at as at, e.precision, e.title,
         e.id as event_id, null::int as statement_id, e.search
    from event e
  union all
  select 'STATEMENT'::text, s.key, s.made_at, s.precision, null::text,
         null::int, s.id, s.search
    from statement s;
comment on view timeline_item is E'@foreignKey (event_id) references event (id)\n@foreignKey (statement_id) references statement (id)';
comment on column timeline_item.search is '@omit';

-- A page of the timeline whose items match every word of words.
create function search_timeline(words text) returns setof timeline_item
  language sql stable parallel safe
  as $$
    select t.* from geo.timeline_item t
     where t.search @@ plainto_tsquery('simple'::regconfig, words)
     order by t.at, t.precision, t.key, t.kind
  $$;

-- Counts per bucket of time (UTC) and group, like geotimeline's eventCounts.
create type count_interval as enum ('DAY', 'WEEK', 'MONTH', 'YEAR');
create type count_group as enum ('TYPE', 'COUNTRY', 'NONE');
create type event_bucket as (start timestamptz, key text, count int, fatalities int);
comment on column event_bucket.start is '@notNull';
comment on column event_bucket.count is '@notNull';
comment on column event_bucket.fatalities is '@notNull';

create function event_counts(bucket count_interval, group_by count_group default 'NONE')
  returns setof event_bucket
  language sql stable parallel safe
  as $$
    select b.start at time zone 'UTC', b.key, b.count, b.fatalities
      from (select date_trunc(lower(bucket::text), e.occurred_at at time zone 'UTC') as start,
                   case group_by when 'TYPE' then e.type::text when 'COUNTRY' then e.country_code end as key,
                   count(*)::int as count, coalesce(sum(e.fatalities), 0)::int as fatalities
              from geo.event e
             group by 1, 2) b
     order by 1, 2
  $$;

-- The graph: every edge in both directions, nodes numbered as geotimeline
-- numbers them (type << 48 | id; actor 1, country 2, event 3, statement 4)
-- and kinds as its EdgeKind codes (PARTICIPATION 1 … AFFILIATION 9). A
-- materialized view of the tables above; a database that is written to
-- would refresh it or keep it with triggers.
create materialized view graph_edge as
  with e(src, kind, dst, role) as (
    select 1::bigint << 48 | actor_id, 1, 3::bigint << 48 | event_id, role::text from participant
    union all
    select 1::bigint << 48 | speaker_id, 2, 4::bigint << 48 | id, null from statement
    union all
    select 1::bigint << 48 | delivered_by_id, 3, 4::bigint << 48 | id, null from statement
     where delivered_by_id is not null
    union all
    select 4::bigint << 48 | statement_id, 4, 1::bigint << 48 | actor_id, null from statement_addressee
    union all
    select 4::bigint << 48 | statement_id, 5, 3::bigint << 48 | event_id, null from statement_about
    union all
    select 1::bigint << 48 | r.subject_id, 6,
           coalesce(1::bigint << 48 | r.object_actor_id, 2::bigint << 48 | c.id), r.kind::text
      from relationship r left join country c on c.code = r.object_country_code
    union all
    select 3::bigint << 48 | event_id, 7, 3::bigint << 48 | other_event_id, kind::text from event_link
    union all
    select 3::bigint << 48 | e.id, 8, 2::bigint << 48 | c.id, null from event e join country c on c.code = e.country_code
    union all
    select 1::bigint << 48 | a.id, 9, 2::bigint << 48 | c.id, null from actor a join country c on c.code = a.country_code
  )
  select src, kind::smallint, dst, true as forward, role from e
  union all
  select dst, kind::smallint, src, false, role from e
  with no data;
comment on materialized view graph_edge is '@omit';

create type subgraph as (truncated boolean, nodes jsonb, edges jsonb);
comment on column subgraph.truncated is '@notNull';
comment on column subgraph.nodes is '@notNull';
comment on column subgraph.edges is '@notNull';

-- What a graph node number stands for: {"type": "EVENT", "key": "…"}.
create function node_json(n bigint) returns jsonb
  language sql stable parallel safe
  as $$
    select case n >> 48
      when 1 then jsonb_build_object('type', 'ACTOR', 'key', (select key from geo.actor where id = n & 281474976710655))
      when 2 then jsonb_build_object('type', 'COUNTRY', 'key', (select code from geo.country where id = n & 281474976710655))
      when 3 then jsonb_build_object('type', 'EVENT', 'key', (select key from geo.event where id = n & 281474976710655))
      when 4 then jsonb_build_object('type', 'STATEMENT', 'key', (select key from geo.statement where id = n & 281474976710655))
    end
  $$;
comment on function node_json(bigint) is '@omit';

-- Everything within depth hops of a node, breadth first, at most max_nodes
-- nodes, with the edges among them; each level reads the edges of its nodes
-- in (node, kind, other node) order and stops once the limit is reached, and
-- the levels share a budget of max_rows edge rows. The same walk, and so
-- the same nodes, as geotimeline's neighborhood.
create function neighborhood(start_type text, start_key text, depth int default 1,
                             max_nodes int default 200, max_rows int default 20000)
  returns subgraph
  language plpgsql stable parallel safe
  -- A generic plan, which knows neither the node nor the budget, would sort a
  -- hub's every edge by the pair index.
  set plan_cache_mode = force_custom_plan
  as $$
  declare
    start     bigint;
    found     bigint[];
    frontier  bigint[];
    next      bigint[];
    d         bigint;
    s         bigint;
    budget    int := max_rows;
    n         int;
    truncated boolean := false;
    result    geo.subgraph;
  begin
    start := case start_type
      when 'ACTOR' then (select 1::bigint << 48 | id from geo.actor where key = start_key)
      when 'COUNTRY' then (select 2::bigint << 48 | id from geo.country where code = start_key)
      when 'EVENT' then (select 3::bigint << 48 | id from geo.event where key = start_key)
      when 'STATEMENT' then (select 4::bigint << 48 | id from geo.statement where key = start_key)
    end;
    if start is null then
      return null;
    end if;
    found := array[start];
    frontier := found;
    for level in 1 .. least(depth, 3) loop
      exit when truncated or cardinality(frontier) = 0 or budget <= 0;
      next := '{}';
      -- Node by node, in order, so that each read is one ordered range of
      -- the index whatever plan is cached (src = any(…) would sort them all).
      foreach s in array frontier loop
        exit when truncated or budget <= 0;
        n := 0;
        for d in select g.dst from geo.graph_edge g where g.src = s
                  order by g.kind, g.dst limit budget loop
          n := n + 1;
          continue when d = any(found);
          if cardinality(found) >= max_nodes then
            truncated := true;
            exit;
          end if;
          found := found || d;
          next := next || d;
        end loop;
        budget := budget - n;
      end loop;
      truncated := truncated or budget <= 0;
      select coalesce(array_agg(x order by x), '{}') into frontier from unnest(next) as x;
    end loop;
    result.truncated := truncated;
    select coalesce(jsonb_agg(geo.node_json(u.n) order by u.o), '[]') into result.nodes
      from unnest(found) with ordinality as u(n, o);
    -- The edges among the nodes, each read from an end with few edges: a
    -- node's rows are read when it has fewer than 1000 (forward ones, or
    -- towards a node with more), and pairs of nodes with more are looked up.
    with f(node) as (select unnest(found)),
    deg(node, small) as (
      select f.node, (select count(*) from (select 1 from geo.graph_edge g where g.src = f.node limit 1000) x) < 1000
        from f),
    big(node) as (select node from deg where not small),
    e as (
      select g.* from deg join geo.graph_edge g on g.src = deg.node
       where deg.small and g.dst in (select node from f) and (g.forward or g.dst in (select node from big))
      union all
      select g.* from big a cross join big b cross join lateral
             (select * from geo.graph_edge g where g.src = a.node and g.dst = b.node and g.forward
              offset 0) g) -- offset 0: one lookup per pair, never a hub's every row
    select coalesce(jsonb_agg(jsonb_build_object('kind', kind, 'role', role, 'from', a, 'to', b)
                              order by a, kind, b), '[]') into result.edges
      from (select e.kind, e.role, case when e.forward then e.src else e.dst end as a,
                   case when e.forward then e.dst else e.src end as b from e) x;
    return result;
  end
  $$;
