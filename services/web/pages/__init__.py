"""Routers of the portal's pages, one module per part of the citizen's journey."""
