#!/usr/bin/env bash
# The side-by-side benchmark of issue 11: the same generated fixture loaded
# into geotimeline (SQLite) and into PostgreSQL 15 behind PostGraphile 4, the
# same questions asked of both through the same load generator (hey), one
# markdown table of both with their ratios; and, as a second table,
# geotimeline on PostgreSQL (issue 15), one process and two replicas, beside
# PostGraphile on the same cluster. Not run by CI.
#
#   graph/bench/sidebyside/run.sh [EVENTS [CONCURRENCY [DURATION]]]
#   graph/bench/sidebyside/run.sh 100000 1,8,32 10s      # the defaults
#
# Environment:
#   SIDEBYSIDE_DURATION  time per point when DURATION is not given (10s)
#   SIDEBYSIDE_WORK      directory for the fixture, both databases and logs;
#                        reused when it holds them already (a fresh temporary
#                        directory, removed at the end, by default)
#   SIDEBYSIDE_NPM       where PostGraphile is installed ($HOME/.cache/geotimeline-sidebyside/npm)
#   SIDEBYSIDE_WORKERS   PostGraphile's --cluster-workers (none by default)
#   SIDEBYSIDE_QUERIES   the queries to time, space-separated (all by default)
#   PGBIN                PostgreSQL's binaries (/usr/lib/postgresql/15/bin)
#   SIDEBYSIDE_PG        1 (the default) also seeds geotimeline into a database
#                        of the same PostgreSQL cluster and times it there, one
#                        serve process and two replicas (each given half the
#                        clients, run at once); 0 leaves it out
#
# Needs go, node and npm, jq, python3 (to pick free ports), hey (Debian
# package hey) and Debian's postgresql 15. Everything listens on 127.0.0.1.
set -euo pipefail

EVENTS=${1:-100000}
CONC=${2:-1,8,32}
DURATION=${3:-${SIDEBYSIDE_DURATION:-10s}}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
NPMDIR=${SIDEBYSIDE_NPM:-$HOME/.cache/geotimeline-sidebyside/npm}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
IFS=, read -r -a CS <<<"$CONC"
QUERIES=(${SIDEBYSIDE_QUERIES:-nested bytype bykey counts countstype textcommon textrare neighborhood})

for tool in go node npm jq python3 hey "$PGBIN/initdb" "$PGBIN/pg_ctl" "$PGBIN/psql"; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (hey: apt-get install hey)" >&2; exit 1; }
done

if [[ -n ${SIDEBYSIDE_WORK:-} ]]; then
	WORK=$SIDEBYSIDE_WORK
	mkdir -p "$WORK"
	KEEP=1
else
	WORK=$(mktemp -d /tmp/sidebyside.XXXXXX)
	KEEP=0
fi
chmod 755 "$WORK"
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
# timed NAME CMD...: runs CMD and records its wall time in seconds.
declare -A TOOK
timed() {
	local name=$1 t0 t1
	shift
	t0=$(date +%s.%N)
	"$@"
	t1=$(date +%s.%N)
	TOOK[$name]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	log "$name took ${TOOK[$name]} s"
}

# PostgreSQL refuses to run as root: it then runs as the postgres user.
AS=()
if [[ $(id -u) == 0 ]]; then AS=(runuser -u postgres --); fi

