"""Intake: everything a reporter or an integrator sends in, and the public tracking view."""
