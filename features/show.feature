Feature: show
  `kdump-config show` reports the failed checks, then the dump mode, the
  parameters, the state, the suggested crashkernel size and the recorded
  kexec command, in the reference layout 3.1 (no "kdump kernel:" heading,
  "NFS_RETRANS" without a colon: B46 labels kept). It exits 0 and changes
  nothing. In fadump mode it stops after the state line (layout 3.2).

  Scenario: The default machine before load
    Given a machine "x86_64-ready"
    When I run "kdump-config show"
    Then the exit code is 0
    And stdout is exactly:
      """
      DUMP_MODE:<TAB><TAB>kdump
      USE_KDUMP:<TAB><TAB>1
      KDUMP_COREDIR:<TAB><TAB>/var/crash
      crashkernel addr: 0x2b000000
         /var/lib/kdump/vmlinuz: symbolic link to /boot/vmlinuz-6.1.0-18-amd64
      kdump initrd:␠
         /var/lib/kdump/initrd.img: symbolic link to /var/lib/kdump/initrd.img-6.1.0-18-amd64
      current state:    Not ready to kdump

      crashkernel suggested size: 466M

      kexec command:
        no kexec command recorded
      """
    And stderr is empty

  Scenario: After load, the recorded kexec command
    Given a machine "x86_64-ready"
    And kdump is loaded
    When I run "kdump-config show"
    Then the exit code is 0
    And stdout is exactly:
      """
      DUMP_MODE:<TAB><TAB>kdump
      USE_KDUMP:<TAB><TAB>1
      KDUMP_COREDIR:<TAB><TAB>/var/crash
      crashkernel addr: 0x2b000000
         /var/lib/kdump/vmlinuz: symbolic link to /boot/vmlinuz-6.1.0-18-amd64
      kdump initrd:␠
         /var/lib/kdump/initrd.img: symbolic link to /var/lib/kdump/initrd.img-6.1.0-18-amd64
      current state:    ready to kdump

      crashkernel suggested size: 466M

      kexec command:
        /sbin/kexec -p --command-line="BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=3f1c6a2e-7d1b-4a51-9a0e-2b8f0c9d1e47 ro quiet reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll usbcore.nousb" --initrd=/var/lib/kdump/initrd.img /var/lib/kdump/vmlinuz
      """

  Scenario: After unload, no stale kexec command (B22)
    Given a machine "x86_64-ready"
    And kdump is loaded
    And "kdump-config unload" has run
    When I run "kdump-config show"
    Then the exit code is 0
    And stdout ends with:
      """
      current state:    Not ready to kdump

      crashkernel suggested size: 466M

      kexec command:
        no kexec command recorded
      """

  Scenario: Failed checks come first, and show goes on
    Given a machine "x86_64-no-crashkernel"
    And the config sets USE_KDUMP to "0"
    When I run "kdump-config show"
    Then the exit code is 0
    And stdout starts with:
      """
      /etc/default/kdump-tools: USE_KDUMP is not set or zero ... failed!
      no crashkernel= parameter in the kernel cmdline ... failed!
      DUMP_MODE:<TAB><TAB>kdump
      USE_KDUMP:<TAB><TAB>0
      KDUMP_COREDIR:<TAB><TAB>/var/crash
      crashkernel addr:␠
      """

  Scenario: A kernel without kdump support is reported by show
    Given a machine "x86_64-no-kexec"
    When I run "kdump-config show"
    Then the exit code is 0
    And stdout starts with:
      """
      kdump is not supported by this kernel ... failed!
      DUMP_MODE:<TAB><TAB>kdump
      """

  Scenario: SSH and NFS targets are shown, and their conflict reported
    Given a machine "x86_64-ready"
    And the config sets SSH to "kdump@backup.example"
    And the config sets NFS to "nfs.example:/export/crash"
    When I run "kdump-config show"
    Then the exit code is 0
    And stdout is exactly:
      """
      SSH and NFS cannot be defined concurrently ... failed!
      DUMP_MODE:<TAB><TAB>kdump
      USE_KDUMP:<TAB><TAB>1
      KDUMP_COREDIR:<TAB><TAB>/var/crash
      crashkernel addr: 0x2b000000
         /var/lib/kdump/vmlinuz: symbolic link to /boot/vmlinuz-6.1.0-18-amd64
      kdump initrd:␠
         /var/lib/kdump/initrd.img: symbolic link to /var/lib/kdump/initrd.img-6.1.0-18-amd64
      SSH:              kdump@backup.example
      SSH_KEY:          /root/.ssh/kdump_id_rsa
      NFS:              nfs.example:/export/crash
      NFS_TIMEO:        600
      NFS_RETRANS       3
      HOSTTAG:          ip
      current state:    Not ready to kdump

      crashkernel suggested size: 466M

      kexec command:
        no kexec command recorded
      """

  Scenario: An FTP target is shown without its password
    Given a machine "x86_64-ready"
    And the config sets FTP to "ftp.example:/incoming"
    And the config sets FTP_USER to "kdump"
    And the config sets FTP_PASSWORD to "s3cret"
    And the config sets FTP_PORT to "2121"
    And the config sets HOSTTAG to "hostname"
    When I run "kdump-config show"
    Then the exit code is 0
    And stdout does not contain "s3cret"
    And stdout is exactly:
      """
      DUMP_MODE:<TAB><TAB>kdump
      USE_KDUMP:<TAB><TAB>1
      KDUMP_COREDIR:<TAB><TAB>/var/crash
      crashkernel addr: 0x2b000000
         /var/lib/kdump/vmlinuz: symbolic link to /boot/vmlinuz-6.1.0-18-amd64
      kdump initrd:␠
         /var/lib/kdump/initrd.img: symbolic link to /var/lib/kdump/initrd.img-6.1.0-18-amd64
      FTP:              ftp.example:/incoming
      FTP_USER:         kdump
      FTP_PASSWORD:     is set
      FTP_PORT:         2121
      HOSTTAG:          hostname
      current state:    Not ready to kdump

      crashkernel suggested size: 466M

      kexec command:
        no kexec command recorded
      """

  Scenario: A dangling link is shown as broken
    Given a machine "x86_64-ready"
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64" is absent
    When I run "kdump-config show"
    Then the exit code is 0
    And stdout contains the line "   /var/lib/kdump/initrd.img: broken symbolic link to /var/lib/kdump/initrd.img-6.1.0-18-amd64"
    And stdout does not contain "Invalid symlink"

  Scenario: Without the early boot memory snapshot the size is unknown
    Given a machine "x86_64-ready"
    And the file "/var/lib/kdump/mem-6.1.0-18-amd64" is absent
    When I run "kdump-config show"
    Then the exit code is 0
    And stdout contains the line "crashkernel suggested size: Unknown (can't find early boot memory info, it's only available after a reboot)"

  Scenario: Without the decompressed initrd size the size is unknown
    Given a machine "x86_64-ready"
    And the file "/var/lib/kdump/size_initrd.img-6.1.0-18-amd64" is absent
    When I run "kdump-config show"
    Then the exit code is 0
    And stdout contains the line "crashkernel suggested size: Unknown (can't find decompressed initrd size)"

  Scenario: An empty decompressed initrd size file
    Given a machine "x86_64-ready"
    And the file "/var/lib/kdump/size_initrd.img-6.1.0-18-amd64" is empty
    When I run "kdump-config show"
    Then the exit code is 0
    And stdout contains the line "crashkernel suggested size: Unknown (zero-sized decompressed initrd size)"

  Scenario: An initrd whose name carries no kernel version
    Given a machine "x86_64-non-relocatable"
    When I run "kdump-config show"
    Then the exit code is 0
    And stdout contains the line "crashkernel suggested size: Unknown (can't parse kernel version from initrd filename)"

  Scenario Outline: fadump layout, before and after registering (<profile>)
    Given a machine "<profile>"
    When I run "kdump-config show"
    Then the exit code is 0
    And stdout is exactly:
      """
      DUMP_MODE:<TAB><TAB>fadump
      USE_KDUMP:<TAB><TAB>1
      KDUMP_COREDIR:<TAB><TAB>/var/crash
         /var/lib/kdump/vmlinuz
      kdump initrd:␠
         /var/lib/kdump/initrd.img
      current state:    Not ready to fadump
      """
    When I run "kdump-config load"
    And I run "kdump-config show"
    Then the exit code is 0
    And stdout ends with:
      """
      current state:    ready to fadump
      """

    Examples:
      | profile               |
      | ppc64le-fadump        |
      | ppc64le-fadump-legacy |

  Scenario: fadump not configured is reported by show
    Given a machine "ppc64le-fadump"
    And the file "/sys/kernel/fadump/registered" is absent
    When I run "kdump-config show"
    Then the exit code is 0
    And stdout is exactly:
      """
      fadump is not configured in this kernel. ... failed!
      Try passing "fadump=on" to enable fadump ... failed!
      DUMP_MODE:<TAB><TAB>fadump
      USE_KDUMP:<TAB><TAB>1
      KDUMP_COREDIR:<TAB><TAB>/var/crash
         /var/lib/kdump/vmlinuz
      kdump initrd:␠
         /var/lib/kdump/initrd.img
      current state:    Not ready to fadump
      """

  Scenario: show --json
    Given a machine "x86_64-ready"
    And kdump is loaded
    When I run "kdump-config show --json"
    Then the exit code is 0
    And the JSON field "schema_version" is 1
    And the JSON field "command" is "show"
    And the JSON field "ready" is true
    And the JSON field "crashkernel_addr" is ["0x2b000000"]
    And the JSON field "crashkernel_suggested_mib" is 466
    And the JSON messages include "estimate"

  Scenario: show --json without a recorded command or an estimate
    Given a machine "x86_64-ready"
    And the file "/var/lib/kdump/mem-6.1.0-18-amd64" is absent
    When I run "kdump-config show --json"
    Then the exit code is 0
    And the JSON field "kexec_command" is null
    And the JSON field "crashkernel_suggested_mib" is null
    And the JSON messages include "estimate-unknown"
    And the JSON messages include "no-kexec-command"