PIDS=()
PGDATA=$WORK/pgdata
cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	if [[ -f $PGDATA/postmaster.pid ]]; then "${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true; fi
	if [[ $KEEP == 0 ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# --- geotimeline: build, generate, seed --------------------------------------
log "work directory $WORK"
(cd "$REPO" && go build -o "$WORK/geotimeline" ./cmd/geotimeline && go build -o "$WORK/fixturecsv" ./graph/bench/sidebyside/fixturecsv)
GT=$WORK/geotimeline
FIX=$WORK/fixture-$EVENTS.json
if [[ ! -f $FIX ]]; then timed generate "$GT" generate --events "$EVENTS" --seed 1 --out "$FIX"; fi
GDB=$WORK/geotimeline-$EVENTS.db
if [[ ! -f $WORK/.seeded-$EVENTS ]]; then
	rm -f "$GDB" "$GDB"-*
	timed seed "$GT" seed --db "$GDB" "$FIX"
	touch "$WORK/.seeded-$EVENTS"
fi

# --- PostgreSQL: initdb, start, load -----------------------------------------
PGPORT=$(freeport)
if [[ ! -f $WORK/.loaded-$EVENTS ]]; then
	rm -rf "$PGDATA" "$WORK/csv"
	mkdir -p "$WORK/csv"
	timed csv "$WORK/fixturecsv" -out "$WORK/csv" "$FIX"
	chmod -R a+rX "$WORK/csv"
	mkdir -p "$PGDATA" && chown "$(id -u postgres 2>/dev/null || id -u)" "$PGDATA" 2>/dev/null || true
	"${AS[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C >"$WORK/initdb.log"
	# Tuned for this machine's reads; fsync is off because the benchmark
	# loads once and only reads (no effect on read timings).
	cat >>"$PGDATA/postgresql.conf" <<-EOF
		listen_addresses = '127.0.0.1'
		unix_socket_directories = ''
		timezone = 'UTC'
		shared_buffers = 1GB
		effective_cache_size = 4GB
		work_mem = 32MB
		maintenance_work_mem = 512MB
		random_page_cost = 1.1
		jit = off
		max_wal_size = 4GB
		fsync = off
		synchronous_commit = off
		full_page_writes = off
	EOF
fi
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -o "-p $PGPORT" -l "$PGDATA/postgres.log" -w start >/dev/null
PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres)
if [[ ! -f $WORK/.loaded-$EVENTS ]]; then
	load() {
		"${PSQL[@]}" -c 'create database geotimeline'
		"${PSQL[@]}" -d geotimeline -f "$HERE/schema.sql"
		local t
		for t in country actor relationship event participant event_link statement statement_addressee statement_about; do
			"${PSQL[@]}" -d geotimeline -c "\\copy geo.$t from '$WORK/csv/$t.csv' with (format csv)"
		done
		"${PSQL[@]}" -d geotimeline -f "$HERE/indexes.sql"
	}
	timed load load
	rm -rf "$WORK/csv"
	touch "$WORK/.loaded-$EVENTS"
fi
PGURL=postgres://postgres@127.0.0.1:$PGPORT/geotimeline

# --- geotimeline on PostgreSQL: its own database in the same cluster -----------
WITHPG=${SIDEBYSIDE_PG:-1}
GTPGURL=postgres://postgres@127.0.0.1:$PGPORT/geotimeline_store?sslmode=disable
if [[ $WITHPG == 1 && ! -f $WORK/.pgseeded-$EVENTS ]]; then
	"${PSQL[@]}" -c 'drop database if exists geotimeline_store' -c 'create database geotimeline_store'
	timed pgseed "$GT" seed --db "$GTPGURL" "$FIX"
	"${PSQL[@]}" -d geotimeline_store -c 'analyze'
	touch "$WORK/.pgseeded-$EVENTS"
fi

# --- the servers ---------------------------------------------------------------
GPORT=$(freeport)
# The response cache is off: the targets hold without it, and hey repeats
# one query, which the cache would answer without reading.
"$GT" serve --db "$GDB" --addr "127.0.0.1:$GPORT" --no-demo --max-complexity 1000000 \
	--request-timeout 60s --response-cache 0 --log-level warn 2>"$WORK/geotimeline.log" &
PIDS+=($!)
RPORTS=()
if [[ $WITHPG == 1 ]]; then
	# Two replicas of one database: the first alone is the one-process
	# column; both together, each driven by half the clients, the other.
	for r in 1 2; do
		RPORTS+=("$(freeport)")
		"$GT" serve --db "$GTPGURL" --addr "127.0.0.1:${RPORTS[-1]}" --no-demo --max-complexity 1000000 \
			--request-timeout 60s --response-cache 0 --log-level warn 2>"$WORK/geotimeline-pg-$r.log" &
		PIDS+=($!)
	done
fi
if [[ ! -x $NPMDIR/node_modules/.bin/postgraphile ]]; then
	log "installing postgraphile@4 into $NPMDIR"
	mkdir -p "$NPMDIR"
	(cd "$NPMDIR" && { [[ -f package.json ]] || npm init -y >/dev/null; } && npm install --no-audit --no-fund postgraphile@4 >/dev/null)
fi
PPORT=$(freeport)
WORKERS=()
if [[ -n ${SIDEBYSIDE_WORKERS:-} ]]; then WORKERS=(--cluster-workers "$SIDEBYSIDE_WORKERS"); fi
NODE_ENV=production "$NPMDIR/node_modules/.bin/postgraphile" -c "$PGURL" --schema geo \
	--host 127.0.0.1 --port "$PPORT" --simple-collections both --dynamic-json \
	--no-setof-functions-contain-nulls --disable-default-mutations --disable-query-log \
	"${WORKERS[@]}" >"$WORK/postgraphile.log" 2>&1 &
PIDS+=($!)
GURL=http://127.0.0.1:$GPORT/graphql
PURL=http://127.0.0.1:$PPORT/graphql
RURLS=()
for port in "${RPORTS[@]}"; do RURLS+=("http://127.0.0.1:$port/graphql"); done
for url in "$GURL" "$PURL" "${RURLS[@]}"; do
	for i in $(seq 600); do
		curl -sf -o /dev/null -H 'Content-Type: application/json' -d '{"query":"{__typename}"}' "$url" && break
		if [[ $i == 600 ]]; then echo "run.sh: $url does not answer; see $WORK/*.log" >&2; exit 1; fi
		sleep 0.1
	done
done
log "geotimeline $GURL, PostGraphile $PURL, PostgreSQL 127.0.0.1:$PGPORT"

# --- the questions' parameters, from the data -----------------------------------
sql() { "${PSQL[@]}" -d geotimeline -At -c "set search_path = geo; $1"; }
BUSY=$(sql "select a.key from participant p join actor a on a.id = p.actor_id group by a.key order by count(*) desc, a.key limit 1")
MIDKEY=$(sql "select key from event where id = (select (max(id) + 1) / 2 from event)")
# Words of 5 letters or more, made of letters only so that both tokenizers
# split them alike: the commonest, and one found in 5 to 20 items.
sql "create temporary table words as select word, ndoc from ts_stat('select search from geo.event union all select search from geo.statement') where word ~ '^[a-z]{5,}\$'; 
     select word from words order by ndoc desc, word limit 1; select word from words where ndoc between 5 and 20 order by ndoc, word limit 1" >"$WORK/words"
COMMON=$(sed -n 1p "$WORK/words")
RARE=$(sed -n 2p "$WORK/words")
BUSYID=$(curl -sf -H 'Content-Type: application/json' \
	-d "$(jq -cn --arg k "$BUSY" '{query: "query($k: String!) { actor(key: $k) { id } }", variables: {k: $k}}')" "$GURL" | jq -r .data.actor.id)
log "busiest actor $BUSY ($BUSYID), event by key $MIDKEY, common word '$COMMON', rare word '$RARE'"

# body QUERY SYSTEM: the POST body of a query for one system.
body() {
	local q=$1 sys=$2 file vars
	case $q in
	nested | counts | countstype) file=$q vars='{}' ;;
	bytype) file=$q vars='{"type": "ATTACK"}' ;;
	bykey) file=$q vars=$(jq -cn --arg k "$MIDKEY" '{key: $k}') ;;
	textcommon) file=text vars=$(jq -cn --arg t "$COMMON" '{text: $t}') ;;
	textrare) file=text vars=$(jq -cn --arg t "$RARE" '{text: $t}') ;;
	neighborhood)
		file=$q
		if [[ $sys == geotimeline ]]; then vars=$(jq -cn --arg i "$BUSYID" '{id: $i}'); else vars=$(jq -cn --arg k "$BUSY" '{key: $k}'); fi ;;
	esac
	jq -cn --rawfile q "$HERE/queries/$file.$sys.graphql" --argjson v "$vars" '{query: $q, variables: $v}'
}

