# Switchyard — a terminal release cockpit.
GO      ?= go
BIN     := bin/switchyard
PKGS    := ./...

.PHONY: all build demo test test-short bench lint fmt clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/switchyard

## demo: build the sandbox and open the cockpit on it
demo: build
	./$(BIN) demo

## test: every test (unit, git parity, servers, tmux end-to-end)
test: build
	$(GO) test -count=1 -timeout 40m $(PKGS)
	$(GO) test -count=1 -race -run 'TestFetchWhileReading|TestBroker' ./engine

test-short:
	$(GO) test -short $(PKGS)

## bench: Go benchmarks and scripted comparisons with git (see BENCHMARKS.md)
bench: build
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)
	./scripts/bench.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	$(GO) vet $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
