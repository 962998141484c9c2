#!/bin/sh
# Measures how long mydocker's commands take to start, side by side in one run with the kernel's
# own floor (unshare + chroot), runc and docker where they work, and how much memory its JVMs
# keep. As root, after `./mvnw package -DskipTests`:
#
#   startup/bench.sh [STEP_DIR]        (default: the latest step)
#
# Needs hyperfine and busybox-static; runc and docker are measured where they work. Set JAVA_HOME
# to measure another JDK (build the steps with that JDK first: their class-data archives are per
# JDK). RUNS sets the runs per command (default 30). It ends with the start-up targets
# (README, "Start-up time"), each met or missed.
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
docker_image=""
cleanup() {
    # The containers of the second part, if it was cut short; then their state.
    "$step/mydocker" --root "$work/root" rm -f $("$step/mydocker" --root "$work/root" ps -a -q 2>/dev/null) \
        >/dev/null 2>&1 || true
    [ -z "$docker_image" ] || docker rmi "$docker_image" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
mydocker="$step/mydocker --root $work/root"

# One busybox root filesystem for the floor, runc and docker.
mkdir -p "$work/bundle/rootfs/bin"
cp /bin/busybox "$work/bundle/rootfs/bin/"
chroot "$work/bundle/rootfs" /bin/busybox --install -s /bin
mkdir -p "$work/bundle/rootfs/proc" "$work/bundle/rootfs/dev" "$work/bundle/rootfs/tmp"

# run_command STEP: the step's run of /bin/true. From step04 on, mydocker runs an image; before,
# a command of the host. From step08 on, an exited container stays until rm: --rm.
run_command() {
    case $1 in
        step0[1-3]-*) echo "$1/mydocker --root $work/root-$1 run /bin/true" ;;
        step0[4-7]-*) echo "$1/mydocker --root $work/root-$1 run busybox /bin/true" ;;
        *) echo "$1/mydocker --root $work/root-$1 run --rm busybox /bin/true" ;;
    esac
}

# Part 1: starting a container, side by side.
set -- -n "mydocker run ($step)" "$(run_command "$step")"
# Does start-up stay flat as commands grow? Step 05's run beside this step's.
step05=step05-aufs-overlay
case $step in
    step0[6-9]-*|step[1-9][0-9]-*)
        if [ -f "$step05/target/jvm.args" ]; then
            set -- "$@" -n "mydocker run ($step05)" "$(run_command "$step05")"
        else
            echo "bench: no $step05 row: build it with ./mvnw -pl $step05 package -DskipTests"
        fi
        ;;
esac
set -- "$@" -n "unshare + chroot (the floor)" \
    "unshare -fpmiu --mount-proc=$work/bundle/rootfs/proc chroot $work/bundle/rootfs /bin/true"
if command -v runc >/dev/null; then
    (cd "$work/bundle" && runc spec && sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"\/bin\/true"/' config.json)
    set -- "$@" -n "runc run" "runc --root $work/runc run --bundle $work/bundle bench-\$\$"
else
    echo "bench: no runc row: apt-get install runc"
fi
if docker info >/dev/null 2>&1; then
    docker_image=mydocker-bench-busybox:$$
    tar -C "$work/bundle/rootfs" -c . | docker import - "$docker_image" >/dev/null
    set -- "$@" -n "docker run" "docker run --rm --network none $docker_image /bin/true"
else
    echo "bench: no docker row: no docker daemon answers here (docker info fails)"
fi
# mydocker with no container at all, for ps below.
case $step in
    step0[1-7]-*) ;;
    *) set -- "$@" -n "mydocker ps (no container)" "$mydocker ps" ;;
esac
hyperfine --warmup 3 --runs "$runs" --export-csv "$work/1-start.csv" --style basic "$@" >"$work/hyperfine.txt" 2>&1 ||
    { cat "$work/hyperfine.txt" >&2; exit 1; }

# The waiting client: its resident memory while a container sleeps. The launcher execs java, so
# the background pid is the JVM's.
case $step in
    step0[1-3]-*) $mydocker run sleep 3 & ;;
    *) $mydocker run busybox sleep 3 & ;;
esac
sleep 2
rss=$(awk '/^VmRSS/ { print int($2 / 1024) }' "/proc/$!/status")
wait

