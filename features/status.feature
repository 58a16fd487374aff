Feature: status
  `kdump-config status` says whether a capture kernel is loaded (kdump) or
  fadump is registered. In kdump mode it reports the failed checks and any
  invalid /var/lib/kdump link, then the state, and always exits 0 (scripts
  grep its output). In fadump mode a failed check is an error: exit 1 and no
  state line (B28 kept).

  Scenario: Not ready before load, ready after
    Given a simulated machine "x86_64-ready"
    When I run "kdump-config status"
    Then the exit code is 0
    And stdout is exactly:
      """
      current state   : Not ready to kdump
      """
    When I run "kdump-config load"
    And I run "kdump-config status"
    Then the exit code is 0
    And stdout is exactly:
      """
      current state   : ready to kdump
      """

  Scenario: Not ready again after unload
    Given a machine "x86_64-ready"
    And kdump is loaded
    And "kdump-config unload" has run
    When I run "kdump-config status"
    Then the exit code is 0
    And stdout is exactly:
      """
      current state   : Not ready to kdump
      """

  Scenario: A kernel without crashkernel= is reported but status still exits 0
    Given a simulated machine "x86_64-no-crashkernel"
    When I run "kdump-config status"
    Then the exit code is 0
    And stdout is exactly:
      """
      no crashkernel= parameter in the kernel cmdline ... failed!
      current state   : Not ready to kdump
      """

  @decision-fix-quiet-missing-files
  Scenario: A kernel without kdump support
    Given a machine "x86_64-no-kexec"
    When I run "kdump-config status"
    Then the exit code is 0
    And stdout is exactly:
      """
      kdump is not supported by this kernel ... failed!
      current state   : Not ready to kdump
      """
    And stderr is empty

  Scenario: USE_KDUMP=0 is reported and status goes on
    Given a machine "x86_64-ready"
    And the config sets USE_KDUMP to "0"
    When I run "kdump-config status"
    Then the exit code is 0
    And stdout is exactly:
      """
      /etc/default/kdump-tools: USE_KDUMP is not set or zero ... failed!
      current state   : Not ready to kdump
      """

  @decision-fix-ssh-nfs-exclusive
  Scenario: Every failed check is reported, in the original's order
    Given a machine "x86_64-no-crashkernel"
    And the config sets USE_KDUMP to "0"
    And the config sets SSH to "kdump@backup.example"
    And the config sets NFS to "nfs.example:/export/crash"
    When I run "kdump-config status"
    Then the exit code is 0
    And stdout is exactly:
      """
      /etc/default/kdump-tools: USE_KDUMP is not set or zero ... failed!
      no crashkernel= parameter in the kernel cmdline ... failed!
      SSH and NFS cannot be defined concurrently ... failed!
      current state   : Not ready to kdump
      """

  @decision-fix-ssh-nfs-exclusive
  Scenario: SSH and NFS together are reported and status goes on
    Given a machine "x86_64-ready"
    And the config sets SSH to "kdump@backup.example"
    And the config sets NFS to "nfs.example:/export/crash"
    When I run "kdump-config status"
    Then the exit code is 0
    And stdout is exactly:
      """
      SSH and NFS cannot be defined concurrently ... failed!
      current state   : Not ready to kdump
      """

  Scenario: A link to another kernel version is an invalid symlink
    Given a machine "x86_64-ready"
    And the file "/boot/vmlinuz-6.1.0-17-amd64" contains "MZ older kernel"
    And the link "/var/lib/kdump/vmlinuz" points to "/boot/vmlinuz-6.1.0-17-amd64"
    When I run "kdump-config status"
    Then the exit code is 0
    And stdout is exactly:
      """
      Invalid symlink : /var/lib/kdump/vmlinuz ... failed!
      current state   : Not ready to kdump
      """

  Scenario: Missing and dangling links are invalid, initrd.img first
    Given a machine "x86_64-ready"
    And the link "/var/lib/kdump/vmlinuz" is absent
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64" is absent
    When I run "kdump-config status"
    Then the exit code is 0
    And stdout is exactly:
      """
      Invalid symlink : /var/lib/kdump/initrd.img ... failed!
      Invalid symlink : /var/lib/kdump/vmlinuz ... failed!
      current state   : Not ready to kdump
      """

  Scenario: status changes nothing
    Given a machine "x86_64-ready"
    And the link "/var/lib/kdump/vmlinuz" is absent
    When I run "kdump-config status"
    Then the file "/var/lib/kdump/vmlinuz" does not exist
    And "kexec" was not run

  @decision-fix-fadump-sysfs-layout
  Scenario Outline: fadump not registered, then registered (<profile>)
    Given a machine "<profile>"
    When I run "kdump-config status"
    Then the exit code is 0
    And stdout is exactly:
      """
      current state   : Not ready to fadump
      """
    When I run "kdump-config load"
    And I run "kdump-config status"
    Then the exit code is 0
    And stdout is exactly:
      """
      current state   : ready to fadump
      """

    Examples:
      | profile               |
      | ppc64le-fadump        |
      | ppc64le-fadump-legacy |

  @decision-fix-fadump-sysfs-layout
  Scenario Outline: fadump not configured is an error in status (<profile>)
    Given a machine "<profile>"
    And the file "<registered>" is absent
    When I run "kdump-config status"
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
  Scenario: USE_KDUMP=0 in fadump mode is an error in status
    Given a machine "ppc64le-fadump"
    And the config sets USE_KDUMP to "0"
    When I run "kdump-config status"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools: USE_KDUMP is not set or zero ... failed!
      """

  @decision-new-json
  Scenario: status --json carries the schema version, the codes and the state
    Given a machine "x86_64-no-crashkernel"
    When I run "kdump-config status --json"
    Then the exit code is 0
    And the JSON field "schema_version" is 1
    And the JSON field "command" is "status"
    And the JSON field "exit_code" is 0
    And the JSON field "dump_mode" is "kdump"
    And the JSON field "ready" is false
    And the JSON messages include "no-crashkernel"
    And the JSON messages include "state-not-ready"

  @decision-new-json
  Scenario: status --json when loaded
    Given a machine "x86_64-ready"
    And kdump is loaded
    When I run "kdump-config status --json"
    Then the exit code is 0
    And the JSON field "ready" is true
    And the JSON messages include "state-ready"

  @decision-new-json
  Scenario: status --json in fadump mode with a failed check
    Given a machine "ppc64le-fadump"
    And the file "/sys/kernel/fadump/registered" is absent
    When I run "kdump-config status --json"
    Then the exit code is 1
    And the JSON field "exit_code" is 1
    And the JSON field "dump_mode" is "fadump"
    And the JSON messages include "fadump-not-configured"
