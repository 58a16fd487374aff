Feature: reload, try-reload and condreload
  `reload` is unload then load; an unload failure stops it before load.
  `try-reload` (alias `condreload`, called by udev on memory and CPU hotplug)
  reloads only when a kdump kernel is loaded or fadump is registered; in
  fadump mode it checks fadump support first.

  Scenario: Reloading a loaded kernel
    Given a machine "x86_64-ready"
    And kdump is loaded
    When I run "kdump-config reload"
    Then the exit code is 0
    And stdout is exactly:
      """
      unloaded kdump kernel.
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      loaded kdump kernel.
      """
    And "kexec" was run 3 times
    And "kdump-config status" reports "current state   : ready to kdump"

  Scenario: Reloading when nothing is loaded loads
    Given a machine "x86_64-ready"
    When I run "kdump-config reload"
    Then the exit code is 0
    And stdout is exactly:
      """
      unloaded kdump kernel.
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      loaded kdump kernel.
      """

  Scenario: An unload failure stops reload before load
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the fault "kexec-unload" is armed
    When I run "kdump-config reload"
    Then the exit code is 1
    And stdout is exactly:
      """
      failed to unload kdump kernel ... failed!
      """
    And "kexec" was run 2 times
    And "kdump-config status" reports "current state   : ready to kdump"

  Scenario: A load failure after the unload leaves nothing loaded
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the config sets USE_KDUMP to "0"
    When I run "kdump-config reload"
    Then the exit code is 1
    And stdout is exactly:
      """
      unloaded kdump kernel.
      /etc/default/kdump-tools: USE_KDUMP is not set or zero ... failed!
      """
    And "kdump-config status" reports "current state   : Not ready to kdump"

  Scenario: kexec fails to load during reload
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the fault "kexec-load" is armed
    When I run "kdump-config reload"
    Then the exit code is 1
    And stdout is exactly:
      """
      unloaded kdump kernel.
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      failed to load kdump kernel ... failed!
      """

  Scenario Outline: <command> does nothing when nothing is loaded
    Given a machine "x86_64-ready"
    When I run "kdump-config <command>"
    Then the exit code is 0
    And stdout is empty
    And "kexec" was not run

    Examples:
      | command    |
      | try-reload |
      | condreload |

  Scenario Outline: <command> reloads a loaded kernel
    Given a machine "x86_64-ready"
    And kdump is loaded
    When I run "kdump-config <command>"
    Then the exit code is 0
    And stdout is exactly:
      """
      unloaded kdump kernel.
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      loaded kdump kernel.
      """
    And "kdump-config status" reports "current state   : ready to kdump"

    Examples:
      | command    |
      | try-reload |
      | condreload |

  Scenario: try-reload reports an unload failure
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the fault "kexec-unload" is armed
    When I run "kdump-config try-reload"
    Then the exit code is 1
    And stdout is exactly:
      """
      failed to unload kdump kernel ... failed!
      """

  @decision-fix-fadump-sysfs-layout
  Scenario Outline: fadump reload (<profile>)
    Given a machine "<profile>"
    And "kdump-config load" has run
    When I run "kdump-config reload"
    Then the exit code is 0
    And stdout is exactly:
      """
      fadump un-registered successfully.
      fadump registered successfully.
      """
    And "kdump-config status" reports "current state   : ready to fadump"

    Examples:
      | profile               |
      | ppc64le-fadump        |
      | ppc64le-fadump-legacy |

  @decision-fix-fadump-sysfs-layout
  Scenario Outline: fadump try-reload re-registers only when registered (<profile>)
    Given a machine "<profile>"
    When I run "kdump-config try-reload"
    Then the exit code is 0
    And stdout is empty
    When I run "kdump-config load"
    And I run "kdump-config try-reload"
    Then the exit code is 0
    And stdout is exactly:
      """
      fadump un-registered successfully.
      fadump registered successfully.
      """

    Examples:
      | profile               |
      | ppc64le-fadump        |
      | ppc64le-fadump-legacy |

  @decision-fix-fadump-unload
  Scenario: fadump try-reload checks support first
    Given a machine "ppc64le-fadump"
    And the file "/sys/kernel/fadump/registered" is absent
    When I run "kdump-config condreload"
    Then the exit code is 1
    And stdout is exactly:
      """
      fadump is not configured in this kernel. ... failed!
      Try passing "fadump=on" to enable fadump ... failed!
      """

  Scenario: fadump try-reload checks USE_KDUMP even when not registered
    Given a machine "ppc64le-fadump-legacy"
    And the config sets USE_KDUMP to "0"
    When I run "kdump-config try-reload"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools: USE_KDUMP is not set or zero ... failed!
      """
