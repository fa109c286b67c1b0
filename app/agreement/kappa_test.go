package agreement

import (
	"math"
	"testing"
)

// table expands a contingency table (rows: rater A's category, columns: rater B's) into paired
// answers.
func table(cats []string, counts [][]int) (a, b []string) {
	for i, row := range counts {
		for j, n := range row {
			for range n {
				a, b = append(a, cats[i]), append(b, cats[j])
			}
		}
	}
	return a, b
}

func TestCohenKappa(t *testing.T) {
	tests := []struct {
		name   string
		cats   []string
		counts [][]int
		kappa  float64
		po     float64
	}{
		// The worked example of Wikipedia's "Cohen's kappa": 50 grant proposals, yes/yes 20,
		// yes/no 5, no/yes 10, no/no 15: p_o = 0.7, p_e = 0.5, κ = 0.4.
		{"50 proposals", []string{"yes", "no"}, [][]int{{20, 5}, {10, 15}}, 0.4, 0.7},
		// A 3×3 textbook case (100 subjects, three diagnostic categories): p_o = 0.77,
		// p_e = (33·32 + 46·35 + 21·33)/100² = 0.3359, κ = 0.4341/0.6641 = 0.654.
		{"3 categories", []string{"1", "2", "3"}, [][]int{{25, 3, 5}, {6, 32, 8}, {1, 0, 20}}, 0.654, 0.77},
		// 20 patients, two doctors: p_o = 0.7, p_e = 0.62, κ = 0.08/0.38 = 0.211.
		{"20 patients", []string{"yes", "no"}, [][]int{{12, 2}, {4, 2}}, 0.211, 0.7},
		// Agreement no better than chance.
		{"chance", []string{"x", "y"}, [][]int{{1, 1}, {1, 1}}, 0, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := table(tt.cats, tt.counts)
			k := CohenKappa(a, b)
			if got := round(k.Kappa, 3); math.Abs(got-tt.kappa) > 1e-9 {
				t.Errorf("kappa = %v (%.6f), want %v", got, k.Kappa, tt.kappa)
			}
			if math.Abs(k.Observed-tt.po) > 1e-12 {
				t.Errorf("p_o = %v, want %v", k.Observed, tt.po)
			}
			if k.Items != len(a) {
				t.Errorf("items = %d, want %d", k.Items, len(a))
			}
		})
	}
}

func TestCohenKappaUndefined(t *testing.T) {
	for name, ab := range map[string][2][]string{
		"no items":          {nil, nil},
		"one value for all": {{"a", "a", "a"}, {"a", "a", "a"}},
	} {
		if k := CohenKappa(ab[0], ab[1]); !math.IsNaN(k.Kappa) {
			t.Errorf("%s: kappa = %v, want NaN (undefined)", name, k.Kappa)
		}
	}
}
