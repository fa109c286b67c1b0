# Assay's two everyday commands: `make run` and `make test`. Both set up what they need.
# One set of Go build tags everywhere (none), so the cgo SQLite build is compiled once and cached.

BIN      := bin/assay
VENV     := .venv
PY       := $(VENV)/bin/python
GO_SRC   := $(shell find . -name '*.go' -not -path './frontend/*' -not -path './.venv/*') go.mod go.sum $(wildcard migrations/*.sql)
UI_SRC   := $(shell [ -d frontend/src ] && find frontend/src frontend/index.html frontend/package.json frontend/package-lock.json frontend/vite.config.ts -type f 2>/dev/null)
UI_STAMP := embed/dist/app/index.html
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo dev)

.PHONY: run build ui test test-go test-python test-ui bench fmt vet clean dev-idp dev-sso

## run: build the web app (when its sources changed) and the binary, then start Assay on http://127.0.0.1:5000
run: build
	./$(BIN) serve

## build: the assay binary with the web app embedded
build: $(BIN)

$(BIN): $(GO_SRC) $(if $(UI_SRC),$(UI_STAMP))
	go build -ldflags "-X github.com/assay-labs/assay/app.Version=$(VERSION)" -o $(BIN) .

## ui: build the web app into embed/dist/app
ui: $(UI_STAMP)

$(UI_STAMP): $(UI_SRC)
	cd frontend && npm ci --no-audit --no-fund && npm run build

## test: every test suite (Go, Python against the real binary, web app); prints a summary line
test: build $(VENV)/.installed
	bash scripts/test-all

$(VENV)/.installed: tests/python/requirements.txt $(wildcard clients/python/pyproject.toml)
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -r tests/python/requirements.txt
	touch $@

test-go:
	go vet ./...
	go test -count=1 ./...

test-python: build $(VENV)/.installed
	ASSAY_BIN=$(CURDIR)/$(BIN) $(VENV)/bin/pytest -q tests/python

## dev-idp: a development OpenID Provider on http://127.0.0.1:9998/ with test users; prints the `assay serve` command to use
DEV_IDP := bin/dev-idp

dev-idp: $(DEV_IDP)
	./$(DEV_IDP)

$(DEV_IDP): $(GO_SRC)
	go build -o $(DEV_IDP) ./cmd/dev-idp

## dev-sso: the dev OpenID Provider and Assay signed in through it, on http://127.0.0.1:5000 (Ctrl-C stops both)
dev-sso: build $(DEV_IDP)
	@./$(DEV_IDP) & idp=$$!; trap 'kill $$idp 2>/dev/null' EXIT; \
	./$(BIN) serve $$(./$(DEV_IDP) --print-serve-flags)

## bench: run the benchmark harness and write bench/out/report.{md,json}
bench: build
	go run ./bench -out bench/out

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin embed/dist/app
