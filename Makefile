# Vigil — make targets. Everything here works on a fresh Debian machine with Go.
GO        ?= go
SHARED    ?= $(abspath ../shared)
BIN       := bin/vigil
FUZZTIME  ?= 20s

.PHONY: all build test race vet fmt-check generate bench tck conformance demo fuzz clean services example-postgres example-governance mutants grafana-test grafana-plugin

all: build

build:
	$(GO) build -o $(BIN) ./cmd/vigil

## test: static checks, unit tests (incl. the randomized differential test),
## the shared conformance scenarios (every one must pass) and the openCypher
## TCK held to its baseline of known failures (TCK_BASELINE). Without
## $(SHARED) (../shared beside the checkout) the two shared suites are skipped,
## saying so; under CI=true a missing suite is an error. Likewise the
## services (scripts/services.sh): without them the PostgreSQL and MariaDB
## tests skip, saying why; under CI=true a services.sh failure fails the run,
## and so does every test that would skip for a missing service or tool
## (internal/sharedtest.Require).
TCK_BASELINE := testdata/tck-baseline.txt
test: vet fmt-check
	@if ! bash scripts/services.sh; then \
	  if $(in-ci); then echo "make test: scripts/services.sh failed (CI=$$CI: the PostgreSQL and MariaDB tests must run)" >&2; exit 1; fi; \
	  echo "make test: services not ready; the tests that need PostgreSQL or MariaDB will skip and say why"; fi
	$(GO) test ./...
	$(GO) run ./cmd/vigil test testdata/conformance
	@if $(call have-shared,$(SHARED)/conformance,the shared conformance scenarios); then \
	  echo "$(GO) run ./cmd/vigil test $(SHARED)/conformance"; \
	  $(GO) run ./cmd/vigil test $(SHARED)/conformance; fi
	@if $(call have-shared,$(SHARED)/tck/features,the openCypher TCK); then \
	  echo "$(GO) run ./cmd/vigil tck -q -baseline $(TCK_BASELINE) $(SHARED)/tck/features"; \
	  $(GO) run ./cmd/vigil tck -q -baseline $(TCK_BASELINE) $(SHARED)/tck/features; fi
	$(MAKE) grafana-test

## grafana-test: the Grafana data source (reactions/grafana, a Go module of
## its own so that the server does not link the Grafana SDK): its backend's
## tests against the real server, and its frontend's type check and unit
## tests (npm ci from the lockfile). Without npm the frontend is skipped,
## saying so; under CI=true that is an error.
GRAFANA := reactions/grafana
grafana-test:
	cd $(GRAFANA) && $(GO) vet ./... && $(GO) test ./...
	@if ! command -v npm >/dev/null; then \
	  if $(in-ci); then echo "make grafana-test: npm not found (CI=$$CI: the frontend tests must run)" >&2; exit 1; fi; \
	  echo "make grafana-test: skipped the frontend's tests: npm not found (install Node.js 20 and npm)"; \
	else \
	  echo "cd $(GRAFANA) && npm ci && npm run typecheck && npm test"; \
	  cd $(GRAFANA) && npm ci --no-audit --no-fund && npm run typecheck && npm test; fi

## grafana-plugin: the installable plugin in reactions/grafana/dist: plugin.json,
## the frontend bundle (module.js) and the backend for linux/amd64 and
## linux/arm64 (gpx_vigil_linux_*). docs/grafana.md installs it.
grafana-plugin:
	cd $(GRAFANA) && npm ci --no-audit --no-fund && npm run build
	cd $(GRAFANA) && CGO_ENABLED=0 GOOS=linux GOARCH=amd64 $(GO) build -trimpath -o dist/gpx_vigil_linux_amd64 ./pkg
	cd $(GRAFANA) && CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -trimpath -o dist/gpx_vigil_linux_arm64 ./pkg
	@ls -l $(GRAFANA)/dist

# have-shared DIR,WHAT: a shell condition, true when DIR exists; otherwise it
# says WHAT is skipped and is false, or under CI=true (CI always lays out
# ../shared) says so and exits 1.
have-shared = { [ -d "$(1)" ] || { \
	  if $(in-ci); then echo "make test: $(2): $(1) not found (CI=$$CI: the shared suites must run)" >&2; exit 1; fi; \
	  echo "make test: skipped $(2): $(1) not found (set SHARED=DIR to run it)"; false; }; }

# in-ci: a shell condition, true under CI: $$CI read as Go's strconv.ParseBool
# reads it, as the tests do (internal/sharedtest.InCI), so that make and the
# tests never disagree about whether a skip is allowed.
in-ci = case "$$CI" in 1|t|T|true|TRUE|True) true;; *) false;; esac

## race: the race detector over the packages that run goroutines: the
## server and its outbox, the durable host and its store, the sources and
## reactions, and the benchmark harness that drives them. cmd/vigil's tests
## are not run with -race: the test process holds only HTTP clients, and
## -race would not instrument the server binary they build and start.
## Instead they run again with VIGIL_E2E_RACE=1, which builds that binary
## with -race and fails a test whose server reports a race. About 5 minutes
## on CI's two cores with a warm build cache (3.5 for the packages, most of
## it durable's crash test; 1.5 for cmd/vigil), 9 or more when the race
## runtime and dependencies are compiled first. .ci/run runs it after make
## test; the services it needs are those make test prepares.
RACE_PKGS ?= ./server/... ./durable/ ./store/ ./sources/... ./reactions/... ./cmd/vigil/internal/bench/
race:
	$(GO) test -race $(RACE_PKGS)
	VIGIL_E2E_RACE=1 $(GO) test ./cmd/vigil/

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## generate: regenerate the ANTLR parsers (needs Java 17 and npm).
generate:
	bash grammar/generate.sh grammar/cypher Cypher.g4
	bash grammar/generate.sh grammar/gql GQL.g4

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./engine/ ./functions/
	$(GO) run ./cmd/vigil bench --scenario all --changes 20000

