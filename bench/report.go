package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// Report is everything one run measured: the figures, notes per section and the query plans.
type Report struct {
	Started  time.Time   `json:"started"`
	Finished time.Time   `json:"finished"`
	Env      Environment `json:"environment"`
	Options  options     `json:"options"`
	Figures  []*Figure   `json:"figures"`
	Notes    []Note      `json:"notes"`
	Blocks   []Block     `json:"details"`

	mu sync.Mutex
}

// Environment describes the machine, so figures from different runs are not compared blindly.
type Environment struct {
	CPUs     int    `json:"cpus"`
	Go       string `json:"go"`
	OS       string `json:"os"`
	SQLite   string `json:"sqlite"`
	Commit   string `json:"commit"`
	LoadAvg  string `json:"loadavg_at_start"`
	MemTotal string `json:"mem_total"`
}

// Figure is one measured value, optionally with the baseline measured in the same run, the
// ratio value/baseline and the SPEC §8 target.
type Figure struct {
	Section  string    `json:"section"`
	Name     string    `json:"name"`
	Value    float64   `json:"value"`
	Unit     string    `json:"unit"`
	Baseline *Baseline `json:"baseline,omitempty"`
	Ratio    float64   `json:"ratio,omitempty"`
	Target   *Target   `json:"target,omitempty"`
	Met      *bool     `json:"met,omitempty"`
}

// Baseline is the reference a figure is divided by.
type Baseline struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
}

// Target is a SPEC §8 target on a figure's value or on its ratio.
type Target struct {
	OnRatio bool    `json:"on_ratio"`
	Op      string  `json:"op"` // "<=" or ">="
	Limit   float64 `json:"limit"`
}

// Note is a sentence the reader needs to interpret a section's figures.
type Note struct {
	Section string `json:"section"`
	Text    string `json:"text"`
}

// Block is preformatted detail: a query plan, a timing table.
type Block struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

func newReport(o options) *Report {
	r := &Report{Started: time.Now().UTC(), Options: o}
	r.Env.CPUs = runtime.NumCPU()
	r.Env.Go = runtime.Version()
	r.Env.OS = runtime.GOOS + "/" + runtime.GOARCH
	if db, err := sql.Open("sqlite3", ":memory:"); err == nil {
		_ = db.QueryRow("SELECT sqlite_version()").Scan(&r.Env.SQLite)
		db.Close()
	}
	if out, err := exec.Command("git", "describe", "--always", "--dirty").Output(); err == nil {
		r.Env.Commit = strings.TrimSpace(string(out))
	}
	r.Env.LoadAvg = loadAvg()
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				r.Env.MemTotal = strings.TrimSpace(v)
			}
		}
	}
	return r
}

// add records a figure; base and target may be nil. It prints the figure as it goes.
func (r *Report) add(section, name string, value float64, unit string, base *Baseline, target *Target) *Figure {
	f := &Figure{Section: section, Name: name, Value: value, Unit: unit, Baseline: base, Target: target}
	if base != nil && base.Value != 0 {
		f.Ratio = value / base.Value
	}
	if target != nil && (!target.OnRatio || f.Ratio != 0) {
		v := value
		if target.OnRatio {
			v = f.Ratio
		}
		met := v <= target.Limit
		if target.Op == ">=" {
			met = v >= target.Limit
		}
		f.Met = &met
	}
	r.mu.Lock()
	r.Figures = append(r.Figures, f)
	r.mu.Unlock()
	line := fmt.Sprintf("%s: %s", name, formatValue(value, unit))
	if base != nil {
		line += fmt.Sprintf(" (baseline %s: %s, ratio %s)", base.Name, formatValue(base.Value, base.Unit), formatRatio(f.Ratio))
	}
	logf("%s", line)
	return f
}

// note records a sentence for the section's notes.
func (r *Report) note(section, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Notes = append(r.Notes, Note{Section: section, Text: fmt.Sprintf(format, args...)})
}

// block records preformatted detail.
func (r *Report) block(title, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Blocks = append(r.Blocks, Block{Title: title, Text: strings.TrimRight(text, "\n")})
}

// write saves report.md and report.json in dir.
func (r *Report) write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "report.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "report.md"), []byte(r.markdown()), 0o644)
}

// markdown renders the report: environment, one table of figures, notes, details.
func (r *Report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Assay benchmark report\n\n")
	fmt.Fprintf(&b, "%s, %d CPUs (shared with other builds), %s RAM, load average at start %s; %s; SQLite %s; commit %s. "+
		"Run started %s and took %s.\n\n",
		r.Env.OS, r.Env.CPUs, r.Env.MemTotal, r.Env.LoadAvg, r.Env.Go, r.Env.SQLite, r.Env.Commit,
		r.Started.Format(time.RFC3339), r.Finished.Sub(r.Started).Round(time.Second))
	fmt.Fprintf(&b, "| figure | value | baseline (same run) | ratio | target | met? |\n|---|---:|---|---:|---|---|\n")
	for _, f := range r.Figures {
		base, ratio, target, met := "", "", "", ""
		if f.Baseline != nil {
			base = fmt.Sprintf("%s: %s", f.Baseline.Name, formatValue(f.Baseline.Value, f.Baseline.Unit))
			ratio = formatRatio(f.Ratio)
		}
		if f.Target != nil {
			if f.Target.OnRatio {
				target = fmt.Sprintf("ratio %s %s", opSign(f.Target.Op), formatRatio(f.Target.Limit))
			} else {
				target = fmt.Sprintf("%s %s", opSign(f.Target.Op), formatValue(f.Target.Limit, f.Unit))
			}
		}
		if f.Met != nil {
			met = map[bool]string{true: "yes", false: "**no**"}[*f.Met]
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", f.Name, formatValue(f.Value, f.Unit), base, ratio, target, met)
	}
	if len(r.Notes) > 0 {
		fmt.Fprintf(&b, "\n## Notes\n\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "- **%s**: %s\n", n.Section, n.Text)
		}
	}
	for _, bl := range r.Blocks {
		fmt.Fprintf(&b, "\n### %s\n\n```\n%s\n```\n", bl.Title, bl.Text)
	}
	return b.String()
}

func opSign(op string) string {
	if op == "<=" {
		return "≤"
	}
	return "≥"
}

// formatValue prints a value with a precision that suits its size and thousands separators.
func formatValue(v float64, unit string) string {
	var s string
	switch {
	case v >= 1000:
		s = thousands(int64(v + 0.5))
	case v >= 100:
		s = fmt.Sprintf("%.0f", v)
	case v >= 10:
		s = fmt.Sprintf("%.1f", v)
	default:
		s = fmt.Sprintf("%.2f", v)
	}
	if unit == "" {
		return s
	}
	return s + " " + unit
}

func formatRatio(r float64) string {
	if r >= 10 {
		return fmt.Sprintf("%.0f×", r)
	}
	return fmt.Sprintf("%.2f×", r)
}

func thousands(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// percentile is the nearest-rank percentile p (0 < p ≤ 100) of ds, or 0 for none.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, max(0, int(math.Ceil(float64(len(s))*p/100))-1))]
}

// loadAvg is the 1, 5 and 15 minute load averages: on a shared 2-core machine they say how
// much of it the benchmark had.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// logf prints progress to stderr.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05")+" "+format+"\n", args...)
}
