"""The sandbox tier's machinery: stub programs and the real kernel's faults (test code)."""
