Feature: savecore to an NFS server
  With NFS set, the export is mounted over KDUMP_COREDIR (soft, TCP, no locks),
  the dump goes into <HOSTTAG>-<stamp>/ there, and the export is unmounted.
  Mounting is tried NFS_MOUNT_RETRY times, 3 seconds apart (no pause after the
  last try). A write failure unmounts and stops: nothing is written under the
  local mount point.

  Scenario: The dump is stored on the server, in a directory named by the machine's address
    Given the machine "x86_64-nfs" has crashed into its capture kernel
    And an earlier dump in "/var/crash/202312310000"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout is exactly:
      """
      Mounting NFS mountpoint nfs.example:/srv/crash ....
      Dumping to NFS mountpoint nfs.example:/srv/crash/192.0.2.10-202401010000.
      running makedumpfile --dump-dmesg /proc/vmcore /var/crash/192.0.2.10-202401010000/dmesg-incomplete.
      kdump-config: saved dmesg content in /var/crash/192.0.2.10-202401010000.
      running makedumpfile -F -c -d 31 /proc/vmcore | compress > /var/crash/192.0.2.10-202401010000/dump-incomplete.
      kdump-config: saved vmcore in /var/crash/192.0.2.10-202401010000.
      """
    And the dump directory "nfs://nfs.example/srv/crash/192.0.2.10-202401010000" holds exactly:
      """
      dmesg.202401010000 0600
      dump.202401010000 0600
      """
    And the dump file "nfs://nfs.example/srv/crash/192.0.2.10-202401010000/dump.202401010000" is a flattened makedumpfile dump
    And "mount" was run with "-t nfs -o nolock -o tcp -o soft -o timeo=600 -o retrans=3 nfs.example:/srv/crash /var/crash"
    And "umount" was run with "/var/crash"
    And the dump location "/var/crash/192.0.2.10-202401010000" does not exist
    And the dump location "/var/crash/202312310000/dump.202312310000" exists
    And the syslog contains "kdump-config: Dumping to NFS mountpoint nfs.example:/srv/crash/192.0.2.10-202401010000"

  Scenario: NFS_TIMEO and NFS_RETRANS reach the mount options
    Given the machine "x86_64-nfs" has crashed into its capture kernel
    And the config sets NFS_TIMEO to "100"
    And the config sets NFS_RETRANS to "5"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And "mount" was run with "-o timeo=100 -o retrans=5 nfs.example:/srv/crash /var/crash"

  @decision-fix-retry-counts
  Scenario: A server that never answers: NFS_MOUNT_RETRY tries, 3 s apart, then savecore exits 1
    Given the machine "x86_64-nfs" has crashed into its capture kernel
    And the fault "nfs-mount" is armed
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout is exactly:
      """
      Mounting NFS mountpoint nfs.example:/srv/crash ....
      Network not reachable; will try 3 more times.
      Network not reachable; will try 2 more times.
      Network not reachable; will try 1 more times.
      kdump-config: Unable to mount remote NFS directory nfs.example:/srv/crash. Cannot save core ... failed!
      """
    And "mount" ran 4 times
    And the clock advanced by 9 seconds since the crash
    And "makedumpfile" never ran
    And "umount" never ran

  @decision-fix-retry-counts
  Scenario: A server that answers on the third try gets the dump
    Given the machine "x86_64-nfs" has crashed into its capture kernel
    And the fault "nfs-mount" is armed with "2"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout starts with:
      """
      Mounting NFS mountpoint nfs.example:/srv/crash ....
      Network not reachable; will try 3 more times.
      Network not reachable; will try 2 more times.
      Dumping to NFS mountpoint nfs.example:/srv/crash/192.0.2.10-202401010000.
      """
    And the dump location "nfs://nfs.example/srv/crash/192.0.2.10-202401010000/dump.202401010000" exists

  @decision-fix-retry-counts
  Scenario: NFS_MOUNT_RETRY=1 tries once and does not pause
    Given the machine "x86_64-nfs" has crashed into its capture kernel
    And the config sets NFS_MOUNT_RETRY to "1"
    And the fault "nfs-mount" is armed
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout is exactly:
      """
      Mounting NFS mountpoint nfs.example:/srv/crash ....
      kdump-config: Unable to mount remote NFS directory nfs.example:/srv/crash. Cannot save core ... failed!
      """
    And the clock advanced by 0 seconds since the crash

  @decision-fix-nfs-stop-after-failure
  Scenario: A read-only export is unmounted and nothing is written locally
    Given the machine "x86_64-nfs" has crashed into its capture kernel
    And the fault "nfs-readonly" is armed
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout is exactly:
      """
      Mounting NFS mountpoint nfs.example:/srv/crash ....
      kdump-config: Unable to write to the remote NFS directory nfs.example:/srv/crash. Cannot save core ... failed!
      """
    And "umount" was run with "/var/crash"
    And "makedumpfile" never ran
    And the dump location "/var/crash/192.0.2.10-202401010000" does not exist
    And the dump location "nfs://nfs.example/srv/crash/192.0.2.10-202401010000" does not exist
    And the syslog contains "kdump-config: Unable to write to the remote NFS directory nfs.example:/srv/crash. Cannot save core"

  Scenario: An export that will not unmount is reported; the saved dump still counts
    Given the machine "x86_64-nfs" has crashed into its capture kernel
    And the fault "nfs-umount" is armed
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout ends with:
      """
      kdump-config: saved vmcore in /var/crash/192.0.2.10-202401010000.
      kdump-config: Unable to cleanly unmount the NFS file system ... failed!
      """

  @decision-fix-ssh-nfs-exclusive
  Scenario: SSH and NFS together are refused before anything is done
    Given the machine "x86_64-nfs" has crashed into its capture kernel
    And the config sets SSH to "root@dumphost"
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout is exactly:
      """
      SSH and NFS cannot be defined concurrently ... failed!
      """
    And "mount" never ran

  Scenario: HOSTTAG=hostname names the directory by the host name
    Given the machine "x86_64-nfs" has crashed into its capture kernel
    And the config sets HOSTTAG to "hostname"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout contains the line "kdump-config: saved vmcore in /var/crash/debian-202401010000."
    And the dump location "nfs://nfs.example/srv/crash/debian-202401010000/dump.202401010000" exists

  Scenario: Without a usable IPv4 address the host name is used, after five tries
    Given the machine "x86_64-nfs-no-ip" has crashed into its capture kernel
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stderr contains the line "Unable to get IP from network ... failed!"
    And stderr contains the line "Reverting to HOSTTAG=hostname."
    And stdout contains the line "Dumping to NFS mountpoint nfs.example:/srv/crash/debian-202401010000."
    And the clock advanced by 4 seconds since the crash

  @decision-fix-unique-dumps
  Scenario: A second save in the same minute gets its own directory on the server
    Given the machine "x86_64-nfs" has crashed into its capture kernel
    And "kdump-config savecore" has run
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout contains the line "Dumping to NFS mountpoint nfs.example:/srv/crash/192.0.2.10-202401010000-1."
    And the dump location "nfs://nfs.example/srv/crash/192.0.2.10-202401010000/dump.202401010000" exists
    And the dump location "nfs://nfs.example/srv/crash/192.0.2.10-202401010000-1/dump.202401010000" exists

  Scenario: KDUMP_NUM_DUMPS never purges a shared server
    Given the machine "x86_64-nfs" has crashed into its capture kernel
    And the config sets KDUMP_NUM_DUMPS to "1"
    And an earlier dump in "nfs://nfs.example/srv/crash/202312310000"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout does not contain "purging"
    And the dump location "nfs://nfs.example/srv/crash/202312310000/dump.202312310000" exists
