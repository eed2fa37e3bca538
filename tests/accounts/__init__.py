"""Unit tests of curator.accounts (no database)."""
