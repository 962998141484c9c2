#!/bin/sh
# The training runs of prepare.sh, one per JVM, each with an option that records the classes it
# loads; from that record, the JVM's class-data archive. Usage:
#   train.sh TARGET_DIR JAVA_HOME CDS_DIR KIND TRAINING_ARG...
# KIND is aot (JDK 25 and later: the run writes an AOT cache as it exits) or jsa (older JDKs: the
# run writes the list of the classes it loaded, and a second JVM dumps those into a CDS archive).
# Each run must end as expected, and the archive must be written: anything else fails the build.
set -eu
target=$1
java=$2/bin/java
cds=$3
kind=$4
shift 4
err=$(mktemp)
trap 'rm -f "$err"' EXIT

# train JVM STATUS SAYS CLASSPATH MAIN_CLASS ARG...: runs the JVM named JVM (mydocker or init),
# and checks that it exits with STATUS, that what mydocker says on stderr (its lines
# "mydocker: ...") is one line that matches the grep pattern SAYS, or nothing where SAYS is
# empty, and that its archive, $cds/JVM.$kind, was written. The JVM's own notes on stderr are
# left to the log.
train() {
    jvm=$1 status=$2 says=$3 classpath=$4
    shift 4
    case $kind in
        aot) record=-XX:AOTCacheOutput=$cds/$jvm.aot ;;
        # A dynamic archive (-XX:ArchiveClassesAtExit) would be one step too, but JDK 17 leaves
        # out of it every class compiled for Java 5 or older, and picocli's are: a static archive
        # dumped from the class list keeps them, but for the few that the dump itself links.
        jsa) record=-XX:DumpLoadedClassList=$cds/$jvm.classlist ;;
    esac
    echo "training: $*"
    code=0
    "$java" "@$target/jvm.args" "$record" -cp "$classpath" "$@" 2>"$err" || code=$?
    cat "$err"
    if [ "$code" != "$status" ]; then
        echo "training: exit $code, where $status was expected"
        exit 1
    fi
    lines=0
    [ -z "$says" ] || lines=1
    if [ "$(grep -c '^mydocker: ' "$err")" != "$lines" ] || { [ -n "$says" ] && ! grep -q "$says" "$err"; }; then
        echo "training: mydocker should have said ${says:-nothing} on stderr"
        exit 1
    fi
    if [ "$kind" = jsa ]; then
        "$java" "@$target/jvm.args" -Xshare:dump "-XX:SharedClassListFile=$cds/$jvm.classlist" \
            "-XX:SharedArchiveFile=$cds/$jvm.jsa" -cp "$classpath" || { echo "training: the dump failed"; exit 1; }
    fi
    if [ ! -s "$cds/$jvm.$kind" ]; then
        echo "training: the JVM wrote no $cds/$jvm.$kind"
        exit 1
    fi
}

# mydocker's JVM: a run of the training command, under a private --root. As root it really runs
# a container; as another user it stops at the root check, after loading picocli and JNA.
if [ "$(id -u)" = 0 ]; then
    status=0 says=""
else
    status=125 says="^mydocker: .*needs root"
fi
train mydocker "$status" "$says" "$target/mydocker.jar:$target/lib/*" io.mydocker.Main --root "$target/cds/training-root" "$@"

# The init's JVM never exits normally (it execs the container's command), and a JVM that ends in
# execve writes no archive. So it is trained by a run that finds an empty message on fd 3, which
# init refuses before it changes anything.
train init 125 "^mydocker: init: " "$target/mydocker.jar:$(ls "$target"/lib/jna-*.jar)" io.mydocker.Init 3</dev/null
