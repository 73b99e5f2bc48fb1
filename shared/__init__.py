"""Library shared by the four lapor services: settings, events, messaging, storage,
observability, the working-day calendar, privacy helpers and the service runtime."""
