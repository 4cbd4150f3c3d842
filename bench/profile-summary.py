#!/usr/bin/env python3
"""Summarises async-profiler collapsed stacks of tempalias: CPU by thread kind, then, within the
event loops, the share of time inside each part of the mail path (inclusive, so they overlap)."""
import collections
import sys

PARTS = [
    ("event bus (delivery and handlers)", "io/vertx/core/eventbus"),
    ("gateway: Session (commands, replies)", "org/tempalias/smtp/Session"),
    ("gateway: Transaction", "org/tempalias/smtp/Transaction"),
    ("gateway: LineInput (line splitting)", "LineInput"),
    ("gateway: MessageStream (DATA)", "org/tempalias/smtp/MessageStream"),
    ("relay", "org/tempalias/relay"),
    ("relay: SmtpConnection (smarthost)", "SmtpConnection"),
    ("api (HTTP routes)", "org/tempalias/api"),
    ("HTTP server (Vert.x, Netty codec)", "io/vertx/core/http"),
    ("SecureRandom", "java/security/SecureRandom"),
    ("store (verticle)", "org/tempalias/store"),
    ("Redis client", "io/vertx/redis"),
    ("logging (logback)", "ch/qos/logback"),
    ("metrics (micrometer)", "io/micrometer"),
    ("JSON", "io/vertx/core/json"),
    ("regex", "java/util/regex"),
    ("socket writes (syscall)", "sys_write"),
    ("socket reads (syscall)", "sys_read"),
    ("selector (epoll)", "SelectorImpl"),
]


def main(path):
    total = 0
    kinds = collections.Counter()
    loop = 0
    parts = collections.Counter()
    for line in open(path):
        stack, _, n = line.rstrip("\n").rpartition(" ")
        if not stack:
            continue
        n = int(n)
        total += n
        if "CompileBroker" in stack:
            kinds["JIT compiler threads"] += n
        elif "SingleThreadIoEventLoop" in stack:
            kinds["Vert.x event loops"] += n
            loop += n
            for name, needle in PARTS:
                if needle in stack:
                    parts[name] += n
        elif "GC" in stack or "G1" in stack:
            kinds["GC"] += n
        else:
            kinds["other"] += n
    print(f"{path}: {total} samples")
    for kind, n in kinds.most_common():
        print(f"  {100 * n / total:5.1f}%  {kind}")
    print("within the event loops (inclusive):")
    for name, _ in PARTS:
        print(f"  {100 * parts[name] / max(loop, 1):5.1f}%  {name}")


if __name__ == "__main__":
    main(sys.argv[1])
