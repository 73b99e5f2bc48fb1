"""Routing: the agency directory, automatic routing and the case workflow."""
