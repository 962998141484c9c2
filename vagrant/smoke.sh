#!/bin/bash
# Opt-in smoke test of the workshop's VM: does `vagrant up` work on this host? Run it as root on
# a Debian 12 host (no internet needed beyond the Debian archive):
#
#     sudo vagrant/smoke.sh
#
# It installs Vagrant, vagrant-libvirt, libvirt and QEMU from Debian's packages, builds a Debian
# 12 box offline (bento's boxes are downloaded from the internet, Debian's packages may be all
# this host reaches), runs `vagrant up --provider=libvirt` with the Vagrantfile's switches,
# checks that the repository is in the VM and that provision.sh ran up to its build, and then
# removes all it made: VM, box, libvirt network and pool, iptables chains, and the daemons it
# started. It is not part of .ci/run: it takes minutes and gigabytes.
#
# MYDOCKER_LIBVIRT_DRIVER (default here: qemu, software emulation) and MYDOCKER_SYNC (default:
# the Vagrantfile's) are passed on to the Vagrantfile; MYDOCKER_SMOKE_DIR is where the work
# goes (default: /var/tmp/mydocker-smoke, removed at the end).
set -eu
umask 022  # libvirt's QEMU runs as its own user, and must read the box in $work

repo=$(cd "$(dirname "$0")/.." && pwd)
work=${MYDOCKER_SMOKE_DIR:-/var/tmp/mydocker-smoke}
box=mydocker-smoke/debian12
pool=mydocker-smoke
packages="vagrant vagrant-libvirt libvirt-daemon-system qemu-system-x86 qemu-utils dnsmasq-base
          mmdebstrap extlinux e2fsprogs rsync openssh-client iptables curl"
# The same URL that ./mvnw downloads Maven from: where the VM cannot reach it, provision.sh
# stops at its build, and the smoke test can only prove the steps before.
maven_url=$(sed -n 's/^distributionUrl=//p' "$repo/.mvn/wrapper/maven-wrapper.properties")

export VAGRANT_HOME="$work/vagrant.d"        # the box and Vagrant's keys: not in your ~/.vagrant.d
export VAGRANT_DOTFILE_PATH="$work/dotfile"  # the machine's state: not in the repository
export MYDOCKER_BOX=$box
export MYDOCKER_LIBVIRT_DRIVER=${MYDOCKER_LIBVIRT_DRIVER:-qemu}
export LIBVIRT_DEFAULT_URI=qemu:///system

say() { echo "smoke.sh: $*"; }

if [ "$(id -u)" -ne 0 ]; then
    say "run me as root: sudo $0" >&2
    exit 1
fi
if [ -e "$work" ]; then
    say "$work exists: remove it, or set MYDOCKER_SMOKE_DIR to another folder" >&2
    exit 1
fi
say "this needs about 3.5 GB in $(dirname "$work") ($(df -h --output=avail "$(dirname "$work")" | tail -n 1 | tr -d ' ') free)," \
    "the Debian archive, and 15 to 20 minutes under software emulation (less with KVM)"

