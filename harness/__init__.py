"""What tests and benchmarks share: a private platform (own vhost, database and secrets) started
from this checkout, real peers (SMTP, Kannel, OTLP), test files and report bodies."""
