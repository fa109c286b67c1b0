// Package reliability holds tests that drive the real `assay` binary as a child process:
// crash durability under SIGKILL (SPEC §8 "Reliability", security.md §8 R1).
package reliability

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/assay-labs/assay/app/store"
)

const (
	killCycles      = 3
	reviewerCount   = 8
	itemsPerCycle   = 400 // traces added to the session before each storm
	schemaQuality   = "quality"
	schemaScore     = "score"
	reviewerIssuer  = "https://idp.reliability.test"
	readyBudget     = 10 * time.Second // generous for CI; the measured time is logged
	requestDeadline = 10 * time.Second
)

var qualityOptions = []string{"Poor", "Fair", "Good"}

// ack is a submit the server answered 200 to: it must survive any crash afterwards.
type ack struct {
	cycle    int
	item     string
	trace    string
	reviewer string
	quality  string
	score    int
}

// TestKill9DuringReviewStorm is R1 for the review loop: 8 reviewers (distinct users with API
// tokens, all assigned to one session with reviews_per_item=1) hammer next → submit against the
// real binary; after a random 300–800 ms it gets SIGKILL. Then, before the restart, the database
// file must pass PRAGMA integrity_check; after the restart (same data dir) every acknowledged
// answer must be a valid assessment with its exact value, no item may have more completed
// reviews than the one it needs, and `assay backup` (which checks the copy's integrity) must
// succeed while the server runs. Three kill cycles, each adding work to the same session.
func TestKill9DuringReviewStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary; skipped with -short")
	}
	bin := buildBinary(t)
	dataDir := t.TempDir()
	dbPath := filepath.Join(dataDir, "assay.db")

	// Reviewers are users who signed in with an OIDC issuer; local mode accepts their API tokens.
	emails := make([]string, reviewerCount)
	for i := range emails {
		emails[i] = fmt.Sprintf("reviewer%02d@example.com", i)
	}
	createUsers(t, dbPath, emails)
	tokens := make([]string, reviewerCount)
	for i, e := range emails {
		out := runCLI(t, bin, "token", "create", "--data-dir", dataDir, "--oidc-issuer", reviewerIssuer, "--email", e, "--name", "storm")
		tokens[i] = strings.TrimSpace(out)
	}

	srv := startServer(t, bin, dataDir)
	c := &client{t: t, http: &http.Client{Timeout: requestDeadline, Transport: &http.Transport{MaxIdleConnsPerHost: 2 * reviewerCount}}}
	c.base = srv.url

	// Fixtures, as the local admin (no Authorization header, loopback Host).
	exp := c.mustJSON("POST", "/api/2.0/mlflow/experiments/create", "", map[string]any{"name": "kill9"})["experiment_id"].(string)
	c.mustJSON("POST", "/api/3.0/mlflow/label-schemas/create", "", map[string]any{"experiment_id": exp, "name": schemaQuality, "type": "FEEDBACK",
		"input": map[string]any{"categorical": map[string]any{"options": qualityOptions}}})
	c.mustJSON("POST", "/api/3.0/mlflow/label-schemas/create", "", map[string]any{"experiment_id": exp, "name": schemaScore, "type": "FEEDBACK",
		"input": map[string]any{"numeric": map[string]any{"min_value": 0, "max_value": 1000}}})
	app := c.mustJSON("POST", "/api/2.0/managed-evals/review-apps", "", map[string]any{"experiment_id": exp})["review_app_id"].(string)
	sess := c.mustJSON("POST", "/api/2.0/managed-evals/review-apps/"+app+"/labeling-sessions", "", map[string]any{
		"name": "storm", "assigned_users": emails, "reviews_per_item": 1,
		"labeling_schemas": []map[string]string{{"name": schemaQuality}, {"name": schemaScore}}})
	sid := sess["labeling_session_id"].(string)

	var acks []ack
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for cycle := 1; cycle <= killCycles; cycle++ {
		// More work for this cycle: itemsPerCycle fresh traces in one OTLP request, added to the session.
		traceIDs := postTraces(c, exp, cycle, itemsPerCycle)
		added := c.mustJSON("POST", "/api/assay/v1/sessions/"+sid+"/traces", "", map[string]any{"trace_ids": traceIDs})
		if int(added["added"].(float64)) != itemsPerCycle {
			t.Fatalf("cycle %d: added %v items, want %d", cycle, added["added"], itemsPerCycle)
		}

		delay := time.Duration(300+rng.IntN(501)) * time.Millisecond
		got, cut, failures := storm(c, sid, emails, tokens, cycle, delay, srv)
		for _, f := range failures {
			t.Errorf("cycle %d: %s", cycle, f)
		}
		acks = append(acks, got...)
		if len(got) == 0 {
			t.Errorf("cycle %d: no submit was acknowledged before the kill at %v", cycle, delay)
		}

		// The process is gone: the file as the crash left it must be intact.
		checkIntegrity(t, dbPath)

		start := time.Now()
		srv = startServer(t, bin, dataDir)
		ready := time.Since(start)
		c.base = srv.url
		if ready > readyBudget {
			t.Errorf("cycle %d: server ready after %v, budget %v", cycle, ready, readyBudget)
		}
		checked, unacked := verify(t, c, app, sid, acks)
		backup(t, bin, dataDir)
		t.Logf("cycle %d: SIGKILL after %v with %d requests in flight; %d submits acknowledged this cycle (%d in all), %d acknowledged answers checked "+
			"(+%d items committed but not acknowledged); restart ready in %v", cycle, delay, cut, len(got), len(acks), checked, unacked, ready.Round(time.Millisecond))
	}
	srv.stop()
}

