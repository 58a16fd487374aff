Feature: the journal
  Every message kdump-config logs goes to the journal with structured fields:
  MESSAGE_ID (one per catalog code, docs/message-ids.md), PRIORITY from the
  severity, SYSLOG_IDENTIFIER, and the code and command as KDUMP_CODE and
  KDUMP_COMMAND, so `journalctl MESSAGE_ID=...` finds one kind of event on
  every machine. Without a journal, the same text goes to syslog.

  # code: kexec-command
  @decision-new-journal-fields
  Scenario: load journals what it loaded and the kexec command it ran
    Given a machine "x86_64-ready"
    When I run "kdump-config load"
    Then the exit code is 0
    And the journal holds "loaded" from "load"
    And the journal holds "kexec-command" from "load"
    And the journal entry "kexec-command" says "kexec -p --command-line="
    And the journal entry "kexec-command" says "usbcore.nousb" --initrd=/var/lib/kdump/initrd.img /var/lib/kdump/vmlinuz"
    And the syslog contains "kdump-config: loaded kdump kernel"

  @decision-new-journal-fields
  Scenario: A failed load is an error-priority entry with its own MESSAGE_ID
    Given a machine "x86_64-ready"
    And the fault "kexec-load" is armed
    When I run "kdump-config load"
    Then the exit code is 1
    And the journal holds "load-failed" from "load"

  # code: estimate-below-minimum
  @decision-new-journal-fields
  Scenario: A size estimate below the minimum is journalled, not shown
    Given a machine "x86_64-ready"
    And the file "/var/lib/kdump/mem-6.1.0-18-amd64" contains "MemTotal: 1024 kB"
    When I run "kdump-config show"
    Then the exit code is 0
    And stdout does not contain "below minimum"
    And the journal holds "estimate-below-minimum" from "show"
    And the journal entry "estimate-below-minimum" says "Suggested crashkernel below minimum ("
