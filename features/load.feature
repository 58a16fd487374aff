Feature: load
  `kdump-config load` checks USE_KDUMP, kdump support and crashkernel=, stops
  at the first failure (exit 1), points the /var/lib/kdump links at the
  running kernel, locates the kdump kernel, runs kexec with an argv list, and
  records the command. In fadump mode it registers with the firmware instead.

  Scenario: Loading on the default machine
    Given a machine "x86_64-ready"
    When I run "kdump-config load"
    Then the exit code is 0
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      loaded kdump kernel.
      """
    And stderr is empty
    And kexec was run as "kexec -p '--command-line=BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=3f1c6a2e-7d1b-4a51-9a0e-2b8f0c9d1e47 ro quiet reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll usbcore.nousb' --initrd=/var/lib/kdump/initrd.img /var/lib/kdump/vmlinuz"
    And the file "/var/crash/kexec_cmd" contains "--initrd=/var/lib/kdump/initrd.img /var/lib/kdump/vmlinuz"
    And the file "/proc/sys/kernel/panic_on_oops" contains "1"
    And "kdump-config status" reports "current state   : ready to kdump"

  Scenario: The links are pointed at the running kernel
    Given a machine "x86_64-ready"
    And the file "/boot/vmlinuz-6.1.0-17-amd64" contains "MZ older kernel"
    And the link "/var/lib/kdump/vmlinuz" points to "/boot/vmlinuz-6.1.0-17-amd64"
    And the link "/var/lib/kdump/initrd.img" is absent
    When I run "kdump-config load"
    Then the exit code is 0
    And the link "/var/lib/kdump/vmlinuz" points to "/boot/vmlinuz-6.1.0-18-amd64"
    And the link "/var/lib/kdump/initrd.img" points to "/var/lib/kdump/initrd.img-6.1.0-18-amd64"

  Scenario: A missing kdump initrd is built by the kernel hook
    Given a machine "x86_64-ready"
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64" is absent
    When I run "kdump-config load"
    Then the exit code is 0
    And stdout is exactly:
      """
      kdump-tools: Generating /var/lib/kdump/initrd.img-6.1.0-18-amd64
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      loaded kdump kernel.
      """
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64" exists

  Scenario: A changed /etc/kdump/sysctl.conf rebuilds the kdump initrd
    Given a machine "x86_64-ready"
    And the file "/etc/kdump/sysctl.conf" contains:
      """
      vm.nr_hugepages=0
      kernel.panic=10
      """
    When I run "kdump-config load"
    Then the exit code is 0
    And stdout is exactly:
      """
      kdump-tools: Generating /var/lib/kdump/initrd.img-6.1.0-18-amd64
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      loaded kdump kernel.
      """
    And the file "/var/lib/kdump/latest_sysctls-6.1.0-18-amd64" contains "kernel.panic=10"

  Scenario: Without /etc/kdump/sysctl.conf there is nothing to rebuild (B14)
    Given a machine "x86_64-ready"
    And the file "/etc/kdump/sysctl.conf" is absent
    When I run "kdump-config load"
    Then the exit code is 0
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      loaded kdump kernel.
      """
    And stderr is empty

  Scenario: A failing sysctl does not fail load
    Given a machine "x86_64-ready"
    And the fault "sysctl" is armed
    When I run "kdump-config load"
    Then the exit code is 0
    And stdout ends with:
      """
      loaded kdump kernel.
      """

  Scenario: USE_KDUMP=0 stops load first, with nothing changed
    Given a machine "x86_64-no-crashkernel"
    And the config sets USE_KDUMP to "0"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools: USE_KDUMP is not set or zero ... failed!
      """
    And "kexec" was not run

  Scenario: An absent config file leaves USE_KDUMP unset
    Given a machine "x86_64-ready"
    And the file "/etc/default/kdump-tools" is absent
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools: USE_KDUMP is not set or zero ... failed!
      """

  Scenario: A kernel without kdump support
    Given a machine "x86_64-no-kexec"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      kdump is not supported by this kernel ... failed!
      """
    And "kexec" was not run

  Scenario: No crashkernel= on the kernel command line
    Given a machine "x86_64-no-crashkernel"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      no crashkernel= parameter in the kernel cmdline ... failed!
      """
    And "kexec" was not run

  Scenario: SSH and NFS together stop load
    Given a machine "x86_64-ready"
    And the config sets SSH to "kdump@backup.example"
    And the config sets NFS to "nfs.example:/export/crash"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      SSH and NFS cannot be defined concurrently ... failed!
      """
    And "kexec" was not run

  Scenario: KDUMP_KERNEL names a file that does not exist
    Given a machine "x86_64-ready"
    And the config sets KDUMP_KERNEL to "/boot/vmlinuz-kdump"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      /etc/default/kdump-tools: KDUMP_KERNEL does not exist: /boot/vmlinuz-kdump ... failed!
      """
    And "kexec" was not run

  Scenario: KDUMP_INITRD names a file that does not exist
    Given a machine "x86_64-ready"
    And the config sets KDUMP_INITRD to "/boot/initrd.img-kdump"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      /etc/default/kdump-tools: KDUMP_INITRD does not exist: /boot/initrd.img-kdump ... failed!
      """
    And "kexec" was not run

  Scenario: The running kernel's image is gone from /boot
    Given a machine "x86_64-ready"
    And the file "/boot/vmlinuz-6.1.0-18-amd64" is absent
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      Invalid kernel version : 6.1.0-18-amd64 ... failed!
      /etc/default/kdump-tools: KDUMP_KERNEL does not exist: /var/lib/kdump/vmlinuz ... failed!
      """
    And "kexec" was not run

  Scenario: No kdump initrd and no kernel hook to build one
    Given a machine "x86_64-ready"
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64" is absent
    And the file "/etc/kernel/postinst.d/kdump-tools" is absent
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      Unable to locate kernel hook ... failed!
      """
    And "kexec" was not run

  Scenario: Without KDUMP_KERNEL, a relocatable running kernel is its own kdump kernel
    Given a machine "x86_64-ready"
    And the config file contains:
      """
      USE_KDUMP=1
      """
    When I run "kdump-config load"
    Then the exit code is 0
    And kexec was run as "kexec -p '--command-line=BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=3f1c6a2e-7d1b-4a51-9a0e-2b8f0c9d1e47 ro quiet reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll usbcore.nousb' --initrd=/boot/initrd.img-6.1.0-18-amd64 /boot/vmlinuz-6.1.0-18-amd64"

  Scenario: A relocatable kernel without its /boot initrd loads without one
    Given a machine "x86_64-ready"
    And the config file contains:
      """
      USE_KDUMP=1
      """
    And the file "/boot/initrd.img-6.1.0-18-amd64" is absent
    When I run "kdump-config load"
    Then the exit code is 0
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      no kdump initrd image: /boot/initrd.img-6.1.0-18-amd64 ... (warning).
      an initrd will not be used ... (warning).
      loaded kdump kernel.
      """
    And kexec was run as "kexec -p '--command-line=BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=3f1c6a2e-7d1b-4a51-9a0e-2b8f0c9d1e47 ro quiet reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll usbcore.nousb' /boot/vmlinuz-6.1.0-18-amd64"

  Scenario: A non-relocatable kernel loads the linux-kdump package's kernel
    Given a machine "x86_64-non-relocatable"
    When I run "kdump-config load"
    Then the exit code is 0
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      loaded kdump kernel.
      """
    And kexec was run as "kexec -p '--command-line=BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=3f1c6a2e-7d1b-4a51-9a0e-2b8f0c9d1e47 ro quiet reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll usbcore.nousb' --initrd=/usr/lib/linux-kdump-6.1.0-18-amd64/initrd.img /usr/lib/linux-kdump-6.1.0-18-amd64/vmlinuz"

  Scenario: No kdump package directory
    Given a machine "x86_64-non-relocatable"
    And the directory "/usr/lib/linux-kdump-6.1.0-18-amd64" is absent
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      no KDUMP_KERNEL in /etc/default/kdump-tools and ... failed!
      can't find a kdump package directory in /usr/lib ... failed!
      """
    And "kexec" was not run

  Scenario: A kdump package directory without a kernel
    Given a machine "x86_64-non-relocatable"
    And the file "/usr/lib/linux-kdump-6.1.0-18-amd64/vmlinuz" is absent
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      found a linux-kdump package in /usr/lib/linux-kdump-6.1.0-18-amd64 ... failed!
      but can't find a kdump kernel in /usr/lib/linux-kdump-6.1.0-18-amd64 ... failed!
      """
    And "kexec" was not run

  Scenario: A kdump package kernel without an initrd is loaded without one
    Given a machine "x86_64-non-relocatable"
    And the file "/usr/lib/linux-kdump-6.1.0-18-amd64/initrd.img" is absent
    When I run "kdump-config load"
    Then the exit code is 0
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      no kdump initrd image: /usr/lib/linux-kdump-6.1.0-18-amd64/initrd.img ... (warning).
      an initrd will not be used ... (warning).
      loaded kdump kernel.
      """
    And kexec was run as "kexec -p '--command-line=BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=3f1c6a2e-7d1b-4a51-9a0e-2b8f0c9d1e47 ro quiet reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll usbcore.nousb' /usr/lib/linux-kdump-6.1.0-18-amd64/vmlinuz"

  Scenario: A kdump kernel built for another start address is refused
    Given a machine "x86_64-non-relocatable"
    And the file "/root/kdump-kernel.config" contains:
      """
      CONFIG_PHYSICAL_START=0x1000000
      CONFIG_CRASH_DUMP=y
      """
    And the config sets KDUMP_CONFIG to "/root/kdump-kernel.config"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      kdump kernel relocation address does not match crashkernel= parameter ... failed!
      """
    And "kexec" was not run

  Scenario: A kdump kernel built for another start address is refused before the package search
    Given a machine "x86_64-non-relocatable"
    And the directory "/usr/lib/linux-kdump-6.1.0-18-amd64" is absent
    And the file "/root/kdump-kernel.config" contains:
      """
      CONFIG_PHYSICAL_START=0x1000000
      """
    And the config sets KDUMP_CONFIG to "/root/kdump-kernel.config"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      kdump kernel relocation address does not match crashkernel= parameter ... failed!
      """
    And "kexec" was not run

  Scenario: A kdump kernel built for the reserved address is loaded
    Given a machine "x86_64-non-relocatable"
    And the file "/root/kdump-kernel.config" contains:
      """
      CONFIG_PHYSICAL_START=0x2b000000
      CONFIG_CRASH_DUMP=y
      """
    And the config sets KDUMP_CONFIG to "/root/kdump-kernel.config"
    When I run "kdump-config load"
    Then the exit code is 0
    And stdout ends with:
      """
      loaded kdump kernel.
      """

  Scenario: kexec fails to load
    Given a machine "x86_64-ready"
    And the fault "kexec-load" is armed
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      failed to load kdump kernel ... failed!
      """
    And stderr contains "kexec_load failed"
    And the file "/var/crash/kexec_cmd" does not exist
    And "kdump-config status" reports "current state   : Not ready to kdump"

  Scenario: Loading again while loaded changes nothing (B14, B16)
    Given a machine "x86_64-ready"
    And kdump is loaded
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      Cannot change symbolic links when kdump is loaded ... failed!
      kdump is already loaded: run 'kdump-config reload' to load it again
      """
    And "kexec" was run 1 time
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64" exists
    And the link "/var/lib/kdump/initrd.img" points to "/var/lib/kdump/initrd.img-6.1.0-18-amd64"
    And "kdump-config status" reports "current state   : ready to kdump"

  Scenario: Loading again while loaded keeps the kdump initrd even when sysctl.conf changed (B14)
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the file "/etc/kdump/sysctl.conf" contains "kernel.panic=10"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      Cannot change symbolic links when kdump is loaded ... failed!
      kdump is already loaded: run 'kdump-config reload' to load it again
      """
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64" exists

  Scenario: kexec not installed is a clear failure (B20)
    Given a machine "x86_64-ready"
    And the tool "kexec" is not installed
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      kexec is not installed: no kexec program found (install kexec-tools) ... failed!
      """

  Scenario: Without sysctl the panic trigger cannot be set; load still succeeds
    Given a machine "x86_64-ready"
    And the tool "sysctl" is not installed
    When I run "kdump-config load"
    Then the exit code is 0
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      loaded kdump kernel.
      kdump-config couldn't set panic trigger (sysctl binary not available) ... (warning).
      """

  Scenario: The panic trigger warning names the program as NAME says (B48)
    Given a machine "x86_64-ready"
    And the tool "sysctl" is not installed
    And the environment sets NAME to "kdump-tools"
    When I run "kdump-config load"
    Then the exit code is 0
    And stdout ends with:
      """
      kdump-tools couldn't set panic trigger (sysctl binary not available) ... (warning).
      """

  Scenario: Secure boot and lockdown load with kexec -s
    Given a machine "x86_64-secureboot"
    When I run "kdump-config load"
    Then the exit code is 0
    And kexec was run as "kexec -p -s '--command-line=BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=3f1c6a2e-7d1b-4a51-9a0e-2b8f0c9d1e47 ro quiet reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll usbcore.nousb' --initrd=/var/lib/kdump/initrd.img /var/lib/kdump/vmlinuz"
    And "kdump-config status" reports "current state   : ready to kdump"

  Scenario Outline: Secure boot alone, or lockdown alone, loads with kexec -s (<profile>)
    Given a machine "<profile>"
    When I run "kdump-config load"
    Then the exit code is 0
    And kexec was run as "kexec -p -s '--command-line=BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=3f1c6a2e-7d1b-4a51-9a0e-2b8f0c9d1e47 ro quiet reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll usbcore.nousb' --initrd=/var/lib/kdump/initrd.img /var/lib/kdump/vmlinuz"
    And "kdump-config status" reports "current state   : ready to kdump"

    Examples:
      | profile                 |
      | x86_64-secureboot-only  |
      | x86_64-lockdown-only    |

  Scenario: securelevel 1 alone loads with kexec -s
    Given a machine "x86_64-ready"
    And the file "/sys/kernel/security/securelevel" contains "1"
    When I run "kdump-config load"
    Then the exit code is 0
    And kexec was run as "kexec -p -s '--command-line=BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=3f1c6a2e-7d1b-4a51-9a0e-2b8f0c9d1e47 ro quiet reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll usbcore.nousb' --initrd=/var/lib/kdump/initrd.img /var/lib/kdump/vmlinuz"

  Scenario: arm64 loads with its own command line append
    Given a machine "arm64-ready"
    When I run "kdump-config load"
    Then the exit code is 0
    And kexec was run as "kexec -p '--command-line=BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-arm64 root=UUID=9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d ro quiet reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1' --initrd=/var/lib/kdump/initrd.img /var/lib/kdump/vmlinuz"

  # code: host-error
  Scenario: A machine error is reported and load fails
    Given a machine "x86_64-ready"
    And the fault "readonly" is armed with "/var/lib/kdump"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      kdump-config: symlink /var/lib/kdump/vmlinuz: Read-only file system ... failed!
      """
    And "kexec" was not run

  Scenario Outline: fadump registers with the firmware (<profile>)
    Given a machine "<profile>"
    When I run "kdump-config load"
    Then the exit code is 0
    And stdout is exactly:
      """
      fadump registered successfully.
      """
    And "kexec" was not run
    And the file "<registered>" contains "1"
    And "kdump-config status" reports "current state   : ready to fadump"

    Examples:
      | profile               | registered                     |
      | ppc64le-fadump        | /sys/kernel/fadump/registered  |
      | ppc64le-fadump-legacy | /sys/kernel/fadump_registered  |

  Scenario Outline: Registering fadump again is not a failure (<profile>)
    Given a machine "<profile>"
    And "kdump-config load" has run
    When I run "kdump-config load"
    Then the exit code is 0
    And stdout is exactly:
      """
      fadump registered successfully.
      """

    Examples:
      | profile               |
      | ppc64le-fadump        |
      | ppc64le-fadump-legacy |

  Scenario Outline: The firmware refuses to register (<profile>)
    Given a machine "<profile>"
    And the fault "fadump-register" is armed
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      fadump registering failed ... failed!
      """
    And "kdump-config status" reports "current state   : Not ready to fadump"

    Examples:
      | profile               |
      | ppc64le-fadump        |
      | ppc64le-fadump-legacy |

  Scenario Outline: fadump not configured in this kernel (<profile>)
    Given a machine "<profile>"
    And the file "<registered>" is absent
    When I run "kdump-config load"
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

  Scenario: USE_KDUMP=0 stops a fadump load
    Given a machine "ppc64le-fadump"
    And the config sets USE_KDUMP to "0"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools: USE_KDUMP is not set or zero ... failed!
      """
    And the file "/sys/kernel/fadump/registered" contains "0"

  Scenario: A fadump load without sysctl warns about the panic trigger
    Given a machine "ppc64le-fadump"
    And the tool "sysctl" is not installed
    When I run "kdump-config load"
    Then the exit code is 0
    And stdout is exactly:
      """
      fadump registered successfully.
      kdump-config couldn't set panic trigger (sysctl binary not available) ... (warning).
      """