// storm runs the reviewers until the server is killed after delay; it returns every
// acknowledged submit and every unexpected answer seen before the kill.
func storm(c *client, sid string, emails, tokens []string, cycle int, delay time.Duration, srv *server) (acks []ack, cut int, failures []string) {
	var (
		mu     sync.Mutex
		wg     sync.WaitGroup
		killed = make(chan struct{})
	)
	fail := func(format string, args ...any) {
		select {
		case <-killed: // answers cut short by the kill are expected
			mu.Lock()
			cut++
			mu.Unlock()
			return
		default:
		}
		mu.Lock()
		failures = append(failures, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	review := "/api/assay/v1/review/sessions/" + sid
	for i := range emails {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(cycle), uint64(i)))
			for {
				status, body, err := c.do("POST", review+"/next", tokens[i], map[string]any{})
				if err != nil {
					fail("%s next: %v", emails[i], err)
					return
				}
				if status != http.StatusOK {
					fail("%s next: %d %s", emails[i], status, body)
					return
				}
				var next struct {
					Item *struct {
						ItemID string `json:"item_id"`
						Trace  struct {
							TraceID string `json:"trace_id"`
						} `json:"trace"`
					} `json:"item"`
				}
				if err := json.Unmarshal(body, &next); err != nil {
					fail("%s next: %v: %s", emails[i], err, body)
					return
				}
				if next.Item == nil {
					return // nothing left for me
				}
				a := ack{cycle: cycle, item: next.Item.ItemID, trace: next.Item.Trace.TraceID, reviewer: emails[i],
					quality: qualityOptions[rng.IntN(len(qualityOptions))], score: rng.IntN(1001)}
				status, body, err = c.do("POST", review+"/items/"+a.item+"/submit", tokens[i], map[string]any{"time_spent_ms": 5,
					"answers": map[string]any{schemaQuality: map[string]any{"value": a.quality}, schemaScore: map[string]any{"value": a.score}}})
				if err != nil {
					fail("%s submit %s: %v", emails[i], a.item, err)
					return
				}
				if status != http.StatusOK {
					fail("%s submit %s: %d %s", emails[i], a.item, status, body)
					return
				}
				mu.Lock()
				acks = append(acks, a)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(delay)
	close(killed)
	srv.kill()
	wg.Wait()
	return acks, cut, failures
}

// verify checks the session after a restart: no item has more completed reviews than the one it
// needs; every item's trace carries exactly the answers of its completed review (both questions,
// nothing partial, nothing from a review that did not complete); and every acknowledged answer
// is one of them, valid, with its exact value. It returns how many acknowledged answers it checked.
func verify(t *testing.T, c *client, app, sid string, acks []ack) (checked, unacked int) {
	t.Helper()
	byItem := map[string]ack{}
	for _, a := range acks {
		if prev, dup := byItem[a.item]; dup {
			t.Errorf("item %s acknowledged twice: by %s (cycle %d) and %s (cycle %d)", a.item, prev.reviewer, prev.cycle, a.reviewer, a.cycle)
		}
		byItem[a.item] = a
	}

	var list struct {
		Items []struct {
			ItemID string `json:"item_id"`
			State  string `json:"state"`
			Source struct {
				TraceID string `json:"trace_id"`
			} `json:"source"`
			Reviews []struct {
				Reviewer string `json:"reviewer"`
				State    string `json:"state"`
			} `json:"reviews"`
		} `json:"items"`
		NextPageToken string `json:"next_page_token"`
	}
	c.mustDecode("GET", "/api/2.0/managed-evals/review-apps/"+app+"/labeling-sessions/"+sid+"/items?page_size=10000", "", nil, &list)
	if list.NextPageToken != "" {
		t.Fatalf("more than one page of items")
	}
	seen := 0
	for _, it := range list.Items {
		var done []string
		for _, r := range it.Reviews {
			if r.State == "COMPLETED" {
				done = append(done, r.Reviewer)
			}
		}
		if len(done) > 1 {
			t.Errorf("item %s has %d completed reviews (%v), the session needs 1", it.ItemID, len(done), done)
		}
		if len(done) == 1 && it.State != "COMPLETED" {
			t.Errorf("item %s: a completed review but state %s", it.ItemID, it.State)
		}
		a, acked := byItem[it.ItemID]
		if acked {
			seen++
			if len(done) != 1 || done[0] != a.reviewer {
				t.Errorf("item %s: acknowledged by %s but completed reviews are %v (state %s)", it.ItemID, a.reviewer, done, it.State)
			}
			if a.trace != it.Source.TraceID {
				t.Errorf("item %s: trace %s, but next handed out %s", it.ItemID, it.Source.TraceID, a.trace)
			}
		}

		// The trace's valid answers in this session, "schema reviewer=value".
		var got struct {
			Trace struct {
				TraceInfo struct {
					Assessments []struct {
						Name   string `json:"assessment_name"`
						Source struct {
							SourceID string `json:"source_id"`
						} `json:"source"`
						Feedback *struct {
							Value json.RawMessage `json:"value"`
						} `json:"feedback"`
						Valid    *bool             `json:"valid"`
						Metadata map[string]string `json:"metadata"`
					} `json:"assessments"`
				} `json:"trace_info"`
			} `json:"trace"`
		}
		c.mustDecode("GET", "/api/3.0/mlflow/traces/"+it.Source.TraceID, "", nil, &got)
		answers := map[string][]string{}
		for _, as := range got.Trace.TraceInfo.Assessments {
			if as.Valid == nil || !*as.Valid || as.Metadata["assay.labeling_session_id"] != sid {
				continue
			}
			v := ""
			if as.Feedback != nil {
				v = string(as.Feedback.Value)
			}
			answers[as.Name] = append(answers[as.Name], as.Source.SourceID+"="+v)
		}
		if len(done) == 0 {
			if len(answers) > 0 {
				t.Errorf("item %s (state %s) has no completed review but answers %v", it.ItemID, it.State, answers)
			}
			continue
		}
		for _, name := range []string{schemaQuality, schemaScore} {
			if len(answers[name]) != 1 || !strings.HasPrefix(answers[name][0], done[0]+"=") {
				t.Errorf("item %s completed by %s: valid %q answers %v, want exactly one of theirs", it.ItemID, done[0], name, answers[name])
			}
		}
		if len(answers) != 2 {
			t.Errorf("item %s: answers to %d questions, want 2: %v", it.ItemID, len(answers), answers)
		}
		if !acked {
			unacked++
			continue // committed, but the kill cut the answer short: any value of theirs will do
		}
		for name, value := range map[string]string{schemaQuality: fmt.Sprintf("%q", a.quality), schemaScore: fmt.Sprint(a.score)} {
			if w := a.reviewer + "=" + value; len(answers[name]) != 1 || answers[name][0] != w {
				t.Errorf("cycle %d, item %s (trace %s): valid %q answers are %v, want exactly [%s]", a.cycle, a.item, a.trace, name, answers[name], w)
				continue
			}
			checked++
		}
	}
	if seen != len(byItem) {
		t.Errorf("%d acknowledged items, but only %d of them are in the session", len(byItem), seen)
	}
	return checked, unacked
}

// checkIntegrity opens the crashed database read-only and runs PRAGMA integrity_check.
func checkIntegrity(t *testing.T, dbPath string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+dbPath+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("PRAGMA integrity_check")
	if err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	if len(lines) != 1 || lines[0] != "ok" {
		t.Fatalf("integrity_check after SIGKILL: %v", lines)
	}
}

// backup runs `assay backup` against the running server's data dir; it checks the copy's
// integrity itself and fails otherwise.
func backup(t *testing.T, bin, dataDir string) {
	t.Helper()
	dest := filepath.Join(t.TempDir(), "backup.db")
	runCLI(t, bin, "backup", "--data-dir", dataDir, dest)
}

// createUsers inserts users as an OIDC sign-in would (there is no CLI for that).
func createUsers(t *testing.T, dbPath string, emails []string) {
	t.Helper()
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, e := range emails {
		if _, err := db.Writer.Exec(`INSERT INTO users (issuer, subject, email, email_verified, display_name, created_at) VALUES (?, ?, ?, 1, ?, ?)`,
			reviewerIssuer, "sub-"+e, e, e, time.Now().UnixMilli()); err != nil {
			t.Fatalf("create user %s: %v", e, err)
		}
	}
}

// postTraces stores n one-span traces through OTLP/JSON in one request and returns their ids.
func postTraces(c *client, exp string, cycle, n int) []string {
	var spans []any
	var ids []string
	for i := range n {
		hex := fmt.Sprintf("%08x%08x%016x", 0xc0ffee00+cycle, i, time.Now().UnixNano())
		ids = append(ids, "tr-"+hex)
		attr := func(k, v string) map[string]any {
			return map[string]any{"key": k, "value": map[string]any{"stringValue": v}}
		}
		spans = append(spans, map[string]any{"traceId": hex, "spanId": fmt.Sprintf("%016x", i+1), "name": "support_app",
			"startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000001000000000", "status": map[string]any{"code": 1},
			"attributes": []any{attr("mlflow.spanType", `"CHAIN"`), attr("mlflow.spanInputs", fmt.Sprintf(`{"question": "q %d/%d"}`, cycle, i)),
				attr("mlflow.spanOutputs", `"an answer"`)}})
	}
	body := map[string]any{"resourceSpans": []any{map[string]any{"scopeSpans": []any{map[string]any{"spans": spans}}}}}
	c.mustJSON("POST", "/v1/traces", "", body, "x-mlflow-experiment-id", exp)
	return ids
}

// --- the binary ---

func buildBinary(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH; cannot build the binary")
	}
	out := filepath.Join(t.TempDir(), "assay")
	cmd := exec.Command(goBin, "build", "-o", out, "github.com/assay-labs/assay")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

func runCLI(t *testing.T, bin string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = cliEnv()
	if err := cmd.Run(); err != nil {
		t.Fatalf("assay %s: %v\n%s%s", strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.String()
}

// cliEnv is the environment without ASSAY_* variables, so a developer's settings cannot leak in.
func cliEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ASSAY_") {
			env = append(env, kv)
		}
	}
	return env
}

type server struct {
	t      *testing.T
	cmd    *exec.Cmd
	url    string
	stderr *lockedBuffer
	done   chan struct{}
}

// startServer runs `assay serve` in local mode on a free loopback port and waits until it answers.
func startServer(t *testing.T, bin, dataDir string) *server {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--data-dir", dataDir, "--addr", "127.0.0.1:0", "--log-level", "warn")
	cmd.Env = cliEnv()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, cmd: cmd, stderr: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(s.done) }()
	t.Cleanup(s.kill)
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "Assay is listening on "); ok {
				urls <- strings.TrimSpace(u)
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case s.url = <-urls:
	case <-s.done:
		t.Fatalf("assay serve exited before listening: %s\n%s", cmd.ProcessState, s.stderr.String())
	case <-time.After(readyBudget):
		s.kill()
		t.Fatalf("assay serve did not listen within %v\n%s", readyBudget, s.stderr.String())
	}
	deadline := time.Now().Add(readyBudget)
	for {
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			s.kill()
			t.Fatalf("assay serve not healthy within %v: %v\n%s", readyBudget, err, s.stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// kill sends SIGKILL and waits until the process is gone.
func (s *server) kill() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// stop asks for a clean shutdown (SIGTERM) and checks the process exits 0.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		if !s.cmd.ProcessState.Success() {
			s.t.Errorf("assay serve exited with %s after SIGTERM\n%s", s.cmd.ProcessState, s.stderr.String())
		}
	case <-time.After(20 * time.Second):
		s.t.Errorf("assay serve did not stop within 20s of SIGTERM")
		s.kill()
	}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// --- HTTP ---

type client struct {
	t    *testing.T
	http *http.Client
	base string
}

// do sends a JSON request; token "" acts as the local admin. err is a transport error.
func (c *client) do(method, path, token string, body any, headers ...string) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, b, nil
}

func (c *client) mustDecode(method, path, token string, body, dst any, headers ...string) {
	c.t.Helper()
	status, b, err := c.do(method, path, token, body, headers...)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	if status != http.StatusOK {
		c.t.Fatalf("%s %s: status %d\n%s", method, path, status, b)
	}
	if err := json.Unmarshal(b, dst); err != nil {
		c.t.Fatalf("%s %s: %v\n%s", method, path, err, b)
	}
}

func (c *client) mustJSON(method, path, token string, body any, headers ...string) map[string]any {
	c.t.Helper()
	var m map[string]any
	c.mustDecode(method, path, token, body, &m, headers...)
	return m
}