# What both must agree on, per query: counts and first keys.
declare -A CHECK
CHECK[nested.geotimeline]='.data.events.nodes | [length, (.[0:3] | map(.key)), (map(.participants | length) | add)]'
CHECK[nested.postgraphile]='.data.allEvents.nodes | [length, (.[0:3] | map(.key)), (map(.participantsByEventIdList | length) | add)]'
CHECK[bytype.geotimeline]='.data.events.nodes | [length, (.[0:3] | map(.key)), .[-1].key]'
CHECK[bytype.postgraphile]='.data.allEvents.nodes | [length, (.[0:3] | map(.key)), .[-1].key]'
CHECK[bykey.geotimeline]='.data.event | [.key, (.participants | map(.actor.key, .actor.country.code))]'
CHECK[bykey.postgraphile]='.data.eventByKey | [.key, (.participantsByEventIdList | map(.actorByActorId.key, .actorByActorId.countryByCountryCode.code))]'
CHECK[counts.geotimeline]='.data.eventCounts | [length, (.[0].start | sub("\\+00:00$"; "Z")), (map(.count) | add), (map(.fatalities) | add)]'
CHECK[counts.postgraphile]='.data.eventCountsList | [length, (.[0].start | sub("\\+00:00$"; "Z")), (map(.count) | add), (map(.fatalities) | add)]'
CHECK[countstype.geotimeline]='.data.eventCounts | [length, .[0].key, (map(.count) | add), (map(.fatalities) | add)]'
CHECK[countstype.postgraphile]='.data.eventCountsList | [length, .[0].key, (map(.count) | add), (map(.fatalities) | add)]'
CHECK[text.geotimeline]='.data.timeline.nodes | [length, (.[0:3] | map(.key)), .[-1].key]'
CHECK[text.postgraphile]='.data.searchTimeline.nodes | [length, (.[0:3] | map(.key)), .[-1].key]'
# Only the nodes: geotimeline's bound on the edge rows one request reads may
# leave out edges among them (it then says truncated), PostgreSQL's does not.
CHECK[neighborhood.geotimeline]='.data.neighborhood | [.truncated, (.nodes | length), (.nodes[0:3] | map(.key // .code)), (.nodes[-1] | .key // .code)]'
CHECK[neighborhood.postgraphile]='.data.neighborhood | [.truncated, (.nodes | length), (.nodes[0:3] | map(.key)), (.nodes[-1].key)]'

