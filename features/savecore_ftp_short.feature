Feature: savecore to an FTP server: a short raw vmcore is not a saved one
  A raw /proc/vmcore sent over FTP has a size known before it is sent: an upload that
  ends with fewer bytes (the read of the old kernel's memory ended early, without an
  error) is a failed save, deleted from the server, never reported as saved.

  Scenario: A raw vmcore upload that ends early fails savecore and leaves nothing behind
    Given the machine "x86_64-ftp" has crashed into its capture kernel
    And the tool "makedumpfile" is not installed
    And the fault "vmcore-short-upload" is armed with "4096"
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout contains the line "sending /proc/vmcore via FTP to ftp.example:/incoming/192.0.2.10-vmcore.202401010000."
    And stdout contains the line "kdump-config: failed to save vmcore via FTP in ftp.example:/incoming/192.0.2.10-vmcore.202401010000 ... failed!"
    And stdout does not contain "saved vmcore"
    And the dump location "ftp://ftp.example/incoming/192.0.2.10-vmcore.202401010000" does not exist
    And the dump location "ftp://ftp.example/incoming/192.0.2.10-vmcore.202401010000-incomplete" does not exist

  Scenario: The raw vmcore retried after makedumpfile failed must be whole too
    Given the machine "x86_64-ftp" has crashed into its capture kernel
    And the fault "makedumpfile" is armed
    And the fault "vmcore-short-upload" is armed with "4096"
    When I run "kdump-config savecore"
    Then the exit code is 1
    And stdout contains the line "kdump-config: makedumpfile failed, retrying with full vmcore ... failed!"
    And stdout contains the line "kdump-config: failed to save vmcore via FTP in ftp.example:/incoming/192.0.2.10-vmcore.202401010000 ... failed!"
    And stdout does not contain "saved vmcore"
    And the dump location "ftp://ftp.example/incoming/192.0.2.10-vmcore.202401010000" does not exist
    And the dump location "ftp://ftp.example/incoming/192.0.2.10-vmcore.202401010000-incomplete" does not exist
