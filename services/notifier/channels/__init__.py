"""Outbound providers. Each ``send`` returns the provider's answer or raises ``SendError``."""