mkdir -p "$WORK/bodies"
declare -A BAD=()
for q in "${QUERIES[@]}"; do
	check=$q
	[[ $q == text* ]] && check=text
	sig=()
	for sys in geotimeline postgraphile; do
		body "$q" "$sys" >"$WORK/bodies/$q.$sys.json"
		url=$GURL
		[[ $sys == postgraphile ]] && url=$PURL
		curl -sS -H 'Content-Type: application/json' --data-binary "@$WORK/bodies/$q.$sys.json" "$url" >"$WORK/bodies/$q.$sys.answer"
		if jq -e '.errors' "$WORK/bodies/$q.$sys.answer" >/dev/null; then
			echo "run.sh: $q on $sys: $(jq -c .errors "$WORK/bodies/$q.$sys.answer" | head -c 500)" >&2
			exit 1
		fi
		sig+=("$(jq -c "${CHECK[$check.$sys]}" "$WORK/bodies/$q.$sys.answer")")
	done
	if [[ $WITHPG == 1 ]]; then
		# geotimeline on PostgreSQL asks the same bodies as on SQLite (its
		# ids differ: the neighbourhood's start is looked up again) and must
		# give the same answer.
		body "$q" geotimeline >"$WORK/bodies/$q.gtpg.json"
		if [[ $q == neighborhood ]]; then
			pgid=$(curl -sf -H 'Content-Type: application/json' \
				-d "$(jq -cn --arg k "$BUSY" '{query: "query($k: String!) { actor(key: $k) { id } }", variables: {k: $k}}')" "${RURLS[0]}" | jq -r .data.actor.id)
			jq -c --arg i "$pgid" '.variables.id = $i' "$WORK/bodies/$q.geotimeline.json" >"$WORK/bodies/$q.gtpg.json"
		fi
		curl -sS -H 'Content-Type: application/json' --data-binary "@$WORK/bodies/$q.gtpg.json" "${RURLS[0]}" >"$WORK/bodies/$q.gtpg.answer"
		pgsig=$(jq -c "${CHECK[$check.geotimeline]}" "$WORK/bodies/$q.gtpg.answer")
		if jq -e '.errors' "$WORK/bodies/$q.gtpg.answer" >/dev/null || [[ $pgsig != "${sig[0]}" ]]; then
			log "check $q: geotimeline on PostgreSQL DIFFERENT: $pgsig $(jq -c .errors "$WORK/bodies/$q.gtpg.answer" | head -c 300)"
			BAD[$q]=1
		fi
	fi
	if [[ $q == neighborhood ]]; then
		log "neighborhood edges: geotimeline $(jq '.data.neighborhood.edges | length' "$WORK/bodies/$q.geotimeline.answer"), PostGraphile $(jq '.data.neighborhood.edges | length' "$WORK/bodies/$q.postgraphile.answer")"
	fi
	if [[ ${sig[0]} == "${sig[1]}" ]]; then
		log "check $q: both answer ${sig[0]}"
	else
		log "check $q: DIFFERENT: geotimeline ${sig[0]}, PostGraphile ${sig[1]}"
		BAD[$q]=1
	fi
