#!/usr/bin/env bash
# Kill -9 a relay node of a running cluster and show that mail keeps flowing.
#
# Separate JVMs started with deploy/local-cluster.sh: node1 api+store, node2 smtp, node3 and node4
# relays, all relaying to a dev mail sink. One mail goes through; then four transactions are left
# open in the middle of DATA (the event bus spreads them over both relays), node3 is killed with
# SIGKILL (no clean leave) and the four are finished: those on node3 must get a 4xx within
# seconds, the others 250. Then five more mails are sent the way an MTA does (a 4xx is retried).
# The sink must hold exactly the messages that were acknowledged with 250.
# Usage: bench/cluster-failover.sh      (builds deploy/target/tempalias.jar if it is missing)
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=deploy/target/tempalias.jar
[ -f "$JAR" ] || mvn -B -q package -DskipTests
WORK=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

export TEMPALIAS_LOCAL_CLUSTER_DIR=$WORK/cluster RELAYS=2
export HTTP_PORT=$(free_port) SMTP_PORT=$(free_port) SINK_PORT=$(free_port)
export TEMPALIAS_SMARTHOST=127.0.0.1:$SINK_PORT TEMPALIAS_CLUSTER_NAME=failover-$$

java -cp "$JAR" org.tempalias.deploy.DevMailSink "$SINK_PORT" "$WORK/sink" >"$WORK/sink.log" 2>&1 &
SINK_PID=$!
cleanup() { deploy/local-cluster.sh stop >/dev/null 2>&1 || true; kill "$SINK_PID" 2>/dev/null || true; }
trap cleanup EXIT

deploy/local-cluster.sh start
AID=$(curl -sf -X POST "http://127.0.0.1:$HTTP_PORT/aliases" -H 'Content-Type: application/json' \
      -d '{"target":"me@example.org","max-usage":50,"days":1}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["aid"])')
echo "alias $AID@localhost"

# Sends one mail like an MTA: retries 4xx for up to 60 s; prints every reply and the time it took.
send() {
  python3 - "$SMTP_PORT" "$AID@localhost" "$1" <<'PY'
import smtplib, sys, time
port, rcpt, subject = int(sys.argv[1]), sys.argv[2], sys.argv[3]
start = time.time()
while True:
    t0 = time.time()
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=120) as s:
            s.sendmail("sender@example.net", [rcpt], f"Subject: {subject}\r\n\r\nhello\r\n")
        print(f"  {subject}: 250 after {time.time() - start:.1f} s")
        sys.exit(0)
    except smtplib.SMTPRecipientsRefused as e:
        code, text = list(e.recipients.values())[0]
    except smtplib.SMTPResponseException as e:
        code, text = e.smtp_code, e.smtp_error
    print(f"  {subject}: {code} {text.decode() if isinstance(text, bytes) else text} ({time.time() - t0:.1f} s)")
    if code < 400 or code >= 500 or time.time() - start > 60:
        sys.exit(1)
    time.sleep(0.5)
PY
}

# Opens four transactions up to the middle of DATA, kills the relay node, finishes them; prints how
# many got 250 and fails if any reply is not 250/4xx or took longer than 30 s.
in_flight_kill() {
  python3 - "$SMTP_PORT" "$AID@localhost" "$(cat "$WORK/cluster/node3.pid")" <<'PY'
import os, smtplib, sys, time
port, rcpt, pid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
sessions = []
for i in range(4):
    s = smtplib.SMTP("127.0.0.1", port, timeout=120)
    s.ehlo("bench.example"); s.mail("sender@example.net"); code, _ = s.rcpt(rcpt)
    assert code == 250, code
    s.putcmd("data"); code, _ = s.getreply(); assert code == 354, code
    s.send(f"Subject: in-flight-{i}\r\n\r\n".encode() + (b"x" * 998 + b"\r\n") * 70)
    sessions.append(s)
print(f"  4 transactions open in DATA; kill -9 relay node3 (pid {pid})")
os.kill(pid, 9)
delivered = 0
for i, s in enumerate(sessions):
    t0 = time.time()
    s.send(b".\r\n"); code, text = s.getreply()
    took = time.time() - t0
    print(f"  in-flight-{i}: {code} {text.decode()} ({took:.1f} s)")
    if not (code == 250 or 400 <= code < 500) or took > 30:
        sys.exit(1)
    delivered += code == 250
    s.quit()
open(os.environ["WORK"] + "/in-flight-delivered", "w").write(str(delivered))
PY
}

send before-kill
WORK=$WORK in_flight_kill
in_flight=$(cat "$WORK/in-flight-delivered")
for i in 1 2 3 4 5; do send "after-kill-$i"; done

expected=$((1 + in_flight + 5))
for _ in $(seq 1 50); do [ "$(ls "$WORK/sink" | wc -l)" -ge "$expected" ] && break; sleep 0.1; done
sleep 1 # a late, unacknowledged delivery would show up now
received=$(ls "$WORK/sink" | wc -l)
echo "sink holds $received messages; $expected were acknowledged with 250"
[ "$received" -eq "$expected" ] && echo "PASS: in-flight transactions on the dead relay got a 4xx, delivery continued, nothing lost or doubled" || { echo FAIL; exit 1; }
