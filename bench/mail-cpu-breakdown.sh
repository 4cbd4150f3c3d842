#!/usr/bin/env bash
# Companion to mail-throughput.sh: where tempalias's CPU goes on the mail path, and whether the
# path is CPU-bound or latency-bound. Only run B (smtp-source -> tempalias -> smtp-sink), after a
# warm-up, at several session counts; then the JVM's CPU per thread group (and the embedded Redis)
# over the timed runs, from /proc/<pid>/task/*/stat. Everything on 127.0.0.1.
#
# Usage: bench/mail-cpu-breakdown.sh
# Knobs: WARMUP_MSGS=12000 MSGS=2000 BYTES=5120 SESSIONS="20 20 20 10 5" JAVA_OPTS="" KEEP=1
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR="$ROOT/deploy/target/tempalias.jar"
WARMUP_MSGS=${WARMUP_MSGS:-12000}; MSGS=${MSGS:-2000}; BYTES=${BYTES:-5120}
SESSIONS=${SESSIONS:-20 20 20 10 5}; JAVA_OPTS=${JAVA_OPTS:-}
HOST=127.0.0.1

[[ -x /usr/sbin/smtp-sink && -x /usr/sbin/smtp-source ]] || { echo "install postfix (smtp-sink, smtp-source)" >&2; exit 1; }
[[ -f $JAR ]] || (cd "$ROOT" && mvn -B -o -q package -DskipTests)

WORK=$(mktemp -d /tmp/tempalias-cpu.XXXXXX); chmod 755 "$WORK"; cd "$WORK"
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
SINK_PORT=$(free_port); HTTP_PORT=$(free_port); SMTP_PORT=$(free_port)

SINK_USER=(); [[ $(id -u) -eq 0 ]] && SINK_USER=(-u nobody)
/usr/sbin/smtp-sink "${SINK_USER[@]}" -c "$HOST:$SINK_PORT" 1000 >sink.out 2>&1 & SINK_PID=$!
TEMPALIAS_HTTP_PORT=$HTTP_PORT TEMPALIAS_SMTP_PORT=$SMTP_PORT TEMPALIAS_DATA_DIR="$WORK/data" \
TEMPALIAS_SMARTHOST="$HOST:$SINK_PORT" TEMPALIAS_CREATE_LIMIT_PER_MINUTE=0 \
  java $JAVA_OPTS -Xlog:gc:file="$WORK/gc.log" -jar "$JAR" >tempalias.log 2>&1 & APP_PID=$!
for _ in $(seq 1 300); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "http://$HOST:$HTTP_PORT/health" || true) == 200 ]] && break
  sleep 0.2
done
ADDRESS=$(curl -s -X POST "http://$HOST:$HTTP_PORT/aliases" -H 'Content-Type: application/json' \
               -d '{"target":"me@example.org","days":1}' | jq -r .address)
[[ $ADDRESS == *@* ]] || { echo "alias creation failed" >&2; exit 1; }

echo "# $(nproc) cores, load average at start $(cut -d' ' -f1-3 /proc/loadavg); smtp-source, tempalias and smtp-sink share them"
echo "# warm-up: smtp-source -s 20 -m $WARMUP_MSGS -l $BYTES -> tempalias"
/usr/sbin/smtp-source -s 20 -m "$WARMUP_MSGS" -l "$BYTES" -f bench@example.net -t "$ADDRESS" "$HOST:$SMTP_PORT"

snap() {
  local t
  for t in /proc/"$APP_PID"/task/*; do echo "$(cat "$t/comm")|$(awk '{print $14+$15}' "$t/stat")"; done
  for t in $(pgrep -P "$APP_PID" || true); do echo "embedded redis|$(awk '{print $14+$15}' "/proc/$t/stat")"; done
}
snap >cpu0
total=0
for s in $SESSIONS; do
  t0=$(date +%s.%N)
  /usr/sbin/smtp-source -s "$s" -m "$MSGS" -l "$BYTES" -f bench@example.net -t "$ADDRESS" "$HOST:$SMTP_PORT"
  t1=$(date +%s.%N)
  total=$((total + MSGS))
  awk -v s="$s" -v n="$MSGS" -v a="$t0" -v b="$t1" -v l="$BYTES" \
    'BEGIN{printf "  B: smtp-source -s %d -m %d -l %d   %7.3f s  %8.1f msg/s\n", s, n, l, b-a, n/(b-a)}'
done
snap >cpu1
got=$(tr '\r' '\n' <sink.out | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2)
echo "# sink received $got of $((WARMUP_MSGS + total)) messages"
echo "# tempalias CPU over the timed runs, by thread group (clock ticks = 1/$(getconf CLK_TCK) s):"
python3 - "$total" "$(getconf CLK_TCK)" <<'PY'
import collections, re, sys
n, hz = int(sys.argv[1]), int(sys.argv[2])
def load(f):
    d = collections.Counter()
    for line in open(f):
        name, v = line.rstrip('\n').rsplit('|', 1)
        d[re.sub(r'\d+', 'N', name)] += int(v)
    return d
a, b = load('cpu0'), load('cpu1')
diff = {k: b[k] - a.get(k, 0) for k in b}
tot = sum(diff.values())
print(f'  total {tot} ticks = {1000 * tot / hz / n:.2f} ms CPU per message')
for k, v in sorted(diff.items(), key=lambda x: -x[1]):
    if v: print(f'  {v:6d} {100 * v / tot:5.1f}%  {k}')
PY
echo "# GC: $(grep -c Pause gc.log) pauses in all; last: $(grep Pause gc.log | tail -1 | awk '{print $(NF-2), $(NF-1), $NF}')"
echo "# tempalias RSS at end: $(ps -o rss= -p "$APP_PID" | awk '{printf "%.0f", $1/1024}') MiB"
