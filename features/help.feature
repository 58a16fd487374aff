Feature: help
  `kdump-config help` (and `-h`, `--help`, anything starting with `-h` or
  `--h`) prints the usage summary of the reference layout, listing every
  command (reload, try-reload and check included, B2), and exits 0.

  @decision-fix-usage-exit
  Scenario: help prints the usage summary
    Given a machine "x86_64-ready"
    When I run "kdump-config help"
    Then the exit code is 0
    And stdout is exactly:
      """
      Usage:
      kdump-config {help|test|show|status|check|load|unload|reload|try-reload|savecore|propagate|symlinks kernel-version}
        help      - print this page
        test      - Do a dry-run of kdump kernel load command by showing
                    the kernels and parameters that will be used and echo'ing
                    the kexec command. The kexec command will not be executed.
                    If using fadump, check if required sysfs directories exist.
        show      - Show dump mode, status, any current parameters.
                    Show kexec command for kdump.
        status    - evaluate /sys/kernel/{kexec_crash_loaded,fadump_registered}
                    depending on dump mode. Print appropriate message
        check     - run every readiness check by name, with a remedy for each
                    problem. Exit 0 when ready, 3 when not ready, 1 on error.
        load      - Locate the kdump kernel, debug kernel, and establish links for
                    makedumpfile.  Then load the kdump kernel using kexec
                    If using fadump, register.
        unload    - unload the kdump kernel using kexec
                    If using fadump, unregister.
        reload    - unload, then load.
        try-reload - reload if a kdump kernel is loaded (or fadump registered);
                    used on memory and CPU hotplug. Alias: condreload.
        savecore  - use previously made links to save /proc/vmcore
        propagate - Send public ssh key to remote host for passwordless connection
        symlinks  - Verify and create vmlinuz and initrd.img links in /var/lib/kdump
                    according to the provided kernel version. If the target
                    initrd.img file is absent, it will create it.
      """
    And stderr is empty

  Scenario Outline: <option> is help
    Given a machine "x86_64-ready"
    When I run "kdump-config <option>"
    Then the exit code is 0
    And stdout is the same as for "kdump-config help"

    Examples:
      | option |
      | -h     |
      | --help |
      | -help  |
      | --hlp  |

  Scenario: help does not read the config file
    Given a machine "x86_64-ready"
    And the config file contains:
      """
      USE_KDUMP=$(reboot)
      """
    When I run "kdump-config help"
    Then the exit code is 0
    And stdout starts with:
      """
      Usage:
      """
