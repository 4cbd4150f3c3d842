#!/usr/bin/env python3
"""CPU time, in clock ticks, of process trees and of the machine, for bench/run.sh.

  cpu-ticks.py PID...   utime+stime of each PID and its live descendants, plus each PID's
                        reaped children (cutime+cstime: Postfix's master reaps its smtpd, cleanup
                        and smtp processes), summed
  cpu-ticks.py machine  busy and total ticks of all cores (/proc/stat), as "BUSY TOTAL"
"""
import os
import sys


def stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is the state (field 3); utime..cstime are fields 14..17, ppid field 4
    return int(fields[1]), [int(x) for x in fields[11:15]]


def tree_ticks(roots):
    parents, times = {}, {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                parents[int(name)], times[int(name)] = stat(name)
            except (FileNotFoundError, ProcessLookupError, IndexError):
                pass
    total = 0
    for root in roots:
        if root not in times:
            continue
        total += times[root][2] + times[root][3]
        todo = [root]
        while todo:
            pid = todo.pop()
            total += times[pid][0] + times[pid][1]
            todo.extend(p for p, parent in parents.items() if parent == pid)
    return total


def main(args):
    if args == ["machine"]:
        with open("/proc/stat") as f:
            cpu = [int(x) for x in f.readline().split()[1:]]
        idle = cpu[3] + cpu[4]
        print(sum(cpu) - idle, sum(cpu))
    else:
        print(tree_ticks([int(a) for a in args]))


main(sys.argv[1:])
