Feature: savecore never hangs the capture kernel
  Every transfer of savecore (the kernel log, makedumpfile and the compressor, the cp
  fallback, ssh and scp, the NFS mount, FTP) runs under one deadline,
  KDUMP_SAVECORE_TIMEOUT seconds (default 21600) from the start of savecore. When it
  passes, the running programs are killed, unfinished files keep their -incomplete
  names, nothing else is tried, and savecore says so and exits 1, so that
  KDUMP_FAIL_CMD or the reboot still happens. A program that was killed is never
  counted as a success.

  @decision-fix-savecore-deadline
  Scenario: makedumpfile that never finishes is killed at the deadline; its output stays incomplete
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the config sets KDUMP_SAVECORE_TIMEOUT to "2"
    And the config sets KDUMP_DUMP_DMESG to "0"
    And the fault "hang" is armed with "makedumpfile"
    When I run "kdump-config savecore"
    Then the exit code is 1
    And every program that never finishes was stopped at the deadline
    And stdout is exactly:
      """
      running makedumpfile -F -c -d 31 /proc/vmcore | compress > /var/crash/202401010000/dump-incomplete.
      kdump-config: savecore ran out of time (KDUMP_SAVECORE_TIMEOUT=2 seconds): the transfer was stopped and unfinished files keep their -incomplete names ... failed!
      kdump-config: failed to save vmcore in /var/crash/202401010000 ... failed!
      """
    And the dump directory "/var/crash/202401010000" holds exactly:
      """
      dump-incomplete 0600
      """
    And the syslog contains "kdump-config: savecore ran out of time (KDUMP_SAVECORE_TIMEOUT=2 seconds)"

  @decision-fix-savecore-deadline
  Scenario: A kernel log extraction that never finishes uses up the time; nothing else starts
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the config sets KDUMP_SAVECORE_TIMEOUT to "2"
    And the fault "hang" is armed with "makedumpfile"
    When I run "kdump-config savecore"
    Then the exit code is 1
    And every program that never finishes was stopped at the deadline
    And stdout is exactly:
      """
      running makedumpfile --dump-dmesg /proc/vmcore /var/crash/202401010000/dmesg-incomplete.
      kdump-config: makedumpfile --dump-dmesg failed. dmesg content will be unavailable ... failed!
      kdump-config: savecore ran out of time (KDUMP_SAVECORE_TIMEOUT=2 seconds): the transfer was stopped and unfinished files keep their -incomplete names ... failed!
      kdump-config: failed to save dmesg content in /var/crash/202401010000 ... failed!
      kdump-config: failed to save vmcore in /var/crash/202401010000 ... failed!
      """
    And "makedumpfile" was run 1 time

  @decision-fix-savecore-deadline
  Scenario: A compressor that never finishes: the whole chain is killed
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the config sets KDUMP_SAVECORE_TIMEOUT to "2"
    And the config sets KDUMP_DUMP_DMESG to "0"
    And the config sets KDUMP_COMPRESSION to "gzip"
    And the fault "hang" is armed with "gzip"
    When I run "kdump-config savecore"
    Then the exit code is 1
    And every program that never finishes was stopped at the deadline
    And stdout ends with:
      """
      kdump-config: savecore ran out of time (KDUMP_SAVECORE_TIMEOUT=2 seconds): the transfer was stopped and unfinished files keep their -incomplete names ... failed!
      kdump-config: failed to save vmcore in /var/crash/202401010000 ... failed!
      """
    And the dump directory "/var/crash/202401010000" holds exactly:
      """
      dump-incomplete.gz 0600
      """

  @decision-fix-savecore-deadline
  Scenario: A vmcore that cannot be read ends the cp fallback at the deadline
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the tool "makedumpfile" is not installed
    And the config sets KDUMP_SAVECORE_TIMEOUT to "2"
    And the fault "vmcore-hang" is armed
    When I run "kdump-config savecore"
    Then the exit code is 1
    And every program that never finishes was stopped at the deadline
    And stdout ends with:
      """
      running cp /proc/vmcore /var/crash/202401010000/vmcore-incomplete.
      kdump-config: savecore ran out of time (KDUMP_SAVECORE_TIMEOUT=2 seconds): the transfer was stopped and unfinished files keep their -incomplete names ... failed!
      kdump-config: failed to save vmcore in /var/crash/202401010000 ... failed!
      """
    And the dump location "/var/crash/202401010000/vmcore.202401010000" does not exist

  @decision-fix-savecore-deadline
  Scenario: An NFS mount that never returns is killed; no further attempt
    Given the machine "x86_64-nfs" has crashed into its capture kernel
    And the config sets KDUMP_SAVECORE_TIMEOUT to "2"
    And the fault "hang" is armed with "mount"
    When I run "kdump-config savecore"
    Then the exit code is 1
    And every program that never finishes was stopped at the deadline
    And stdout is exactly:
      """
      Mounting NFS mountpoint nfs.example:/srv/crash ....
      kdump-config: savecore ran out of time (KDUMP_SAVECORE_TIMEOUT=2 seconds): the transfer was stopped and unfinished files keep their -incomplete names ... failed!
      kdump-config: Unable to mount remote NFS directory nfs.example:/srv/crash. Cannot save core ... failed!
      """
    And "mount" was run 1 time

  @decision-fix-savecore-deadline
  Scenario: An ssh that never returns is killed; the server is not tried again
    Given the machine "x86_64-ssh" has crashed into its capture kernel
    And the config sets KDUMP_SAVECORE_TIMEOUT to "2"
    And the fault "hang" is armed with "ssh"
    When I run "kdump-config savecore"
    Then the exit code is 1
    And every program that never finishes was stopped at the deadline
    And stdout is exactly:
      """
      kdump-config: savecore ran out of time (KDUMP_SAVECORE_TIMEOUT=2 seconds): the transfer was stopped and unfinished files keep their -incomplete names ... failed!
      """
    And "ssh" was run 1 time

  @decision-fix-savecore-deadline
  Scenario: An scp that never finishes is killed at the deadline
    Given the machine "x86_64-ssh" has crashed into its capture kernel
    And the tool "makedumpfile" is not installed
    And the config sets KDUMP_SAVECORE_TIMEOUT to "2"
    And the fault "hang" is armed with "scp"
    When I run "kdump-config savecore"
    Then the exit code is 1
    And every program that never finishes was stopped at the deadline
    And stdout ends with:
      """
      kdump-config: makedumpfile scp failed. The vmcore file will not be available ... failed!
      kdump-config: savecore ran out of time (KDUMP_SAVECORE_TIMEOUT=2 seconds): the transfer was stopped and unfinished files keep their -incomplete names ... failed!
      kdump-config: failed to save vmcore in root@dumphost:/var/crash/192.0.2.10-202401010000 ... failed!
      """

  Scenario: An FTP upload whose producer never finishes stays -incomplete on the server
    Given the machine "x86_64-ftp" has crashed into its capture kernel
    And the config sets KDUMP_SAVECORE_TIMEOUT to "2"
    And the config sets KDUMP_DUMP_DMESG to "0"
    And the fault "hang" is armed with "makedumpfile"
    When I run "kdump-config savecore"
    Then the exit code is 1
    And every program that never finishes was stopped at the deadline
    And stdout is exactly:
      """
      sending makedumpfile -F -c -d 31 /proc/vmcore via FTP to ftp.example:/incoming/192.0.2.10-dump.202401010000.
      kdump-config: savecore ran out of time (KDUMP_SAVECORE_TIMEOUT=2 seconds): the transfer was stopped and unfinished files keep their -incomplete names ... failed!
      kdump-config: failed to save vmcore via FTP in ftp.example:/incoming/192.0.2.10-vmcore.202401010000 ... failed!
      """
    And the dump location "ftp://ftp.example/incoming/192.0.2.10-dump.202401010000-incomplete" exists
    And the dump location "ftp://ftp.example/incoming/192.0.2.10-dump.202401010000" does not exist
