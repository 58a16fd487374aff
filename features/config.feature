Feature: the config file
  /etc/default/kdump-tools is read as data with a restricted shell grammar,
  never run. Anything outside the grammar, and any value that cannot be used,
  is an error naming the file and line, exit 1, before anything is done.
  Unknown settings are warnings with a hint. Internal state never comes from
  the environment: `DRY_RUN=1 kdump-config load` loads (B6).

  @decision-fix-config-grammar
  Scenario: Command substitution is refused, with file and line
    Given a machine "x86_64-ready"
    And the config file contains:
      """
      USE_KDUMP=1
      KDUMP_COREDIR=$(mktemp -d)
      """
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools:2: command substitution $(...) is not allowed: the file is read as data, not run ... failed!
      """
    And "kexec" was not run

  @decision-fix-config-grammar
  Scenario: Unquoted whitespace is refused
    Given a machine "x86_64-ready"
    And the config file contains:
      """
      # kdump settings
      USE_KDUMP=1
      KDUMP_COREDIR=/var/crash dumps
      """
    When I run "kdump-config status"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools:3: unquoted whitespace before 'dumps': quote a value that contains spaces ("a b"), one assignment per line (bash would run the rest as a command) ... failed!
      """

  @decision-fix-config-grammar
  Scenario: An unterminated quote names the line it opened on
    Given a machine "x86_64-ready"
    And the config file contains:
      """
      USE_KDUMP=1
      KDUMP_COREDIR="/var/crash
      KDUMP_NUM_DUMPS=3
      """
    When I run "kdump-config test"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools:2: unterminated double quote (") starting on this line ... failed!
      """

  @decision-new-json
  Scenario: A syntax error in JSON mode
    Given a machine "x86_64-ready"
    And the config file contains:
      """
      USE_KDUMP=`echo 1`
      """
    When I run "kdump-config show --json"
    Then the exit code is 1
    And the JSON field "exit_code" is 1
    And the JSON messages include "config-syntax"

  @decision-fix-config-values
  Scenario Outline: A value that cannot be used: <key>=<value>
    Given a machine "x86_64-ready"
    And the config sets <key> to "<value>"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools:<line>: <key>='<value>' <problem> ... failed!
      """
    And "kexec" was not run

    Examples:
      | key             | value | line | problem                                        |
      | USE_KDUMP       | maybe | 5    | is not a boolean (use 0/1, yes/no, true/false) |
      | KDUMP_NUM_DUMPS | -1    | 6    | must be an integer >= 0                        |
      | NFS_MOUNT_RETRY | 0     | 6    | must be an integer >= 1                        |
      | HOSTTAG         | mac   | 6    | must be 'ip' or 'hostname'                     |
      | FTP_PORT        | 70000 | 6    | must be a port number from 1 to 65535          |

  @decision-new-json
  Scenario: A value error in JSON mode
    Given a machine "x86_64-ready"
    And the config sets KDUMP_DUMP_DMESG to "sometimes"
    When I run "kdump-config status --json"
    Then the exit code is 1
    And the JSON messages include "config-value"

  @decision-fix-config-values
  Scenario: A bad value from the environment says so
    Given a machine "x86_64-ready"
    And the config does not set USE_KDUMP
    And the environment sets USE_KDUMP to "maybe"
    When I run "kdump-config status"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools: USE_KDUMP='maybe' is not a boolean (use 0/1, yes/no, true/false) (set in the environment) ... failed!
      """

  Scenario: A setting the file does not make comes from the environment
    Given a machine "x86_64-ready"
    And the config does not set USE_KDUMP
    And the environment sets USE_KDUMP to "1"
    When I run "kdump-config status"
    Then the exit code is 0
    And stdout is exactly:
      """
      current state   : Not ready to kdump
      """

  Scenario Outline: USE_KDUMP=<value> enables kdump (one boolean parser, B9)
    Given a machine "x86_64-ready"
    And the config sets USE_KDUMP to "<value>"
    When I run "kdump-config load"
    Then the exit code is 0
    And stdout ends with:
      """
      loaded kdump kernel.
      """

    Examples:
      | value |
      | 1     |
      | yes   |
      | true  |

  @decision-fix-use-kdump-boolean
  Scenario Outline: USE_KDUMP=<value> disables kdump
    Given a machine "x86_64-ready"
    And the config sets USE_KDUMP to "<value>"
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout is exactly:
      """
      /etc/default/kdump-tools: USE_KDUMP is not set or zero ... failed!
      """

    Examples:
      | value |
      | 0     |
      | no    |
      | false |
      | ""    |

  @decision-new-config-warnings
  Scenario: An unknown setting is a warning with a hint; load goes on
    Given a machine "x86_64-ready"
    And the config file contains:
      """
      USE_KDUMP=1
      KDUMP_KERNEL=/var/lib/kdump/vmlinuz
      KDUMP_INITRD=/var/lib/kdump/initrd.img
      KDUMP_COREDIRR=/var/crash
      kdump_helper=not-a-setting
      """
    When I run "kdump-config load"
    Then the exit code is 0
    And stdout is exactly:
      """
      /etc/default/kdump-tools:4: unknown setting KDUMP_COREDIRR (did you mean KDUMP_COREDIR?) ... (warning).
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      loaded kdump kernel.
      """

  @decision-new-config-warnings
  Scenario: A setting older packages used says what replaced it
    Given a machine "x86_64-ready"
    And the config sets KDUMP_SYSCTL to "kernel.panic_on_oops=1"
    When I run "kdump-config status"
    Then the exit code is 0
    And stdout is exactly:
      """
      /etc/default/kdump-tools:6: KDUMP_SYSCTL is no longer used (sysctl overrides for the kdump kernel now live in /etc/kdump/sysctl.conf) ... (warning).
      current state   : Not ready to kdump
      """

  @decision-new-json
  Scenario: Unknown settings in JSON mode
    Given a machine "x86_64-ready"
    And the config sets KDUMP_CORDIR to "/var/crash"
    When I run "kdump-config status --json"
    Then the exit code is 0
    And the JSON messages include "config-unknown-key"

  @decision-fix-internal-state
  Scenario: DRY_RUN in the environment does not stop load (B6)
    Given a machine "x86_64-ready"
    And the environment sets DRY_RUN to "1"
    When I run "kdump-config load"
    Then the exit code is 0
    And stdout is exactly:
      """
      Creating symlink /var/lib/kdump/vmlinuz.
      Creating symlink /var/lib/kdump/initrd.img.
      loaded kdump kernel.
      """
    And "kdump-config status" reports "current state   : ready to kdump"

  Scenario: ERROR in the environment does not fail status (B6)
    Given a machine "x86_64-ready"
    And the environment sets ERROR to "1"
    When I run "kdump-config status"
    Then the exit code is 0
    And stdout is exactly:
      """
      current state   : Not ready to kdump
      """
