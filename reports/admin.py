"""No admin pages: exports are records of what was asked for, read through the audit log."""
