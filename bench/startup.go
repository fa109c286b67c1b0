package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const timedStarts = 5

// benchStartup builds the binary and measures, as a subprocess, the time from exec to the first
// 200 on /healthz and the resident memory when idle, with o.Traces traces in the database and
// with an empty one.
func benchStartup(ctx context.Context, o options, work string, rep *Report) error {
	const section = "startup"
	dataDir := searchDataDir(o, work)
	st, err := generateTraces(ctx, work, dataDir, o.Traces)
	if err != nil {
		return err
	}
	if !st.Reused {
		rep.note(section, "The %d-trace database was generated for this section as the search section describes.", o.Traces)
	}
	bin := filepath.Join(work, "assay")
	logf("building %s…", bin)
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Dir, build.Stdout, build.Stderr = moduleRoot(), os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}

	empty, err := measureStarts(ctx, o, bin, filepath.Join(work, "empty-data"))
	if err != nil {
		return fmt.Errorf("empty data dir: %w", err)
	}
	full, err := measureStarts(ctx, o, bin, dataDir)
	if err != nil {
		return fmt.Errorf("%d-trace data dir: %w", o.Traces, err)
	}
	n := thousands(int64(o.Traces))
	rep.add(section, fmt.Sprintf("start (exec → first 200 on /healthz) with %s traces, median of %d", n, timedStarts), ms(full.start), "ms",
		&Baseline{Name: "same binary, empty data dir", Value: ms(empty.start), Unit: "ms"}, &Target{Op: "<=", Limit: 300})
	rep.add(section, fmt.Sprintf("idle RSS with %s traces, 2 s after start", n), full.idleRSS, "MiB",
		&Baseline{Name: "empty data dir", Value: empty.idleRSS, Unit: "MiB"}, &Target{Op: "<=", Limit: 40})
	rep.add(section, fmt.Sprintf("idle RSS with %s traces, 2 s after %d searches (tag, rare tag, none)", n, rssSearchCount()), full.searchedRSS, "MiB",
		&Baseline{Name: "empty data dir, same searches", Value: empty.searchedRSS, Unit: "MiB"}, &Target{Op: "<=", Limit: 40})
	rep.note(section, "`assay serve --data-dir DIR --addr 127.0.0.1:PORT` started as a subprocess; one untimed start first (on the "+
		"empty dir it creates and migrates the database), then %d timed starts, each stopped with SIGTERM. Warm page cache. "+
		"Starts with %s traces: %s; empty: %s. RSS is VmRSS from /proc/PID/status; peak (VmHWM) %.1f MiB with %s traces, %.1f MiB empty.",
		timedStarts, n, fmtDurations(full.starts), fmtDurations(empty.starts), full.peakRSS, n, empty.peakRSS)
	return nil
}

// rssSearches are run before the second RSS reading (each also gets timeSearches' 3 warm-ups).
var rssSearches = []searchCase{
	{"tag filter", fmt.Sprintf("tags.%s = 'C001'", commonTag), 20},
	{"rare tag", fmt.Sprintf("tags.%s = 'needle'", rareTag), 1},
	{"no filter", "", 5},
}

func rssSearchCount() int {
	n := 0
	for _, sc := range rssSearches {
		n += sc.iters + 3
	}
	return n
}

// startStats are one data directory's start times and memory.
type startStats struct {
	starts      []time.Duration
	start       time.Duration // median
	idleRSS     float64       // MiB, 2 s after start
	searchedRSS float64       // MiB, 2 s after rssSearches
	peakRSS     float64       // MiB, VmHWM at the end
}

// measureStarts starts the binary on dataDir once untimed and timedStarts times timed; the last
// process stays up for the memory readings.
func measureStarts(ctx context.Context, o options, bin, dataDir string) (startStats, error) {
	var st startStats
	for i := range timedStarts + 1 {
		p, d, err := startProcess(ctx, bin, dataDir)
		if err != nil {
			return st, err
		}
		if i > 0 {
			st.starts = append(st.starts, d)
		}
		if i < timedStarts {
			if err := p.stop(); err != nil {
				return st, err
			}
			continue
		}
		err = func() error {
			defer p.stop()
			time.Sleep(2 * time.Second)
			if st.idleRSS, _, err = p.memory(); err != nil {
				return err
			}
			c := newHTTPClient(1)
			for _, sc := range rssSearches {
				if _, err := timeSearches(ctx, c, p.url, sc.filter, sc.iters); err != nil {
					return err
				}
			}
			c.CloseIdleConnections()
			time.Sleep(2 * time.Second)
			st.searchedRSS, st.peakRSS, err = p.memory()
			return err
		}()
		if err != nil {
			return st, err
		}
	}
	st.start = medianDur(st.starts)
	return st, nil
}

// process is a running `assay serve`.
type process struct {
	cmd    *exec.Cmd
	url    string
	exited chan struct{}
}

// startProcess execs `bin serve` on dataDir and a free port and returns once /healthz answers
// 200, with the time that took.
func startProcess(ctx context.Context, bin, dataDir string) (*process, time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(bin, "serve", "--data-dir", dataDir, "--addr", addr, "--log-level", "warn")
	cmd.Stderr = os.Stderr
	p := &process{cmd: cmd, url: "http://" + addr, exited: make(chan struct{})}
	c := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	go func() { cmd.Wait(); close(p.exited) }()
	for {
		if resp, err := c.Get(p.url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, time.Since(t0), nil
			}
		}
		select {
		case <-p.exited:
			return nil, 0, fmt.Errorf("assay serve exited before answering /healthz")
		case <-ctx.Done():
			p.stop()
			return nil, 0, ctx.Err()
		case <-time.After(time.Millisecond):
		}
		if time.Since(t0) > 30*time.Second {
			p.stop()
			return nil, 0, errors.New("no 200 on /healthz within 30 s")
		}
	}
}

// stop sends SIGTERM and waits for a clean exit (SIGKILL after 15 s).
func (p *process) stop() error {
	select {
	case <-p.exited:
		return nil
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		return nil
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return errors.New("assay serve did not stop within 15 s of SIGTERM")
	}
}

// memory reads VmRSS and VmHWM of the process, in MiB.
func (p *process) memory() (rss, hwm float64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		if err != nil {
			return 0, 0, err
		}
		if k == "VmRSS" {
			rss = kb / 1024
		} else {
			hwm = kb / 1024
		}
	}
	return rss, hwm, sc.Err()
}

// moduleRoot is the nearest directory upwards holding go.mod (where `go run ./bench` runs).
func moduleRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

func fmtDurations(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%.0f", ms(d))
	}
	return strings.Join(parts, ", ") + " ms"
}
