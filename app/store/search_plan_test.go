package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestSearchPlansAgree: a tag that few traces carry (the search starts from the tag index) and
// one that more than selectiveLimit traces carry (it walks traces newest first) both return the
// right page in the right order.
func TestSearchPlansAgree(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := selectiveLimit + 200
	tx, err := db.Writer.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		id := fmt.Sprintf("tr-%032x", i+1)
		tx.Exec(`INSERT INTO traces (trace_id, experiment_id, request_time, state) VALUES (?, 0, ?, 'OK')`, id, int64(1_700_000_000_000+i))
		tx.Exec(`INSERT INTO trace_tags VALUES (?, 'env', 'prod')`, id)
		tx.Exec(`INSERT INTO trace_tags VALUES (?, 'mlflow.traceName', 'chat')`, id)
		if i%1000 == 3 {
			tx.Exec(`INSERT INTO trace_tags VALUES (?, 'rare', 'yes')`, id)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		filter    string
		fromIndex bool
		want      []string // first page, newest first
	}{
		{"tags.rare = 'yes'", true, []string{fmt.Sprintf("tr-%032x", 5004), fmt.Sprintf("tr-%032x", 4004)}},
		{"tags.env = 'prod'", false, []string{fmt.Sprintf("tr-%032x", n), fmt.Sprintf("tr-%032x", n-1)}},
		{"name = 'chat' AND tags.rare = 'yes'", true, []string{fmt.Sprintf("tr-%032x", 5004), fmt.Sprintf("tr-%032x", 4004)}},
		{"name = 'chat'", false, []string{fmt.Sprintf("tr-%032x", n), fmt.Sprintf("tr-%032x", n-1)}},
	} {
		t.Run(tc.filter, func(t *testing.T) {
			q, _, err := db.TraceSearchStatement(ctx, TraceSearch{ExperimentIDs: []string{"0"}, Filter: tc.filter, MaxResults: 2})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(q, "+t.experiment_id"); got != tc.fromIndex {
				t.Errorf("starts from the tag index = %v, want %v:\n%s", got, tc.fromIndex, q)
			}
			page, err := db.SearchTraces(ctx, TraceSearch{ExperimentIDs: []string{"0"}, Filter: tc.filter, MaxResults: 2})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ti := range page {
				got = append(got, ti.TraceID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("page = %v, want %v", got, tc.want)
			}
		})
	}
}
