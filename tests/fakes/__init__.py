"""Typed fakes of the console's seams, shared by service and view tests."""
