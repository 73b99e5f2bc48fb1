# The two commands: `make run` (whole platform, demo data) and `make test` (full suite).
.PHONY: setup run test test-long bench stop-infra

setup:
	scripts/setup.sh

run:
	scripts/run.sh

test:
	scripts/test.sh

stop-infra:
	scripts/stop-infra.sh
