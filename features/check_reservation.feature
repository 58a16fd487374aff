Feature: check: the reservation against the suggested size, at the boundary
  `check` compares the memory reserved for the capture kernel, in whole MiB, with the
  size it suggests: as much as suggested is enough; one MiB (or one byte) less is not.

  @decision-new-check-command
  # code: crashkernel-too-small
  Scenario Outline: A reservation of <bytes> bytes against a suggested 472M is <status>
    Given a machine "x86_64-ready"
    And kdump is loaded
    And the file "/sys/kernel/kexec_crash_size" contains "<bytes>"
    When I run "kdump-config check"
    Then the exit code is 0
    And stdout contains the line "<line>"

    Examples:
      | bytes     | status | line                                                                                          |
      | 494927872 | enough | ok    crashkernel-size      472M reserved, 472M suggested                                     |
      | 494927873 | enough | ok    crashkernel-size      472M reserved, 472M suggested                                     |
      | 495976448 | enough | ok    crashkernel-size      473M reserved, 472M suggested                                     |
      | 494927871 | short  | warn  crashkernel-size      471M reserved for the capture kernel, less than the 472M it needs |
      | 493879296 | short  | warn  crashkernel-size      471M reserved for the capture kernel, less than the 472M it needs |
