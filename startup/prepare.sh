#!/bin/sh
# Run by Maven at `package` in every step (see the root pom): prepares what lets the step's two
# JVMs start fast (startup/README.md). Usage: prepare.sh TARGET_DIR JAVA_HOME TRAINING_ARG...
# As root it takes its turn on the host with the integration tests, through the lock file
# MYDOCKER_TESTS_LOCK (default /run/mydocker-tests.lock, ContainerTestBase's).
set -eu
startup=$(dirname "$(readlink -f "$0")")
target=$(readlink -f "$1")
jdk=$2
shift 2

# An argument of a JDK @argfile, quoted: a path may hold spaces.
quote() {
    printf '"%s"\n' "$(printf '%s' "$1" | sed 's/[\\"]/\\&/g')"
}

# 1. JNA's native library, unpacked once here instead of into ~/.cache on every start.
case $(uname -m) in
    x86_64) arch=x86-64 ;;
    *) arch=$(uname -m) ;;
esac
jna=$(ls "$target"/lib/jna-*.jar)
rm -rf "$target/native"
mkdir -p "$target/native"
(cd "$target/native" && "$jdk/bin/jar" xf "$jna" "com/sun/jna/linux-$arch/libjnidispatch.so" &&
    mv "com/sun/jna/linux-$arch/libjnidispatch.so" . && rm -r com)

# 2. The start-up flags of both JVMs, mydocker's and the container's init, in the one place
# that the ./mydocker launcher, SelfExe and the training runs below all read: a JDK argument
# file, passed as @target/jvm.args. startup/README.md says what each flag saves.
{
    echo "# Written by startup/prepare.sh at ./mvnw package: see startup/README.md."
    echo "-XX:TieredStopAtLevel=1"
    echo "-XX:+UseSerialGC"
    echo "-Xms8m"
    echo "-XX:-UsePerfData"
    echo "--enable-native-access=ALL-UNNAMED"
    quote "-Djna.boot.library.path=$target/native"
    echo "-Djna.platform.library.path="
} >"$target/jvm.args"

# 3. Class-data archives of the classes each JVM loads, made from a training run of each
# (train.sh). An archive only works with the JDK that wrote it, so they are kept per JDK version.
# JDK 25 and later write an AOT cache, which also keeps the classes linked; older JDKs a CDS
# archive.
version=$(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"$/\1/p' "$jdk/release")
cds=$target/cds/$version
rm -rf "$target/cds"
mkdir -p "$cds"
case $version in
    1[0-9].*|2[0-4].*) kind=jsa use=-XX:SharedArchiveFile= quiet='-Xlog:cds*=off' ;;
    *) kind=aot use=-XX:AOTCache= quiet='-Xlog:aot*=off,cds*=off' ;;
esac
set -- sh "$startup/train.sh" "$target" "$jdk" "$cds" "$kind" "$@"
if [ "$(id -u)" = 0 ]; then
    # As root the training run of mydocker starts a real container, with a cgroup that the
    # integration tests' check for leftovers would see: it waits for its turn with them, under
    # the same fcntl(2) lock (flock(1) takes another kind, which does not exclude it). And both
    # runs get namespaces of their own, like a container's, so that whatever a step's code
    # mounts or changes there stays there.
    set -- "$jdk/bin/java" "$startup/HostLock.java" "${MYDOCKER_TESTS_LOCK:-/run/mydocker-tests.lock}" \
        unshare --mount --uts --ipc --net --pid --fork --mount-proc "$@"
fi
if ! "$@" >"$cds/training.log" 2>&1; then
    cat "$cds/training.log" >&2
    echo "startup/prepare.sh: the training failed (above, and in $cds/training.log)" >&2
    exit 1
fi
# Deleted only now, out of the runs' mount namespace: nothing can still be mounted in it.
rm -rf "$target/cds/training-root"

# What makes each JVM use its archive; the launcher and SelfExe pass it when it exists for the
# JDK they run. A stale archive (its jars changed) only costs speed: the JVM skips it quietly.
for jvm in mydocker init; do
    { quote "$use$cds/$jvm.$kind"; echo "$quiet"; } >"$cds/$jvm.args"
done
