# Vigil — make targets. Everything here works on a fresh Debian machine with Go.
GO        ?= go
SHARED    ?= $(abspath ../shared)
BIN       := bin/vigil
FUZZTIME  ?= 20s

.PHONY: all build test vet fmt-check generate bench tck conformance demo fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/vigil

## test: static checks, unit tests (incl. the randomized differential test),
## conformance scenarios and the TCK summary.
test: vet fmt-check
	$(GO) test ./...
	$(GO) run ./cmd/vigil test -language cypher $(SHARED)/conformance
	$(GO) run ./cmd/vigil tck $(SHARED)/tck/features | tail -n 1

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## generate: regenerate the ANTLR parsers (needs Java 17 and npm).
generate:
	bash grammar/generate.sh grammar/cypher Cypher.g4

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./engine/ ./functions/

tck:
	$(GO) run ./cmd/vigil tck -v $(SHARED)/tck/features

conformance:
	$(GO) run ./cmd/vigil test $(SHARED)/conformance

## demo: the agent-governance example on embedded defaults.
demo: build
	./$(BIN) demo

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./grammar/cypher/

clean:
	rm -rf bin
