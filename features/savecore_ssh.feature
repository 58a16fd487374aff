Feature: savecore to an SSH server
  With SSH set, the dump directory <HOSTTAG>-<stamp> is made under KDUMP_COREDIR
  on the server (tried SSH_KDUMP_RETRY times while ssh cannot connect), the
  kernel log is copied with scp, and makedumpfile streams the dump straight into
  `ssh ... dd`; scp of the raw vmcore is the fallback. ssh and scp never prompt
  (BatchMode) and remote paths are quoted. Nothing counts as saved until the
  remote rename succeeded.

  @decision-fix-savecore-output
  Scenario: The kernel log and the dump are stored on the server
    Given the machine "x86_64-ssh" has crashed into its capture kernel
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout is exactly:
      """
      running makedumpfile --dump-dmesg /proc/vmcore /tmp/dmesg.ssh.202401010000.
      kdump-config: saved dmesg content in root@dumphost:/var/crash/192.0.2.10-202401010000.
      sending makedumpfile -F -c -d 31 /proc/vmcore to root@dumphost : /var/crash/192.0.2.10-202401010000/dump-incomplete.
      kdump-config: saved vmcore in root@dumphost:/var/crash/192.0.2.10-202401010000.
      """
    And stderr is empty
    And the dump directory "ssh://dumphost/var/crash/192.0.2.10-202401010000" holds exactly:
      """
      dmesg.202401010000 0600
      dump.202401010000 0600
      """
    And the dump directory "ssh://dumphost/var/crash/192.0.2.10-202401010000" has mode 0700
    And the dump file "ssh://dumphost/var/crash/192.0.2.10-202401010000/dump.202401010000" is a flattened makedumpfile dump
    And the dump file "ssh://dumphost/var/crash/192.0.2.10-202401010000/dmesg.202401010000" is the kernel log
    And the dump location "/tmp/dmesg.ssh.202401010000" does not exist
    And "ssh" was run with "-i /root/.ssh/kdump_id_rsa -o BatchMode=yes -o ConnectTimeout=30 root@dumphost"
    And "scp" was run with "-i /root/.ssh/kdump_id_rsa -o BatchMode=yes -o ConnectTimeout=30"
    And the syslog contains "kdump-config: saved vmcore in root@dumphost:/var/crash/192.0.2.10-202401010000"

  @decision-fix-exit-codes
  Scenario: A server that cannot be reached: SSH_KDUMP_RETRY tries, 3 s apart, then exit 1
    Given the machine "x86_64-ssh" has crashed into its capture kernel
    And the config sets SSH_KDUMP_RETRY to "3"
    And the fault "ssh-unreachable" is armed
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout is exactly:
      """
      Network not reachable; will try 2 more times.
      Network not reachable; will try 1 more times.
      kdump-config: Unable to reach remote server dumphost. No reason to continue ... failed!
      """
    And "ssh" ran 3 times
    And the clock advanced by 6 seconds since the crash
    And "makedumpfile" never ran
    And the syslog contains "kdump-config: Unable to reach remote server dumphost. No reason to continue"

  @decision-fix-ssh-options
  Scenario: A server that answers on the second try gets the dump
    Given the machine "x86_64-ssh" has crashed into its capture kernel
    And the config sets SSH_KDUMP_RETRY to "3"
    And the fault "ssh-unreachable" is armed with "1"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout starts with:
      """
      Network not reachable; will try 2 more times.
      running makedumpfile --dump-dmesg /proc/vmcore /tmp/dmesg.ssh.202401010000.
      """
    And the dump location "ssh://dumphost/var/crash/192.0.2.10-202401010000/dump.202401010000" exists

  @decision-fix-ssh-options
  Scenario: Without its key the dump server cannot be reached
    Given the machine "x86_64-ssh" has crashed into its capture kernel
    And the config sets SSH_KDUMP_RETRY to "1"
    And the file "/root/.ssh/kdump_id_rsa" is absent
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout is exactly:
      """
      kdump-config: Unable to reach remote server dumphost. No reason to continue ... failed!
      """
    And stderr contains "Permission denied (publickey)"

  @decision-fix-savecore-output
  Scenario Outline: A failed stream falls back to scp of the raw vmcore
    Given the machine "x86_64-ssh" has crashed into its capture kernel
    And the fault "<fault>" is armed
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout is exactly:
      """
      running makedumpfile --dump-dmesg /proc/vmcore /tmp/dmesg.ssh.202401010000.
      kdump-config: saved dmesg content in root@dumphost:/var/crash/192.0.2.10-202401010000.
      sending makedumpfile -F -c -d 31 /proc/vmcore to root@dumphost : /var/crash/192.0.2.10-202401010000/dump-incomplete.
      kdump-config: makedumpfile failed, falling back to 'scp' ... failed!
      sending /proc/vmcore to root@dumphost : /var/crash/192.0.2.10-202401010000/vmcore-incomplete.
      kdump-config: saved vmcore in root@dumphost:/var/crash/192.0.2.10-202401010000.
      """
    And the dump directory "ssh://dumphost/var/crash/192.0.2.10-202401010000" holds exactly:
      """
      dmesg.202401010000 0600
      vmcore.202401010000 0600
      """
    And the dump file "ssh://dumphost/var/crash/192.0.2.10-202401010000/vmcore.202401010000" is a copy of the vmcore

    Examples:
      | fault              |
      | ssh-dd             |
      | makedumpfile       |
      | makedumpfile-short |
      | makedumpfile-empty |

  @decision-fix-exit-codes
  Scenario: When scp fails too, the vmcore is not available and savecore exits 1
    Given the machine "x86_64-ssh" has crashed into its capture kernel
    And the fault "ssh-dd" is armed
    And the fault "scp" is armed
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout is exactly:
      """
      running makedumpfile --dump-dmesg /proc/vmcore /tmp/dmesg.ssh.202401010000.
      kdump-config: failed to save dmesg content in root@dumphost:/var/crash/192.0.2.10-202401010000 ... failed!
      sending makedumpfile -F -c -d 31 /proc/vmcore to root@dumphost : /var/crash/192.0.2.10-202401010000/dump-incomplete.
      kdump-config: makedumpfile failed, falling back to 'scp' ... failed!
      sending /proc/vmcore to root@dumphost : /var/crash/192.0.2.10-202401010000/vmcore-incomplete.
      kdump-config: makedumpfile scp failed. The vmcore file will not be available ... failed!
      kdump-config: failed to save vmcore in root@dumphost:/var/crash/192.0.2.10-202401010000 ... failed!
      """
    And the dump directory "ssh://dumphost/var/crash/192.0.2.10-202401010000" holds exactly:
      """
      """
    And the syslog contains "kdump-config: makedumpfile scp failed. The vmcore file will not be available"

  @decision-fix-every-stage-checked
  Scenario: A remote rename that fails is a failure (never reported as saved)
    Given the machine "x86_64-ssh" has crashed into its capture kernel
    And the fault "ssh-mv" is armed
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout is exactly:
      """
      running makedumpfile --dump-dmesg /proc/vmcore /tmp/dmesg.ssh.202401010000.
      kdump-config: failed to save dmesg content in root@dumphost:/var/crash/192.0.2.10-202401010000 ... failed!
      sending makedumpfile -F -c -d 31 /proc/vmcore to root@dumphost : /var/crash/192.0.2.10-202401010000/dump-incomplete.
      kdump-config: makedumpfile failed, falling back to 'scp' ... failed!
      sending /proc/vmcore to root@dumphost : /var/crash/192.0.2.10-202401010000/vmcore-incomplete.
      kdump-config: failed to save vmcore in root@dumphost:/var/crash/192.0.2.10-202401010000 ... failed!
      """
    And the dump location "ssh://dumphost/var/crash/192.0.2.10-202401010000/vmcore.202401010000" does not exist

  @decision-fix-exit-codes
  Scenario: A server that refuses the dump directory
    Given the machine "x86_64-ssh" has crashed into its capture kernel
    And the fault "ssh-mkdir" is armed
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout is exactly:
      """
      kdump-config: Unable to create the remote directory root@dumphost:/var/crash. Cannot save core ... failed!
      """
    And "makedumpfile" never ran

  @decision-fix-raw-vmcore-name
  Scenario: Without makedumpfile the raw vmcore is sent, named vmcore, and no kernel log is claimed
    Given the machine "x86_64-ssh" has crashed into its capture kernel
    And the tool "makedumpfile" is not installed
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout is exactly:
      """
      makedumpfile not installed, cannot extract dmesg ... (warning).
      sending /proc/vmcore to root@dumphost : /var/crash/192.0.2.10-202401010000/vmcore-incomplete.
      kdump-config: saved vmcore in root@dumphost:/var/crash/192.0.2.10-202401010000.
      """
    And the dump directory "ssh://dumphost/var/crash/192.0.2.10-202401010000" holds exactly:
      """
      vmcore.202401010000 0600
      """

  @decision-fix-savecore-output
  Scenario: Compression applies to the stream
    Given the machine "x86_64-ssh" has crashed into its capture kernel
    And the config sets KDUMP_COMPRESSION to "bzip2"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout contains the line "sending makedumpfile -F -c -d 31 /proc/vmcore to root@dumphost : /var/crash/192.0.2.10-202401010000/dump-incomplete.bz2."
    And the dump file "ssh://dumphost/var/crash/192.0.2.10-202401010000/dump.202401010000.bz2" is a bzip2-compressed flattened makedumpfile dump

  @decision-fix-ssh-options
  Scenario: A remote path with a space is quoted for the remote shell
    Given the machine "x86_64-ssh" has crashed into its capture kernel
    And the config sets KDUMP_COREDIR to "'/var/crash dumps'"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout contains the line "kdump-config: saved vmcore in root@dumphost:/var/crash dumps/192.0.2.10-202401010000."
    And the dump directory "ssh://dumphost/var/crash dumps/192.0.2.10-202401010000" holds exactly:
      """
      dmesg.202401010000 0600
      dump.202401010000 0600
      """

  @decision-fix-unique-dumps
  Scenario: A second save in the same minute gets its own directory on the server
    Given the machine "x86_64-ssh" has crashed into its capture kernel
    And "kdump-config savecore" has run
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout contains the line "kdump-config: saved vmcore in root@dumphost:/var/crash/192.0.2.10-202401010000-1."
    And the dump location "ssh://dumphost/var/crash/192.0.2.10-202401010000/dump.202401010000" exists
    And the dump location "ssh://dumphost/var/crash/192.0.2.10-202401010000-1/dump.202401010000" exists

  @decision-fix-savecore-output
  Scenario: An empty kernel log is not sent as the kernel log
    Given the machine "x86_64-ssh" has crashed into its capture kernel
    And the fault "dmesg-empty" is armed
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout is exactly:
      """
      running makedumpfile --dump-dmesg /proc/vmcore /tmp/dmesg.ssh.202401010000.
      kdump-config: makedumpfile --dump-dmesg failed. dmesg content will be unavailable ... failed!
      kdump-config: failed to save dmesg content in root@dumphost:/var/crash/192.0.2.10-202401010000 ... failed!
      sending makedumpfile -F -c -d 31 /proc/vmcore to root@dumphost : /var/crash/192.0.2.10-202401010000/dump-incomplete.
      kdump-config: saved vmcore in root@dumphost:/var/crash/192.0.2.10-202401010000.
      """
    And the dump directory "ssh://dumphost/var/crash/192.0.2.10-202401010000" holds exactly:
      """
      dump.202401010000 0600
      """
    And the dump location "/tmp/dmesg.ssh.202401010000" does not exist
