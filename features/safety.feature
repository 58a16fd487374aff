Feature: what another user plants is never written through, and the lock never hangs
  KDUMP_COREDIR, /tmp and NFS exports may be writable by other users. Every file
  kdump-config creates or replaces is made without following a link at its name,
  replaced by rename in a directory only root controls, and never reused when another
  user owns it: such a path is refused with a message naming it and why (exit 1),
  and savecore takes another name where one will do. The lock lives in /run, where
  only root can create it; a command waits at most 30 seconds for another holder,
  naming it, and savecore saves the dump even when it cannot have the lock.

  @decision-fix-no-planted-links
  Scenario: load never writes its command line through a link another user planted
    Given a machine "x86_64-ready"
    And the file "/etc/passwd" contains "root:x:0:0:root:/root:/bin/bash\n"
    And another user planted the link "/var/crash/kexec_cmd" pointing to "/etc/passwd"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout contains the line "kdump-config: refusing to write /var/crash/kexec_cmd: it is a symbolic link owned by another user (uid 65534) ... failed!"
    And the file "/etc/passwd" still holds "root:x:0:0:root:/root:/bin/bash\n"
    And the link "/var/crash/kexec_cmd" points to "/etc/passwd"
    And "kexec" never ran

  @decision-fix-no-planted-links
  Scenario: The /var/lib/kdump links are never replaced when another user owns them
    Given a machine "x86_64-ready"
    And another user planted the link "/var/lib/kdump/vmlinuz" pointing to "/etc/shadow"
    When I run "kdump-config symlinks 6.1.0-18-amd64"
    Then the exit code is 1
    And stdout contains the line "kdump-config: refusing to write /var/lib/kdump/vmlinuz: it is a symbolic link owned by another user (uid 65534) ... failed!"
    And the link "/var/lib/kdump/vmlinuz" points to "/etc/shadow"

  @decision-fix-no-planted-links
  Scenario: savecore never writes a dump through a dump directory another user planted
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the config sets KDUMP_COREDIR to "/var/crash/kdump"
    And another user planted the link "/var/crash/kdump" pointing to "/etc"
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout contains the line "kdump-config: refusing to write /var/crash/kdump: it is a symbolic link owned by another user (uid 65534) ... failed!"
    And stdout contains the line "kdump-config: failed to save vmcore in /var/crash/kdump/202401010000 ... failed!"
    And the dump location "/etc/202401010000" does not exist
    And "makedumpfile" never ran

  @decision-fix-no-planted-links
  Scenario: A kernel log file another user planted in /tmp is left alone; the log goes by another name
    Given the machine "x86_64-ssh" has crashed into its capture kernel
    And another user planted the file "/tmp/dmesg.ssh.202401010000"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout is exactly:
      """
      kdump-config: refusing to write /tmp/dmesg.ssh.202401010000: it is a file owned by another user (uid 65534) ... failed!
      running makedumpfile --dump-dmesg /proc/vmcore /tmp/dmesg.ssh.202401010000-1.
      kdump-config: saved dmesg content in root@dumphost:/var/crash/192.0.2.10-202401010000.
      sending makedumpfile -F -c -d 31 /proc/vmcore to root@dumphost : /var/crash/192.0.2.10-202401010000/dump-incomplete.
      kdump-config: saved vmcore in root@dumphost:/var/crash/192.0.2.10-202401010000.
      """
    And the planted file "/tmp/dmesg.ssh.202401010000" is untouched
    And the dump file "ssh://dumphost/var/crash/192.0.2.10-202401010000/dmesg.202401010000" is the kernel log
    And the dump location "/tmp/dmesg.ssh.202401010000-1" does not exist

  Scenario: The old lock place in /run/lock is not used: a link planted there creates nothing
    Given a machine "x86_64-ready"
    And another user planted the link "/run/lock/kdump-config.lock" pointing to "/etc/nologin"
    When I run "kdump-config load"
    Then the exit code is 0
    And the file "/etc/nologin" does not exist

  @decision-fix-lock-location
  Scenario: A lock file another user owns is refused
    Given a machine "x86_64-ready"
    And another user planted the file "/run/kdump-config.lock"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      kdump-config: refusing to write /run/kdump-config.lock: it is a file owned by another user (uid 65534) ... failed!
      """
    And "kexec" never ran

  Scenario: A held lock is waited for a bounded time, naming its holder, then load gives up
    Given a machine "x86_64-ready"
    And another process holds the kdump-config lock
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout contains the line with the lock holder "kdump-config: waiting up to 30 seconds for the lock /run/kdump-config.lock, held by <holder> ... (warning)."
    And stdout contains the line with the lock holder "kdump-config: the lock /run/kdump-config.lock is still held by <holder> after 30 seconds; nothing was changed ... failed!"
    And "kexec" never ran

  Scenario: savecore saves the dump although another process holds the lock
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And another process holds the kdump-config lock
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout contains the line with the lock holder "kdump-config: saving the dump without the lock /run/kdump-config.lock: held by <holder> for 30 seconds ... (warning)."
    And stdout contains the line "kdump-config: saved vmcore in /var/crash/202401010000."
    And the dump file "/var/crash/202401010000/dump.202401010000" is a flattened makedumpfile dump

  @decision-fix-lock-location
  Scenario: savecore saves the dump when the lock cannot be created (/run is not a directory)
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the directory "/run" is absent
    And the file "/run" contains "not a directory"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout contains the line "kdump-config: saving the dump without the lock /run/kdump-config.lock: Not a directory ... (warning)."
    And stdout contains the line "kdump-config: saved vmcore in /var/crash/202401010000."

  @decision-fix-lock-location
  Scenario: savecore saves the dump when /run is read-only
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the file "/run/kdump-config.lock" is absent
    And the fault "readonly" is armed with "/run"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout contains the line "kdump-config: saving the dump without the lock /run/kdump-config.lock: Read-only file system ... (warning)."
    And the dump file "/var/crash/202401010000/dump.202401010000" is a flattened makedumpfile dump

  @decision-fix-lock-location
  Scenario: Other commands fail when the lock cannot be created
    Given a machine "x86_64-ready"
    And the directory "/run" is absent
    And the file "/run" contains "not a directory"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      kdump-config: cannot take the lock /run/kdump-config.lock: Not a directory ... failed!
      """
    And "kexec" never ran

  Scenario: propagate does not hold the lock while ssh-copy-id may wait for a password
    Given a simulated machine "x86_64-ssh"
    And another process holds the kdump-config lock
    When I run "kdump-config propagate"
    Then the exit code is 0
    And stdout is exactly:
      """
      Using existing key /root/.ssh/kdump_id_rsa
      propagated ssh key /root/.ssh/kdump_id_rsa to server root@dumphost
      """

  # KDUMP_COREDIR shared by every user (1777, as Ubuntu ships /var/crash): what kdump-config
  # reads back there must be its own, and no name a user makes first can stop it.

  @decision-fix-shared-coredir
  Scenario: show never prints a file through a kexec_cmd link another user planted
    Given a machine "x86_64-ready"
    And the file "/etc/shadow" contains "root:$y$secret-hash:19000:0:99999:7:::\n"
    And the directory "/var/crash" is writable by every user, with the sticky bit
    And another user planted the link "/var/crash/kexec_cmd" pointing to "/etc/shadow"
    When I run "kdump-config show"
    Then the exit code is 0
    And stdout contains the line "kdump-config: ignoring /var/crash/kexec_cmd: it is a symbolic link owned by another user (uid 65534) ... (warning)."
    And stdout contains the line "  no kexec command recorded"
    And stdout does not contain "secret-hash"

  @decision-fix-shared-coredir
  Scenario Outline: <command> does not wait for a FIFO another user planted as kexec_cmd
    Given a machine "x86_64-ready"
    And the directory "/var/crash" is writable by every user, with the sticky bit
    And kdump is loaded
    And another user planted the FIFO "/var/crash/kexec_cmd"
    When I run "kdump-config <command>"
    Then the exit code is 0
    And stdout contains the line "<line>"

    Examples:
      | command | line                                                                            |
      | status  | current state   : ready to kdump                                                |
      | show    | kdump-config: ignoring /var/crash/kexec_cmd: it is not a regular file ... (warning). |
      | check   | ready to kdump                                                                  |
      | reload  | loaded kdump kernel.                                                            |
      | try-reload | loaded kdump kernel.                                                         |

  @decision-fix-shared-coredir
  Scenario: A file another user owns is not read as the recorded kexec command
    Given a machine "x86_64-ready"
    And the directory "/var/crash" is writable by every user, with the sticky bit
    And kdump is loaded
    And another user planted the file "/var/crash/kexec_cmd"
    When I run "kdump-config show"
    Then the exit code is 0
    And stdout contains the line "kdump-config: ignoring /var/crash/kexec_cmd: it is a file owned by another user (uid 65534) ... (warning)."
    And stdout does not contain "planted by another user"

  @decision-fix-shared-coredir
  Scenario: load replaces a kexec_cmd link another user planted, never writing through it
    Given a machine "x86_64-ready"
    And the file "/etc/passwd" contains "root:x:0:0:root:/root:/bin/bash\n"
    And the directory "/var/crash" is writable by every user, with the sticky bit
    And another user planted the link "/var/crash/kexec_cmd" pointing to "/etc/passwd"
    When I run "kdump-config load"
    Then the exit code is 0
    And stdout contains the line "loaded kdump kernel."
    And the file "/etc/passwd" still holds "root:x:0:0:root:/root:/bin/bash\n"
    And the file "/var/crash/kexec_cmd" is a file of root's holding "/sbin/kexec -p"

  @decision-fix-shared-coredir
  Scenario Outline: A <entry> another user makes in the unload-load gap does not disable kdump
    Given a machine "x86_64-ready"
    And the directory "/var/crash" is writable by every user, with the sticky bit
    And "kdump-config load" has run
    And "kdump-config unload" has run
    And another user planted the <entry> "/var/crash/kexec_cmd"
    When I run "kdump-config load"
    Then the exit code is 0
    And stdout contains the line "loaded kdump kernel."
    And the file "/var/crash/kexec_cmd" is a file of root's holding "/sbin/kexec -p"
    And "kdump-config status" reports "current state   : ready to kdump"

    Examples:
      | entry |
      | file  |
      | FIFO  |

  @decision-fix-shared-coredir
  Scenario: A directory another user makes as kexec_cmd is set aside, not written into
    Given a machine "x86_64-ready"
    And the directory "/var/crash" is writable by every user, with the sticky bit
    And another user planted the directory "/var/crash/kexec_cmd"
    When I run "kdump-config load"
    Then the exit code is 0
    And the file "/var/crash/kexec_cmd" is a file of root's holding "/sbin/kexec -p"
    And another user's entry was set aside beside "/var/crash/kexec_cmd"

  @decision-fix-shared-coredir
  Scenario: unload leaves another user's kexec_cmd alone and says so
    Given a machine "x86_64-ready"
    And the directory "/var/crash" is writable by every user, with the sticky bit
    And kdump is loaded
    And another user planted the file "/var/crash/kexec_cmd"
    When I run "kdump-config unload"
    Then the exit code is 0
    And stdout is exactly:
      """
      kdump-config: ignoring /var/crash/kexec_cmd: it is a file owned by another user (uid 65534) ... (warning).
      unloaded kdump kernel.
      """
    And the planted file "/var/crash/kexec_cmd" is untouched

  @decision-fix-retention
  Scenario: Retention counts only complete dumps root wrote: planted look-alikes push nothing out
    Given the machine "x86_64-ready" has crashed into its capture kernel
    And the directory "/var/crash" is writable by every user, with the sticky bit
    And the config sets KDUMP_NUM_DUMPS to "2"
    And an earlier dump in "/var/crash/202312300000"
    And an earlier dump in "/var/crash/202312310000"
    And another user planted the directory "/var/crash/209901010000"
    And another user planted the file "/var/crash/209901010000/dump.209901010000"
    And another user planted the directory "/var/crash/209901020000"
    And the file "/var/crash/209901020000/dump.209901020000" contains "makedumpfile in a directory of theirs"
    And the file "/var/crash/209901030000/dump.209901030000" is empty
    And the file "/var/crash/209901040000/dump.209901040000" contains "not what makedumpfile writes"
    And the file "/var/crash/209901050000/vmcore.209901050000" contains "no ELF core"
    And another user planted a file holding "makedumpfile, but theirs" at "/var/crash/209901060000/dump.209901060000"
    When I run "kdump-config savecore"
    Then the exit code is 0
    And stdout ends with:
      """
      kdump-config: saved vmcore in /var/crash/202401010000.
      Too many dumps, purging: /var/crash/202312300000 .
      """
    And the dump location "/var/crash/202312300000" does not exist
    And the dump location "/var/crash/202312310000/dump.202312310000" exists
    And the dump location "/var/crash/209901010000/dump.209901010000" exists
    And the dump location "/var/crash/209901020000/dump.209901020000" exists
    And the dump location "/var/crash/209901030000/dump.209901030000" exists
    And the dump location "/var/crash/209901040000/dump.209901040000" exists
    And the dump location "/var/crash/209901050000/vmcore.209901050000" exists
    And the dump location "/var/crash/209901060000/dump.209901060000" exists

  @decision-fix-shared-coredir @decision-fix-reload-keeps-loaded
  Scenario: A failed reload never runs a kexec command another user planted as the record
    Given a machine "x86_64-ready"
    And the directory "/var/crash" is writable by every user, with the sticky bit
    And kdump is loaded
    And another user planted a file holding "/sbin/kexec -p /boot/vmlinuz-6.1.0-18-amd64" at "/var/crash/kexec_cmd"
    And the config sets KDUMP_KERNEL to "/boot/vmlinuz-6.1.0-18-amd64"
    And the fault "kexec-rejects" is armed with "/boot/vmlinuz-6.1.0-18-amd64"
    When I run "kdump-config reload"
    Then the exit code is 1
    And stdout ends with:
      """
      failed to load kdump kernel ... failed!
      kdump-config: nothing is loaded for a crash now: the previous capture kernel could not be restored ... failed!
      """
    And "kexec" was run 2 times
    And "kdump-config status" reports "current state   : Not ready to kdump"
