Feature: the kernel's word on kexec: kexec_load_disabled, lockdown, refusals, sysfs layout, CMA
  `check` shows what the running kernel lets kexec do, `status` names a refusal while
  nothing is loaded, and `load`/`unload` name the likely cause when kexec fails with
  "Operation not permitted". The kexec state is read from /sys/kernel/kexec/ (Linux 6.19)
  before the old /sys/kernel/kexec_* names, and CMA (crashkernel=...,cma) counts in the
  reservation.

  # -- kexec-allowed: kernel.kexec_load_disabled ------------------------------------------------

  @decision-new-check-command
  Scenario: kernel.kexec_load_disabled=0 lets kexec load
    Given a machine "x86_64-ready"
    When I run "kdump-config check"
    Then stdout contains the line "ok    kexec-allowed         kernel.kexec_load_disabled is 0"
    When I run "kdump-config check --json"
    Then the JSON field "kernel.kexec_load_disabled" is false
    And the JSON field "kernel.kexec_sysfs" is "/sys/kernel/kexec_*"
    And the JSON field "kernel.lockdown" is null

  @decision-new-kernel-refusals
  # code: kexec-load-disabled
  Scenario: kernel.kexec_load_disabled=1 with nothing loaded fails check and status says why
    Given a machine "x86_64-kexec-load-disabled"
    When I run "kdump-config check --json"
    Then the exit code is 3
    And the JSON field "failing" is ["kexec-allowed", "loaded"]
    And the JSON messages include "kexec-load-disabled"
    And the JSON field "kernel.kexec_load_disabled" is true
    When I run "kdump-config check"
    Then stdout contains the line "fail  kexec-allowed         kernel.kexec_load_disabled is 1: the kernel refuses to load a capture kernel until it reboots"
    And stdout contains the line "                            remedy: remove kernel.kexec_load_disabled=1 from /etc/sysctl.conf and /etc/sysctl.d/ (or set it only after kdump-tools has loaded), then reboot: the setting cannot be turned back to 0"
    When I run "kdump-config status"
    Then the exit code is 0
    And stdout is exactly:
      """
      kernel.kexec_load_disabled is 1: the kernel refuses to load a capture kernel until it reboots ... failed!
      current state   : Not ready to kdump
      """

  @decision-new-kernel-refusals
  # code: kexec-refused
  Scenario: load and unload under kernel.kexec_load_disabled=1 name the cause
    Given a machine "x86_64-kexec-load-disabled"
    When I run "kdump-config load"
    Then the exit code is 1
    And stderr contains the line "kexec_load failed: Operation not permitted"
    And stdout contains the line "failed to load kdump kernel ... failed!"
    And stdout contains the line "the kernel refused kexec (Operation not permitted); likely cause: kernel.kexec_load_disabled is 1: the kernel refuses every kexec until reboot ... failed!"
    And the file "/var/crash/kexec_cmd" does not exist
    When I run "kdump-config unload"
    Then the exit code is 1
    And stdout contains the line "the kernel refused kexec (Operation not permitted); likely cause: kernel.kexec_load_disabled is 1: the kernel refuses every kexec until reboot ... failed!"

  @decision-new-kernel-refusals
  # code: kexec-load-disabled-loaded
  Scenario: kexec_load_disabled set after the load keeps the capture kernel but warns
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the file "/proc/sys/kernel/kexec_load_disabled" contains "1"
    When I run "kdump-config check"
    Then the exit code is 0
    And stdout contains the line "warn  kexec-allowed         kernel.kexec_load_disabled is 1: the loaded capture kernel stays, but it cannot be reloaded or unloaded (hotplug, kernel updates, config changes) until reboot"
    When I run "kdump-config status"
    Then stdout is exactly:
      """
      current state   : ready to kdump
      """

  @decision-new-check-command
  # code: kexec-load-disabled-unknown
  Scenario: Without /proc/sys/kernel/kexec_load_disabled check cannot tell
    Given a machine "x86_64-ready"
    And the file "/proc/sys/kernel/kexec_load_disabled" is absent
    When I run "kdump-config check"
    Then stdout contains the line "warn  kexec-allowed         cannot tell whether the kernel allows kexec loads: /proc/sys/kernel/kexec_load_disabled is missing or holds no number"
    And stdout contains the line "                            remedy: run 'kdump-config check' as root on the host (a container may hide /proc/sys/kernel/kexec_load_disabled), on a kernel built with CONFIG_KEXEC_CORE (Debian's are)"

  # -- kernel-lockdown ----------------------------------------------------------------------------

  @decision-new-check-command
  Scenario Outline: Lockdown <mode> (secure boot <sb>) refuses kexec_load and wants a signed kernel
    Given a machine "<profile>"
    When I run "kdump-config check"
    Then stdout contains the line "ok    kernel-lockdown       lockdown <mode>, secure boot <sb>: kexec_load refused, kexec -s (kexec_file_load) loads only a kernel signed with a key the kernel trusts"
    And stdout contains the line "ok    secure-boot           kexec -s (kexec_file_load): lockdown <mode>, secure boot <sb>"
    When I run "kdump-config load"
    Then the exit code is 0
    And kexec was run as "kexec -p -s '--command-line=BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=3f1c6a2e-7d1b-4a51-9a0e-2b8f0c9d1e47 ro quiet reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll usbcore.nousb' --initrd=/var/lib/kdump/initrd.img /var/lib/kdump/vmlinuz"
    And "kdump-config status" reports "current state   : ready to kdump"

    Examples:
      | profile                         | mode            | sb  |
      | x86_64-lockdown-only            | integrity       | off |
      | x86_64-secureboot               | integrity       | on  |
      | x86_64-lockdown-confidentiality | confidentiality | on  |

  @decision-new-check-command
  Scenario: Secure boot on, lockdown none: kexec_load is allowed
    Given a machine "x86_64-secureboot-only"
    When I run "kdump-config check"
    Then stdout contains the line "ok    kernel-lockdown       lockdown none, secure boot on: kexec_load and kexec_file_load allowed"

  @decision-new-kernel-refusals
  # code: lockdown-no-kexec-file
  Scenario: Lockdown on a kernel without kexec_file_load: nothing can be loaded
    Given a machine "x86_64-lockdown-only"
    And the file "/boot/config-6.1.0-18-amd64" contains "# CONFIG_KEXEC_FILE is not set"
    When I run "kdump-config check --json"
    Then the exit code is 3
    And the JSON field "failing" is ["kernel-lockdown", "loaded"]
    And the JSON field "kernel.lockdown" is "integrity"
    And the JSON field "kernel.secure_boot" is false
    When I run "kdump-config check"
    Then stdout contains the line "fail  kernel-lockdown       lockdown integrity refuses kexec_load, and the kernel has no kexec_file_load (CONFIG_KEXEC_FILE is not set in /boot/config-6.1.0-18-amd64): no capture kernel can be loaded"
    And stdout contains the line "                            remedy: boot a kernel built with CONFIG_KEXEC_FILE and CONFIG_KEXEC_SIG (Debian's are), or one not in lockdown (Secure Boot off, no lockdown= on the command line)"
    When I run "kdump-config status"
    Then stdout is exactly:
      """
      lockdown integrity refuses kexec_load, and the kernel has no kexec_file_load (CONFIG_KEXEC_FILE is not set in /boot/config-6.1.0-18-amd64): no capture kernel can be loaded ... failed!
      current state   : Not ready to kdump
      """

  @decision-new-check-command
  # code: lockdown-kexec-file-unknown
  Scenario: Lockdown on a kernel whose config does not say whether it has kexec_file_load
    Given a machine "x86_64-lockdown-only"
    And the file "/boot/config-6.1.0-18-amd64" is absent
    When I run "kdump-config check"
    Then stdout contains the line "warn  kernel-lockdown       lockdown integrity refuses kexec_load, and /boot/config-6.1.0-18-amd64 does not say whether the kernel has kexec_file_load (CONFIG_KEXEC_FILE)"

  @decision-new-check-command
  # code: lockdown-unknown
  Scenario: Secure boot on and no securityfs: check cannot tell the lockdown mode
    Given a machine "x86_64-secureboot"
    And the file "/sys/kernel/security/lockdown" is absent
    When I run "kdump-config check"
    Then stdout contains the line "warn  kernel-lockdown       secure boot is on but /sys/kernel/security/lockdown is unreadable: cannot tell whether lockdown refuses kexec_load"

  # -- kexec refused (EPERM) at load time: the likely cause ---------------------------------------

  @decision-new-kernel-refusals
  Scenario Outline: A kexec refused with EPERM names <cause>
    Given a machine "<profile>"
    And the fault "kexec-load" is armed with "<syscall> failed: Operation not permitted"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout contains the line "failed to load kdump kernel ... failed!"
    And stdout contains the line "the kernel refused kexec (Operation not permitted); likely cause: <cause> ... failed!"
    And stdout contains the line "to make kdump work: <remedy> ... failed!"

    Examples:
      | profile           | syscall         | cause                                                                                                                                 | remedy                                                                                                                      |
      | x86_64-secureboot | kexec_file_load | lockdown integrity, secure boot on: kexec_file_load accepts only a kernel signed with a key the kernel trusts, and this one is not | use a signed kernel image as KDUMP_KERNEL (Debian's linux-image packages are signed), or enroll its signing key with mokutil --import |
      | x86_64-ready      | kexec_load      | the process lacks CAP_SYS_BOOT: not run as root, or inside a container that drops it                                                  | run 'kdump-config load' as root on the host, not in a container                                                             |

  @decision-new-kernel-refusals
  Scenario: KDUMP_KEXEC_ARGS forcing kexec_load under lockdown is refused by the kernel, and load says why
    Given a machine "x86_64-secureboot"
    And the config sets KDUMP_KEXEC_ARGS to "-c"
    When I run "kdump-config load"
    Then the exit code is 1
    And stderr contains the line "kexec_load failed: Operation not permitted"
    And stdout contains the line "the kernel refused kexec (Operation not permitted); likely cause: lockdown integrity, secure boot on: kexec_load is refused ... failed!"
    And stdout contains the line "to make kdump work: remove -c/--kexec-syscall from KDUMP_KEXEC_ARGS in /etc/default/kdump-tools ... failed!"

  @decision-new-kernel-refusals
  Scenario: Another failure than EPERM adds no cause
    Given a machine "x86_64-ready"
    And the fault "kexec-load" is armed
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout does not contain "the kernel refused kexec"

  # -- /sys/kernel/kexec/ (Linux 6.19) before the old names ---------------------------------------

  @decision-new-kernel-refusals
  Scenario: A kernel with only /sys/kernel/kexec/ is supported, loads and is ready
    Given a machine "x86_64-kexec-sysfs-dir"
    When I run "kdump-config check"
    Then stdout contains the line "ok    kexec-support         supported (/sys/kernel/kexec/)"
    And stdout contains the line "ok    crashkernel-reserved  512M reserved at 0x2b000000"
    When I run "kdump-config load"
    Then the exit code is 0
    And the file "/sys/kernel/kexec/crash_loaded" contains "1"
    When I run "kdump-config status"
    Then stdout is exactly:
      """
      current state   : ready to kdump
      """

  @decision-new-kernel-refusals
  Scenario: Where both layouts exist, the new files are the ones read
    Given a machine "x86_64-crash-cma"
    And the file "/sys/kernel/kexec/crash_loaded" contains "1"
    And the file "/sys/kernel/kexec_crash_loaded" contains "0"
    And the file "/sys/kernel/kexec/crash_size" contains "536870912"
    And the file "/sys/kernel/kexec_crash_size" contains "0"
    When I run "kdump-config status"
    Then stdout is exactly:
      """
      current state   : ready to kdump
      """
    When I run "kdump-config check"
    Then stdout contains the line "ok    crashkernel-reserved  768M reserved at 0x2b000000, 256M of it CMA at 0x100000000"

  # -- CMA (crashkernel=...,cma) --------------------------------------------------------------------

  @decision-new-kernel-refusals
  Scenario: A CMA reservation counts in the reservation and its size check
    Given a machine "x86_64-crash-cma"
    When I run "kdump-config check"
    Then the exit code is 3
    When I run "kdump-config check --json"
    Then the JSON field "kernel.reserved_bytes" is 536870912
    And the JSON field "kernel.crash_cma_bytes" is 268435456
    And the JSON field "kernel.kexec_sysfs" is "/sys/kernel/kexec/"
    When I run "kdump-config check"
    Then stdout contains the line "ok    crashkernel-reserved  512M reserved at 0x2b000000, 256M of it CMA at 0x100000000"
    And stdout contains the line "ok    crashkernel-size      512M reserved, 472M suggested"

  @decision-new-check-command
  # code: crashkernel-cma-unknown
  Scenario: crashkernel=...,cma on a kernel that does not list the CMA ranges cannot be counted
    Given a machine "x86_64-crash-cma"
    And the file "/sys/kernel/kexec/crash_cma_ranges" is absent
    When I run "kdump-config check"
    Then stdout contains the line "warn  crashkernel-reserved  crashkernel=...,cma is on the kernel command line, but the kernel does not list its CMA ranges (/sys/kernel/kexec/crash_cma_ranges): 256M counted without them"
    And stdout contains the line "warn  crashkernel-size      256M reserved for the capture kernel, less than the 472M it needs"
