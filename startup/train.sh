#!/bin/sh
# The training runs of prepare.sh, one per JVM, each ended by an option that writes the class-data
# archive of the classes it loaded. Usage:
#   train.sh TARGET_DIR JAVA_HOME MYDOCKER_ARCHIVE_OPTION INIT_ARCHIVE_OPTION TRAINING_ARG...
# Each run must end as expected, and write its archive: anything else fails the build.
set -eu
target=$1
java=$2/bin/java
mydocker_archive=$3
init_archive=$4
shift 4
err=$(mktemp)
trap 'rm -f "$err"' EXIT

# train ARCHIVE_OPTION STATUS SAYS COMMAND...: runs a JVM with its archive option, and checks that
# it exits with STATUS, that what mydocker says on stderr (its lines "mydocker: ...") is one line
# that matches the grep pattern SAYS, or nothing where SAYS is empty, and that the JVM wrote its
# archive. The JVM's own notes on stderr are left to the log.
train() {
    archive=$1 status=$2 says=$3
    shift 3
    echo "training: $*"
    code=0
    "$java" "@$target/jvm.args" "$archive" "$@" 2>"$err" || code=$?
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
    if [ ! -s "${archive#*=}" ]; then
        echo "training: the JVM wrote no ${archive#*=}"
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
train "$mydocker_archive" "$status" "$says" -cp "$target/mydocker.jar:$target/lib/*" \
    io.mydocker.Main --root "$target/cds/training-root" "$@"

# The init's JVM never exits normally (it execs the container's command), and a JVM that ends in
# execve writes no archive. So it is trained by a run that finds an empty message on fd 3, which
# init refuses before it changes anything.
train "$init_archive" 125 "^mydocker: init: " -cp "$target/mydocker.jar:$(ls "$target"/lib/jna-*.jar)" \
    io.mydocker.Init 3</dev/null
