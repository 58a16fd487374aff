Feature: propagate the ssh key to the dump server
  `kdump-config propagate` makes the SSH_KEY key pair if it is missing (RSA for
  the default kdump_id_rsa, as before) and installs its public half on the SSH
  server with ssh-copy-id, to the server exactly as configured. Every failure
  exits 1.

  @decision-fix-exit-codes
  Scenario: Without SSH there is nothing to propagate
    Given a simulated machine "x86_64-ready"
    When I run "kdump-config propagate"
    Then the exit code is 1
    And stdout is exactly:
      """
      kdump-config: Remote ssh dump is not configured. No reason to propagate ... failed!
      """
    And "ssh-copy-id" never ran

  @decision-fix-ssh-options
  Scenario: An existing key is sent
    Given a simulated machine "x86_64-ssh"
    When I run "kdump-config propagate"
    Then the exit code is 0
    And stdout is exactly:
      """
      Using existing key /root/.ssh/kdump_id_rsa
      propagated ssh key /root/.ssh/kdump_id_rsa to server root@dumphost
      """
    And "ssh-copy-id" was run with "-i /root/.ssh/kdump_id_rsa -o ConnectTimeout=30 root@dumphost"
    And "ssh-keygen" never ran
    And the syslog contains "kdump-config: propagated ssh key /root/.ssh/kdump_id_rsa to server root@dumphost"

  @decision-fix-ssh-options
  Scenario: A missing key is generated, sent, and then used by savecore
    Given a simulated machine "x86_64-ssh"
    And the file "/root/.ssh" is absent
    When I run "kdump-config propagate"
    Then the exit code is 0
    And stdout is exactly:
      """
      Need to generate a new ssh key...
      propagated ssh key /root/.ssh/kdump_id_rsa to server root@dumphost
      """
    And "ssh-keygen" was run with "-t rsa -N '' -f /root/.ssh/kdump_id_rsa"
    And the dump directory "/root/.ssh" holds exactly:
      """
      kdump_id_rsa 0600
      kdump_id_rsa.pub 0644
      """
    And the dump directory "/root/.ssh" has mode 0700
    When I run "kdump-config load"
    And the machine crashes
    And I run "kdump-config savecore"
    Then the exit code is 0
    And the dump location "ssh://dumphost/var/crash/192.0.2.10-202401010000/dump.202401010000" exists

  @decision-fix-ssh-key-type
  Scenario: A key named for ed25519 is made as ed25519
    Given a simulated machine "x86_64-ssh"
    And the config sets SSH_KEY to "/root/.ssh/kdump_id_ed25519"
    When I run "kdump-config propagate"
    Then the exit code is 0
    And "ssh-keygen" was run with "-t ed25519"
    And the dump file "/root/.ssh/kdump_id_ed25519.pub" contains "ssh-ed25519 "

  @decision-fix-exit-codes
  Scenario: A key that cannot be generated is a failure
    Given a simulated machine "x86_64-ssh"
    And the file "/root/.ssh/kdump_id_rsa" is absent
    And the fault "ssh-keygen" is armed
    When I run "kdump-config propagate"
    Then the exit code is 1
    And stdout is exactly:
      """
      Need to generate a new ssh key...
      kdump-config: could not generate the ssh key /root/.ssh/kdump_id_rsa ... failed!
      """
    And "ssh-copy-id" never ran

  @decision-fix-exit-codes
  Scenario Outline: A key the server does not take is a failure
    Given a simulated machine "x86_64-ssh"
    And the fault "<fault>" is armed
    When I run "kdump-config propagate"
    Then the exit code is 1
    And stdout is exactly:
      """
      Using existing key /root/.ssh/kdump_id_rsa
      kdump-config: /root/.ssh/kdump_id_rsa failed to be sent to root@dumphost ... failed!
      """
    And the syslog contains "kdump-config: /root/.ssh/kdump_id_rsa failed to be sent to root@dumphost"

    Examples:
      | fault           |
      | ssh-copy-id     |
      | ssh-unreachable |

  @decision-fix-ssh-key-type
  Scenario: The server is used as configured, without a made-up user
    Given a simulated machine "x86_64-ssh"
    And the config sets SSH to "dumphost"
    When I run "kdump-config propagate"
    Then the exit code is 0
    And stdout contains the line "propagated ssh key /root/.ssh/kdump_id_rsa to server dumphost"
    And "ssh-copy-id" was run with "-o ConnectTimeout=30 dumphost"

  @decision-fix-ssh-nfs-exclusive
  Scenario: SSH and NFS together are refused
    Given a simulated machine "x86_64-ssh"
    And the config sets NFS to "nfs.example:/srv/crash"
    When I run "kdump-config propagate"
    Then the exit code is 1
    And stdout is exactly:
      """
      SSH and NFS cannot be defined concurrently ... failed!
      """
