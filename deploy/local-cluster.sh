#!/usr/bin/env bash
# A 3-node tempalias cluster on this machine, clustered over Hazelcast on loopback:
#   node 1: api + store (HTTP on $HTTP_PORT, embedded Redis, data in $DIR/node1)
#   node 2: smtp        (SMTP on $SMTP_PORT)
#   node 3: relay       (to $TEMPALIAS_SMARTHOST, default 127.0.0.1:25)
#   RELAYS=2 adds node 4, a second relay (and so on)
# Usage: deploy/local-cluster.sh start|stop|status
# Needs deploy/target/tempalias.jar (mvn -B -q package -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=deploy/target/tempalias.jar
DIR=${TEMPALIAS_LOCAL_CLUSTER_DIR:-data/local-cluster}
HTTP_PORT=${HTTP_PORT:-8080}
SMTP_PORT=${SMTP_PORT:-2525}
RELAYS=${RELAYS:-1}
CLUSTER=(--cluster --cluster-host 127.0.0.1 --cluster-members 127.0.0.1 --cluster-name "${TEMPALIAS_CLUSTER_NAME:-tempalias-local}")

start_node() { # name roles [env...]
  local name=$1 roles=$2; shift 2
  mkdir -p "$DIR/$name"
  if [ -f "$DIR/$name.pid" ] && kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null; then
    echo "$name already running (pid $(cat "$DIR/$name.pid"))"; return
  fi
  env "$@" TEMPALIAS_DATA_DIR="$DIR/$name" \
    nohup java -jar "$JAR" --roles "$roles" --instances "${roles//,/=1,}=1" "${CLUSTER[@]}" \
    >"$DIR/$name.log" 2>&1 &
  echo $! >"$DIR/$name.pid"
  echo "$name ($roles) started, pid $!, log $DIR/$name.log"
}

wait_for() { # name pattern
  for _ in $(seq 1 120); do
    grep -q "$2" "$DIR/$1.log" 2>/dev/null && return 0
    kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null || { echo "$1 exited:"; tail -20 "$DIR/$1.log"; return 1; }
    sleep 0.5
  done
  echo "$1 did not start within 60 s"; tail -20 "$DIR/$1.log"; return 1
}

case "${1:-}" in
  start)
    [ -f "$JAR" ] || { echo "build first: mvn -B -q package -DskipTests"; exit 1; }
    mkdir -p "$DIR"
    start_node node1 api,store TEMPALIAS_HTTP_PORT="$HTTP_PORT"
    wait_for node1 "tempalias started"
    start_node node2 smtp TEMPALIAS_SMTP_PORT="$SMTP_PORT"
    for i in $(seq 3 $((2 + RELAYS))); do start_node "node$i" relay; done
    for i in $(seq 2 $((2 + RELAYS))); do wait_for "node$i" "tempalias started"; done
    echo "cluster up: HTTP http://127.0.0.1:$HTTP_PORT, SMTP 127.0.0.1:$SMTP_PORT"
    ;;
  stop)
    # The SMTP node first (it finishes its transactions), the store last.
    for pidfile in "$DIR"/node2.pid $(ls "$DIR"/node*.pid 2>/dev/null | grep -v -e node1.pid -e node2.pid) "$DIR"/node1.pid; do
      name=$(basename "$pidfile" .pid)
      if [ -f "$pidfile" ]; then
        pid=$(cat "$DIR/$name.pid")
        if kill "$pid" 2>/dev/null; then
          for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
          echo "$name stopped"
        fi
        rm -f "$DIR/$name.pid"
      fi
    done
    ;;
  status)
    for pidfile in "$DIR"/node*.pid; do
      [ -f "$pidfile" ] || { echo "not running"; break; }
      name=$(basename "$pidfile" .pid)
      if [ -f "$DIR/$name.pid" ] && kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null; then
        echo "$name running (pid $(cat "$DIR/$name.pid"))"
      else
        echo "$name not running"
      fi
    done
    ;;
  *) echo "usage: $0 start|stop|status"; exit 2 ;;
esac
