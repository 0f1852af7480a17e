#!/bin/sh
# Install what the build, run, debug and test targets need, if it is missing.
# On Debian/Ubuntu: apt-get (through sudo when not root), saying what it
# installs. Elsewhere: name exactly what is missing and stop.
#   tools/deps.sh            install what is missing
#   tools/deps.sh --missing  only print the commands that building lacks, on
#                            one line (empty when nothing is missing); the
#                            Makefile uses it to stop a plain `make` at once
#   tools/deps.sh --browser  only headless Chromium (make check-timeline, CI)
#   tools/deps.sh --graphviz only Graphviz's dot (make figures)
set -e
mode=install
[ "${1:-}" = "--missing" ] && mode=list

# command -> Debian package: what building needs, then what running,
# debugging, testing and benchmarking need as well
BUILD_NEEDS="nasm:nasm
grub-mkrescue:grub-common
xorriso:xorriso
mformat:mtools
python3:python3"
RUN_NEEDS="qemu-system-i386:qemu-system-x86
bochs:bochs
gdb:gdb
gnuplot:gnuplot-nox
curl:curl
ab:apache2-utils
wrk:wrk
tcpdump:tcpdump"
NEEDS="$BUILD_NEEDS"
[ $mode = list ] || NEEDS="$BUILD_NEEDS
$RUN_NEEDS"
# the extras that only one target needs
extra=no
case "${1:-}" in
    --browser) NEEDS="chromium:chromium"; extra=yes ;;
    --graphviz) NEEDS="dot:graphviz"; extra=yes ;;
esac

missing_cmds=""
missing_pkgs=""
add_pkg() { case " $missing_pkgs " in *" $1 "*) ;; *) missing_pkgs="$missing_pkgs $1";; esac; }

for pair in $NEEDS; do
    cmd=${pair%%:*}; pkg=${pair#*:}
    if ! command -v "$cmd" >/dev/null 2>&1; then
        missing_cmds="$missing_cmds $cmd"; add_pkg "$pkg"
    fi
done
# the cross compiler: i686-elf-gcc, or Debian's i686-linux-gnu-gcc
[ $extra = yes ] || command -v i686-elf-gcc >/dev/null 2>&1 || command -v i686-linux-gnu-gcc >/dev/null 2>&1 || {
    missing_cmds="$missing_cmds i686-linux-gnu-gcc"; add_pkg gcc-i686-linux-gnu; add_pkg binutils-i686-linux-gnu; }
# files that no command reveals: GRUB's BIOS modules, Bochs's terminal display and ROMs
[ $extra = yes ] || [ -d /usr/lib/grub/i386-pc ] || { missing_cmds="$missing_cmds grub-i386-pc-modules"; add_pkg grub-pc-bin; }
if [ $extra = no ] && [ $mode = install ] && { command -v bochs >/dev/null 2>&1 || [ -n "$missing_pkgs" ]; }; then
    term_plugin=no
    for f in /usr/lib/*/bochs/plugins/libbx_term* /usr/lib/bochs/plugins/libbx_term*; do
        [ -e "$f" ] && term_plugin=yes
    done
    [ $term_plugin = yes ] || { missing_cmds="$missing_cmds bochs-term"; add_pkg bochs-term; }
    [ -e /usr/share/bochs/BIOS-bochs-latest ] || { missing_cmds="$missing_cmds bochs-bios"; add_pkg bochsbios; }
    [ -e /usr/share/vgabios/vgabios.bin ] || { missing_cmds="$missing_cmds vgabios"; add_pkg vgabios; }
fi

if [ $mode = list ]; then
    echo $missing_cmds
    exit 0
fi
[ -z "$missing_pkgs" ] && exit 0

if command -v apt-get >/dev/null 2>&1 && [ -r /etc/debian_version ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    echo "deps: missing:$missing_cmds"
    echo "deps: installing with apt-get:$missing_pkgs"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $missing_pkgs
else
    echo "deps: missing:$missing_cmds" >&2
    echo "deps: this is not a Debian/Ubuntu system; install the equivalents of:$missing_pkgs" >&2
    exit 1
fi
