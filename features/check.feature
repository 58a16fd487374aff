Feature: check
  `kdump-config check` (new) runs every readiness check by name and prints
  ok, warn or fail with a one-line remedy for each problem. It exits 0 when
  kdump (or fadump) is ready, 3 when it is not, and 1 on an error.

  @decision-new-check-command
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
      fail  loaded                kdump kernel not loaded
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
  Scenario: No crashkernel= names the failing checks
    Given a machine "x86_64-no-crashkernel"
    When I run "kdump-config check"
    Then the exit code is 3
    And stdout contains the line "fail  crashkernel-param     no crashkernel= parameter in the kernel cmdline"
    And stdout contains the line "                            remedy: add crashkernel=472M to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, run update-grub and reboot"
    And stdout contains the line "fail  crashkernel-reserved  no memory reserved (kexec_crash_size is 0)"
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
    And stdout contains the line "fail  kexec-support         /sys/kernel/kexec_crash_loaded does not exist"

  @decision-new-check-command
  Scenario: USE_KDUMP=0
    Given a machine "x86_64-ready"
    And the config sets USE_KDUMP to "0"
    When I run "kdump-config check"
    Then the exit code is 3
    And stdout starts with:
      """
      fail  use-kdump             USE_KDUMP=0
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
  Scenario: A configured kdump initrd that is missing fails, as load would
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64" is absent
    When I run "kdump-config check"
    Then the exit code is 3
    And stdout contains the line "fail  kdump-initrd          /var/lib/kdump/initrd.img does not exist"
    And stdout contains the line "warn  kernel-links          invalid: /var/lib/kdump/initrd.img"
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
    And stdout contains the line "warn  kdump-initrd          none: an initrd will not be used"

  @decision-new-check-command
  Scenario: No kdump kernel can be found
    Given a machine "x86_64-non-relocatable"
    And the directory "/usr/lib/linux-kdump-6.1.0-18-amd64" is absent
    When I run "kdump-config check"
    Then the exit code is 3
    And stdout contains the line "fail  kdump-kernel          no KDUMP_KERNEL in /etc/default/kdump-tools and can't find a kdump package directory in /usr/lib"

  @decision-new-check-command
  Scenario: Forcing kexec_load under lockdown fails the secure boot check
    Given a machine "x86_64-secureboot"
    And the config sets KDUMP_KEXEC_ARGS to "-c"
    When I run "kdump-config check --json"
    Then the exit code is 3
    And the JSON field "failing" is ["secure-boot", "loaded"]

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
      fail  dump-target           SSH and NFS both set
                                  remedy: set either SSH or NFS in /etc/default/kdump-tools, not both
      not ready to kdump: dump-target
      """

  @decision-new-check-command
  Scenario: fadump not registered, then registered
    Given a machine "ppc64le-fadump"
    When I run "kdump-config check"
    Then the exit code is 3
    And stdout is exactly:
      """
      ok    use-kdump       USE_KDUMP=1
      ok    fadump-support  fadump sysfs layout: new
      fail  loaded          fadump not registered
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
