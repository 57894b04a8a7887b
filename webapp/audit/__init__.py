"""The audit log: who changed what, in words a reader understands."""
