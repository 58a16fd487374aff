Feature: usage errors
  Anything that is not a command prints the usage line and exits 1 (not
  click's 2), as the reference does; the usage line lists every command.

  @decision-fix-usage-exit
  Scenario: No command at all
    Given a machine "x86_64-ready"
    When I run "kdump-config"
    Then the exit code is 1
    And stdout is exactly:
      """
      Usage: kdump-config {help|test|show|status|check|load|unload|reload|try-reload|savecore|propagate|symlinks kernel-version}
      """

  @decision-fix-usage-exit
  Scenario Outline: An unknown command "<word>"
    Given a machine "x86_64-ready"
    When I run "kdump-config <word>"
    Then the exit code is 1
    And stdout is exactly:
      """
      Usage: kdump-config {help|test|show|status|check|load|unload|reload|try-reload|savecore|propagate|symlinks kernel-version}
      """
    And "kexec" was not run

    Examples:
      | word      |
      | start     |
      | Load      |
      | -x        |
      | --version |

  @decision-fix-usage-exit
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
      | command                      | problem                        |
      | status --bogus               | No such option: --bogus        |
      | symlinks 6.1.0-18-amd64 more | unexpected extra argument      |
      | help me                      | unexpected extra argument      |

  @decision-new-global-options
  Scenario: An unknown backend is an error that names the choices
    Given a machine "x86_64-ready"
    When I run "kdump-config --backend nosuch status"
    Then the exit code is 1
    And stdout is exactly:
      """
      unknown backend 'nosuch' (choose one of: linux, sim) ... failed!
      """

  @decision-new-global-options @decision-new-json
  Scenario: An unknown backend in JSON mode
    Given a machine "x86_64-ready"
    When I run "kdump-config --backend nosuch status --json"
    Then the exit code is 1
    And the JSON field "schema_version" is 1
    And the JSON field "exit_code" is 1
    And the JSON messages include "backend-error"
