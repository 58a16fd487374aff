# Sourced by dev/deb and dev/maintainer-check: a Debian root made once by debootstrap and kept
# as a tarball in the cache directory, named by a hash of everything that goes into it, so a
# warm run only unpacks it.
#   KDUMP_CI_CACHE  (default /var/cache/kdump-config-ci, or $XDG_CACHE_HOME/kdump-config-ci)
#   DEBIAN_MIRROR   (default http://deb.debian.org/debian)
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
if [ -z "${KDUMP_CI_CACHE:-}" ]; then
    if [ -n "${XDG_CACHE_HOME:-}" ]; then KDUMP_CI_CACHE=$XDG_CACHE_HOME/kdump-config-ci
    else KDUMP_CI_CACHE=/var/cache/kdump-config-ci; fi
fi

# debootstrap and zstd, installed on the host when missing.
debian_root_tools() {
    local need=()
    command -v debootstrap >/dev/null || need+=(debootstrap)
    command -v zstd >/dev/null || need+=(zstd)
    [ -e /usr/share/keyrings/debian-archive-keyring.gpg ] || need+=(debian-archive-keyring)
    if [ ${#need[@]} -gt 0 ]; then
        printf '== installing %s\n' "${need[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    fi
}

# debian_root_tarball SUITE FLAVOUR PACKAGES FORMAT KEEP_LISTS WORKDIR
# Prints the path of the tarball of debootstrap's minbase of SUITE plus PACKAGES (comma
# separated, installed by apt inside it), making it first when the cache lacks it. FORMAT is
# bumped when the way the root is made changes; KEEP_LISTS=1 keeps apt's package lists (so
# `apt-get download` works in the unpacked root without an update). The cache key is a hash
# of suite, mirror, packages and format: a new package list makes a new root.
debian_root_tarball() {
    local suite=$1 flavour=$2 pkgs=$3 format=$4 keep_lists=$5 work=$6
    local key tarball root t0
    key=$(printf '%s\n' "$suite" "$MIRROR" "$pkgs" "$format" | sha256sum | cut -c1-16)
    tarball=$KDUMP_CI_CACHE/$suite-$flavour-$key.tar.zst
    mkdir -p "$KDUMP_CI_CACHE"
    if [ ! -e "$tarball" ]; then
        root=$work/bootstrap-root
        printf '== bootstrapping %s (cold cache: %s)\n' "$suite" "$tarball" >&2
        t0=$(date +%s)
        # debootstrap's own resolver misses virtual packages (perl-openssl-abi-3): it lays the
        # base system only, and apt inside it installs the rest.
        debootstrap --variant=minbase "$suite" "$root" "$MIRROR" > "$work/debootstrap.log" 2>&1 \
            || { tail -30 "$work/debootstrap.log" >&2; echo "debootstrap failed" >&2; return 1; }
        cp /etc/resolv.conf "$root/etc/resolv.conf"
        printf 'deb %s %s main\n' "$MIRROR" "$suite" > "$root/etc/apt/sources.list"
        mount -t proc proc "$root/proc"
        if ! { chroot "$root" apt-get update -qq \
               && chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
                    --no-install-recommends ${pkgs//,/ }; } > "$work/apt-root.log" 2>&1; then
            umount "$root/proc"
            tail -30 "$work/apt-root.log" >&2
            echo "installing $pkgs in the $suite root failed" >&2
            return 1
        fi
        umount "$root/proc"
        chroot "$root" apt-get clean
        [ "$keep_lists" = 1 ] || rm -rf "$root"/var/lib/apt/lists/*
        tar -C "$root" --numeric-owner -I 'zstd -T0 -3' -cf "$tarball.tmp" .
        mv "$tarball.tmp" "$tarball"
        rm -rf --one-file-system "$root"
        printf '== bootstrap took %ss\n' "$(( $(date +%s) - t0 ))" >&2
    fi
    printf '%s\n' "$tarball"
}
