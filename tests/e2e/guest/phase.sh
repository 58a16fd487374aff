#!/bin/sh
# The guest script, run by the initramfs /init inside the guest root (Debian dash).
#   phase.sh first     first kernel: load, status, test (or check), then crash via sysrq
#   phase.sh capture   capture kernel (/proc/vmcore exists): savecore
# Every command's argv, stdout, stderr and exit status go to /e2e/results/<phase>/<name>.*
# for the host to judge; the guest itself decides nothing about pass or fail.
#
# E2E_MODE=project runs the project's kdump-config from the venv; E2E_MODE=plain runs the
# same steps with kexec/makedumpfile directly, to prove the harness without the project.
set -u
PHASE=$1
RES=/e2e/results
OUT=$RES/$PHASE
mkdir -p "$OUT"

E2E_MODE= E2E_SCENARIO= E2E_VENV= E2E_PROFILE=
while IFS= read -r line; do
    val=${line#*=}
    case ${line%%=*} in
        E2E_MODE) E2E_MODE=$val ;;
        E2E_SCENARIO) E2E_SCENARIO=$val ;;
        E2E_VENV) E2E_VENV=$val ;;
        E2E_PROFILE) E2E_PROFILE=$val ;;
    esac
done < "$RES/in/e2e.conf"

mark() { echo "E2E-MARK $* (uptime $(cut -d' ' -f1 /proc/uptime))"; }

# run NAME CMD [ARG...]: keep everything about one command.
run() {
    name=$1
    shift
    printf '%s\0' "$@" > "$OUT/$name.argv"
    mark "cmd-start $name"
    "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"
    rc=$?
    echo "$rc" > "$OUT/$name.rc"
    mark "cmd-end $name rc=$rc"
    # Also on the console, so the serial log tells the story on its own.
    sed "s/^/  [$name] /" "$OUT/$name.out" "$OUT/$name.err" | head -n 40
}

# ---- plain mode: what kdump-config does, reduced to kexec and makedumpfile -----------------

# Read /etc/default/kdump-tools as data: NAME=VALUE lines, optional double quotes.
conf() {
    sed -n "s/^$1=//p" /etc/default/kdump-tools | tail -n 1 | sed 's/^"\(.*\)"$/\1/'
}

shquote() {
    case $1 in
        *[!A-Za-z0-9_./=:,+-]* | '') printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
        *) printf '%s' "$1" ;;
    esac
}

# plain_kexec print|run: assemble the kexec argv the way kdump-config documents it
# (cmdline minus crashkernel=, plus KDUMP_CMDLINE_APPEND; --args-linux for an ELF kernel).
plain_kexec() {
    action=$1
    kernel=$(conf KDUMP_KERNEL)
    initrd=$(conf KDUMP_INITRD)
    cmdline=
    set -f
    for word in $(cat /proc/cmdline); do
        case $word in
            crashkernel=* | hugepages=* | hugepagesz=* | abm=*) ;;
            *) cmdline="$cmdline${cmdline:+ }$word" ;;
        esac
    done
    set +f
    cmdline="$cmdline $(conf KDUMP_CMDLINE_APPEND)"
    set -- /sbin/kexec -p
    # arm64 without _text in /proc/kallsyms: kexec_load would build a bogus core header,
    # so the harness alone uses kexec_file_load there (the kernel builds the header).
    if [ "$(uname -m)" = aarch64 ] && ! grep -q ' _text$' /proc/kallsyms; then
        set -- "$@" -s
    fi
    if [ "$(head -c 4 "$kernel" | tail -c 3)" = ELF ]; then
        set -- "$@" --args-linux
    fi
    set -- "$@" "--command-line=$cmdline" "--initrd=$initrd" "$kernel"
    if [ "$action" = print ]; then
        echo "kexec command to be used:"
        printf ' '
        for arg; do printf ' %s' "$(shquote "$arg")"; done
        echo
    else
        "$@"
    fi
}

plain_status() {
    if [ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ]; then
        echo "current state   : ready to kdump"
    else
        echo "current state   : Not ready to kdump"
    fi
}

plain_savecore() {
    coredir=$(conf KDUMP_COREDIR)
    stamp=$(date +%Y%m%d%H%M)
    dir=$coredir/$stamp
    mkdir -p "$dir" || return 1
    # As kdump-config does: no dmesg is no failure, and a dump makedumpfile cannot read
    # (arm64 6.12 before makedumpfile 1.7.7) is copied raw.
    makedumpfile --dump-dmesg /proc/vmcore "$dir/dmesg.$stamp" || rm -f "$dir/dmesg.$stamp"
    if makedumpfile -l -d 31 /proc/vmcore "$dir/dump-incomplete"; then
        mv "$dir/dump-incomplete" "$dir/dump.$stamp"
    else
        echo "makedumpfile failed, falling back to 'cp'"
        rm -f "$dir/dump-incomplete"
        cp /proc/vmcore "$dir/vmcore-incomplete" || return 1
        mv "$dir/vmcore-incomplete" "$dir/vmcore.$stamp"
    fi
}

# ---- the phases --------------------------------------------------------------------------

if [ "$E2E_MODE" = project ]; then
    KC="$E2E_VENV/bin/kdump-config"
    run_kc() {
        name=$1
        shift
        run "$name" "$KC" --backend linux "$@"
    }
else
    run_kc() {
        name=$1
        case $2 in
            load) run "$name" plain_kexec run ;;
            status) run "$name" plain_status ;;
            test) run "$name" plain_kexec print ;;
            savecore) run "$name" plain_savecore ;;
            check) ;; # nothing to imitate: plain mode only proves kexec -p fails
        esac
    }
fi

case $PHASE in
    first)
        run_kc load load
        # check: where load must refuse, and on arm64 (whose load method depends on what
        # the kernel offers) also once loaded.
        if [ "$E2E_SCENARIO" != crash ] || [ "$(uname -m)" = aarch64 ]; then
            run_kc check check
        fi
        run_kc status status
        run_kc test test
        if [ "$E2E_MODE" = project ] && [ -n "$E2E_PROFILE" ]; then
            # What start-up costs here (TCG, 9p): bare interpreter, then the CLI's imports.
            run python-bare "$E2E_VENV/bin/python3" -c pass
            run python-importtime "$E2E_VENV/bin/python3" -X importtime -c "import $E2E_PROFILE"
        fi
        cat /proc/cmdline > "$OUT/proc-cmdline"
        cat /sys/kernel/kexec_crash_loaded > "$OUT/kexec_crash_loaded" 2>&1
        grep -i 'crash kernel' /proc/iomem > "$OUT/iomem-crash" 2>&1
        uname -a > "$OUT/uname"
        grep -c ' _text$' /proc/kallsyms > "$OUT/kallsyms-text" 2>&1
        # nosymbols: crash anyway. Nothing may be loaded; if something was (kexec_load's
        # bogus header), the capture kernel runs and the host judges what it saved.
        if [ "$E2E_SCENARIO" = crash ] || [ "$E2E_SCENARIO" = nosymbols ]; then
            sync
            mark "crash"
            echo c > /proc/sysrq-trigger
            echo "E2E-FAIL still alive after sysrq-trigger c"
        fi
        ;;
    capture)
        cat /proc/cmdline > "$OUT/proc-cmdline"
        run_kc savecore savecore
        ls -lR "$(conf KDUMP_COREDIR)" > "$OUT/coredir-listing" 2>&1
        sync
        ;;
esac
