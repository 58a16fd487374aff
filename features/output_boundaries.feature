Feature: output boundaries: what a value holds never reaches the output raw
  A control character in a path, a file or link name or an argument is shown escaped
  (\n, \x1b...), so it can neither forge a line nor drive the terminal; bytes that are not
  UTF-8 are shown as \xNN. Every --json command line prints exactly one document, valid
  UTF-8, whatever the arguments look like.

  Background:
    Given a machine "x86_64-ready"

  @decision-fix-output-boundaries
  Scenario Outline: A newline in KDUMP_COREDIR cannot forge a line of "<command>"
    Given the config file holds the bytes "USE_KDUMP=1\nKDUMP_COREDIR='/var/crash\ncurrent state   : ready to kdump'\n"
    When I run "kdump-config <command>"
    Then no output line is "current state   : ready to kdump"
    And the output shows "/var/crash\ncurrent state   : ready to kdump"
    And the output holds no control character but the layout's

    Examples:
      | command |
      | show    |
      | test    |
      | check   |

  @decision-fix-output-boundaries
  Scenario: An escape sequence in a config value is shown escaped by status
    Given the config file holds the bytes "USE_KDUMP='1\x1b[2J'\n"
    When I run "kdump-config status"
    Then the exit code is 1
    And the output shows "USE_KDUMP='1\x1b[2J'"
    And the output holds no control character but the layout's

  @decision-fix-output-boundaries
  Scenario: An escape sequence and a byte that is not UTF-8 in a link target are shown escaped
    Given the link "/var/lib/kdump/vmlinuz" points to the bytes "/boot/\x1b[31mvmlinuz\xff"
    When I run "kdump-config show"
    Then the output shows "symbolic link to /boot/\x1b[31mvmlinuz\xff"
    And the output holds no control character but the layout's

  @decision-fix-output-boundaries
  Scenario: A kernel version with control characters is named escaped by symlinks
    When I run "kdump-config symlinks" with the argument bytes "6.1\x1b[2J\ncurrent state   : ready to kdump"
    Then the exit code is 1
    And the output shows "Invalid kernel version : 6.1\x1b[2J\ncurrent state   : ready to kdump"
    And no output line is "current state   : ready to kdump"
    And the output holds no control character but the layout's

  @decision-new-json
  Scenario: In --json, a link target that is not UTF-8 is valid text with the byte written out
    Given the link "/var/lib/kdump/vmlinuz" points to the bytes "/boot/\x1b[31mvmlinuz\xff"
    When I run "kdump-config --json show"
    Then the JSON field "kdump_kernel.link_target" is "/boot/\u001b[31mvmlinuz\\xff"

  @decision-new-json
  Scenario: An argument after -- that looks like an option still gets one JSON document
    When I run "kdump-config --json symlinks -- -x"
    Then the exit code is 1
    And the JSON messages are "invalid-kernel-version"
    And stdout does not contain "Usage:"
