Feature: symlinks
  `kdump-config symlinks VER` points /var/lib/kdump/vmlinuz at the kernel
  image of VER in /boot and /var/lib/kdump/initrd.img at the kdump initrd of
  VER, building it with the kernel hook when absent. It validates first and
  then changes both links or none (B13); every failure exits 1 (B44).

  Scenario: Pointing the links at the running kernel
    Given a machine "x86_64-ready"
    And the link "/var/lib/kdump/vmlinuz" is absent
    And the link "/var/lib/kdump/initrd.img" is absent
    When I run "kdump-config symlinks 6.1.0-18-amd64"
    Then the exit code is 0
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      """
    And the link "/var/lib/kdump/vmlinuz" points to "/boot/vmlinuz-6.1.0-18-amd64"
    And the link "/var/lib/kdump/initrd.img" points to "/var/lib/kdump/initrd.img-6.1.0-18-amd64"
    And "kdump-config status" reports "current state   : Not ready to kdump"

  Scenario: Pointing the links at another installed kernel makes them invalid for this one
    Given a machine "x86_64-ready"
    And the file "/boot/vmlinuz-6.1.0-17-amd64" contains "MZ older kernel"
    And the file "/var/lib/kdump/initrd.img-6.1.0-17-amd64" contains "older kdump initrd"
    When I run "kdump-config symlinks 6.1.0-17-amd64"
    Then the exit code is 0
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      """
    And the link "/var/lib/kdump/vmlinuz" points to "/boot/vmlinuz-6.1.0-17-amd64"
    And the link "/var/lib/kdump/initrd.img" points to "/var/lib/kdump/initrd.img-6.1.0-17-amd64"
    When I run "kdump-config status"
    Then the exit code is 0
    And stdout is exactly:
      """
      Invalid symlink : /var/lib/kdump/initrd.img ... failed!
      Invalid symlink : /var/lib/kdump/vmlinuz ... failed!
      current state   : Not ready to kdump
      """

  @decision-fix-initrd-rebuild
  Scenario: An absent kdump initrd is built by the kernel hook
    Given a machine "x86_64-ready"
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64" is absent
    When I run "kdump-config symlinks 6.1.0-18-amd64"
    Then the exit code is 0
    And stdout is exactly:
      """
      kdump-tools: Generating /var/lib/kdump/initrd.img-6.1.0-18-amd64
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      """
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64" exists
    And the command "/etc/kernel/postinst.d/kdump-tools 6.1.0-18-amd64" was run

  @decision-fix-initrd-rebuild
  Scenario: A vmlinux kernel (POWER) is linked as vmlinuz
    Given a machine "ppc64le-fadump"
    When I run "kdump-config symlinks 6.1.0-18-powerpc64le"
    Then the exit code is 0
    And stdout is exactly:
      """
      kdump-tools: Generating /var/lib/kdump/initrd.img-6.1.0-18-powerpc64le
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      """
    And the link "/var/lib/kdump/vmlinuz" points to "/boot/vmlinux-6.1.0-18-powerpc64le"

  @decision-fix-exit-codes
  Scenario: No kernel version given
    Given a machine "x86_64-ready"
    When I run "kdump-config symlinks"
    Then the exit code is 1
    And stdout is exactly:
      """
      Invalid argument : missing kernel version ... failed!
      """

  @decision-fix-exit-codes
  Scenario: An empty kernel version
    Given a machine "x86_64-ready"
    When I run "kdump-config symlinks ''"
    Then the exit code is 1
    And stdout is exactly:
      """
      Invalid argument : missing kernel version ... failed!
      """

  @decision-fix-exit-codes
  Scenario: A kernel version that is not installed changes nothing
    Given a machine "x86_64-ready"
    When I run "kdump-config symlinks 9.9.9-1-amd64"
    Then the exit code is 1
    And stdout is exactly:
      """
      Invalid kernel version : 9.9.9-1-amd64 ... failed!
      """
    And the link "/var/lib/kdump/vmlinuz" points to "/boot/vmlinuz-6.1.0-18-amd64"
    And the link "/var/lib/kdump/initrd.img" points to "/var/lib/kdump/initrd.img-6.1.0-18-amd64"

  @decision-fix-symlinks-atomic
  Scenario Outline: A version that is a path is an invalid kernel version: <version>
    Given a machine "x86_64-ready"
    When I run "kdump-config symlinks <version>"
    Then the exit code is 1
    And stdout is exactly:
      """
      Invalid kernel version : <version> ... failed!
      """

    Examples:
      | version               |
      | ../x                  |
      | ..                    |
      | ../../boot/vmlinuz    |
      | 6.1.0-18-amd64/../x   |

  Scenario: The links cannot change while kdump is loaded
    Given a machine "x86_64-ready"
    And the file "/boot/vmlinuz-6.1.0-17-amd64" contains "MZ older kernel"
    And the file "/var/lib/kdump/initrd.img-6.1.0-17-amd64" contains "older kdump initrd"
    And kdump is loaded
    When I run "kdump-config symlinks 6.1.0-17-amd64"
    Then the exit code is 1
    And stdout is exactly:
      """
      Cannot change symbolic links when kdump is loaded ... failed!
      """
    And the link "/var/lib/kdump/vmlinuz" points to "/boot/vmlinuz-6.1.0-18-amd64"
    And the link "/var/lib/kdump/initrd.img" points to "/var/lib/kdump/initrd.img-6.1.0-18-amd64"

  @decision-fix-symlinks-atomic
  Scenario: No kdump initrd and no kernel hook: neither link changes
    Given a machine "x86_64-ready"
    And the file "/boot/vmlinuz-6.1.0-17-amd64" contains "MZ older kernel"
    And the file "/etc/kernel/postinst.d/kdump-tools" is absent
    When I run "kdump-config symlinks 6.1.0-17-amd64"
    Then the exit code is 1
    And stdout is exactly:
      """
      Unable to locate kernel hook ... failed!
      """
    And the link "/var/lib/kdump/vmlinuz" points to "/boot/vmlinuz-6.1.0-18-amd64"
    And the link "/var/lib/kdump/initrd.img" points to "/var/lib/kdump/initrd.img-6.1.0-18-amd64"

  @decision-fix-symlinks-atomic
  Scenario: A kernel hook that is not executable is not a kernel hook
    Given a machine "x86_64-ready"
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64" is absent
    And the file "/etc/kernel/postinst.d/kdump-tools" contains "#!/bin/sh"
    When I run "kdump-config symlinks 6.1.0-18-amd64"
    Then the exit code is 1
    And stdout is exactly:
      """
      Unable to locate kernel hook ... failed!
      """

  @decision-fix-symlinks-atomic
  Scenario: The kernel hook fails to build the kdump initrd
    Given a machine "x86_64-ready"
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64" is absent
    And the fault "kernel-hook" is armed
    When I run "kdump-config symlinks 6.1.0-18-amd64"
    Then the exit code is 1
    And stdout is exactly:
      """
      kdump-tools: Generating /var/lib/kdump/initrd.img-6.1.0-18-amd64
      /etc/kernel/postinst.d/kdump-tools failed to build /var/lib/kdump/initrd.img-6.1.0-18-amd64 ... failed!
      """
    And stderr contains "update-initramfs: failed"
    And the link "/var/lib/kdump/initrd.img" points to "/var/lib/kdump/initrd.img-6.1.0-18-amd64"

  # code: host-error
  @decision-fix-exit-codes
  Scenario: A machine error while changing the links
    Given a machine "x86_64-ready"
    And the fault "readonly" is armed with "/var/lib/kdump"
    When I run "kdump-config symlinks 6.1.0-18-amd64"
    Then the exit code is 1
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      kdump-config: symlink /var/lib/kdump/vmlinuz: Read-only file system ... failed!
      """
