Feature: savecore to the local disk
  In the capture kernel, `kdump-config savecore` stores the kernel log and the
  vmcore in KDUMP_COREDIR/<stamp>/: a 0700 directory of 0600 files, named
  -incomplete until they are complete. It exits 1 unless a complete vmcore was
  stored, so that the service runs KDUMP_FAIL_CMD.

  Scenario: The kernel log and a flattened dump are saved, private to root
    Given the machine "x86_64-ready" has crashed into its capture kernel
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout is exactly:
      """
      running makedumpfile --dump-dmesg /proc/vmcore /var/crash/202401010000/dmesg-incomplete.
      kdump-config: saved dmesg content in /var/crash/202401010000.
      running makedumpfile -F -c -d 31 /proc/vmcore | compress > /var/crash/202401010000/dump-incomplete.
      kdump-config: saved vmcore in /var/crash/202401010000.
      """
    And stderr is empty
    And the dump directory "/var/crash/202401010000" holds exactly:
      """
      dmesg.202401010000 0600
      dump.202401010000 0600
      """
    And the dump directory "/var/crash/202401010000" has mode 0700
    And the dump file "/var/crash/202401010000/dump.202401010000" is a flattened makedumpfile dump
    And the dump file "/var/crash/202401010000/dmesg.202401010000" is the kernel log
    And the syslog contains "kdump-config: saved vmcore in /var/crash/202401010000"
    And "makedumpfile" was run with "-F -c -d 31 /proc/vmcore"

  Scenario: The kernel log and the dump are flushed before they get their names, and the names after
    Given the machine "x86_64-ready" has crashed into its capture kernel
    When I run "kdump-config savecore"
    Then the exit code is 0
    And "/var/crash/202401010000/dmesg-incomplete" was flushed, renamed to "/var/crash/202401010000/dmesg.202401010000", then its directory flushed
    And "/var/crash/202401010000/dump-incomplete" was flushed, renamed to "/var/crash/202401010000/dump.202401010000", then its directory flushed

  Scenario: The copied vmcore is flushed before it gets its name, and the name after
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the fault "makedumpfile" is armed
    When I run "kdump-config savecore"
    Then the exit code is 0
    And "/var/crash/202401010000/vmcore-incomplete" was flushed, renamed to "/var/crash/202401010000/vmcore.202401010000", then its directory flushed

  Scenario: Outside a capture kernel there is no vmcore to save
    Given a simulated machine "x86_64-ready"
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout is exactly:
      """
      kdump-config: /proc/vmcore does not exist: this is not a capture kernel, there is no vmcore to save ... failed!
      """
    And "makedumpfile" never ran

  Scenario: The service's NAME prefixes the messages
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the environment sets NAME to "kdump-tools"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout contains the line "kdump-tools: saved vmcore in /var/crash/202401010000."

  Scenario Outline: A failed makedumpfile falls back to a full copy, even when the pipe looked fine
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the config sets KDUMP_COMPRESSION to "<method>"
    And the fault "<fault>" is armed
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout is exactly:
      """
      running makedumpfile --dump-dmesg /proc/vmcore /var/crash/202401010000/dmesg-incomplete.
      kdump-config: saved dmesg content in /var/crash/202401010000.
      running makedumpfile -F -c -d 31 /proc/vmcore | compress > /var/crash/202401010000/dump-incomplete<ext>.
      kdump-config: makedumpfile failed, falling back to 'cp' ... failed!
      running cp /proc/vmcore /var/crash/202401010000/vmcore-incomplete.
      kdump-config: saved vmcore in /var/crash/202401010000.
      """
    And the dump directory "/var/crash/202401010000" holds exactly:
      """
      dmesg.202401010000 0600
      vmcore.202401010000 0600
      """
    And the dump file "/var/crash/202401010000/vmcore.202401010000" is a copy of the vmcore

    # makedumpfile-empty: exit 0 and not one byte, caught by the size of the file written.
    Examples:
      | fault              | method | ext |
      | makedumpfile       | gzip   | .gz |
      | makedumpfile-short | gzip   | .gz |
      | compressor         | gzip   | .gz |
      | makedumpfile-short |        |     |
      | makedumpfile-empty |        |     |

  Scenario: When the copy fails too, the vmcore is not saved and savecore exits 1
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the fault "makedumpfile" is armed
    And the fault "disk-full-after" is armed with "65536"
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout is exactly:
      """
      running makedumpfile --dump-dmesg /proc/vmcore /var/crash/202401010000/dmesg-incomplete.
      kdump-config: saved dmesg content in /var/crash/202401010000.
      running makedumpfile -F -c -d 31 /proc/vmcore | compress > /var/crash/202401010000/dump-incomplete.
      kdump-config: makedumpfile failed, falling back to 'cp' ... failed!
      running cp /proc/vmcore /var/crash/202401010000/vmcore-incomplete.
      kdump-config: failed to save vmcore in /var/crash/202401010000 ... failed!
      """
    And the dump directory "/var/crash/202401010000" holds exactly:
      """
      dmesg.202401010000 0600
      """
    And the syslog contains "kdump-config: failed to save vmcore in /var/crash/202401010000"

  Scenario: A copy that ends short of the vmcore's size is no saved vmcore
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the fault "makedumpfile" is armed
    And the fault "vmcore-short-copy" is armed with "65536"
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout ends with:
      """
      running cp /proc/vmcore /var/crash/202401010000/vmcore-incomplete.
      kdump-config: failed to save vmcore in /var/crash/202401010000 ... failed!
      """
    And the dump directory "/var/crash/202401010000" holds exactly:
      """
      dmesg.202401010000 0600
      """

  Scenario: Without makedumpfile, a short copy is no saved vmcore either
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the tool "makedumpfile" is not installed
    And the fault "vmcore-short-copy" is armed with "1048576"
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout ends with:
      """
      running cp /proc/vmcore /var/crash/202401010000/vmcore-incomplete.
      kdump-config: failed to save vmcore in /var/crash/202401010000 ... failed!
      """
    And the dump directory "/var/crash/202401010000" holds exactly:
      """
      """

  Scenario: A dump directory that cannot be created means no vmcore
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the file "/var/crash" is absent
    And the file "/var/crash" contains "not a directory"
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout is exactly:
      """
      kdump-config: failed to save vmcore in /var/crash/202401010000 ... failed!
      """

  Scenario Outline: A failed kernel log extraction is reported and the vmcore is still saved (<fault>)
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the fault "<fault>" is armed
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout is exactly:
      """
      running makedumpfile --dump-dmesg /proc/vmcore /var/crash/202401010000/dmesg-incomplete.
      kdump-config: makedumpfile --dump-dmesg failed. dmesg content will be unavailable ... failed!
      kdump-config: failed to save dmesg content in /var/crash/202401010000 ... failed!
      running makedumpfile -F -c -d 31 /proc/vmcore | compress > /var/crash/202401010000/dump-incomplete.
      kdump-config: saved vmcore in /var/crash/202401010000.
      """
    And the dump directory "/var/crash/202401010000" holds exactly:
      """
      dump.202401010000 0600
      """

    # dmesg-empty: makedumpfile exits 0 with an empty log: no kernel log is no success.
    Examples:
      | fault       |
      | dmesg       |
      | dmesg-empty |

  Scenario: KDUMP_DUMP_DMESG=0 skips the kernel log
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the config sets KDUMP_DUMP_DMESG to "0"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout is exactly:
      """
      running makedumpfile -F -c -d 31 /proc/vmcore | compress > /var/crash/202401010000/dump-incomplete.
      kdump-config: saved vmcore in /var/crash/202401010000.
      """

  Scenario: Without makedumpfile the raw vmcore is copied, named vmcore, and no kernel log is claimed
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the tool "makedumpfile" is not installed
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout is exactly:
      """
      makedumpfile not installed, cannot extract dmesg ... (warning).
      running cp /proc/vmcore /var/crash/202401010000/vmcore-incomplete.
      kdump-config: saved vmcore in /var/crash/202401010000.
      """
    And the dump directory "/var/crash/202401010000" holds exactly:
      """
      vmcore.202401010000 0600
      """
    And the dump file "/var/crash/202401010000/vmcore.202401010000" is a copy of the vmcore

  Scenario Outline: KDUMP_COMPRESSION wraps the flattened dump
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the config sets KDUMP_COMPRESSION to "<method>"
    And the config sets KDUMP_DUMP_DMESG to "0"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout is exactly:
      """
      running makedumpfile -F -c -d 31 /proc/vmcore | compress > /var/crash/202401010000/dump-incomplete<ext>.
      kdump-config: saved vmcore in /var/crash/202401010000.
      """
    And the dump file "/var/crash/202401010000/dump.202401010000<ext>" is a <method>-compressed flattened makedumpfile dump
    And "<method>" was run with "-c"

    Examples:
      | method | ext  |
      | bzip2  | .bz2 |
      | gzip   | .gz  |
      | lz4    | .lz4 |
      | xz     | .xz  |

  Scenario: A compressor that is not installed disables compression
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the config sets KDUMP_COMPRESSION to "xz"
    And the tool "xz" is not installed
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stderr contains the line "Error: Compression set to xz, but xz command not found. Disabling compression."
    And stdout contains the line "running makedumpfile -F -c -d 31 /proc/vmcore | compress > /var/crash/202401010000/dump-incomplete."
    And the dump file "/var/crash/202401010000/dump.202401010000" is a flattened makedumpfile dump

  Scenario: An unknown compression is refused and disabled
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the config sets KDUMP_COMPRESSION to "zstd"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stderr contains the line "Error: Compression 'zstd' not supported. Disabling compression."
    And the dump file "/var/crash/202401010000/dump.202401010000" is a flattened makedumpfile dump

  Scenario: MAKEDUMP_ARGS comes from the config, with -F added for the pipe
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the config sets MAKEDUMP_ARGS to "'-c -d 1'"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout contains the line "running makedumpfile -c -d 1 -F /proc/vmcore | compress > /var/crash/202401010000/dump-incomplete."
    And "makedumpfile" was run with "-c -d 1 -F /proc/vmcore"

  Scenario: A second save in the same minute gets its own directory
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And "kdump-config savecore" has run
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout contains the line "kdump-config: saved dmesg content in /var/crash/202401010000-1."
    And stdout contains the line "kdump-config: saved vmcore in /var/crash/202401010000-1."
    And the dump directory "/var/crash/202401010000" holds exactly:
      """
      dmesg.202401010000 0600
      dump.202401010000 0600
      """
    And the dump directory "/var/crash/202401010000-1" holds exactly:
      """
      dmesg.202401010000 0600
      dump.202401010000 0600
      """

  Scenario: KDUMP_NUM_DUMPS purges the oldest dump directories, and nothing else
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the config sets KDUMP_NUM_DUMPS to "2"
    And an earlier dump in "/var/crash/202312300000"
    And an earlier dump in "/var/crash/202312310000"
    And an earlier dump in "/var/crash/192.0.2.10-202312290000"
    And the file "/var/crash/2-notes" contains "mine"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout ends with:
      """
      kdump-config: saved vmcore in /var/crash/202401010000.
      Too many dumps, purging: /var/crash/202312300000 .
      """
    And the dump location "/var/crash/202312300000" does not exist
    And the dump location "/var/crash/202312310000" exists
    And the dump location "/var/crash/192.0.2.10-202312290000" exists
    And the dump location "/var/crash/2-notes" exists
    And the dump location "/var/crash/202401010000/dump.202401010000" exists

  Scenario: Retention counts and removes only directories that hold a dump
    # Issue 12: user-made 2099... directories counted as dumps, pushed three real
    # dumps out, and one of them was removed too.
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the config sets KDUMP_NUM_DUMPS to "3"
    And an earlier dump in "/var/crash/202312290000"
    And an earlier dump in "/var/crash/202312300000"
    And an earlier dump in "/var/crash/202312310000"
    And an empty directory "/var/crash/209901010000"
    And the file "/var/crash/209901020000/notes" contains "mine"
    And the file "/var/crash/209901030000/dmesg.209901030000" contains "a kernel log, no dump"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout ends with:
      """
      kdump-config: saved vmcore in /var/crash/202401010000.
      Too many dumps, purging: /var/crash/202312290000 .
      """
    And the dump location "/var/crash/202312290000" does not exist
    And the dump location "/var/crash/202312300000/dump.202312300000" exists
    And the dump location "/var/crash/202312310000/dump.202312310000" exists
    And the dump location "/var/crash/209901010000" exists
    And the dump location "/var/crash/209901020000/notes" exists
    And the dump location "/var/crash/209901030000/dmesg.209901030000" exists

  Scenario: A failed attempt's directory does not push a dump out
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the config sets KDUMP_NUM_DUMPS to "2"
    And an earlier dump in "/var/crash/202312310000"
    And the fault "makedumpfile" is armed
    And the fault "disk-full-after" is armed with "4096"
    And "kdump-config savecore" has run and failed
    And the fault "disk-full-after" is disarmed
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout contains the line "kdump-config: saved vmcore in /var/crash/202401010000-1."
    And stdout does not contain "purging"
    And the dump location "/var/crash/202312310000/dump.202312310000" exists
    And the dump directory "/var/crash/202401010000" holds exactly:
      """
      dmesg.202401010000 0600
      """
    And the dump location "/var/crash/202401010000-1/vmcore.202401010000" exists

  Scenario: A link is neither counted nor followed by retention
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the config sets KDUMP_NUM_DUMPS to "1"
    And an earlier dump in "/var/keep/202312300000"
    And the link "/var/crash/202312300000" points to "/var/keep/202312300000"
    And an earlier dump in "/var/crash/202312310000"
    And the link "/var/crash/202312310000/dump.202312310000" points to "/var/keep/202312300000/dump.202312300000"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout does not contain "purging"
    And the dump location "/var/keep/202312300000/dump.202312300000" exists
    And the dump location "/var/crash/202312300000" exists
    And the dump location "/var/crash/202312310000/dump.202312310000" exists

  Scenario: A failed dump removes no earlier dump
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the config sets KDUMP_NUM_DUMPS to "1"
    And an earlier dump in "/var/crash/202312310000"
    And the tool "makedumpfile" is not installed
    And the fault "disk-full-after" is armed with "4096"
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout does not contain "purging"
    And the dump location "/var/crash/202312310000/dump.202312310000" exists

  Scenario: An old dump that cannot be removed is reported, the new one stays saved
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the config sets KDUMP_NUM_DUMPS to "1"
    And an earlier dump in "/var/crash/202312310000"
    And the fault "readonly" is armed with "/var/crash/202312310000"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout ends with:
      """
      kdump-config: saved vmcore in /var/crash/202401010000.
      Too many dumps, purging: /var/crash/202312310000 .
      kdump-config: could not remove the old dump /var/crash/202312310000: Read-only file system ... (warning).
      """
