#!/bin/sh
# Writes what each step adds to the one before it, for the book to include:
#   OUT/step01.files   the first step's files, with their sizes in lines (it has no predecessor)
#   OUT/stepNN.diff    diff -ru of the previous step's src and launcher against step NN's
# The steps are the directories stepNN-* in STEPS_DIR, in order; a new step gets its diff by
# existing. Usage: diffs.sh STEPS_DIR OUT
set -eu
cd "$1"
out=$2
mkdir -p "$out"
previous=""
for step in $(LC_ALL=C ls -d step[0-9][0-9]-*/ | tr -d /); do
    number=$(echo "$step" | cut -c1-6)
    if [ -z "$previous" ]; then
        (cd "$step" && find src mydocker -type f | LC_ALL=C sort | xargs wc -l | sed '$d') > "$out/$number.files"
    else
        # diff exits 1 when the trees differ, which they must; 2 is a real failure.
        # The timestamps in the ---/+++ lines would change the book on every checkout: drop them.
        { diff -ru "$previous/src" "$step/src" || [ $? -eq 1 ]
          diff -u "$previous/mydocker" "$step/mydocker" || [ $? -eq 1 ]
        } | sed -E 's/^((---|\+\+\+) [^\t]*)\t.*$/\1/' > "$out/$number.diff"
        if [ ! -s "$out/$number.diff" ]; then
            echo "diffs.sh: $step is identical to $previous; a step must add something" >&2
            exit 1
        fi
    fi
    previous=$step
done
