Feature: hotplug: try-reload in the capture kernel, kernel-managed hotplug, coalescing
  udev runs `try-reload` for every CPU and memory block that comes or goes, in both
  the first and the capture kernel. In the capture kernel (/proc/vmcore exists) the
  dump is what matters: `try-reload` and `load` do nothing, say so and exit 0.

  Scenario Outline: <command> does nothing in the capture kernel
    Given the machine "x86_64-ready" has crashed into its capture kernel
    When I run "kdump-config <command>"
    Then the exit code is 0
    And stdout is exactly:
      """
      kdump-config: running in the capture kernel (/proc/vmcore exists): <said> does nothing here.
      """
    And "kexec" was run 1 time

    Examples:
      | command    | said       |
      | try-reload | try-reload |
      | condreload | try-reload |
      | load       | load       |