# What was there before, so that the clean-up removes only what this test made.
running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
libvirtd_was_running=no
running /run/libvirtd.pid && libvirtd_was_running=yes
virtlogd_was_running=no
running /run/virtlogd.pid && virtlogd_was_running=yes
libvirt_chains_before=$( { iptables-save; ip6tables-save; } 2>/dev/null | grep -c '^:LIBVIRT_' || true)
ip_forward_before=$(cat /proc/sys/net/ipv4/ip_forward)
domains_before=""
networks_before=""
systemd=no
[ "$(cat /proc/1/comm)" = systemd ] && systemd=yes
# Without systemd, libvirt makes its own cgroups for the VM: a "machine" group per controller.
cgroups_before=$(ls -d /sys/fs/cgroup/*/machine /sys/fs/cgroup/machine 2>/dev/null | xargs)

# Stops the daemon of this pid file, and waits until it has gone.
stop() {
    running "$1" || return 0
    kill "$(cat "$1")" 2>/dev/null
    for _ in $(seq 20); do
        running "$1" || return 0
        sleep 0.5
    done
}

# Removes what the test made, whether it passed or not.
cleanup() {
    status=$?
    set +e
    if [ -n "$current" ]; then
        say "stage $current FAILED after $(($(date +%s) - stage_start)) s" >&2
        status=1
    fi
    say "cleaning up"
    if [ -d "$VAGRANT_DOTFILE_PATH" ]; then
        (cd "$repo" && vagrant destroy -f >/dev/null 2>&1)
    fi
    if virsh version >/dev/null 2>&1; then
        # What `vagrant destroy` left, or what it could not destroy because a stage failed.
        for domain in $(virsh list --all --name); do
            case " $domains_before " in *" $domain "*) continue ;; esac
            virsh destroy "$domain" >/dev/null 2>&1
            virsh undefine "$domain" --remove-all-storage >/dev/null 2>&1
        done
        for network in $(virsh net-list --all --name); do
            case " $networks_before " in *" $network "*) continue ;; esac
            virsh net-destroy "$network" >/dev/null 2>&1
            virsh net-undefine "$network" >/dev/null 2>&1
        done
        virsh pool-destroy "$pool" >/dev/null 2>&1
    fi
    if [ "$libvirtd_was_running" = no ]; then
        if [ "$systemd" = yes ]; then
            systemctl stop libvirtd.service libvirtd.socket libvirtd-ro.socket libvirtd-admin.socket 2>/dev/null
        else
            stop /run/libvirtd.pid
        fi
    fi
    if [ "$virtlogd_was_running" = no ] && [ "$systemd" = no ]; then
        stop /run/virtlogd.pid
    fi
    for group in $(ls -d /sys/fs/cgroup/*/machine /sys/fs/cgroup/machine 2>/dev/null); do
        case " $cgroups_before " in *" $group "*) continue ;; esac
        find "$group" -depth -type d -exec rmdir {} \;
    done
    # libvirt adds its LIBVIRT_* chains when it starts a network, and never removes them.
    if [ "$libvirt_chains_before" -eq 0 ]; then
        for tool in iptables ip6tables; do
            for table in filter nat mangle; do
                $tool-save -t $table 2>/dev/null | sed -n 's/^-A \([A-Z]*\) -j \(LIBVIRT_[A-Z]*\)$/\1 \2/p' |
                    while read -r chain target; do $tool -t $table -D "$chain" -j "$target"; done
                for chain in $($tool-save -t $table 2>/dev/null | sed -n 's/^:\(LIBVIRT_[A-Z]*\) .*/\1/p'); do
                    $tool -t $table -F "$chain"
                    $tool -t $table -X "$chain"
                done
            done
        done
    fi
    # Starting a libvirt network turns on IP forwarding for the whole host.
    echo "$ip_forward_before" > /proc/sys/net/ipv4/ip_forward
    rm -rf "$work"
    say "removed $work, the VM, the box, and libvirt's network, pool and chains"
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Runs one stage and prints how long it took. The first command that fails ends the test
# (set -e: a stage is not run as an `if` condition, where bash would ignore set -e), and the
# clean-up says which stage it was.
current=""
passed=""
stage() {
    current=$1
    shift
    say "stage $current ..."
    stage_start=$(date +%s)
    "$@"
    say "stage $current passed in $(($(date +%s) - stage_start)) s"
    passed="$passed $current"
    current=""
}

