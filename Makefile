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

## bench: Go benchmarks; with BENCH_REPO=<git dir of a large repository> also the
## side-by-side comparisons with git (pending vs git cherry, first page vs
## git log --graph, pick parity and speed vs git merge-tree). See BENCHMARKS.md.
bench: build
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)
	@if [ -z "$(BENCH_REPO)" ]; then \
		echo "bench: set BENCH_REPO=<git dir of a large repository> for the comparisons with git"; \
	else \
		./.ci/bench-pending.sh "$(BENCH_REPO)" && \
		SWITCHYARD_BENCH_REPO="$(BENCH_REPO)" $(GO) test -count=1 -run TestBenchLogVsGit -v ./engine && \
		SWITCHYARD_PARITY_REPO="$(BENCH_REPO)" $(GO) test -count=1 -timeout 60m -run TestParityRealRepo -v ./engine/merge; \
	fi

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	$(GO) vet $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
