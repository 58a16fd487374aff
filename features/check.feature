Feature: check
  `kdump-config check` (new) runs every readiness check by name and prints
  ok, warn or fail with a one-line remedy for each problem. It exits 0 when
  kdump (or fadump) is ready, 3 when it is not, and 1 on an error.

  @decision-new-check-command
  # code: kdump-not-loaded
  Scenario: The default machine is not ready until loaded
    Given a machine "x86_64-ready"
    When I run "kdump-config check"
    Then the exit code is 3
    And stdout is exactly:
      """
      ok    use-kdump             USE_KDUMP=1
      ok    kexec-support         supported
      ok    crashkernel-param     crashkernel=512M
      ok    crashkernel-reserved  512M reserved at 0x2b000000
      ok    crashkernel-size      512M reserved, 472M suggested
      ok    kexec-tool            /sbin/kexec
      ok    kdump-kernel          /var/lib/kdump/vmlinuz
      ok    kdump-initrd          /var/lib/kdump/initrd.img
      ok    kernel-links          match 6.1.0-18-amd64
      ok    secure-boot           not required: kexec_load will be used
      ok    kexec-allowed         kernel.kexec_load_disabled is 0
      ok    kernel-lockdown       lockdown none, secure boot off: kexec_load and kexec_file_load allowed
      fail  loaded                no kdump kernel is loaded
                                  remedy: run 'kdump-config load' (the kdump-tools service does it at boot)
      ok    dump-target           dump target: /var/crash
      not ready to kdump: loaded
      """

  @decision-new-check-command
  Scenario: Loaded, everything is ready
    Given a machine "x86_64-ready"
    And kdump is loaded
    When I run "kdump-config check"
    Then the exit code is 0
    And stdout ends with:
      """
      ok    loaded                kdump kernel loaded
      ok    dump-target           dump target: /var/crash
      ready to kdump
      """

  @decision-new-check-command
  # code: crashkernel-not-reserved
  Scenario: No crashkernel= names the failing checks
    Given a machine "x86_64-no-crashkernel"
    When I run "kdump-config check"
    Then the exit code is 3
    And stdout contains the line "fail  crashkernel-param     no crashkernel= parameter in the kernel cmdline"
    And stdout contains the line "                            remedy: add crashkernel=472M to the kernel command line and reboot (with GRUB: add it to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then run update-grub)"
    And stdout contains the line "fail  crashkernel-reserved  no memory is reserved for the capture kernel (kexec_crash_size is 0)"
    And stdout ends with:
      """
      not ready to kdump: crashkernel-param, crashkernel-reserved, loaded
      """

  @decision-new-check-command
  Scenario: check --json on a machine without crashkernel= exits 3 and names the failing check
    Given a machine "x86_64-no-crashkernel"
    When I run "kdump-config check --json"
    Then the exit code is 3
    And the JSON field "schema_version" is 1
    And the JSON field "command" is "check"
    And the JSON field "exit_code" is 3
    And the JSON field "ready" is false
    And the JSON field "failing" is ["crashkernel-param", "crashkernel-reserved", "loaded"]

  @decision-new-check-command
  Scenario: A kernel without kdump support
    Given a machine "x86_64-no-kexec"
    When I run "kdump-config check"
    Then the exit code is 3
    And stdout contains the line "fail  kexec-support         kdump is not supported by this kernel"

  @decision-new-check-command
  Scenario: USE_KDUMP=0
    Given a machine "x86_64-ready"
    And the config sets USE_KDUMP to "0"
    When I run "kdump-config check"
    Then the exit code is 3
    And stdout starts with:
      """
      fail  use-kdump             /etc/default/kdump-tools: USE_KDUMP is not set or zero
                                  remedy: set USE_KDUMP=1 in /etc/default/kdump-tools
      """

  @decision-new-check-command
  Scenario: kexec not installed
    Given a machine "x86_64-ready"
    And the tool "kexec" is not installed
    When I run "kdump-config check --json"
    Then the exit code is 3
    And the JSON field "failing" is ["kexec-tool", "loaded"]

  @decision-new-check-command
  # code: kernel-links-invalid
  Scenario: A configured kdump initrd that is missing fails, as load would
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64" is absent
    When I run "kdump-config check"
    Then the exit code is 3
    And stdout contains the line "fail  kdump-initrd          /etc/default/kdump-tools: KDUMP_INITRD does not exist: /var/lib/kdump/initrd.img"
    And stdout contains the line "warn  kernel-links          /var/lib/kdump/initrd.img: missing, dangling, or not for the running kernel 6.1.0-18-amd64"
    And stdout ends with:
      """
      not ready to kdump: kdump-initrd
      """

  @decision-new-check-command @decision-fix-kernel-search
  Scenario: A kdump kernel without an initrd is only a warning
    Given a machine "x86_64-non-relocatable"
    And kdump is loaded
    And the file "/usr/lib/linux-kdump-6.1.0-18-amd64/initrd.img" is absent
    When I run "kdump-config check"
    Then the exit code is 0
    And stdout contains the line "warn  kdump-initrd          no kdump initrd image: /usr/lib/linux-kdump-6.1.0-18-amd64/initrd.img an initrd will not be used"

  @decision-new-check-command
  Scenario: No kdump kernel can be found
    Given a machine "x86_64-non-relocatable"
    And the directory "/usr/lib/linux-kdump-6.1.0-18-amd64" is absent
    When I run "kdump-config check"
    Then the exit code is 3
    And stdout contains the line "fail  kdump-kernel          no KDUMP_KERNEL in /etc/default/kdump-tools and can't find a kdump package directory in /usr/lib"

  # What the original prints with no config file (USE_KDUMP unset) stays in status; check
  # says why it is unset, and claims no KDUMP_KERNEL nobody set.
  @decision-new-check-command
  # code: config-missing
  # code: kdump-initrd-no-kernel
  Scenario: With no config file, check says the file is missing and sets nothing it does not have
    Given a machine "x86_64-ready"
    And the file "/etc/default/kdump-tools" is absent
    And the file "/boot/config-6.1.0-18-amd64" is absent
    When I run "kdump-config check"
    Then the exit code is 3
    And stdout starts with:
      """
      fail  use-kdump             /etc/default/kdump-tools does not exist: kdump is disabled
                                  remedy: install or restore /etc/default/kdump-tools (the kdump-tools package creates it), then set USE_KDUMP=1 in it
      """
    And stdout contains the line "warn  kdump-initrd          no kdump initrd: there is no kdump kernel to go with one"
    And stdout contains the line "                            remedy: make the kdump-kernel check pass first: the initrd is chosen with the kernel"
    And stdout does not contain "KDUMP_KERNEL is set"
    And stdout ends with:
      """
      not ready to kdump: use-kdump, kdump-kernel, loaded
      """
    When I run "kdump-config status"
    Then stdout contains the line "/etc/default/kdump-tools: USE_KDUMP is not set or zero ... failed!"

  @decision-new-check-command
  Scenario: A kdump kernel nobody configured is not "KDUMP_KERNEL is set" when none is found
    Given a machine "x86_64-non-relocatable"
    And the directory "/usr/lib/linux-kdump-6.1.0-18-amd64" is absent
    When I run "kdump-config check"
    Then the exit code is 3
    And stdout contains the line "warn  kdump-initrd          no kdump initrd: there is no kdump kernel to go with one"
    And stdout does not contain "KDUMP_KERNEL is set"

  @decision-new-check-command
  Scenario: Forcing kexec_load under lockdown fails the secure boot check
    Given a machine "x86_64-secureboot"
    And the config sets KDUMP_KEXEC_ARGS to "-c"
    When I run "kdump-config check --json"
    Then the exit code is 3
    And the JSON field "failing" is ["secure-boot", "loaded"]
    And the JSON messages include "kexec-load-forced-under-lockdown"
    When I run "kdump-config check"
    Then stdout contains the line "fail  secure-boot           the kernel only accepts signed images through kexec_file_load (-s) (lockdown integrity, secure boot on), but KDUMP_KEXEC_ARGS forces kexec_load (-c/--kexec-syscall)"

  @decision-new-check-command
  Scenario: SSH and NFS together
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the config sets SSH to "kdump@backup.example"
    And the config sets NFS to "nfs.example:/export/crash"
    When I run "kdump-config check"
    Then the exit code is 3
    And stdout ends with:
      """
      fail  dump-target           SSH and NFS cannot be defined concurrently
                                  remedy: set either SSH or NFS in /etc/default/kdump-tools, not both
      not ready to kdump: dump-target
      """

  @decision-new-check-command
  # code: fadump-not-registered
  Scenario: fadump not registered, then registered
    Given a machine "ppc64le-fadump"
    When I run "kdump-config check"
    Then the exit code is 3
    And stdout is exactly:
      """
      ok    use-kdump       USE_KDUMP=1
      ok    fadump-support  fadump sysfs layout: new
      fail  loaded          fadump is not registered
                            remedy: run 'kdump-config load' (the kdump-tools service does it at boot)
      ok    dump-target     dump target: /var/crash
      not ready to fadump: loaded
      """
    When I run "kdump-config load"
    And I run "kdump-config check"
    Then the exit code is 0
    And stdout ends with:
      """
      ready to fadump
      """

  @decision-new-check-command
  Scenario: fadump not configured
    Given a machine "ppc64le-fadump-legacy"
    And the file "/sys/kernel/fadump_registered" is absent
    When I run "kdump-config check --json"
    Then the exit code is 3
    And the JSON field "dump_mode" is "fadump"
    And the JSON field "failing" is ["fadump-support", "loaded"]

  Scenario: A config error is an error, not "not ready"
    Given a machine "x86_64-ready"
    And the config sets USE_KDUMP to "maybe"
    When I run "kdump-config check"
    Then the exit code is 1

  @decision-new-check-command
  # code: crashkernel-size-unknown
  Scenario: A kernel that does not report its reservation is "unknown", not "0 reserved"
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the file "/sys/kernel/kexec_crash_size" is absent
    When I run "kdump-config check"
    Then the exit code is 0
    And stdout contains the line "warn  crashkernel-reserved  cannot tell how much memory is reserved for the capture kernel: /sys/kernel/kexec_crash_size is missing or holds no number"
    And stdout does not contain "0M reserved"

  @decision-new-check-command
  Scenario: Without the kernel hook, check does not tell to run symlinks, but what provides the hook
    Given a machine "x86_64-ready"
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64" is absent
    And the file "/etc/kernel/postinst.d/kdump-tools" is absent
    When I run "kdump-config check"
    Then the exit code is 3
    And stdout contains the line "                            remedy: apt install --reinstall kdump-config (it provides the kernel hook /etc/kernel/postinst.d/kdump-tools), then run 'kdump-config symlinks $(uname -r)'"
    And stdout does not contain "remedy: run 'kdump-config symlinks"

  @decision-new-check-command
  Scenario: With the kernel hook, the remedy is to run symlinks
    Given a machine "x86_64-ready"
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64" is absent
    When I run "kdump-config check"
    Then the exit code is 3
    And stdout contains the line "                            remedy: run 'kdump-config symlinks $(uname -r)' (it rebuilds the kdump initrd) or set KDUMP_INITRD in /etc/default/kdump-tools"

  @decision-new-check-command
  # code: kdump-initrd-unset
  Scenario: A configured kdump kernel without KDUMP_INITRD loads without an initrd, a warning
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the config sets KDUMP_KERNEL to "/boot/vmlinuz-6.1.0-18-amd64"
    And the config sets KDUMP_INITRD to ""
    When I run "kdump-config check"
    Then the exit code is 0
    And stdout contains the line "warn  kdump-initrd          KDUMP_KERNEL is set in /etc/default/kdump-tools without KDUMP_INITRD: an initrd will not be used"
    And stdout contains the line "                            remedy: set KDUMP_INITRD in /etc/default/kdump-tools to the kdump kernel's initrd"

  @decision-new-check-command
  # code: kdump-dir-missing
  Scenario: Without /var/lib/kdump, the links warning says so
    Given a machine "x86_64-ready"
    And the directory "/var/lib/kdump" is absent
    When I run "kdump-config check"
    Then the exit code is 3
    And stdout contains the line "warn  kernel-links          /var/lib/kdump does not exist: no kernel links to load from"

  @decision-new-check-command
  # code: kallsyms-unreadable
  Scenario: arm64 with /proc/kallsyms unreadable cannot tell, and says so
    Given a machine "arm64-ready"
    And kdump is loaded
    And the file "/proc/kallsyms" is absent
    When I run "kdump-config check"
    Then stdout contains the line "warn  kexec-symbols         /proc/kallsyms is unreadable: cannot tell whether kexec_load can build the crash dump header"

  @decision-new-check-command
  Scenario: A reservation smaller than the estimate is a warning with the size to reserve
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the file "/sys/kernel/kexec_crash_size" contains "134217728"
    When I run "kdump-config check"
    Then the exit code is 0
    And stdout contains the line "warn  crashkernel-size      128M reserved for the capture kernel, less than the 472M it needs"
    And stdout contains the line "                            remedy: raise crashkernel= to at least 472M and reboot"

  @decision-new-check-command
  Scenario: Without the running kernel's image, the remedy installs it before running symlinks
    Given a machine "x86_64-ready"
    And the file "/boot/vmlinuz-6.1.0-18-amd64" is absent
    When I run "kdump-config check"
    Then the exit code is 3
    And stdout contains the line "warn  kernel-links          /var/lib/kdump/vmlinuz: missing, dangling, or not for the running kernel 6.1.0-18-amd64"
    And stdout contains the line "                            remedy: install the image of kernel 6.1.0-18-amd64 in /boot (apt install --reinstall linux-image-6.1.0-18-amd64), then run 'kdump-config symlinks 6.1.0-18-amd64'"
    And stdout does not contain "remedy: run 'kdump-config symlinks"