## tck: the openCypher TCK, every failing and skipped scenario with its reason;
## fails on a failure not in $(TCK_BASELINE) or a listed scenario that passes.
tck:
	$(GO) run ./cmd/vigil tck -v -baseline $(TCK_BASELINE) $(SHARED)/tck/features

conformance:
	$(GO) run ./cmd/vigil test testdata/conformance
	$(GO) run ./cmd/vigil test $(SHARED)/conformance

## demo: the governance pack (examples/governance: SLO burn, trust decay,
## policy violations, circuit breakers) served on a fresh temporary data dir,
## fed by the built-in governance generator (agents with a cycle of incidents);
## prints the console URL. Ctrl-C stops it and removes the data dir, unless
## KEEP=1 (keep it) or DEMO_DATA=DIR (use DIR, kept). DEMO_PACK=examples/quickstart
## DEMO_GENERATOR=quickstart serves the quickstart instead; the terminal-only
## demo is still `bin/vigil demo`.
##
## The server runs in the background and the shell waits for it, so that a
## signal to the shell alone (make being stopped with TERM) also stops it; the
## trap resets itself first, so that it runs once (`kill 0` in a trap signals
## the shell too and re-entered the trap until the shell crashed).
DEMO_LISTEN ?= 127.0.0.1:8080
DEMO_PACK ?= examples/governance
DEMO_GENERATOR ?= governance
DEMO_RATE ?= 10
DEMO_DATA ?=
KEEP ?=
demo: build
	@data="$(DEMO_DATA)"; keep="$(KEEP)"; case "$$keep" in 0|no|false) keep=;; esac; \
	if [ -n "$$data" ]; then mkdir -p "$$data" || exit 1; keep=1; else data=$$(mktemp -d -t vigil-demo.XXXXXX) || exit 1; fi; \
	if [ -n "$$keep" ]; then echo "vigil demo: data dir $$data (kept when the demo stops)"; \
	else echo "vigil demo: data dir $$data (removed when the demo stops; KEEP=1 make demo keeps it, DEMO_DATA=DIR uses DIR)"; fi; \
	./$(BIN) serve -f $(DEMO_PACK) -generate -generator $(DEMO_GENERATOR) -generate-rate $(DEMO_RATE) -data "$$data" -listen $(DEMO_LISTEN) & pid=$$!; \
	trap 'rc=$$?; trap - INT TERM EXIT; kill $$pid 2>/dev/null; wait $$pid; \
	  if [ -n "$$keep" ]; then echo "vigil demo: data kept in $$data"; else rm -rf "$$data"; echo "vigil demo: removed $$data"; fi; \
	  exit $$rc' INT TERM EXIT; \
	wait $$pid

## example-governance: the governance pack on PostgreSQL (examples/governance-postgres):
## prepares the services, creates the pack's tables (idempotent) and serves the
## pack on them durably until Ctrl-C; write rows with psql (its README has the
## statements) and watch the console.
example-governance: build
	bash scripts/services.sh
	psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d test -f examples/governance-postgres/schema.sql
	@mkdir -p .vigil-data/governance-postgres
	./$(BIN) serve -f examples/governance-postgres/resources.yaml -data .vigil-data/governance-postgres -listen $(DEMO_LISTEN)

## example-postgres: the governance example on PostgreSQL (examples/postgres-governance):
## prepares the services, creates the tables, serves the resources durably and
## runs the writer until Ctrl-C, which stops both (the writer prints its progress
## every 5 s). The writer is built rather than `go run`, so that the trap's
## signal reaches it and not only `go run`; as in demo, the trap resets itself
## and signals the pids it started, never `kill 0`.
example-postgres: build
	bash scripts/services.sh
	psql -h 127.0.0.1 -U postgres -d test -q -f examples/postgres-governance/schema.sql
	$(GO) build -o bin/postgres-governance-writer ./examples/postgres-governance/writer
	@mkdir -p .vigil-data/postgres-governance
	@./$(BIN) serve -f examples/postgres-governance/resources.yaml -data .vigil-data/postgres-governance -listen $(DEMO_LISTEN) & pid=$$!; \
	wpid=; trap 'rc=$$?; trap - INT TERM EXIT; kill $$wpid $$pid 2>/dev/null; wait; exit $$rc' INT TERM EXIT; \
	sleep 2; kill -0 $$pid 2>/dev/null || { wait $$pid; exit 1; }; \
	bin/postgres-governance-writer & wpid=$$!; \
	wait $$wpid

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./grammar/cypher/
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./grammar/gql/

clean:
	rm -rf bin

## mutants: the mutation check (docs/mutants.md): applies each deliberate bug
## of tools/mutants/mutants.txt to a scratch copy of the work tree and runs
## its tests; fails unless every mutant is caught. MUTANTS=REGEXP runs the
## mutants whose name matches; MUTANTS_FLAGS passes more flags (-j 2, -rev HEAD).
MUTANTS ?=
MUTANTS_FLAGS ?=
mutants:
	$(GO) run ./tools/mutants $(if $(MUTANTS),-run '$(MUTANTS)') $(MUTANTS_FLAGS)

## services: PostgreSQL (wal_level=logical) and MariaDB (row-based binlog) on
## loopback for the CDC sources' integration tests; installs or reconfigures.
services:
	bash scripts/services.sh