install_tools() {
    missing=""
    for package in $packages; do
        dpkg-query -W -f '${Status}\n' "$package" 2>/dev/null | grep -q 'ok installed' || missing="$missing $package"
    done
    [ -z "$missing" ] && return 0
    say "installing$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# Without systemd nothing starts libvirtd (and virtlogd, which keeps the VM's console log).
start_libvirt() {
    if [ "$systemd" = yes ]; then
        systemctl start libvirtd.service
    else
        running /run/virtlogd.pid || virtlogd --daemon
        running /run/libvirtd.pid || libvirtd --daemon
    fi
    for _ in $(seq 30); do
        virsh version >/dev/null 2>&1 && break
        sleep 1
    done
    domains_before=$(virsh list --all --name | xargs)
    networks_before=$(virsh net-list --all --name | xargs)
    # The box and the VM's disk go into a pool of this test's own, in $work, that goes with it.
    mkdir -p "$work/pool"
    virsh pool-create-as "$pool" dir --target "$work/pool" >/dev/null
}

# A Debian 12 box for vagrant-libvirt: a qcow2 disk whose whole device is one ext4 file system,
# booted by extlinux, with the vagrant user, password-less sudo and Vagrant's insecure key, as
# Vagrant expects of every box (it replaces the key at the first `vagrant up`).
build_box() {
    mkdir -p "$work/box" "$work/mnt"
    cd "$work/box"
    # unshare mode: the build's mounts stay in a namespace of its own, never on the host.
    mmdebstrap --quiet --mode=unshare --variant=apt \
        --include=linux-image-amd64,systemd-sysv,ifupdown,isc-dhcp-client,openssh-server,sudo,rsync,ca-certificates \
        bookworm root.tar \
        "deb http://deb.debian.org/debian bookworm main" \
        "deb http://deb.debian.org/debian bookworm-updates main" \
        "deb http://deb.debian.org/debian-security bookworm-security main"
    # No partition table: SeaBIOS boots extlinux's boot sector at the start of the file system.
    # syslinux reads ext4, but not its 64bit feature.
    truncate -s 20G disk.raw
    mkfs.ext4 -q -L root -O ^64bit disk.raw
    keys=$(find /usr/share/rubygems-integration /usr/lib/ruby /opt/vagrant -path '*/keys/vagrant.pub*' 2>/dev/null | head -n 1)
    [ -n "$keys" ] || { say "Vagrant's insecure key (keys/vagrant.pub) not found" >&2; return 1; }
    # The mount, too, in a mount namespace of its own; the loop device is released at its end.
    unshare --mount sh -eu -c '
        loop=$(losetup --find --show disk.raw)
        trap "cd /; umount $2/mnt 2>/dev/null; losetup -d $loop" EXIT
        mount "$loop" "$2/mnt"
        cd "$2/mnt"
        tar --numeric-owner -xpf ../box/root.tar
        kernel=$(cd boot && ls vmlinuz-*)
        initrd=$(cd boot && ls initrd.img-*)
        mkdir boot/extlinux
        printf "DEFAULT debian\nLABEL debian\n  KERNEL /boot/%s\n  APPEND initrd=/boot/%s root=LABEL=root ro console=ttyS0 net.ifnames=0\n" \
            "$kernel" "$initrd" > boot/extlinux/extlinux.conf
        extlinux --install boot/extlinux 2>/dev/null
        echo "LABEL=root / ext4 errors=remount-ro 0 1" > etc/fstab
        printf "auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet dhcp\n" > etc/network/interfaces
        echo debian12 > etc/hostname
        chroot . useradd --create-home --shell /bin/bash vagrant
        echo "vagrant ALL=(ALL) NOPASSWD: ALL" > etc/sudoers.d/vagrant
        install -d -m 700 home/vagrant/.ssh
        cat "$1" > home/vagrant/.ssh/authorized_keys
        chroot . chown -R vagrant:vagrant /home/vagrant/.ssh
    ' sh "$keys" "$work"
    rm root.tar
    qemu-img convert -O qcow2 disk.raw box.img
    rm disk.raw
    echo '{"provider": "libvirt", "format": "qcow2", "virtual_size": 20}' > metadata.json
    # The box's own Vagrantfile: its VMs' disks go into this test's pool.
    printf 'Vagrant.configure("2") do |config|\n  config.vm.provider "libvirt" do |lv|\n    lv.storage_pool_name = "%s"\n  end\nend\n' \
        "$pool" > Vagrantfile
    tar -cf ../debian12.box metadata.json Vagrantfile box.img
    cd "$work"
    rm -r box
    vagrant box add --name "$box" debian12.box >/dev/null
    rm debian12.box
}

# `vagrant up` fails where provision.sh fails, as when the VM cannot download Maven: the checks
# after it say whether that is the only failure.
vagrant_up() {
    cd "$repo"
    vagrant up --provider=libvirt 2>&1 | tee "$work/up.log"
    up=${PIPESTATUS[0]}
    grep -q 'Machine booted and ready' "$work/up.log"
}

check_repo() {
    cd "$repo"
    vagrant ssh -c 'test -f ~/mydocker-java/pom.xml && test -x ~/mydocker-java/vagrant/provision.sh' &&
        say "the repository is in the VM at ~/mydocker-java"
}

check_provision() {
    cd "$repo"
    grep -q 'provision.sh: building' "$work/up.log" || { say "provision.sh did not reach its build" >&2; return 1; }
    vagrant ssh -c 'javac -version && test -x /bin/busybox' || { say "provision.sh did not install the JDK and busybox" >&2; return 1; }
    if [ "$up" -eq 0 ]; then
        vagrant ssh -c 'mydocker --version'
    elif vagrant ssh -c "curl -sSfI --max-time 30 -o /dev/null $maven_url"; then
        say "provision.sh failed although the VM reaches Maven Central: see $work/up.log above" >&2
        return 1
    else
        say "the VM cannot reach Maven Central ($maven_url), so provision.sh stopped at its build:" \
            "counted as passed, as the build is all that is left"
    fi
}

destroy() {
    cd "$repo"
    vagrant destroy -f
    vagrant box remove --force "$box" >/dev/null
    [ "$(virsh list --all --name | xargs)" = "$domains_before" ]
}

all_start=$(date +%s)
stage tools install_tools
stage libvirt start_libvirt
stage box build_box
stage up vagrant_up
stage repo check_repo
stage provision check_provision
stage destroy destroy
say "all stages passed ($passed) in $(($(date +%s) - all_start)) s"
