#!/usr/bin/env bash
# Mail-path throughput of tempalias against its peer in the same run.
#
#   Run A (baseline): smtp-source -> smtp-sink
#   Run B (tempalias): smtp-source -> tempalias SMTP gateway -> relay -> smtp-sink
#
# Same smtp-source options (message count, sessions, size) for A and B, same machine, same sink
# process. Prints messages/s for each, the ratio B/A and tempalias's RSS. Everything listens on
# and connects to 127.0.0.1 only.
#
# Usage: bench/mail-throughput.sh            (from anywhere; builds the jar only if missing)
# Knobs (environment):
#   SMALL_MSGS=2000 SMALL_SESSIONS=20 SMALL_BYTES=5120     first pair
#   LARGE_MSGS=100  LARGE_SESSIONS=10 LARGE_BYTES=1048576  second pair
#   REPS=3          repetitions of each pair (A and B alternate); the median is reported
#   WARMUP_MSGS=10000 messages sent through tempalias before the first timed run (JIT: with 3000 the C2
#                   compiler threads still took 38% of the JVM's CPU during the next timed run)
#   SOURCE_OPTS=""  extra smtp-source options for both runs, e.g. "-d" (reuse connections)
#   QUIET_LOGS=1    run tempalias with bench/logback-warn.xml (root WARN): the cost of its INFO lines
#   JAVA_OPTS=""    extra JVM options for tempalias (absolute paths: the script runs in a temp dir)
#   TEMPALIAS_ARGS="" extra launcher flags, e.g. "--instances smtp=1,relay=1"
#   KEEP=1          keep the temp dir (logs) even on success
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR="$ROOT/deploy/target/tempalias.jar"
SMALL_MSGS=${SMALL_MSGS:-2000}; SMALL_SESSIONS=${SMALL_SESSIONS:-20}; SMALL_BYTES=${SMALL_BYTES:-5120}
LARGE_MSGS=${LARGE_MSGS:-100};  LARGE_SESSIONS=${LARGE_SESSIONS:-10}; LARGE_BYTES=${LARGE_BYTES:-1048576}
REPS=${REPS:-3}
WARMUP_MSGS=${WARMUP_MSGS:-10000}
SOURCE_OPTS=${SOURCE_OPTS:-}
JAVA_OPTS=${JAVA_OPTS:-}
TEMPALIAS_ARGS=${TEMPALIAS_ARGS:-}
SINK=${SINK:-/usr/sbin/smtp-sink}
SOURCE=${SOURCE:-/usr/sbin/smtp-source}
HOST=127.0.0.1

die() { echo "mail-throughput: $*" >&2; exit 1; }

if [[ ! -x $SINK || ! -x $SOURCE ]]; then
  die "smtp-sink/smtp-source not found; install them with: DEBIAN_FRONTEND=noninteractive apt-get install -y postfix"
fi
for tool in curl jq python3 ps; do command -v "$tool" >/dev/null || die "$tool is required"; done
if [[ ! -f $JAR ]]; then
  echo "# building $JAR"
  (cd "$ROOT" && mvn -B -o -q package -DskipTests) || die "build failed"
fi

