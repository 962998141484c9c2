#!/bin/sh
# Measures how long `mydocker run` takes to start a container that does nothing, side by side
# with the kernel's own floor (unshare + chroot) and with runc, and how much memory the waiting
# mydocker JVM keeps while a container runs. As root, after `./mvnw package -DskipTests`:
#
#   startup/bench.sh [STEP_DIR]        (default: the latest step)
#
# Needs hyperfine and busybox-static; runc is measured where it is installed. Set JAVA_HOME to
# measure another JDK (build the step with that JDK first: its class-data archive is per JDK).
set -eu
cd "$(dirname "$0")/.."
step=${1:-$(ls -d step[0-9][0-9]-*/ | tail -1)}
step=${step%/}
runs=${RUNS:-30}

for tool in hyperfine /bin/busybox; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing: apt-get install hyperfine busybox-static" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "bench: containers need root: run it with sudo" >&2; exit 1; }
[ -f "$step/target/jvm.args" ] || { echo "bench: build first: ./mvnw -pl $step package -DskipTests" >&2; exit 1; }

work=$(mktemp -d /tmp/mydocker-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# One busybox root filesystem for the floor and for runc.
mkdir -p "$work/bundle/rootfs/bin"
cp /bin/busybox "$work/bundle/rootfs/bin/"
chroot "$work/bundle/rootfs" /bin/busybox --install -s /bin
mkdir -p "$work/bundle/rootfs/proc" "$work/bundle/rootfs/dev" "$work/bundle/rootfs/tmp"

# From step04 on, mydocker runs an image; before, a command of the host. From step08 on, an
# exited container stays until rm: --rm.
case $step in
    step0[1-3]-*) mydocker="$step/mydocker --root $work/root run /bin/true" ;;
    step0[4-7]-*) mydocker="$step/mydocker --root $work/root run busybox /bin/true" ;;
    *) mydocker="$step/mydocker --root $work/root run --rm busybox /bin/true" ;;
esac
set -- -n "mydocker ($step)" "$mydocker" \
    -n "unshare + chroot (the floor)" "unshare -fpmiu --mount-proc=$work/bundle/rootfs/proc chroot $work/bundle/rootfs /bin/true"
if command -v runc >/dev/null; then
    (cd "$work/bundle" && runc spec && sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"\/bin\/true"/' config.json)
    set -- "$@" -n "runc run" "runc --root $work/runc run --bundle $work/bundle bench-\$\$"
fi

hyperfine --warmup 3 --runs "$runs" --export-csv "$work/times.csv" --style basic "$@" >"$work/hyperfine.txt" 2>&1 ||
    { cat "$work/hyperfine.txt" >&2; exit 1; }

# The waiting CLI: its resident memory while a container sleeps. The launcher execs java, so
# the background pid is the JVM's.
case $step in
    step0[1-3]-*) "$step/mydocker" --root "$work/root" run sleep 3 & ;;
    *) "$step/mydocker" --root "$work/root" run busybox sleep 3 & ;;
esac
sleep 2
rss=$(awk '/^VmRSS/ { print int($2 / 1024) }' "/proc/$!/status")
wait

# From step08 on, a detached container has a monitor JVM for its whole life: its memory, with
# five of them running, which share what they map from the same files (PSS counts a shared page
# as a fifth, RSS whole; /proc/PID/smaps_rollup, proc(5)).
monitors=""
case $step in
    step0[1-7]-*) ;;
    *)
        for i in 1 2 3 4 5; do
            "$step/mydocker" --root "$work/root" run -d --name "bench$i" busybox sleep 60 >/dev/null
        done
        sleep 2
        monitors=$(for i in 1 2 3 4 5; do
            pid=$("$step/mydocker" --root "$work/root" inspect "bench$i" | sed -n 's/^ *"monitor" *: *\([0-9]*\).*/\1/p')
            awk '/^Pss:/ { pss = $2 } /^Rss:/ { rss = $2 } END { print pss, rss }' "/proc/$pid/smaps_rollup"
        done | awk '{ pss += $1; rss += $2 } END { printf "%d %d", pss / NR / 1024, rss / NR / 1024 }')
        "$step/mydocker" --root "$work/root" rm -f bench1 bench2 bench3 bench4 bench5 >/dev/null
        ;;
esac

java=$(readlink -f "$(command -v "${JAVA_HOME:+$JAVA_HOME/bin/}java")")
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), kernel $(uname -r)"
echo "JDK:     $(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"$/\1/p' "${java%/bin/java}/release")"
echo
# times.csv: command,mean,stddev,median,user,system,min,max (seconds)
awk -F, -v rss="$rss" -v monitors="$monitors" '
    NR == 1 { next }
    { name[NR] = $1; median[NR] = $4 * 1000; if ($1 ~ /^runc/) runc = median[NR]; if ($1 ~ /floor/) floor = median[NR] }
    END {
        printf "%-32s %10s %8s %8s\n", "median", "ms", "x runc", "x floor"
        for (i = 2; i <= NR; i++)
            printf "%-32s %10.1f %8s %8.1f\n", name[i], median[i], runc ? sprintf("%.1f", median[i] / runc) : "-", median[i] / floor
        printf "\nwaiting mydocker JVM: %d MB resident\n", rss
        if (monitors != "") {
            split(monitors, m, " ")
            printf "monitor of a detached container (five running): %d MB PSS, %d MB resident\n", m[1], m[2]
        }
    }' "$work/times.csv"
