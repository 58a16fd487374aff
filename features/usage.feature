Feature: usage errors
  Anything that is not a command prints the usage line and exits 1 (not
  click's 2), as the reference does; the usage line lists every command.
  Before it, on stderr, one line says what was wrong (issue 10): no command,
  an unknown command or option, an option without its value, an argument too
  many, a --root that does not exist or is not a machine's root. With --json,
  stdout holds exactly one JSON document (command "usage") instead.

  Scenario: No command at all
    Given a machine "x86_64-ready"
    When I run "kdump-config"
    Then the exit code is 1
    And stdout is exactly:
      """
      Usage: kdump-config {help|test|show|status|check|load|unload|reload|try-reload|savecore|propagate|symlinks kernel-version}
      """
    And stderr is exactly:
      """
      kdump-config: no command given
      """

  Scenario Outline: An unknown command "<word>"
    Given a machine "x86_64-ready"
    When I run "kdump-config <word>"
    Then the exit code is 1
    And stdout is exactly:
      """
      Usage: kdump-config {help|test|show|status|check|load|unload|reload|try-reload|savecore|propagate|symlinks kernel-version}
      """
    And stderr is exactly:
      """
      kdump-config: <reason>
      """
    And "kexec" was not run

    Examples:
      | word        | reason                     |
      | start       | unknown command 'start'    |
      | Load        | unknown command 'Load'     |
      | -x          | unknown option -x          |
      | --versions  | unknown option --versions  |

  Scenario Outline: Bad arguments to a known command: "<command>"
    Given a machine "x86_64-ready"
    When I run "kdump-config <command>"
    Then the exit code is 1
    And stdout is exactly:
      """
      Usage: kdump-config {help|test|show|status|check|load|unload|reload|try-reload|savecore|propagate|symlinks kernel-version}
      """
    And stderr contains "<problem>"

    Examples:
      | command                      | problem                                                     |
      | status --bogus               | kdump-config: unknown option --bogus                        |
      | load --json=yes              | kdump-config: --json takes no value                         |
      | symlinks 6.1.0-18-amd64 more | kdump-config: unexpected argument 'more' after symlinks     |
      | help me                      | kdump-config: unexpected argument 'me' after help           |
      | show --sim-state             | kdump-config: --sim-state needs a value                     |
      | load --root --backend sim    | kdump-config: --root needs a value                          |

  Scenario Outline: A --root that is no machine's root is a usage error: <case>
    Given a machine "x86_64-ready"
    And the directory "/srv/notroot/etc" exists
    When I run "kdump-config --backend linux --root <root> status" with no machine options
    Then the exit code is 1
    And stdout is exactly:
      """
      Usage: kdump-config {help|test|show|status|check|load|unload|reload|try-reload|savecore|propagate|symlinks kernel-version}
      """
    And stderr is exactly:
      """
      kdump-config: --root <shown>: <reason>
      """

    Examples:
      | case        | root                  | shown                 | reason                                   |
      | missing     | MACHINE/nosuch        | MACHINE/nosuch        | no such directory                        |
      | without proc | MACHINE/srv/notroot  | MACHINE/srv/notroot   | no /proc in it: not the root of a machine |

  Scenario: KDUMP_ROOT naming no machine's root is said as such
    Given a machine "x86_64-ready"
    And the environment sets KDUMP_ROOT to "/nonexistent/kdump-root"
    When I run "kdump-config status" with no machine options
    Then the exit code is 1
    And stderr is exactly:
      """
      kdump-config: KDUMP_ROOT /nonexistent/kdump-root: no such directory
      """

  Scenario Outline: A usage error in JSON mode is one JSON document: <command>
    Given a machine "x86_64-ready"
    When I run "kdump-config <command>"
    Then the exit code is 1
    And the JSON document is valid against its schema
    And the JSON field "command" is "usage"
    And the JSON field "requested" is <requested>
    And the JSON messages are "<codes>"
    And stderr is empty

    Examples:
      | command                 | requested | codes                                |
      | --json                  | null      | usage-no-command usage               |
      | nosuch --json           | null      | usage-unknown-command usage          |
      | status --json --bogus   | "status"  | usage-unknown-option usage           |
      | --json symlinks a b     | "symlinks" | usage-extra-argument usage          |
      | load --json --root      | "load"    | usage-missing-value usage            |

  Scenario: An unknown backend is an error that names the choices
    Given a machine "x86_64-ready"
    When I run "kdump-config --backend nosuch status"
    Then the exit code is 1
    And stdout is exactly:
      """
      unknown backend 'nosuch' (choose one of: linux, sim) ... failed!
      """

  Scenario: An unknown backend in JSON mode
    Given a machine "x86_64-ready"
    When I run "kdump-config --backend nosuch status --json"
    Then the exit code is 1
    And the JSON field "schema_version" is 1
    And the JSON field "exit_code" is 1
    And the JSON messages include "backend-error"

  Scenario: every reason, word for word
    Given a machine "x86_64-ready"
    And the directory "/srv/notroot/etc" exists
    When I run "kdump-config start"
    Then stderr is exactly:
      """
      kdump-config: unknown command 'start'
      """
    When I run "kdump-config load --json=yes"
    Then stderr is exactly:
      """
      kdump-config: --json takes no value
      """
    When I run "kdump-config show --sim-state"
    Then stderr is exactly:
      """
      kdump-config: --sim-state needs a value
      """
    When I run "kdump-config --backend linux --root MACHINE/srv/notroot test" with no machine options
    Then stderr is exactly:
      """
      kdump-config: --root MACHINE/srv/notroot: no /proc in it: not the root of a machine
      """
    And the exit code is 1