done

# --- the load ------------------------------------------------------------------
# point QUERY SYSTEM C: one hey run; appends "query system c p50ms rps p99ms errors".
RESULTS=$WORK/results.tsv
: >"$RESULTS"
point() {
	local q=$1 sys=$2 c=$3 url=$GURL out
	[[ $sys == postgraphile ]] && url=$PURL
	[[ $sys == gtpg ]] && url=${RURLS[0]}
	# -t 0: no client timeout (hey's default of 20 s would count slow answers as errors).
	out=$(hey -z "$DURATION" -t 0 -c "$c" -m POST -T application/json -D "$WORK/bodies/$q.$sys.json" "$url")
	echo "$out" | awk -v q="$q" -v s="$sys" -v c="$c" '
		/Requests\/sec:/ { rps = $2 }
		/Slowest:/ { slowest = $2 * 1000 }
		/^ *50% in/ { p50 = $3 * 1000 }
		/^ *99% in/ { p99 = $3 * 1000 }
		/^ *\[[0-9]+\]/ { if ($1 != "[200]") bad += $2 }
		/Error distribution/ { err = 1 }
		END { if (p99 == 0) p99 = slowest; if (p50 == 0) p50 = slowest; printf "%s\t%s\t%s\t%.3f\t%.1f\t%.3f\t%d\n", q, s, c, p50, rps, p99, bad + err }' >>"$RESULTS"
	tail -1 "$RESULTS" | awk -F'\t' '{ printf "%s %-12s c=%-3s p50 %8.2f ms  %8.1f req/s  p99 %8.2f ms%s\n", $1, $2, $3, $4, $5, $6, ($7 > 0 ? "  ERRORS" : "") }' >&2
}
# replicas QUERY C: both replicas at once, C clients split between them
# (at c=1 the second has none); appends "query gtpg2 c p50ms rps p99ms
# errors" with the summed req/s and the slower replica's p50 and p99.
replicas() {
	local q=$1 c=$2 i n heys=()
	rm -f "$WORK"/replica-*.out
	for i in 0 1; do
		n=$(( (c + 1 - i) / 2 ))
		(( n > 0 )) || continue
		hey -z "$DURATION" -t 0 -c "$n" -m POST -T application/json -D "$WORK/bodies/$q.gtpg.json" "${RURLS[$i]}" >"$WORK/replica-$i.out" &
		heys+=($!)
	done
	wait "${heys[@]}"
	cat "$WORK"/replica-*.out | awk -v q="$q" -v c="$c" '
		/Requests\/sec:/ { rps += $2 }
		/Slowest:/ { if ($2 * 1000 > slowest) slowest = $2 * 1000 }
		/^ *50% in/ { if ($3 * 1000 > p50) p50 = $3 * 1000 }
		/^ *99% in/ { if ($3 * 1000 > p99) p99 = $3 * 1000 }
		/^ *\[[0-9]+\]/ { if ($1 != "[200]") bad += $2 }
		/Error distribution/ { err = 1 }
		END { if (p99 == 0) p99 = slowest; if (p50 == 0) p50 = slowest; printf "%s\tgtpg2\t%s\t%.3f\t%.1f\t%.3f\t%d\n", q, c, p50, rps, p99, bad + err }' >>"$RESULTS"
	tail -1 "$RESULTS" | awk -F'\t' '{ printf "%s %-12s c=%-3s p50 %8.2f ms  %8.1f req/s  p99 %8.2f ms%s\n", $1, $2, $3, $4, $5, $6, ($7 > 0 ? "  ERRORS" : "") }' >&2
}
for q in "${QUERIES[@]}"; do
	for c in "${CS[@]}"; do
		point "$q" geotimeline "$c"
		point "$q" postgraphile "$c"
		if [[ $WITHPG == 1 ]]; then
			point "$q" gtpg "$c"
			replicas "$q" "$c"
		fi
	done
done

