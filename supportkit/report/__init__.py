"""Support analytics over ticket exports (issue 19)."""
