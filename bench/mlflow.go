package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// benchMLflowIngest posts the same requests to MLflow's tracking server (SQLite backend, its
// default 4 uvicorn workers) and reports Assay's rate against it. It is skipped, with a note,
// when the mlflow command is not installed.
func benchMLflowIngest(ctx context.Context, o options, work string, rep *Report, tpl *otlpTemplate, assay, raw loadResult) error {
	const section = "ingest"
	if o.MLflow == "" {
		rep.note(section, "The MLflow comparison was skipped (-mlflow \"\").")
		return nil
	}
	if _, err := os.Stat(o.MLflow); err != nil {
		rep.note(section, "The MLflow comparison was skipped: %s is not installed (create .venv with `make test` or pass -mlflow).", o.MLflow)
		return nil
	}
	dir := filepath.Join(work, "ingest-mlflow")
	url, stop, err := startMLflow(ctx, o.MLflow, dir)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		rep.note(section, "The MLflow comparison was skipped: `%s server` did not start (%v%s). The project's .venv holds only "+
			"MLflow's client side (tests/python/requirements.txt installs mlflow with --no-deps); pass -mlflow with a full install.",
			o.MLflow, err, lastError(filepath.Join(dir, "mlflow.log")))
		return nil
	}
	defer stop()
	body, err := post(ctx, newHTTPClient(1), url+"/api/2.0/mlflow/experiments/create", "application/json", nil, []byte(`{"name":"bench"}`))
	if err != nil {
		return err
	}
	var exp struct {
		ExperimentID string `json:"experiment_id"`
	}
	if err := json.Unmarshal(body, &exp); err != nil {
		return err
	}
	d := time.Duration(o.Seconds * float64(time.Second))
	logf("MLflow OTLP ingestion for %s…", d)
	ml, err := otlpLoad(ctx, url+"/v1/traces", http.Header{"X-Mlflow-Experiment-Id": {exp.ExperimentID}}, tpl, o.Clients, d)
	if err != nil {
		return fmt.Errorf("mlflow: %w", err)
	}
	rep.add(section, "OTLP ingestion, Assay vs MLflow tracking server", assay.rate(), "spans/s",
		&Baseline{Name: "mlflow server (SQLite), same requests", Value: ml.rate(), Unit: "spans/s"},
		&Target{OnRatio: true, Op: ">=", Limit: 20})
	ver, _ := exec.Command(o.MLflow, "--version").Output()
	rep.note(section, "MLflow: %s, `mlflow server --backend-store-uri sqlite:///…` with its default 4 uvicorn workers, same "+
		"%d clients and requests (header x-mlflow-experiment-id); %d requests, latency p50 %s, p99 %s.",
		trimNL(string(ver)), o.Clients, ml.requests, ml.percentile(50), ml.percentile(99))
	rep.note(section, "20× MLflow's rate would be %s spans/s: %.2f× the raw SQLite insert ceiling for the same rows measured above.",
		thousands(int64(20*ml.rate())), 20*ml.rate()/raw.rate())
	return nil
}

// startMLflow runs `mlflow server` on a fresh SQLite file and a free port, waiting for /health.
// The server and its workers run in their own process group, which stop ends.
func startMLflow(ctx context.Context, mlflow, dir string) (string, func(), error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, err
	}
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	logFile, err := os.Create(filepath.Join(dir, "mlflow.log"))
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(mlflow, "server",
		"--backend-store-uri", "sqlite:///"+filepath.Join(dir, "mlflow.db"),
		"--default-artifact-root", filepath.Join(dir, "artifacts"),
		"--host", "127.0.0.1", "--port", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return "", nil, err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	stop := func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		logFile.Close()
	}
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	logf("waiting for mlflow server on %s (log %s)…", url, logFile.Name())
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			logFile.Close()
			return "", nil, fmt.Errorf("it exited; log in %s", logFile.Name())
		case <-ctx.Done():
			stop()
			return "", nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if resp, err := http.Get(url + "/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url, stop, nil
			}
		}
	}
	stop()
	return "", nil, errors.New("mlflow server did not answer /health within 3 minutes")
}

// lastError is ": " and the last line of a log that names an error, or "".
func lastError(path string) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], "Error") {
			return ": " + strings.TrimSpace(lines[i])
		}
	}
	return ""
}

// freePort asks the kernel for a free TCP port on 127.0.0.1.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func trimNL(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}
