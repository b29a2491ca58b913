"""Tests of backend_pair.workspace."""
