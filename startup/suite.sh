#!/bin/sh
# Runs the test command of README.md (or the command given) in a memory cgroup of its own,
# limited to what the learners' VM can spare (it has 2 GB): prints how long it took, the most
# memory it used, page cache included, and whether it ever reached the limit. As root:
#
#   startup/suite.sh                     ./mvnw -B verify, limited to 1.5 GB
#   LIMIT=2G startup/suite.sh ./mvnw -B verify -pl step10-network
#
# The containers that the tests start live in mydocker's own cgroups, outside this one.
set -eu
cd "$(dirname "$0")/.."
limit=${LIMIT:-1536M}
[ "$(id -u)" = 0 ] || { echo "suite: a cgroup needs root: run it with sudo" >&2; exit 1; }
[ $# -gt 0 ] || set -- ./mvnw -B verify

# The cgroup, v2 or v1 (the kernel's cgroup-v2.rst and cgroup-v1/memory.rst): its limit, and the
# files that tell the peak and whether the limit was reached. On v1 failcnt counts every time
# usage hit the limit; on v2 the "max" line of memory.events does.
name=mydocker-suite-$$
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    cgroup=/sys/fs/cgroup/$name
    grep -qw memory /sys/fs/cgroup/cgroup.subtree_control ||
        { echo "suite: the memory controller is not enabled in /sys/fs/cgroup/cgroup.subtree_control" >&2; exit 1; }
    mkdir "$cgroup"
    echo "$limit" >"$cgroup/memory.max"
    peak() { cat "$cgroup/memory.peak"; }
    hits() { awk '$1 == "max" { print $2 }' "$cgroup/memory.events"; }
else
    cgroup=/sys/fs/cgroup/memory/$name
    mkdir "$cgroup"
    echo "$limit" >"$cgroup/memory.limit_in_bytes"
    peak() { cat "$cgroup/memory.max_usage_in_bytes"; }
    hits() { cat "$cgroup/memory.failcnt"; }
fi
# Removable once its processes have ended; the page cache charged to it goes to the parent.
trap 'rmdir "$cgroup" 2>/dev/null || echo "suite: $cgroup is still in use; rmdir it when it is not" >&2' EXIT

start=$(date +%s)
status=0
# The shell joins the cgroup, then becomes the command: everything it starts is counted.
sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' suite "$cgroup" "$@" || status=$?
seconds=$(($(date +%s) - start))

echo
echo "suite: $* exited with $status after $((seconds / 60)) min $((seconds % 60)) s, on $(nproc) CPUs"
echo "suite: memory: at most $(($(peak) / 1048576)) MB of the $limit limit, reached $(hits) times"
exit "$status"