WORK=$(mktemp -d /tmp/tempalias-bench.XXXXXX)
chmod 755 "$WORK"   # smtp-sink drops to nobody
cd "$WORK"
[[ -n ${QUIET_LOGS:-} ]] && JAVA_OPTS="$JAVA_OPTS -Dlogback.configurationFile=$ROOT/bench/logback-warn.xml"
SINK_PID=; APP_PID=
cleanup() {
  local rc=$?
  [[ -n $APP_PID ]] && kill -TERM "$APP_PID" 2>/dev/null && wait "$APP_PID" 2>/dev/null || true
  [[ -n $SINK_PID ]] && kill -TERM "$SINK_PID" 2>/dev/null && wait "$SINK_PID" 2>/dev/null || true
  if [[ $rc -ne 0 || -n ${KEEP:-} ]]; then echo "# logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now() { date +%s.%N; }
# CPU time (clock ticks) of a process and its children still running (embedded Redis is a child)
proc_ticks() {
  local pid t=0 p
  for p in "$@"; do [[ -r /proc/$p/stat ]] && t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done
  echo "$t"
}
app_pids() { echo "$APP_PID" $(pgrep -P "$APP_PID" || true); }
machine_ticks() { awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8, $5+$6}' /proc/stat; }   # total idle
HZ=$(getconf CLK_TCK)

SINK_PORT=$(free_port); HTTP_PORT=$(free_port); SMTP_PORT=$(free_port)

# ---- the sink: one process for both runs; -c prints "sess=.. quit=.. mesg=.." counters
# (one update per '.' received), -u because smtp-sink refuses to run as root without it.
SINK_USER=(); [[ $(id -u) -eq 0 ]] && SINK_USER=(-u nobody)
stdbuf -o0 "$SINK" "${SINK_USER[@]}" -c "$HOST:$SINK_PORT" 1000 >"$WORK/sink.out" 2>"$WORK/sink.err" &
SINK_PID=$!

sink_count() {   # messages the sink has received so far (last "mesg=" counter)
  local n
  n=$(tr '\r' '\n' <"$WORK/sink.out" | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2 || true)
  echo "${n:-0}"
}

# ---- tempalias
TEMPALIAS_HTTP_PORT=$HTTP_PORT TEMPALIAS_SMTP_PORT=$SMTP_PORT \
TEMPALIAS_DATA_DIR="$WORK/data" TEMPALIAS_SMARTHOST="$HOST:$SINK_PORT" \
TEMPALIAS_CREATE_LIMIT_PER_MINUTE=0 \
  java $JAVA_OPTS -jar "$JAR" $TEMPALIAS_ARGS >"$WORK/tempalias.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 300); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://$HOST:$HTTP_PORT/health" || true)
  [[ $code == 200 ]] && break
  kill -0 "$APP_PID" 2>/dev/null || { tail -20 "$WORK/tempalias.log" >&2; die "tempalias exited"; }
  sleep 0.2
done
[[ $code == 200 ]] || die "GET /health never answered 200"

ALIAS_JSON=$(curl -s -X POST "http://$HOST:$HTTP_PORT/aliases" -H 'Content-Type: application/json' \
                  -d '{"target":"me@example.org","days":1}')
AID=$(jq -r .aid <<<"$ALIAS_JSON")
[[ $AID =~ ^[a-z0-9]{10}$ ]] || die "alias creation failed: $ALIAS_JSON"
ADDRESS=$(jq -r .address <<<"$ALIAS_JSON")

# run LABEL PORT MSGS SESSIONS BYTES -> sets RATE, checks every message reached the sink
run() {
  local label=$1 port=$2 msgs=$3 sess=$4 bytes=$5 before after t0 t1 rc=0
  before=$(sink_count)
  local c0 m0 c1 m1
  c0=$(proc_ticks $(app_pids)); m0=$(machine_ticks)
  t0=$(now)
  # shellcheck disable=SC2086
  "$SOURCE" $SOURCE_OPTS -s "$sess" -m "$msgs" -l "$bytes" -f bench@example.net -t "$ADDRESS" \
    "$HOST:$port" >"$WORK/source-$label.out" 2>&1 || rc=$?
  t1=$(now)
  c1=$(proc_ticks $(app_pids)); m1=$(machine_ticks)
  sleep 0.2   # let smtp-sink print its last counter
  after=$(sink_count)
  local got=$((after - before))
  ELAPSED=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')
  RATE=$(awk -v n="$msgs" -v e="$ELAPSED" 'BEGIN{printf "%.1f", n/e}')
  local cpu busy
  cpu=$(awk -v c="$((c1 - c0))" -v hz="$HZ" -v n="$msgs" 'BEGIN{printf "%.2f", c*1000/hz/n}')
  busy=$(awk -v a="$m0" -v b="$m1" 'BEGIN{split(a,x," "); split(b,y," "); t=y[1]-x[1]; i=y[2]-x[2]; printf "%.0f", (t>0 ? 100*(t-i)/t : 0)}')
  printf '  %-24s %6d msgs %7.3f s %9.1f msg/s  sink got %-6d tempalias CPU %5.2f ms/msg  machine busy %3d%%' \
    "$label" "$msgs" "$ELAPSED" "$RATE" "$got" "$cpu" "$busy"
  if [[ $rc -ne 0 || $got -ne $msgs ]]; then
    printf '  FAILED (smtp-source rc=%d)\n' "$rc"
    sed 's/^/    smtp-source: /' "$WORK/source-$label.out" | sort | uniq -c | sort -rn | head -5
    FAILURES=$((FAILURES + 1))
  else
    printf '\n'
  fi
}

