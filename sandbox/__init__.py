"""The sandbox tier's machinery: stub programs and the real kernel's faults (shared by the
tests and bench/; never shipped, never imported by the product)."""
