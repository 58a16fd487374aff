@decision-new-global-options @decision-new-json
Feature: the command line: global options anywhere, --json on every command, colour
  The global options (--backend, --root, --sim-state, --json) may stand before
  or after the command, on both dispatch paths (status, try-reload and
  condreload run without typer; the rest through typer). Every command takes
  --json and then prints exactly one JSON document on stdout, valid against
  docs/schema/COMMAND.json (every scenario's JSON output is checked against
  it), with message texts free of the text layout's padding. NO_COLOR turns
  colour off on a terminal (issue 10).

  Scenario Outline: the machine options after the command: <command>
    Given a machine "x86_64-ready"
    When I run "kdump-config <command>" with the machine options after the command
    Then the exit code is 0
    And stdout contains the line "<line>"

    Examples:
      | command                  | line                                 |
      | status                   | current state   : Not ready to kdump |
      | show                     | current state:    Not ready to kdump |
      | load                     | loaded kdump kernel.                 |
      | symlinks 6.1.0-18-amd64  | Creating symlink /var/lib/kdump/vmlinuz.  |

  @decision-fix-reload-keeps-loaded
  Scenario: try-reload with the machine options after it reloads the loaded kernel
    Given a machine "x86_64-ready"
    And kdump is loaded
    When I run "kdump-config try-reload" with the machine options after the command
    Then the exit code is 0
    And stdout contains the line "loaded kdump kernel."
    And "kexec" was run 2 times

  Scenario Outline: the backend before the command, the machine after it: <command>
    Given a machine "x86_64-ready"
    And kdump is loaded
    When I run "kdump-config <command>" with the machine options split around it
    Then the exit code is 0
    And stdout contains the line "<line>"

    Examples:
      | command    | line                             |
      | status     | current state   : ready to kdump |
      | condreload | loaded kdump kernel.             |
      | unload     | unloaded kdump kernel.           |

  Scenario Outline: --json after the machine options and the command: <command>
    Given a machine "x86_64-ready"
    When I run "kdump-config <command> --json" with the machine options after the command
    Then the exit code is 0
    And the JSON field "command" is "<command>"
    And the JSON document is valid against its schema

    Examples:
      | command |
      | status  |
      | show    |

  Scenario Outline: --json on <command>
    Given a machine "x86_64-ready"
    When I run "kdump-config <command> --json"
    Then the exit code is <exit>
    And the JSON document is valid against its schema
    And the JSON field "command" is "<reported>"
    And the JSON field "exit_code" is <exit>
    And the JSON messages are "<codes>"
    And stderr is empty

    Examples:
      | command                 | reported   | exit | codes                                  |
      | load                    | load       | 0    | creating-symlink creating-symlink loaded |
      | symlinks 6.1.0-18-amd64 | symlinks   | 0    | creating-symlink creating-symlink      |
      | symlinks                | symlinks   | 1    | missing-kernel-version                 |
      | unload                  | unload     | 0    | unloaded                               |
      | try-reload              | try-reload | 0    | (none)                                 |
      | condreload              | try-reload | 0    | (none)                                 |
      | savecore                | savecore   | 1    | no-vmcore                              |
      | propagate               | propagate  | 1    | propagate-no-ssh                       |
      | check                   | check      | 3    | kdump-not-loaded                       |
      | test                    | test       | 0    | (none)                                 |
      | help                    | help       | 0    | (none)                                 |

  @decision-fix-reload-keeps-loaded
  Scenario: --json on reload and try-reload of a loaded kernel
    Given a machine "x86_64-ready"
    And kdump is loaded
    When I run "kdump-config --json reload"
    Then the exit code is 0
    And the JSON messages are "creating-symlink creating-symlink loaded"
    And "kdump-config try-reload --json" reports nothing but one JSON document

  Scenario: --json on savecore in the capture kernel
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the machine has crashed into the capture kernel
    When I run "kdump-config savecore --json"
    Then the exit code is 0
    And the JSON document is valid against its schema
    And the JSON messages include "vmcore-saved"
    And the JSON messages include "dmesg-saved"
    And stderr is empty

  Scenario: --json on propagate with an SSH target
    Given a machine "x86_64-ssh"
    When I run "kdump-config propagate --json"
    Then the exit code is 0
    And the JSON document is valid against its schema
    And the JSON messages include "key-propagated"
    And stderr is empty

  Scenario: COMMAND --help --json is help's document about that command
    Given a machine "x86_64-ready"
    When I run "kdump-config status --help --json"
    Then the exit code is 0
    And the JSON field "command" is "help"
    And the JSON field "about" is "status"
    And the JSON field "usage" is "Usage: kdump-config [--backend linux|sim] [--root DIR] [--sim-state DIR] [--json] status"
    And the JSON field "summary" is "Say whether a capture kernel is loaded (or fadump registered)."
    And the JSON messages are "(none)"

  Scenario: help --json lists every command and the global options
    Given a machine "x86_64-ready"
    When I run "kdump-config --json help"
    Then the exit code is 0
    And the JSON field "command" is "help"
    And the JSON lists the commands "check help load propagate reload savecore show status symlinks test try-reload unload"
    And the JSON lists the global options "--backend --root --sim-state --json"

  Scenario: show --json carries everything show prints
    Given a machine "x86_64-ready"
    And the config sets SSH to "kdump@backup.example"
    And the config sets FTP to "ftp.example"
    And the config sets FTP_USER to "dumper"
    And the config sets FTP_PASSWORD to "secret"
    And kdump is loaded
    When I run "kdump-config show --json"
    Then the exit code is 0
    And the JSON field "dump_mode" is "kdump"
    And the JSON field "use_kdump" is "1"
    And the JSON field "kdump_coredir" is "/var/crash"
    And the JSON field "crashkernel_iomem" is "0x2b000000"
    And the JSON field "kdump_kernel.path" is "/var/lib/kdump/vmlinuz"
    And the JSON field "kdump_kernel.link_target" is "/boot/vmlinuz-6.1.0-18-amd64"
    And the JSON field "kdump_initrd.path" is "/var/lib/kdump/initrd.img"
    And the JSON field "kdump_initrd.link_target" is "/var/lib/kdump/initrd.img-6.1.0-18-amd64"
    And the JSON field "targets.ssh" is {"destination": "kdump@backup.example", "key": "/root/.ssh/kdump_id_rsa"}
    And the JSON field "targets.ftp" is {"host": "ftp.example", "user": "dumper", "password_set": true, "port": null}
    And the JSON field "targets.nfs" is null
    And the JSON field "targets.hosttag" is "ip"
    And the JSON field "state" is "ready to kdump"
    And the JSON field "ready" is true
    And the JSON field "crashkernel_suggested_mib" is 472
    And stdout does not contain "secret"

  Scenario Outline: message texts in JSON have no layout padding: <command>
    Given a machine "x86_64-ready"
    When I run "kdump-config <command> --json"
    Then the JSON messages include "<code>"
    And no JSON message text starts or ends with a blank

    Examples:
      | command | code             |
      | status  | state-not-ready  |
      | show    | no-kexec-command |

  Scenario: the state line in JSON reads without its padding
    Given a machine "x86_64-ready"
    When I run "kdump-config status --json"
    Then the JSON field "messages" is [{"code": "state-not-ready", "severity": "plain", "text": "current state: Not ready to kdump"}]

  Scenario: a failure is red on a terminal
    Given a machine "x86_64-no-crashkernel"
    And stdout is a terminal
    And the environment sets TERM to "xterm"
    When I run "kdump-config load"
    Then the exit code is 1
    And the output is coloured

  Scenario Outline: NO_COLOR="<value>" turns colour off on a terminal
    Given a machine "x86_64-no-crashkernel"
    And stdout is a terminal
    And the environment sets TERM to "xterm"
    And the environment sets NO_COLOR to "<value>"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      no crashkernel= parameter in the kernel cmdline ... failed!
      """
    And the output has no colour

    Examples:
      | value |
      | 1     |
      | yes   |
