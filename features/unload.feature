Feature: unload
  `kdump-config unload` runs `kexec -p -u` (with -s under secure boot or
  lockdown, B23) and forgets the recorded kexec command (B22). In fadump mode
  it checks that fadump is configured (B25), then unregisters. It does not
  look at USE_KDUMP.

  @decision-fix-no-eval
  Scenario: Unloading a loaded kdump kernel
    Given a machine "x86_64-ready"
    And kdump is loaded
    When I run "kdump-config unload"
    Then the exit code is 0
    And stdout is exactly:
      """
      unloaded kdump kernel.
      """
    And kexec was run as "kexec -p -u"
    And the file "/var/crash/kexec_cmd" does not exist
    And "kdump-config status" reports "current state   : Not ready to kdump"

  Scenario: Unloading when nothing is loaded succeeds, as kexec does
    Given a machine "x86_64-ready"
    When I run "kdump-config unload"
    Then the exit code is 0
    And stdout is exactly:
      """
      unloaded kdump kernel.
      """

  Scenario: Unloading does not depend on USE_KDUMP
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the config sets USE_KDUMP to "0"
    When I run "kdump-config unload"
    Then the exit code is 0
    And stdout is exactly:
      """
      unloaded kdump kernel.
      """

  Scenario: kexec fails to unload
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the fault "kexec-unload" is armed
    When I run "kdump-config unload"
    Then the exit code is 1
    And stdout is exactly:
      """
      failed to unload kdump kernel ... failed!
      """
    And stderr contains "kexec_load failed"
    And "kdump-config status" reports "current state   : ready to kdump"

  Scenario: Secure boot and lockdown unload with kexec -s
    Given a machine "x86_64-secureboot"
    And kdump is loaded
    When I run "kdump-config unload"
    Then the exit code is 0
    And stdout is exactly:
      """
      unloaded kdump kernel.
      """
    And kexec was run as "kexec -s -p -u"

  @decision-fix-secure-boot
  Scenario Outline: Secure boot alone, or lockdown alone, unloads with kexec -s (<profile>)
    Given a machine "<profile>"
    And kdump is loaded
    When I run "kdump-config unload"
    Then the exit code is 0
    And kexec was run as "kexec -s -p -u"

    Examples:
      | profile                 |
      | x86_64-secureboot-only  |
      | x86_64-lockdown-only    |

  @decision-fix-kexec-missing
  Scenario: kexec not installed
    Given a machine "x86_64-ready"
    And the tool "kexec" is not installed
    When I run "kdump-config unload"
    Then the exit code is 1
    And stdout is exactly:
      """
      kexec is not installed: no kexec program found (install kexec-tools) ... failed!
      """

  @decision-fix-fadump-sysfs-layout
  Scenario Outline: fadump unregisters (<profile>)
    Given a machine "<profile>"
    And "kdump-config load" has run
    When I run "kdump-config unload"
    Then the exit code is 0
    And stdout is exactly:
      """
      fadump un-registered successfully.
      """
    And the file "<registered>" contains "0"
    And "kexec" was not run
    And "kdump-config status" reports "current state   : Not ready to fadump"

    Examples:
      | profile               | registered                     |
      | ppc64le-fadump        | /sys/kernel/fadump/registered  |
      | ppc64le-fadump-legacy | /sys/kernel/fadump_registered  |

  @decision-fix-fadump-unload
  Scenario Outline: fadump support is checked before unregistering (B25, <profile>)
    Given a machine "<profile>"
    And the file "<registered>" is absent
    When I run "kdump-config unload"
    Then the exit code is 1
    And stdout is exactly:
      """
      fadump is not configured in this kernel. ... failed!
      Try passing "fadump=on" to enable fadump ... failed!
      """

    Examples:
      | profile               | registered                     |
      | ppc64le-fadump        | /sys/kernel/fadump/registered  |
      | ppc64le-fadump-legacy | /sys/kernel/fadump_registered  |

  @decision-fix-fadump-sysfs-layout
  Scenario Outline: The firmware refuses to unregister (<profile>)
    Given a machine "<profile>"
    And "kdump-config load" has run
    And the fault "fadump-unregister" is armed
    When I run "kdump-config unload"
    Then the exit code is 1
    And stdout is exactly:
      """
      fadump un-registering failed ... failed!
      """
    And "kdump-config status" reports "current state   : ready to fadump"

    Examples:
      | profile               |
      | ppc64le-fadump        |
      | ppc64le-fadump-legacy |