median() { sort -g | awk '{a[NR]=$1} END{print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
rss_mib() { ps -o rss= -p "$APP_PID" | awk '{printf "%.0f", $1/1024}'; }

FAILURES=0
echo "# machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -m | awk '/^Mem:/{print $2}') MiB RAM, $(uname -sr)"
echo "# java: $(java -version 2>&1 | head -1); JAVA_OPTS='$JAVA_OPTS' TEMPALIAS_ARGS='$TEMPALIAS_ARGS'"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (anything else running on the machine skews both runs)"
echo "# smtp-source, tempalias (JVM) and smtp-sink all run on this machine and share its cores"
echo "# sink 127.0.0.1:$SINK_PORT  tempalias smtp 127.0.0.1:$SMTP_PORT http 127.0.0.1:$HTTP_PORT  alias $ADDRESS (no use limit, 1 day)"
echo "# smtp-source options for both runs: $SOURCE_OPTS -s SESSIONS -m MSGS -l BYTES -f bench@example.net -t $ADDRESS"

if (( WARMUP_MSGS > 0 )); then
  echo "# warm-up (not counted)"
  run "warm-up B small" "$SMTP_PORT" "$WARMUP_MSGS" "$SMALL_SESSIONS" "$SMALL_BYTES"
  run "warm-up B large" "$SMTP_PORT" 20 "$LARGE_SESSIONS" "$LARGE_BYTES"
fi
echo "# after warm-up: tempalias RSS $(rss_mib) MiB"

SUMMARY=()
pair() {
  local name=$1 msgs=$2 sess=$3 bytes=$4 a=() b=() r=() i
  echo "# $name: $msgs messages, $sess sessions, $bytes bytes payload, $REPS reps (A and B alternate)"
  for i in $(seq 1 "$REPS"); do
    run "A sink direct #$i" "$SINK_PORT" "$msgs" "$sess" "$bytes"; a+=("$RATE")
    run "B via tempalias #$i" "$SMTP_PORT" "$msgs" "$sess" "$bytes"; b+=("$RATE")
    r+=("$(awk -v a="${a[-1]}" -v b="${b[-1]}" 'BEGIN{printf "%.3f", b/a}')")
  done
  local ma mb mr
  ma=$(printf '%s\n' "${a[@]}" | median); mb=$(printf '%s\n' "${b[@]}" | median)
  mr=$(printf '%s\n' "${r[@]}" | median)
  SUMMARY+=("$(awk -v n="$name" -v a="$ma" -v b="$mb" -v m="$mr" -v rr="${r[*]}" -v r="$(rss_mib)" \
     'BEGIN{printf "%-6s A %9.1f msg/s   B %9.1f msg/s   B/A %.3f (per rep: %s, median %.3f)   tempalias RSS after: %s MiB", n, a, b, b/a, rr, m, r}')")
}

pair small "$SMALL_MSGS" "$SMALL_SESSIONS" "$SMALL_BYTES"
pair large "$LARGE_MSGS" "$LARGE_SESSIONS" "$LARGE_BYTES"

echo "# summary (medians of $REPS)"
printf '%s\n' "${SUMMARY[@]}"
echo "# tempalias RSS at end: $(rss_mib) MiB (ps -o rss)"
echo "# tempalias log: $(wc -l <"$WORK/tempalias.log") lines, WARN/ERROR: $(grep -cE ' (WARN|ERROR) ' "$WORK/tempalias.log" || true)"
if (( FAILURES > 0 )); then
  echo "# $FAILURES run(s) FAILED: not every message reached the sink"
  KEEP=1
  exit 1
fi
