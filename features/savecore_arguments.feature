Feature: configured values never become options or paths out of the dump directory
  A value that kdump-config hands a program as an argument (SSH, NFS, FTP and its
  user and password) is refused when the config is read, naming file and line,
  when a program would read it as an option (a leading "-"), as several arguments
  (white space), or as more than one FTP command (CR, LF or another control
  character). It is refused rather than passed after "--": not every ssh, mount or
  busybox applet honours "--", and FTP commands have no such thing. The machine's
  host name, which names dump directories, is made one safe name instead.

  # code: config-argument
  @decision-fix-argument-values
  Scenario: An SSH target that is an ssh option is refused before anything runs
    Given the machine "x86_64-ssh" has crashed into its capture kernel
    And the config sets SSH to "'-oProxyCommand=touch /tmp/pwned'"
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools:6: SSH='-oProxyCommand=touch /tmp/pwned' starts with '-': ssh would read it as an option ... failed!
      """
    And "ssh" never ran
    And "makedumpfile" never ran

  @decision-fix-argument-values
  Scenario: An NFS export that is a mount option is refused, by every command
    Given the machine "x86_64-nfs" has crashed into its capture kernel
    And the config sets NFS to "-oremount,rw"
    When I run "kdump-config test"
    Then the exit code is 1
    And stdout contains the line "/etc/default/kdump-tools:6: NFS='-oremount,rw' starts with '-': mount would read it as an option ... failed!"
    And "mount" never ran

  Scenario: A line break in an FTP setting would be a second FTP command: refused
    Given the machine "x86_64-ftp" has crashed into its capture kernel
    And the config file contains:
      """
      USE_KDUMP=1
      FTP="ftp.example:/incoming"
      FTP_USER="kdump
      DELE incoming/192.0.2.10-dump.202312310000"
      """
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools:3: FTP_USER='kdump\nDELE incoming/192.0.2.10-dump.202312310000' contains a control character (CR, LF, TAB...) ... failed!
      """
    And "makedumpfile" never ran

  @decision-fix-argument-values
  Scenario: A host name that would climb out of the dump directory names one safe directory
    Given the machine "x86_64-nfs" has crashed into its capture kernel
    And the config sets HOSTTAG to "hostname"
    And the file "/proc/sys/kernel/hostname" contains "../../etc\n"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stderr contains the line "the hostname '../../etc' cannot name a dump directory; using _._.._etc ... (warning)."
    And stdout contains the line "kdump-config: saved vmcore in /var/crash/_._.._etc-202401010000."
    And the dump location "nfs://nfs.example/srv/crash/_._.._etc-202401010000/dump.202401010000" exists
    And the dump location "nfs://nfs.example/etc-202401010000" does not exist
