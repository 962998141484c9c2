#!/bin/sh
# Run by Maven at `package` in every step (see the root pom): prepares what lets the step's two
# JVMs start fast. Usage: prepare.sh TARGET_DIR JAVA_HOME TRAINING_ARG...
# The flags below must match the ./mydocker launcher and SelfExe.initCommand().
set -eu
target=$(readlink -f "$1")
jdk=$2
shift 2

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

# 2. Class-data archives of the classes each JVM loads, written by a training run of each. An
# archive only works with the JDK that wrote it, so they are kept per JDK version. JDK 25 and
# later write an AOT cache, which also keeps the classes linked; older JDKs a CDS archive.
version=$(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"$/\1/p' "$jdk/release")
cds=$target/cds/$version
rm -rf "$target/cds"
mkdir -p "$cds"
case $version in
    1[0-9].*|2[0-4].*) dump=-XX:ArchiveClassesAtExit= ext=jsa ;;
    *) dump=-XX:AOTCacheOutput= ext=aot ;;
esac
flags="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData --enable-native-access=ALL-UNNAMED"
flags="$flags -Djna.boot.library.path=$target/native -Djna.platform.library.path="

# The client JVM: a run of the training command (as root it really runs a container; as
# another user it stops at the root check, after loading picocli and JNA).
# shellcheck disable=SC2086
"$jdk/bin/java" $flags -Xms8m "${dump}$cds/mydocker.$ext" -cp "$target/mydocker.jar:$target/lib/*" \
    io.mydocker.Main --root "$target/cds/training-root" "$@" >"$cds/training.log" 2>&1 || true

# The init JVM: it never exits normally (it execs the container's command), so it is trained by
# a run that finds no command on fd 3 and exits before it changes anything.
# shellcheck disable=SC2086
"$jdk/bin/java" $flags "${dump}$cds/init.$ext" -cp "$target/mydocker.jar:$jna" \
    io.mydocker.Init 3</dev/null >>"$cds/training.log" 2>&1 || true
rm -rf "$target/cds/training-root"