# Part 2, from step08 on: running containers. Each has a monitor JVM for its whole life: its
# memory with five of them running, which share what they map from the same files (PSS counts a
# shared page as a fifth, RSS whole; /proc/PID/smaps_rollup, proc(5)). Then ps with twenty, and
# exec into one.
monitors=""
case $step in
    step0[1-7]-*) ;;
    *)
        for i in $(seq 1 20); do
            $mydocker run -d --name "bench$i" busybox sleep 600 >/dev/null
            [ "$i" != 5 ] || { sleep 2; monitors=$(for j in 1 2 3 4 5; do
                pid=$($mydocker inspect "bench$j" | sed -n 's/^ *"monitor" *: *\([0-9]*\).*/\1/p')
                awk '/^Pss:/ { pss = $2 } /^Rss:/ { rss = $2 } END { print pss, rss }' "/proc/$pid/smaps_rollup"
            done | awk '{ pss += $1; rss += $2 } END { printf "%d %d", pss / NR / 1024, rss / NR / 1024 }'); }
        done
        set -- -n "mydocker ps (20 containers)" "$mydocker ps"
        case $step in
            step0[1-8]-*) ;;
            *) set -- "$@" -n "mydocker exec" "$mydocker exec bench1 /bin/true" ;;
        esac
        hyperfine --warmup 2 --runs "$runs" --export-csv "$work/2-running.csv" --style basic "$@" \
            >"$work/hyperfine.txt" 2>&1 || { cat "$work/hyperfine.txt" >&2; exit 1; }
        $mydocker rm -f $(seq -f "bench%g" 1 20) >/dev/null
        ;;
esac

java=$(readlink -f "$(command -v "${JAVA_HOME:+$JAVA_HOME/bin/}java")")
jdk=$(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"$/\1/p' "${java%/bin/java}/release")
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), kernel $(uname -r)"
echo "JDK:     $jdk"
echo
# The CSVs: command,mean,stddev,median,user,system,min,max (seconds).
tail -q -n +2 "$work"/*.csv | awk -F, -v rss="$rss" -v monitors="$monitors" -v jdk="$jdk" -v step="$step" '
    { name[NR] = $1; median[NR] = $4 * 1000; ms[$1] = median[NR] }
    $1 ~ /^runc/ { runc = median[NR] }
    $1 ~ /floor/ { floor = median[NR] }
    $1 ~ /^docker/ { docker = median[NR] }
    function verdict(what, figure, target, ok) {
        printf "  %-58s %-22s %s\n", what, figure, ok ? "met" : "MISSED (target " target ")"
    }
    END {
        printf "%-36s %10s %8s %8s %8s\n", "median", "ms", "x runc", "x floor", "x docker"
        for (i = 1; i <= NR; i++)
            printf "%-36s %10.1f %8s %8.1f %8s\n", name[i], median[i], runc ? sprintf("%.1f", median[i] / runc) : "-",
                median[i] / floor, docker ? sprintf("%.2f", median[i] / docker) : "-"
        printf "\nwaiting mydocker JVM: %d MB resident\n", rss
        if (monitors != "") {
            split(monitors, m, " ")
            printf "monitor of a detached container (five running): %d MB PSS, %d MB resident\n", m[1], m[2]
        }
        print "\ntargets:"
        run = ms["mydocker run (" step ")"]
        if (docker) {
            limit = jdk ~ /^(1[0-9]|2[0-4])[.+]/ ? 1 : 0.75
            verdict("run against docker run (JDK 17: 1x, JDK 25: 0.75x)", sprintf("%.2fx", run / docker), limit "x",
                run <= limit * docker)
        } else if (runc) {
            printf "  %-58s %-22s %s\n", "run against docker run", sprintf("%.1fx runc", run / runc), "no docker here"
        }
        old = ms["mydocker run (step05-aufs-overlay)"]
        if (old && step != "step05-aufs-overlay")
            verdict("run, this step against step 05", sprintf("%.2fx", run / old), "1.10x", run <= 1.10 * old)
        none = ms["mydocker ps (no container)"]; full = ms["mydocker ps (20 containers)"]
        if (none && full) verdict("ps with 20 containers against none", sprintf("%.2fx", full / none), "1.5x", full <= 1.5 * none)
        exec = ms["mydocker exec"]
        if (exec) verdict("exec against run", sprintf("%.2fx", exec / run), "1x", exec <= run)
        verdict("waiting client, resident", rss " MB", "40 MB", rss <= 40)
        if (monitors != "") verdict("monitor, PSS with five running", m[1] " MB", "24 MB", m[1] <= 24)
    }'
