Feature: reload, try-reload and condreload
  `reload` checks and prepares everything first (the support checks, the links, the kdump
  initrd, the kexec command), then loads over the loaded capture kernel: `kexec -p` replaces
  it in one step, so there is no unloaded gap. A failure never leaves less loaded than there
  was: a check that fails keeps the loaded kernel, a load that finds kexec busy is tried again,
  and a load that fails after the kernel freed the old image loads the previous command again;
  each says what is loaded now.
  `try-reload` (alias `condreload`, called by udev on memory and CPU hotplug)
  reloads only when a kdump kernel is loaded or fadump is registered; in
  fadump mode it checks fadump support first.

  @decision-fix-reload-keeps-loaded
  Scenario: Reloading a loaded kernel
    Given a machine "x86_64-ready"
    And kdump is loaded
    When I run "kdump-config reload"
    Then the exit code is 0
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      loaded kdump kernel.
      """
    And "kexec" was run 2 times
    And "kdump-config status" reports "current state   : ready to kdump"

  @decision-fix-reload-keeps-loaded
  Scenario: Reloading when nothing is loaded loads
    Given a machine "x86_64-ready"
    When I run "kdump-config reload"
    Then the exit code is 0
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      loaded kdump kernel.
      """

  @decision-fix-reload-keeps-loaded
  Scenario: reload never unloads: kexec -p -u failing does not matter
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the fault "kexec-unload" is armed
    When I run "kdump-config reload"
    Then the exit code is 0
    And stdout ends with:
      """
      loaded kdump kernel.
      """
    And "kexec" was run 2 times
    And "kdump-config status" reports "current state   : ready to kdump"

  @decision-fix-reload-keeps-loaded
  Scenario: A check that fails keeps the loaded kernel
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the config sets USE_KDUMP to "0"
    When I run "kdump-config reload"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools: USE_KDUMP is not set or zero ... failed!
      kdump-config: the previous capture kernel is still loaded: a crash is still captured with it ... (warning).
      """
    And "kexec" was run 1 time
    And "kdump-config status" reports "current state   : ready to kdump"

  # code: load-retry
  @decision-fix-reload-keeps-loaded
  Scenario: kexec busy for a moment: reload tries again and loads
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the fault "kexec-busy" is armed with "2"
    When I run "kdump-config reload"
    Then the exit code is 0
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      kdump-config: kexec is busy (another kexec is running): trying again in 1 seconds ... (warning).
      kdump-config: kexec is busy (another kexec is running): trying again in 1 seconds ... (warning).
      loaded kdump kernel.
      """
    And stderr contains "kexec_load failed: Device or resource busy"
    And "kexec" was run 4 times
    And "kdump-config status" reports "current state   : ready to kdump"

  # code: reload-kept-previous
  @decision-fix-reload-keeps-loaded
  Scenario: kexec stays busy: the previous capture kernel stays loaded, and says so
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the fault "kexec-busy" is armed
    When I run "kdump-config reload"
    Then the exit code is 1
    And stdout ends with:
      """
      kdump-config: kexec is busy (another kexec is running): trying again in 1 seconds ... (warning).
      kdump-config: kexec is busy (another kexec is running): trying again in 1 seconds ... (warning).
      failed to load kdump kernel ... failed!
      kdump-config: the previous capture kernel is still loaded: a crash is still captured with it ... (warning).
      """
    And "kexec" was run 4 times
    And "kdump-config status" reports "current state   : ready to kdump"
    And the file "/var/crash/kexec_cmd" contains "--initrd=/var/lib/kdump/initrd.img"

  # code: reload-restored
  @decision-fix-reload-keeps-loaded
  Scenario: The kernel rejects the new image after freeing the old one: the previous one is loaded again
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the config sets KDUMP_KERNEL to "/boot/vmlinuz-6.1.0-18-amd64"
    And the fault "kexec-rejects" is armed with "/boot/vmlinuz-6.1.0-18-amd64"
    When I run "kdump-config reload"
    Then the exit code is 1
    And stdout ends with:
      """
      failed to load kdump kernel ... failed!
      kdump-config: the previous capture kernel was loaded again: a crash is still captured with it ... (warning).
      """
    And stderr contains "kexec_load failed: Key was rejected by service"
    And "kexec" was run 3 times
    And "kdump-config status" reports "current state   : ready to kdump"
    And the file "/var/crash/kexec_cmd" contains "/var/lib/kdump/vmlinuz"

  # code: reload-lost
  @decision-fix-reload-keeps-loaded
  Scenario: kexec fails after the kernel freed the old image, and the previous one fails too: reload says nothing is loaded
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the fault "kexec-load" is armed
    When I run "kdump-config reload"
    Then the exit code is 1
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      failed to load kdump kernel ... failed!
      kdump-config: nothing is loaded for a crash now: the previous capture kernel could not be restored ... failed!
      """
    And "kexec" was run 3 times
    And "kdump-config status" reports "current state   : Not ready to kdump"
    And the file "/var/crash/kexec_cmd" does not exist

  @decision-fix-reload-keeps-loaded
  Scenario: The kdump initrd cannot be rebuilt after a sysctl change: the old one and the loaded kernel stay
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the file "/etc/kdump/sysctl.conf" contains "kernel.panic=10"
    And the fault "kernel-hook" is armed
    When I run "kdump-config reload"
    Then the exit code is 1
    And stdout is exactly:
      """
      kdump-tools: Generating /var/lib/kdump/initrd.img-6.1.0-18-amd64
      /etc/kernel/postinst.d/kdump-tools failed to build /var/lib/kdump/initrd.img-6.1.0-18-amd64 ... failed!
      kdump-config: the previous capture kernel is still loaded: a crash is still captured with it ... (warning).
      """
    And "kexec" was run 1 time
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64" exists
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64.previous" does not exist
    And "kdump-config status" reports "current state   : ready to kdump"

  @decision-fix-reload-keeps-loaded
  Scenario: A rebuilt kdump initrd replaces the old one only once it exists
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the file "/etc/kdump/sysctl.conf" contains "kernel.panic=10"
    When I run "kdump-config reload"
    Then the exit code is 0
    And stdout ends with:
      """
      loaded kdump kernel.
      """
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64" exists
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64.previous" does not exist
    And the file "/var/lib/kdump/latest_sysctls-6.1.0-18-amd64" contains "kernel.panic=10"

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

  @decision-fix-reload-keeps-loaded
  Scenario Outline: <command> reloads a loaded kernel
    Given a machine "x86_64-ready"
    And kdump is loaded
    When I run "kdump-config <command>"
    Then the exit code is 0
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      loaded kdump kernel.
      """
    And "kdump-config status" reports "current state   : ready to kdump"

    Examples:
      | command    |
      | try-reload |
      | condreload |

  @decision-fix-reload-keeps-loaded
  Scenario Outline: <command> keeps the loaded kernel when kexec stays busy
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the fault "kexec-busy" is armed
    When I run "kdump-config <command>"
    Then the exit code is 1
    And stdout ends with:
      """
      failed to load kdump kernel ... failed!
      kdump-config: the previous capture kernel is still loaded: a crash is still captured with it ... (warning).
      """
    And "kdump-config status" reports "current state   : ready to kdump"
    When I run "kdump-config <command>"
    Then the exit code is 1
    And "kexec" was run 7 times

    Examples:
      | command    |
      | try-reload |
      | condreload |

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

  @decision-fix-reload-keeps-loaded
  Scenario: fadump reload with a check that fails keeps the registration
    Given a machine "ppc64le-fadump"
    And "kdump-config load" has run
    And the config sets USE_KDUMP to "0"
    When I run "kdump-config reload"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools: USE_KDUMP is not set or zero ... failed!
      kdump-config: the previous fadump registration is still in place: a crash is still captured with it ... (warning).
      """
    And the file "/sys/kernel/fadump/registered" contains "1"
