"""Attachments: photos and documents on reports and on agencies' answers.

One path for every channel and both owning services (intake for reporters and integrators,
routing for officers): the body is streamed to disk under limits (``upload``), the type is
decided from the bytes and images are re-encoded without metadata (``content``), the bytes go
to object storage (``store``) and only metadata goes on the report and into events.
"""