# --- the table -----------------------------------------------------------------
declare -A NAME=(
	[nested]='50 events, each with participants → actor → country'
	[bytype]='first 50 events of one type (ATTACK), by time'
	[bykey]='one event by key, participants → actor → country'
	[counts]='eventCounts(interval: MONTH), 10 years'
	[countstype]='… with groupBy: TYPE'
	[textcommon]="timeline page of 50, text filter, common word (\"$COMMON\")"
	[textrare]="timeline page of 50, text filter, rare word (\"$RARE\")"
	[neighborhood]="depth-2 neighbourhood of the busiest actor ($BUSY), limit 200"
)
get() { awk -F'\t' -v q="$1" -v s="$2" -v c="$3" -v f="$4" '$1 == q && $2 == s && $3 == c { print $f }' "$RESULTS"; }
ms() { awk -v v="$1" 'BEGIN { if (v < 10) printf "%.1f", v; else printf "%.0f", v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "—"; else if (a / b < 0.1) printf "%.3f×", a / b; else printf "%.2f×", a / b }'; }
first=${CS[0]}
last=${CS[${#CS[@]}-1]}
rest=("${CS[@]:1}")
[[ ${#rest[@]} == 0 ]] && rest=("$first")
echo
echo "$EVENTS events (generate --seed 1), hey -z $DURATION per point; geotimeline / PostGraphile, ratio geotimeline ÷ PostGraphile."
echo "Loads: generate ${TOOK[generate]:-cached} s, geotimeline seed ${TOOK[seed]:-cached} s, CSV ${TOOK[csv]:-cached} s, PostgreSQL COPY + indexes + analyze ${TOOK[load]:-cached} s."
echo
# table SYSTEM... REFERENCE: one markdown table, each cell the systems'
# figures in order, then the reference's, req/s cells with each system's
# ratio to the reference.
table() {
	local systems=("$@") ref=${!#} q c s line cells ratios
	unset 'systems[${#systems[@]}-1]'
	local header="| query | p50 at c=$first, ms |" rule="|---|---|"
	for c in "${rest[@]}"; do header+=" req/s at c=$c |"; rule+="---|"; done
	echo "$header p99 at c=$last, ms |"
	echo "$rule---|"
	for q in "${QUERIES[@]}"; do
		line="| ${NAME[$q]}${BAD[$q]:+ †} |"
		cells=()
		for s in "${systems[@]}" "$ref"; do cells+=("$(ms "$(get "$q" "$s" "$first" 4)")"); done
		line+=" $(IFS=/; echo "${cells[*]}" | sed 's|/| / |g') |"
		for c in "${rest[@]}"; do
			cells=() ratios=()
			for s in "${systems[@]}" "$ref"; do cells+=("$(printf '%.0f' "$(get "$q" "$s" "$c" 5)")"); done
			for s in "${systems[@]}"; do ratios+=("$(ratio "$(get "$q" "$s" "$c" 5)" "$(get "$q" "$ref" "$c" 5)")"); done
			line+=" $(IFS=/; echo "${cells[*]}" | sed 's|/| / |g') ($(IFS=,; echo "${ratios[*]}" | sed 's|,|, |g')) |"
		done
		cells=()
		for s in "${systems[@]}" "$ref"; do cells+=("$(ms "$(get "$q" "$s" "$last" 6)")"); done
		line+=" $(IFS=/; echo "${cells[*]}" | sed 's|/| / |g') |"
		echo "$line"
	done
}
table geotimeline postgraphile
if [[ $WITHPG == 1 ]]; then
	echo
	echo "geotimeline on PostgreSQL (seed ${TOOK[pgseed]:-cached} s), same cluster: one process / two replicas (the clients split between them, req/s summed, the slower one's p50 and p99) / PostGraphile; ratios one process ÷ PostGraphile and two replicas ÷ PostGraphile."
	echo
	table gtpg gtpg2 postgraphile
fi
if [[ ${#BAD[@]} -gt 0 ]]; then echo; echo "† the two answers differed in the check before timing (see the log above)."; fi
if awk -F'\t' '$7 > 0 { found = 1 } END { exit !found }' "$RESULTS"; then
	echo
	echo "Some points had non-200 answers or transport errors:"
	awk -F'\t' '$7 > 0 { printf "- %s on %s at c=%s: %d\n", $1, $2, $3, $7 }' "$RESULTS"
fi
