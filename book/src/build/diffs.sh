#!/bin/sh
# Writes what each step adds to the one before it, for the book to include. Usage:
#   diffs.sh STEPS_DIR OUT
# The steps are the directories stepNN-* in STEPS_DIR, in order; a new step gets its pages here
# by existing. For each step NN it writes:
#   OUT/step01.files, .tests   the first step's main files (src/main, the mydocker launcher,
#                              pom.xml), then its test files, with their lengths in lines
#   OUT/stepNN.adoc            the feature: each main file the step adds, whole, then a diff of
#                              each main file it changes (new files first: they carry the feature)
#   OUT/stepNN.tests           the test files it adds, changes or removes, with line counts
#   OUT/stepNN/...             the files and diffs that stepNN.adoc includes
# The `// tag::x[]` and `// end::x[]` lines that the book's includes use are taken out first, so
# they neither show up nor shift a diff. Fails if a step changes no main file: a step adds a
# feature.
set -eu
cd "$1"
out=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

# The main files of step $1, in the order the book shows them; then its test files.
main_files() { (cd "$1" && find src/main -type f | LC_ALL=C sort && ls mydocker pom.xml); }
test_files() { (cd "$1" && find src/test -type f | LC_ALL=C sort); }

# File $1 without Asciidoctor's tag lines (any line with tag::x[] or end::x[], as the include
# directive sees them). grep exits 1 when no line is left, 2 on a real failure.
strip() { grep -Ev '(tag|end)::[^[:space:][]*\[\]' "$1" || [ $? -eq 1 ]; }

# Unified diff of file $2 in step $1 and in step $3, tag lines stripped, without the ---/+++
# lines (the book names the file). Empty when they are the same.
file_diff() {
    strip "$1/$2" > "$tmp/old"
    strip "$3/$2" > "$tmp/new"
    # diff exits 1 when the files differ; 2 is a real failure
    diff -u "$tmp/old" "$tmp/new" > "$tmp/raw" || [ $? -eq 1 ]
    sed '1,2d' "$tmp/raw"
}

# Rouge's name for the language of file $1.
language() {
    case $1 in
        *.java) echo java ;; *.xml) echo xml ;; *.properties) echo properties ;;
        *.sh | */mydocker | mydocker) echo shell ;; *) echo text ;;
    esac
}

# A listing of file $2 (a path in OUT), titled with its path $1 and the words $3, in language $4.
listing() {
    printf '.`%s`%s\n[source,%s]\n----\ninclude::%s[]\n----\n\n' "$1" "$3" "$4" "$2"
}

previous=""
for step in $(LC_ALL=C ls -d step[0-9][0-9]-*/ | tr -d /); do
    number=$(echo "$step" | cut -c1-6)
    if [ -z "$previous" ]; then
        main_files "$step" | (cd "$step" && xargs wc -l | sed '$d') > "$out/$number.files"
        test_files "$step" | (cd "$step" && xargs wc -l | sed '$d') > "$out/$number.tests"
        previous=$step
        continue
    fi

    rm -rf "${out:?}/$number"
    main_files "$previous" > "$tmp/before"
    main_files "$step" > "$tmp/after"
    {
        # New files, whole: the classes that carry the feature.
        while read -r f; do
            if [ ! -e "$previous/$f" ]; then
                mkdir -p "$(dirname "$out/$number/$f")"
                strip "$step/$f" > "$out/$number/$f"
                listing "$f" "$number/$f" " (new)" "$(language "$f")"
            fi
        done < "$tmp/after"
        # Changed files, as diffs: how the feature is wired into what was there.
        while read -r f; do
            if [ -e "$previous/$f" ]; then
                file_diff "$previous" "$f" "$step" > "$tmp/diff"
                if [ -s "$tmp/diff" ]; then
                    mkdir -p "$(dirname "$out/$number/$f")"
                    mv "$tmp/diff" "$out/$number/$f.diff"
                    listing "$f" "$number/$f.diff" "" diff
                fi
            fi
        done < "$tmp/after"
        while read -r f; do
            if [ ! -e "$step/$f" ]; then
                printf '`%s` is removed.\n\n' "$f"
            fi
        done < "$tmp/before"
    } > "$out/$number.adoc"
    if [ ! -s "$out/$number.adoc" ]; then
        echo "diffs.sh: $step changes no main file of $previous; a step must add something" >&2
        exit 1
    fi

    # The tests: one line per test file added, changed or removed.
    { test_files "$previous"; test_files "$step"; } | LC_ALL=C sort -u > "$tmp/tests"
    while read -r f; do
        if [ ! -e "$previous/$f" ]; then
            printf '%-8s %-52s %d lines\n' new "$f" "$(wc -l < "$step/$f")"
        elif [ ! -e "$step/$f" ]; then
            printf '%-8s %-52s %d lines\n' removed "$f" "$(wc -l < "$previous/$f")"
        else
            file_diff "$previous" "$f" "$step" > "$tmp/diff"
            if [ -s "$tmp/diff" ]; then
                printf '%-8s %-52s +%d -%d lines\n' changed "$f" \
                    "$(grep -c '^+' "$tmp/diff")" "$(grep -c '^-' "$tmp/diff")"
            fi
        fi
    done < "$tmp/tests" > "$out/$number.tests"
    [ -s "$out/$number.tests" ] || echo "(no test file changes)" > "$out/$number.tests"
    previous=$step
done
