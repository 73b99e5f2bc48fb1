"""SLA: deadlines on the working-day calendar, reminders, escalations, compliance figures."""
