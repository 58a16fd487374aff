Feature: savecore to an FTP server
  With FTP=host[:path] set, the kernel log and the dump are uploaded as
  <path>/<HOSTTAG>-dmesg.<stamp> and <path>/<HOSTTAG>-dump.<stamp>. If the
  makedumpfile stream fails, the raw vmcore is sent as <HOSTTAG>-vmcore.<stamp>.
  The password goes to the server only: never on a command line, in a message
  or in a log.

  Scenario: The kernel log and the dump are uploaded
    Given the machine "x86_64-ftp" has crashed into its capture kernel
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout is exactly:
      """
      running makedumpfile --dump-dmesg /proc/vmcore /tmp/dmesg.ftp.202401010000.
      kdump-config: saved dmesg content via FTP in ftp.example:/incoming/192.0.2.10-dmesg.202401010000.
      sending makedumpfile -F -c -d 31 /proc/vmcore via FTP to ftp.example:/incoming/192.0.2.10-dump.202401010000.
      kdump-config: saved vmcore via FTP in ftp.example:/incoming/192.0.2.10-dump.202401010000.
      """
    And stderr is empty
    And the dump file "ftp://ftp.example/incoming/192.0.2.10-dump.202401010000" is a flattened makedumpfile dump
    And the dump file "ftp://ftp.example/incoming/192.0.2.10-dmesg.202401010000" is the kernel log
    And the dump location "/tmp/dmesg.ftp.202401010000" does not exist
    And "s3cret-Passw0rd" appears in no output, effect or log
    And the syslog contains "kdump-config: saved vmcore via FTP in ftp.example:/incoming/192.0.2.10-dump.202401010000"

  Scenario: An unreachable server: both attempts fail and savecore exits 1
    Given the machine "x86_64-ftp" has crashed into its capture kernel
    And the fault "ftp-unreachable" is armed
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout is exactly:
      """
      running makedumpfile --dump-dmesg /proc/vmcore /tmp/dmesg.ftp.202401010000.
      kdump-config: failed to save dmesg content via FTP in ftp.example:/incoming/192.0.2.10-dmesg.202401010000 ... failed!
      sending makedumpfile -F -c -d 31 /proc/vmcore via FTP to ftp.example:/incoming/192.0.2.10-dump.202401010000.
      kdump-config: makedumpfile failed, retrying with full vmcore ... failed!
      sending /proc/vmcore via FTP to ftp.example:/incoming/192.0.2.10-vmcore.202401010000.
      kdump-config: failed to save vmcore via FTP in ftp.example:/incoming/192.0.2.10-vmcore.202401010000 ... failed!
      """
    And "s3cret-Passw0rd" appears in no output, effect or log
    And the syslog contains "kdump-config: makedumpfile failed, retrying with full vmcore"

  Scenario: A failed makedumpfile is retried with the full vmcore, under its own name
    Given the machine "x86_64-ftp" has crashed into its capture kernel
    And the fault "makedumpfile" is armed
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout ends with:
      """
      sending makedumpfile -F -c -d 31 /proc/vmcore via FTP to ftp.example:/incoming/192.0.2.10-dump.202401010000.
      kdump-config: makedumpfile failed, retrying with full vmcore ... failed!
      sending /proc/vmcore via FTP to ftp.example:/incoming/192.0.2.10-vmcore.202401010000.
      kdump-config: saved vmcore via FTP in ftp.example:/incoming/192.0.2.10-vmcore.202401010000.
      """
    And the dump file "ftp://ftp.example/incoming/192.0.2.10-vmcore.202401010000" is a copy of the vmcore

  Scenario: Without makedumpfile the raw vmcore is sent and no kernel log is claimed
    Given the machine "x86_64-ftp" has crashed into its capture kernel
    And the tool "makedumpfile" is not installed
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout is exactly:
      """
      makedumpfile not installed, cannot extract dmesg ... (warning).
      sending /proc/vmcore via FTP to ftp.example:/incoming/192.0.2.10-vmcore.202401010000.
      kdump-config: saved vmcore via FTP in ftp.example:/incoming/192.0.2.10-vmcore.202401010000.
      """

  Scenario: FTP without a path uploads to the server's root
    Given the machine "x86_64-ftp" has crashed into its capture kernel
    And the config sets FTP to "ftp.example"
    And the config sets KDUMP_COMPRESSION to "xz"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout contains the line "kdump-config: saved vmcore via FTP in ftp.example:/192.0.2.10-dump.202401010000.xz."
    And the dump file "ftp://ftp.example/192.0.2.10-dump.202401010000.xz" is a xz-compressed flattened makedumpfile dump

  Scenario: A failed target fails savecore even when another one succeeded
    Given the machine "x86_64-ftp" has crashed into its capture kernel
    And the config sets SSH to "root@unknown-host"
    And the config sets SSH_KDUMP_RETRY to "1"
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout ends with:
      """
      kdump-config: saved vmcore via FTP in ftp.example:/incoming/192.0.2.10-dump.202401010000.
      kdump-config: Unable to reach remote server unknown-host. No reason to continue ... failed!
      """

  # -- as safe as a local save -------------------------------------------------------------
  Scenario: A failed upload is deleted, never left under a final name
    Given the machine "x86_64-ftp" has crashed into its capture kernel
    And the fault "makedumpfile-short" is armed
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout contains the line "kdump-config: makedumpfile failed, retrying with full vmcore ... failed!"
    And the dump location "ftp://ftp.example/incoming/192.0.2.10-dump.202401010000-incomplete" does not exist
    And the dump location "ftp://ftp.example/incoming/192.0.2.10-dump.202401010000" does not exist
    And the dump file "ftp://ftp.example/incoming/192.0.2.10-vmcore.202401010000" is a copy of the vmcore
    And the dump location "ftp://ftp.example/incoming/192.0.2.10-vmcore.202401010000-incomplete" does not exist

  Scenario: A second save in the same minute never overwrites the first
    Given the machine "x86_64-ftp" has crashed into its capture kernel
    And "kdump-config savecore" has run
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout contains the line "kdump-config: saved vmcore via FTP in ftp.example:/incoming/192.0.2.10-dump.202401010000-1."
    And the dump file "ftp://ftp.example/incoming/192.0.2.10-dump.202401010000" is a flattened makedumpfile dump
    And the dump file "ftp://ftp.example/incoming/192.0.2.10-dump.202401010000-1" is a flattened makedumpfile dump
    And the dump file "ftp://ftp.example/incoming/192.0.2.10-dmesg.202401010000-1" is the kernel log

  Scenario: A login the server refuses is reported as a login failure, and nothing is sent
    Given the machine "x86_64-ftp" has crashed into its capture kernel
    And the fault "ftp-login" is armed
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout is exactly:
      """
      kdump-config: the FTP server ftp.example refused the login of user kdump. Cannot save core ... failed!
      """
    And stdout does not contain "makedumpfile failed"
    And "makedumpfile" never ran
    And "s3cret-Passw0rd" appears in no output, effect or log
    And the syslog contains "kdump-config: the FTP server ftp.example refused the login of user kdump"

  Scenario: An empty kernel log is not uploaded as the kernel log
    Given the machine "x86_64-ftp" has crashed into its capture kernel
    And the fault "dmesg-empty" is armed
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout is exactly:
      """
      running makedumpfile --dump-dmesg /proc/vmcore /tmp/dmesg.ftp.202401010000.
      kdump-config: makedumpfile --dump-dmesg failed. dmesg content will be unavailable ... failed!
      kdump-config: failed to save dmesg content via FTP in ftp.example:/incoming/192.0.2.10-dmesg.202401010000 ... failed!
      sending makedumpfile -F -c -d 31 /proc/vmcore via FTP to ftp.example:/incoming/192.0.2.10-dump.202401010000.
      kdump-config: saved vmcore via FTP in ftp.example:/incoming/192.0.2.10-dump.202401010000.
      """
    And the dump location "ftp://ftp.example/incoming/192.0.2.10-dmesg.202401010000" does not exist
    And the dump location "/tmp/dmesg.ftp.202401010000" does not exist
