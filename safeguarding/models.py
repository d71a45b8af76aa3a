"""Child-protection files: kept apart from case files, reachable only by designated leads."""
