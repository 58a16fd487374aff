Feature: robustness: exit codes that match reality, and no traceback
  A config, an option or a kernel file in an odd shape is a clear message naming
  what is wrong (file and line for the config), exit 1, before anything is done;
  never a traceback, never "ready" for a machine that cannot dump. Anything
  unexpected ends at the one exception boundary as `internal-error`, exit 1.

  # -- path-valued settings must be absolute ----------------------------------------------
  @decision-fix-config-values
  Scenario: A relative KDUMP_COREDIR is a config error, and status says so
    Given a machine "x86_64-ready"
    And the config sets KDUMP_COREDIR to "var/crash"
    When I run "kdump-config status"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools:5: KDUMP_COREDIR='var/crash' must be an absolute path (starting with /) ... failed!
      """

  @decision-fix-config-values
  Scenario: A relative KDUMP_COREDIR stops unload before anything is unloaded
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the config sets KDUMP_COREDIR to "crash"
    When I run "kdump-config unload"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools:5: KDUMP_COREDIR='crash' must be an absolute path (starting with /) ... failed!
      """
    And "kexec" was run 1 time
    And the file "/sys/kernel/kexec_crash_loaded" contains "1"

  @decision-fix-config-values
  Scenario Outline: A relative <key> is a config error
    Given a machine "x86_64-ready"
    And the config sets <key> to "<value>"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools:<line>: <key>='<value>' must be an absolute path (starting with /) ... failed!
      """
    And "kexec" was not run

    Examples:
      | key          | value                 | line |
      | KDUMP_KERNEL | var/lib/kdump/vmlinuz | 5    |
      | KDUMP_INITRD | initrd.img            | 5    |
      | SSH_KEY      | .ssh/kdump_id_rsa     | 6    |
      | KDUMP_CONFIG | ./config              | 6    |

  @decision-fix-config-values
  Scenario: A relative path from the environment says where it came from
    Given a machine "x86_64-ready"
    And the config does not set KDUMP_COREDIR
    And the environment sets KDUMP_COREDIR to "crash"
    When I run "kdump-config status"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools: KDUMP_COREDIR='crash' must be an absolute path (starting with /) (set in the environment) ... failed!
      """

  # -- the machine options: empty is never "this host" ---------------------------------------
  @decision-new-global-options
  Scenario Outline: An empty global option is a usage error: <command>
    Given a machine "x86_64-ready"
    When I run "<command>"
    Then the exit code is 1
    And stdout is exactly:
      """
      <option> must not be empty ... failed!
      Usage: kdump-config {help|test|show|status|check|load|unload|reload|try-reload|savecore|propagate|symlinks kernel-version}
      """

    Examples:
      | command                            | option      |
      | kdump-config --root "" status      | --root      |
      | kdump-config --root= status        | --root      |
      | kdump-config --sim-state= status   | --sim-state |
      | kdump-config --backend "" status   | --backend   |

  @decision-new-global-options
  Scenario: An empty KDUMP_ROOT is a usage error, not the live host
    Given a machine "x86_64-ready"
    And the environment sets KDUMP_ROOT to an empty value
    When I run "kdump-config status" with no machine options
    Then the exit code is 1
    And stdout is exactly:
      """
      KDUMP_ROOT (from the environment) must not be empty ... failed!
      Usage: kdump-config {help|test|show|status|check|load|unload|reload|try-reload|savecore|propagate|symlinks kernel-version}
      """

  # -- a config file that cannot be read says so ----------------------------------------------
  # code: config-unreadable
  @decision-fix-quiet-missing-files
  Scenario: A config file that is a directory
    Given a machine "x86_64-ready"
    And "/etc/default/kdump-tools" is a directory
    When I run "kdump-config status"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools: cannot read the config file: Is a directory ... failed!
      """

  @decision-fix-quiet-missing-files
  Scenario: A config file that is a link loop
    Given a machine "x86_64-ready"
    And the link "/etc/default/kdump-tools" points to "kdump-tools"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools: cannot read the config file: Too many levels of symbolic links ... failed!
      """
    And "kexec" was not run

  @decision-fix-quiet-missing-files
  Scenario: A config file that is a dangling link
    Given a machine "x86_64-ready"
    And the link "/etc/default/kdump-tools" points to "/etc/kdump/nowhere"
    When I run "kdump-config status"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools: cannot read the config file: dangling symbolic link ... failed!
      """

  @decision-new-json
  Scenario: A config file that cannot be read, in JSON mode
    Given a machine "x86_64-ready"
    And "/etc/default/kdump-tools" is a directory
    When I run "kdump-config check --json"
    Then the exit code is 1
    And the JSON messages include "config-unreadable"

  # -- bytes, sizes and numbers ----------------------------------------------------------------
  @decision-fix-config-values
  Scenario: Bytes that are not UTF-8 in a value are an error with file and line
    Given a machine "x86_64-ready"
    And the config file holds the bytes "USE_KDUMP=1\nKDUMP_COREDIR=/var/cr\xe9sh\n"
    When I run "kdump-config status"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools:2: KDUMP_COREDIR='/var/cr\xe9sh' holds bytes that are not UTF-8 text ... failed!
      """

  Scenario: Bytes that are not UTF-8 in a comment are harmless
    Given a machine "x86_64-ready"
    And the config file holds the bytes "# r\xe9glages\nUSE_KDUMP=1\n"
    When I run "kdump-config status"
    Then the exit code is 0
    And stdout ends with:
      """
      current state   : Not ready to kdump
      """

  # code: config-too-large
  @decision-fix-config-grammar
  Scenario: A config whose values double on every line is refused in bounded memory
    Given a machine "x86_64-ready"
    And the config file holds the bytes "X=abcd\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\nX=$X$X\n"
    When I run "kdump-config status"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools:16: the value expands to more than 65536 characters (at $X): refused ... failed!
      """

  # code: config-too-large
  @decision-fix-config-values
  Scenario: An oversized config file is refused
    Given a machine "x86_64-ready"
    And the config file is 1048577 bytes of comments
    When I run "kdump-config status"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools: the file is larger than 1048576 bytes (a kdump-tools config is a few kilobytes): refused ... failed!
      """

  @decision-fix-config-values
  Scenario Outline: An integer beyond any sane range: <key>
    Given a machine "x86_64-ready"
    And the config sets <key> to "<value>"
    When I run "kdump-config status"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools:6: <key>='<value>' <problem> ... failed!
      """
    And no traceback was printed

    Examples:
      | key             | value                    | problem                                   |
      | KDUMP_NUM_DUMPS | 99999999999999999999     | is too large (at most 1000000000)         |
      | NFS_TIMEO       | 1000000001               | is too large (at most 1000000000)         |
      | SSH_KDUMP_RETRY | 00010000000000           | is too large (at most 1000000000)         |
      | FTP_PORT        | 65536                    | must be a port number from 1 to 65535     |

  @decision-fix-config-values
  Scenario: A 5000-digit integer is a config error, not a traceback
    Given a machine "x86_64-ready"
    And the config file holds the bytes "USE_KDUMP=1\nKDUMP_NUM_DUMPS=99999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999\n"
    When I run "kdump-config status"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools:2: KDUMP_NUM_DUMPS='999999999999999999999999999999999999999999999999999999999999... (5000 characters)' is too large (at most 1000000000) ... failed!
      """
    And no traceback was printed

  # -- the kdump initrd: never a stale one loaded -------------------------------------------------
  @decision-fix-initrd-rebuild @decision-fix-reload-keeps-loaded
  Scenario: The kdump initrd cannot be rebuilt after a sysctl change: load fails
    Given a machine "x86_64-ready"
    And the file "/etc/kdump/sysctl.conf" contains "kernel.panic=10"
    And the fault "kernel-hook" is armed
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      kdump-tools: Generating /var/lib/kdump/initrd.img-6.1.0-18-amd64
      /etc/kernel/postinst.d/kdump-tools failed to build /var/lib/kdump/initrd.img-6.1.0-18-amd64 ... failed!
      """
    And "kexec" was not run
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64" exists
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64.previous" does not exist
    And "kdump-config status" reports "current state   : Not ready to kdump"

  @decision-fix-initrd-rebuild
  Scenario: A kernel hook that skips the build (in a chroot) does not leave the stale initrd loaded
    Given a machine "x86_64-ready"
    And the file "/etc/kdump/sysctl.conf" contains "kernel.panic=10"
    And the fault "kernel-hook-skip" is armed
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      kdump-tools: Generating /var/lib/kdump/initrd.img-6.1.0-18-amd64
      /etc/kernel/postinst.d/kdump-tools failed to build /var/lib/kdump/initrd.img-6.1.0-18-amd64 ... failed!
      """
    And stderr contains "skipping initramfs generation"
    And "kexec" was not run

  @decision-fix-initrd-rebuild
  Scenario: A missing kdump initrd that the hook cannot build: load fails
    Given a machine "x86_64-ready"
    And the file "/var/lib/kdump/initrd.img-6.1.0-18-amd64" is absent
    And the fault "kernel-hook" is armed
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout ends with:
      """
      /etc/kernel/postinst.d/kdump-tools failed to build /var/lib/kdump/initrd.img-6.1.0-18-amd64 ... failed!
      """
    And "kexec" was not run

  # -- kernel files in odd shapes ---------------------------------------------------------------------
  Scenario: A CPU list in an odd shape does not break show
    Given a machine "x86_64-ready"
    And the file "/sys/devices/system/cpu/online" contains "a-b\n"
    When I run "kdump-config show"
    Then the exit code is 0
    And stdout contains the line "current state:    Not ready to kdump"
    And no traceback was printed

  Scenario Outline: kexec_crash_loaded holding "<text>" is not "loaded"
    Given a machine "x86_64-ready"
    And the file "/sys/kernel/kexec_crash_loaded" holds the bytes "<text>"
    When I run "kdump-config status"
    Then the exit code is 0
    And stdout ends with:
      """
      current state   : Not ready to kdump
      """

    Examples:
      | text                     |
      | \xef\xbc\x91\n           |
      | 1_0\n                    |
      | \xff\xfe                 |
      | 99999999999999999999999999 |

  @decision-new-check-command
  Scenario: Kernel files full of garbage do not break check
    Given a machine "x86_64-ready"
    And the file "/proc/sys/kernel/osrelease" holds the bytes "6.1\x00evil\n"
    And the file "/sys/kernel/kexec_crash_size" holds the bytes "\xff\xff\n"
    And the file "/proc/iomem" holds the bytes "zz-yy : Crash kernel\n"
    And the file "/proc/meminfo" holds the bytes "MemTotal: \xc2\xb2 kB\n"
    When I run "kdump-config check"
    Then the exit code is 3
    And no traceback was printed

  Scenario: A reservation size in an odd shape makes kexec refuse, cleanly
    Given a machine "x86_64-ready"
    And the file "/sys/kernel/kexec_crash_size" holds the bytes "\xff\xfe9999\n"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout ends with:
      """
      failed to load kdump kernel ... failed!
      """
    And stderr contains "Memory for crashkernel is not reserved"
    And no traceback was printed

  # -- the exception boundary -------------------------------------------------------------------------
  Scenario: An unexpected error is one catalog line and exit 1, no traceback
    Given a machine "x86_64-ready"
    And kdump-config will hit an unexpected error
    When I run "kdump-config status"
    Then the exit code is 1
    And stdout is exactly:
      """
      kdump-config: internal error: RuntimeError: simulated bug with a second line (set KDUMP_DEBUG=1 for a traceback) ... failed!
      """
    And stderr is empty

  Scenario: KDUMP_DEBUG=1 adds the traceback on stderr
    Given a machine "x86_64-ready"
    And kdump-config will hit an unexpected error
    And the environment sets KDUMP_DEBUG to "1"
    When I run "kdump-config test"
    Then the exit code is 1
    And stderr contains "Traceback (most recent call last)"
    And stderr contains "RuntimeError: simulated bug"

  Scenario: An unexpected error in JSON mode is still one JSON document
    Given a machine "x86_64-ready"
    And kdump-config will hit an unexpected error
    When I run "kdump-config check --json"
    Then the exit code is 1
    And the JSON field "exit_code" is 1
    And the JSON messages include "internal-error"

  Scenario: An unexpected error in savecore exits non-zero, so the fail path runs
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the machine has crashed into the capture kernel
    And kdump-config will hit an unexpected error
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout contains the line "kdump-config: internal error: RuntimeError: simulated bug with a second line (set KDUMP_DEBUG=1 for a traceback) ... failed!"
