Feature: hotplug: try-reload in the capture kernel, kernel-managed hotplug, coalescing
  udev runs `try-reload` for every CPU and memory block that comes or goes, in both
  the first and the capture kernel. In the capture kernel (/proc/vmcore exists) the
  dump is what matters: `try-reload` and `load` do nothing, say so and exit 0.

  @decision-new-crash-hotplug
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

  @decision-new-crash-hotplug
  Scenario: The kernel updates the crash image on hotplug: try-reload does nothing
    Given a machine "x86_64-crash-hotplug"
    And kdump is loaded
    When I run "kdump-config try-reload"
    Then the exit code is 0
    And stdout is exactly:
      """
      kdump-config: the kernel updates the loaded crash image on CPU and memory hotplug itself: try-reload does nothing.
      """
    And "kexec" was run 1 time
    And "kdump-config status" reports "current state   : ready to kdump"

  @decision-fix-reload-keeps-loaded
  Scenario: Loaded without hotplug support: try-reload reloads
    Given a machine "x86_64-crash-hotplug-kexec-load"
    And kdump is loaded
    When I run "kdump-config try-reload"
    Then the exit code is 0
    And stdout ends with:
      """
      loaded kdump kernel.
      """
    And "kexec" was run 2 times

  @decision-fix-reload-keeps-loaded
  Scenario: One crash_hotplug file reading 0 is not kernel-managed hotplug
    Given a machine "x86_64-crash-hotplug"
    And kdump is loaded
    And the file "/sys/devices/system/memory/crash_hotplug" contains "0"
    When I run "kdump-config try-reload"
    Then the exit code is 0
    And "kexec" was run 2 times

  @decision-new-crash-hotplug @decision-new-check-command
  # code: hotplug-reloads
  Scenario Outline: show and check say who keeps the capture image current (<profile>)
    Given a machine "<profile>"
    And kdump is loaded
    When I run "kdump-config show"
    Then stdout contains the line "crash hotplug:    <show>"
    When I run "kdump-config check"
    Then stdout contains the line "<check>"

    Examples:
      | profile                          | show                                                            | check                                                                              |
      | x86_64-crash-hotplug             | handled by the kernel                                           | ok    crash-hotplug         handled by the kernel                                  |
      | x86_64-crash-hotplug-kexec-load  | not handled by the kernel for the loaded image (udev reloads)   | warn  crash-hotplug         the kernel does not update the loaded capture image on CPU or memory hotplug: udev reloads it on every event |

  Scenario: show and check say nothing of hotplug on a kernel that cannot tell
    Given a machine "x86_64-ready"
    And kdump is loaded
    When I run "kdump-config show"
    Then stdout does not contain "crash hotplug"
    When I run "kdump-config check"
    Then stdout does not contain "crash-hotplug"

  @decision-new-json
  Scenario: show --json says whether the kernel handles hotplug
    Given a machine "x86_64-crash-hotplug"
    And kdump is loaded
    When I run "kdump-config show --json"
    Then the JSON field "kernel_handles_hotplug" is true

  # Coalescing: at most one reload runs and one more waits in the queue
  # (/run/kdump-config.queued) behind it; every other request is covered by the queued one.
  Scenario Outline: <command> returns at once when a reload runs and another is queued
    Given a machine "x86_64-ready"
    And kdump is loaded
    And another process holds the kdump-config lock
    And another try-reload is queued behind it
    When I run "kdump-config <command>"
    Then the exit code is 0
    And stdout is exactly:
      """
      kdump-config: a reload is already queued: it will cover this request.
      """
    And "kexec" was run 1 time

    Examples:
      | command    |
      | try-reload |
      | condreload |

  # code: reload-handed-on
  # code: reload-pending
  Scenario: A request that finds the queue free waits in it, bounded, for the lock; the reload it owes is handed on
    Given a machine "x86_64-ready"
    And kdump is loaded
    And another process holds the kdump-config lock
    When I run "kdump-config try-reload"
    Then the exit code is 1
    And stdout contains the line with the lock holder "kdump-config: waiting up to 30 seconds for the lock /run/kdump-config.lock, held by <holder> ... (warning)."
    And stdout contains the line "kdump-config: the reload this request queued is left pending: the next command to take the lock runs it when it finishes ... (warning)."
    And stdout contains the line with the lock holder "kdump-config: the lock /run/kdump-config.lock is still held by <holder> after 30 seconds; nothing was changed ... failed!"
    And "kexec" was run 1 time
    And the file "/run/kdump-config.queued" exists
    And the file "/run/kdump-config.pending" exists
    When the other process lets go of the lock
    And I run "kdump-config unload"
    Then the exit code is 0
    And stdout is exactly:
      """
      unloaded kdump kernel.
      kdump-config: running the reload a try-reload request left pending.
      """
    And the file "/run/kdump-config.pending" does not exist

  Scenario: load is never coalesced: it waits for the lock even when a reload is queued
    Given a machine "x86_64-ready"
    And another process holds the kdump-config lock
    And another try-reload is queued behind it
    When I run "kdump-config load"
    Then the exit code is 1
    And stdout contains the line with the lock holder "kdump-config: the lock /run/kdump-config.lock is still held by <holder> after 30 seconds; nothing was changed ... failed!"
