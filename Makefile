# The two commands: `make run` (whole platform, demo data) and `make test` (full suite).
.PHONY: setup run test bench stop-infra

setup:
	scripts/setup.sh

run:
	scripts/run.sh

test:
	scripts/test.sh

stop-infra:
	scripts/stop-infra.sh

bench:
	scripts/setup.sh
	.venv/bin/python -m bench.classifier
	.venv/bin/python -m bench.sla_scale
	.venv/bin/python -m bench.run
	.venv/bin/python -m bench.web_weight
	.venv/bin/python -m bench.query_scale
