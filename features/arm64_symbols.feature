Feature: arm64 kernels whose kexec_load cannot build a crash dump header
  On arm64, kexec-tools' kexec_load path takes the kernel's page_offset from the _text
  symbol in /proc/kallsyms. Debian bookworm's arm64 kernel (6.1) is built without
  CONFIG_KALLSYMS_ALL, so _text is missing: kexec warns "Can't get the symbol of _text",
  exits 0, and loads a capture kernel whose ELF core header is bogus (no dump is ever
  produced). kexec_file_load (-s) does not need the symbol, since the kernel builds the
  header itself. So load uses -s where the kernel has it, refuses where it has not, and
  status and check never say ready for a capture kernel that cannot produce a dump
  (docs/compatibility.md: fix-arm64-kexec-symbols).

  # code: kexec-symbols-missing
  @decision-fix-arm64-kexec-symbols
  Scenario: Without _text and without kexec_file_load, load refuses and runs no kexec
    Given a machine "arm64-bookworm-no-text"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      kexec_load cannot build a valid crash dump header on 6.1.0-18-arm64: /proc/kallsyms has no _text symbol (the kernel was built without CONFIG_KALLSYMS_ALL), and the kernel has no kexec_file_load (CONFIG_KEXEC_FILE is not set) ... failed!
      to make kdump work: install a kernel whose /proc/kallsyms lists _text (CONFIG_KALLSYMS_ALL=y, as in linux-image-arm64 from bookworm-backports or Debian 13) or that has CONFIG_KEXEC_FILE=y, and reboot into it ... failed!
      """
    And "kexec" never ran
    And "kdump-config status" reports "current state   : Not ready to kdump"

  @decision-fix-arm64-kexec-symbols
  Scenario: check names the failing kexec-symbols check and its remedy
    Given a machine "arm64-bookworm-no-text"
    When I run "kdump-config check"
    Then the exit code is 3
    And stdout contains the line "fail  kexec-symbols         kexec_load cannot build a valid crash dump header on 6.1.0-18-arm64: /proc/kallsyms has no _text symbol (the kernel was built without CONFIG_KALLSYMS_ALL), and the kernel has no kexec_file_load (CONFIG_KEXEC_FILE is not set)"
    And stdout contains the line "                            remedy: install a kernel whose /proc/kallsyms lists _text (CONFIG_KALLSYMS_ALL=y, as in linux-image-arm64 from bookworm-backports or Debian 13) or that has CONFIG_KEXEC_FILE=y, and reboot into it"
    And stdout ends with:
      """
      not ready to kdump: kexec-symbols, loaded
      """

  # code: kexec-symbols-missing
  @decision-fix-arm64-kexec-symbols
  Scenario: A capture kernel loaded with kexec_load anyway is never reported ready
    Given a machine "arm64-bookworm-no-text"
    And the file "/sys/kernel/kexec_crash_loaded" contains "1"
    When I run "kdump-config status --json"
    Then the exit code is 0
    And the JSON field "ready" is false
    And the JSON messages include "kexec-symbols-missing"
    And "kdump-config status" reports "current state   : Not ready to kdump"
    When I run "kdump-config check --json"
    Then the exit code is 3
    And the JSON field "failing" is ["kexec-symbols"]

  @decision-fix-arm64-kexec-symbols
  Scenario: KDUMP_KEXEC_ARGS forcing kexec_load is refused where it cannot work
    Given a machine "arm64-kexec-file-no-text"
    And the config sets KDUMP_KEXEC_ARGS to "-c"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout contains the line "to make kdump work: remove -c/--kexec-syscall from KDUMP_KEXEC_ARGS in /etc/default/kdump-tools ... failed!"
    And "kexec" never ran

  @decision-fix-arm64-kexec-symbols
  Scenario: Without _text but with kexec_file_load, load uses kexec -s and is ready
    Given a machine "arm64-kexec-file-no-text"
    When I run "kdump-config load"
    Then the exit code is 0
    And kexec was run as "kexec -p -s '--command-line=BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-arm64 root=UUID=9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d ro quiet reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1' --initrd=/var/lib/kdump/initrd.img /var/lib/kdump/vmlinuz"
    And "kdump-config status" reports "current state   : ready to kdump"
    When I run "kdump-config check"
    Then the exit code is 0
    And stdout contains the line "ok    kexec-symbols         no _text in /proc/kallsyms: kexec_file_load (-s) will be used"

  # code: loaded-by-kexec-load
  @decision-fix-arm64-kexec-symbols
  Scenario: A capture kernel loaded without -s where only -s works is not ready
    Given a machine "arm64-kexec-file-no-text"
    And kdump is loaded
    And the file "/var/crash/kexec_cmd" contains "/sbin/kexec -p --command-line=ro /var/lib/kdump/vmlinuz"
    When I run "kdump-config status"
    Then the exit code is 0
    And stdout is exactly:
      """
      the capture kernel was loaded with kexec_load, whose crash dump header is invalid on 6.1.0-18-arm64 (no _text in /proc/kallsyms): run 'kdump-config reload' to load it with kexec_file_load ... failed!
      current state   : Not ready to kdump
      """
    When I run "kdump-config check"
    Then the exit code is 3
    And stdout contains the line "fail  kexec-symbols         the capture kernel was loaded with kexec_load, whose crash dump header is invalid on 6.1.0-18-arm64 (no _text in /proc/kallsyms): run 'kdump-config reload' to load it with kexec_file_load"
    And stdout contains the line "                            remedy: run 'kdump-config reload' (it loads with kexec_file_load, -s)"
    When I run "kdump-config reload"
    Then the exit code is 0
    And "kdump-config status" reports "current state   : ready to kdump"

  @decision-fix-arm64-kexec-symbols
  Scenario: With _text in /proc/kallsyms, kexec_load is kept
    Given a machine "arm64-ready"
    When I run "kdump-config check"
    Then stdout contains the line "ok    kexec-symbols         _text in /proc/kallsyms: kexec_load works"
