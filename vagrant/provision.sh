#!/bin/sh
# Prepares a Debian or Ubuntu machine for the workshop: the VM (run by `vagrant up`), any Linux
# host of your own, and CI (.ci/run). Run it as root:
#
#     sudo vagrant/provision.sh [--no-build] [REPO]
#
# REPO is the repository (default: the one this script is in). It installs what the steps need,
# builds every step once (which fills the Maven cache; --no-build skips that, for CI, whose test
# command builds everything anyway), and links the latest step's launcher to
# /usr/local/bin/mydocker. It can run any number of times: it installs only what is missing.
set -eu
build=yes
if [ "${1:-}" = --no-build ]; then
    build=no
    shift
fi
repo=$(cd "${1:-$(dirname "$0")/..}" && pwd)

if [ "$(id -u)" -ne 0 ]; then
    echo "provision.sh: run me as root: sudo $0" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "provision.sh: this script knows Debian and Ubuntu (apt-get); install by hand what README.md lists" >&2
    exit 1
fi

# What the steps use, package by package:
#   busybox-static   the static /bin/busybox that step 4 builds the default image from
#   iptables         the port mappings and NAT of the network steps
#   iproute2 procps util-linux   ip, ps, unshare and nsenter: the tools the book runs
#   runc hyperfine   the start-up benchmark compares mydocker with runc
#   curl unzip ca-certificates   the Maven wrapper downloads Maven with them
#   diffutils        the book's build diffs the steps
#   fonts-droid-fallback   the book's PDF sets its Chinese in this font (book/pom.xml)
packages="busybox-static iptables iproute2 procps util-linux runc hyperfine curl unzip ca-certificates diffutils fonts-droid-fallback"
missing=""
for package in $packages; do
    dpkg-query -W -f '${Status}\n' "$package" 2>/dev/null | grep -q 'ok installed' || missing="$missing $package"
done
# A JDK, 17 or newer, unless there is one: 17 where the distribution has it, else 21.
updated=""
if ! command -v javac >/dev/null 2>&1; then
    apt-get update -qq
    updated=yes
    for jdk in openjdk-17-jdk-headless openjdk-21-jdk-headless; do
        if apt-cache show "$jdk" >/dev/null 2>&1; then
            missing="$missing $jdk"
            break
        fi
    done
fi
if [ -n "$missing" ]; then
    echo "provision.sh: installing$missing"
    [ -n "$updated" ] || apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# Build every step and the book once: that downloads Maven and every dependency, so that the
# first `./mvnw verify` needs no network and each step's ./mydocker launcher is ready.
if [ "$build" = yes ]; then
    echo "provision.sh: building $repo (./mvnw package -DskipTests)"
    (cd "$repo" && ./mvnw -B -q -DskipTests package)
fi

# mydocker on the PATH: the launcher of the latest step.
latest=$(cd "$repo" && LC_ALL=C ls -d step[0-9][0-9]-*/mydocker | tail -n 1)
ln -sfn "$repo/$latest" /usr/local/bin/mydocker

echo "provision.sh: ready. mydocker is $repo/$latest ($(mydocker --version 2>/dev/null || echo not built yet)); cgroup" \
    "$( [ -f /sys/fs/cgroup/cgroup.controllers ] && echo v2 || echo v1)"
