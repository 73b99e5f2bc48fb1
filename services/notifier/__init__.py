"""Notifier: every outbound message (SMS, e-mail, webhooks, alerts), each sent exactly once."""
