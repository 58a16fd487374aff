Feature: help
  `kdump-config help` (and `-h`, `--help`, anything starting with `-h` or
  `--h`) prints the usage summary of the reference layout, listing every
  command (reload, try-reload and check included, B2), then the global
  options (--json among them) and the KDUMP_* environment variables, and
  exits 0. `kdump-config COMMAND --help` prints that command's help, exit 0;
  `--version` the version and the kdump-tools release whose behaviour it
  follows (issue 10).

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

      Global options, before or after the command:
        --backend linux|sim  act on this host (linux, the default) or a simulated machine
        --root DIR           linux: act on the file tree under DIR instead of /
        --sim-state DIR      sim: the simulated machine's state directory
        --json               print one JSON document: exit code, data, and every message
                             with its code (schemas: docs/schema/COMMAND.json)
        --version            print the version and the kdump-tools behaviour it follows
        COMMAND --help       print the help of one command
      Environment:
        KDUMP_BACKEND, KDUMP_ROOT, KDUMP_SIM_STATE
                             defaults for --backend, --root and --sim-state
        KDUMP_DEBUG=1        a traceback on an internal error
        NAME                 the message prefix and syslog tag (default kdump-config)
        NO_COLOR             no colour, even on a terminal
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

  Scenario Outline: <command> --help prints that command's help
    Given a machine "x86_64-ready"
    When I run "kdump-config <command> --help"
    Then the exit code is 0
    And stdout is exactly:
      """
      Usage: kdump-config [--backend linux|sim] [--root DIR] [--sim-state DIR] [--json] <usage>
      <summary>
      The global options may come before or after the command; see 'kdump-config help'.
      """
    And stderr is empty
    And "kexec" was not run

    Examples:
      | command    | usage                    | summary |
      | help       | help                     | Print a usage summary. |
      | test       | test                     | Dry-run: show the kernel, initrd and kexec command that load would use. |
      | show       | show                     | Show dump mode, parameters, state and the last kexec command. |
      | status     | status                   | Say whether a capture kernel is loaded (or fadump registered). |
      | check      | check                    | Every readiness check with a remedy; exit 0 ready, 3 not ready, 1 error. |
      | load       | load                     | Load the kdump kernel (or register fadump). |
      | unload     | unload                   | Unload the kdump kernel (or unregister fadump). |
      | reload     | reload                   | Unload, then load. |
      | try-reload | try-reload               | Reload only if loaded (memory and CPU hotplug). |
      | condreload | condreload               | Alias of try-reload. |
      | savecore   | savecore                 | Save /proc/vmcore (in the capture kernel). |
      | propagate  | propagate                | Send the ssh public key to the dump server. |
      | symlinks   | symlinks kernel-version  | Point /var/lib/kdump/{vmlinuz,initrd.img} at a kernel version (and build its kdump initrd). |

  Scenario: -h after a command is that command's help too, and changes nothing
    Given a machine "x86_64-ready"
    When I run "kdump-config load -h"
    Then the exit code is 0
    And stdout starts with:
      """
      Usage: kdump-config [--backend linux|sim] [--root DIR] [--sim-state DIR] [--json] load
      """
    And "kexec" was not run
    And "kdump-config status" reports "current state   : Not ready to kdump"

  Scenario: --version names the release and the kdump-tools behaviour it follows
    Given a machine "x86_64-ready"
    When I run "kdump-config --version"
    Then the exit code is 0
    And stdout is exactly:
      """
      kdump-config 0.1.0
      follows the behaviour of Debian's kdump-tools 1:1.10.3, with the fixes documented in docs/compatibility.md
      """
    And stderr is empty

  Scenario: --version in JSON
    Given a machine "x86_64-ready"
    When I run "kdump-config --version --json"
    Then the exit code is 0
    And the JSON document is valid against its schema
    And the JSON field "version" is "0.1.0"
    And the JSON field "follows" is "kdump-tools 1:1.10.3"
