"""Bundled demo content (written by the team) and the demo runner."""
