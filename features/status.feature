Feature: status
  `kdump-config status` says whether a capture kernel is loaded. It always
  exits 0 in kdump mode (scripts grep its output), as the original.

  Scenario: Not ready before load, ready after
    Given a simulated machine "x86_64-ready"
    When I run "kdump-config status"
    Then the exit code is 0
    And stdout is exactly:
      """
      current state   : Not ready to kdump
      """
    When I run "kdump-config load"
    And I run "kdump-config status"
    Then the exit code is 0
    And stdout is exactly:
      """
      current state   : ready to kdump
      """

  Scenario: A kernel without crashkernel= is reported but status still exits 0
    Given a simulated machine "x86_64-no-crashkernel"
    When I run "kdump-config status"
    Then the exit code is 0
    And stdout is exactly:
      """
      no crashkernel= parameter in the kernel cmdline ... failed!
      current state   : Not ready to kdump
      """
