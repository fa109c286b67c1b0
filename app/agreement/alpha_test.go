package agreement

import (
	"math"
	"strings"
	"testing"
)

// missing marks an absent value in the reliability matrices below.
const missing = -1

// columns turns a reliability matrix (one row per observer, one column per unit) into units,
// leaving out missing values.
func columns(rows [][]float64) [][]float64 {
	units := make([][]float64, len(rows[0]))
	for _, r := range rows {
		for i, v := range r {
			if v != missing {
				units[i] = append(units[i], v)
			}
		}
	}
	return units
}

func labels(units [][]float64) [][]string {
	out := make([][]string, len(units))
	for i, u := range units {
		for _, v := range u {
			out[i] = append(out[i], string(rune('0'+int(v))))
		}
	}
	return out
}

func pairs(a, b string) [][]string {
	x, y := strings.Fields(a), strings.Fields(b)
	units := make([][]string, len(x))
	for i := range x {
		units[i] = []string{x[i], y[i]}
	}
	return units
}

// exampleC is Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C:
// four observers, twelve units, missing values (the last unit has a single value and is not
// pairable).
var exampleC = columns([][]float64{
	{1, 2, 3, 3, 2, 1, 4, 1, 2, missing, missing, missing},
	{1, 2, 3, 3, 2, 2, 4, 1, 2, 5, missing, 3},
	{missing, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, missing},
	{1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, missing},
})

// wikipedia is the computational example of Wikipedia's "Krippendorff's alpha" article (three
// coders, fifteen units), whose results the krippendorff Python package also tests.
var wikipedia = columns([][]float64{
	{missing, missing, missing, missing, missing, 3, 4, 1, 2, 1, 1, 3, 3, missing, 3},
	{1, missing, 2, 1, 3, 3, 4, 3, missing, missing, missing, missing, missing, missing, missing},
	{missing, missing, 2, 1, 3, 4, 4, missing, 2, 1, 1, 3, 3, missing, 4},
})

func TestAlphaPublishedExamples(t *testing.T) {
	tests := []struct {
		name   string
		got    Result
		want   float64
		places int
		n      int
	}{
		// Krippendorff (2011) example A: binary data, two observers, no missing data: α = 0.095.
		{"2011 A binary", Nominal(pairs("0 1 0 0 0 0 0 0 1 0", "1 1 1 0 0 1 0 0 0 0")), 0.095, 3, 20},
		// Example B: nominal data, two observers, no missing data: α = 0.692.
		{"2011 B nominal", Nominal(pairs("a a b b d c c c e d d a", "b a b b b c c c e d d d")), 0.692, 3, 24},
		// Example C: any number of observers, missing data: nominal α = 0.743, interval α = 0.849.
		{"2011 C nominal", Nominal(labels(exampleC)), 0.743, 3, 40},
		{"2011 C interval", Interval(exampleC), 0.849, 3, 40},
		{"wikipedia nominal", Nominal(labels(wikipedia)), 0.691358, 6, 26},
		{"wikipedia interval", Interval(wikipedia), 0.810845, 6, 26},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := round(tt.got.Alpha, tt.places); got != tt.want {
				t.Errorf("alpha = %v (%.6f), want %v", got, tt.got.Alpha, tt.want)
			}
			if tt.got.Pairable != tt.n {
				t.Errorf("pairable values = %d, want %d", tt.got.Pairable, tt.n)
			}
		})
	}
}

// TestAlphaMatchesBruteForce checks the shortcuts (distinct values for nominal, the closed form
// for interval) against the definition summed over every pair of values.
func TestAlphaMatchesBruteForce(t *testing.T) {
	brute := func(units [][]float64, d func(a, b float64) float64) float64 {
		var within, between float64
		var all []float64
		for _, u := range units {
			if len(u) < 2 {
				continue
			}
			for i := range u {
				for j := range u {
					if i != j {
						within += d(u[i], u[j]) / float64(len(u)-1)
					}
				}
			}
			all = append(all, u...)
		}
		for i := range all {
			for j := range all {
				if i != j {
					between += d(all[i], all[j])
				}
			}
		}
		return 1 - float64(len(all)-1)*within/between
	}
	nominal := func(a, b float64) float64 {
		if a == b {
			return 0
		}
		return 1
	}
	interval := func(a, b float64) float64 { return (a - b) * (a - b) }
	for name, units := range map[string][][]float64{"2011 C": exampleC, "wikipedia": wikipedia} {
		if got, want := Nominal(labels(units)).Alpha, brute(units, nominal); math.Abs(got-want) > 1e-12 {
			t.Errorf("%s nominal = %v, brute force %v", name, got, want)
		}
		if got, want := Interval(units).Alpha, brute(units, interval); math.Abs(got-want) > 1e-9 {
			t.Errorf("%s interval = %v, brute force %v", name, got, want)
		}
	}
}

func TestAlphaEdges(t *testing.T) {
	tests := []struct {
		name      string
		got       Result
		want      float64 // NaN: undefined
		wantUnits int
	}{
		{"no units", Nominal(nil), math.NaN(), 0},
		{"no pairable unit", Nominal([][]string{{"a"}, {"b"}}), math.NaN(), 0},
		{"no variation", Nominal([][]string{{"a", "a"}, {"a", "a", "a"}}), math.NaN(), 2},
		{"no variation, interval", Interval([][]float64{{0.1, 0.1}, {0.1, 0.1}}), math.NaN(), 2},
		{"perfect", Nominal([][]string{{"a", "a"}, {"b", "b"}, {"c"}}), 1, 2},
		{"perfect, interval", Interval([][]float64{{1, 1}, {2, 2, 2}, {3.5, 3.5}}), 1, 3},
		{"perfect disagreement", Nominal([][]string{{"a", "b"}, {"a", "b"}}), 1 - 3.0/2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if math.IsNaN(tt.want) != math.IsNaN(tt.got.Alpha) || !math.IsNaN(tt.want) && math.Abs(tt.got.Alpha-tt.want) > 1e-12 {
				t.Errorf("alpha = %v, want %v", tt.got.Alpha, tt.want)
			}
			if tt.got.Units != tt.wantUnits {
				t.Errorf("units = %d, want %d", tt.got.Units, tt.wantUnits)
			}
		})
	}
}

func TestAlphaSets(t *testing.T) {
	// With single-label sets MASI and Jaccard are the nominal metric, so alpha must be nominal alpha.
	single := make([][][]string, len(exampleC))
	for i, u := range labels(exampleC) {
		for _, v := range u {
			single[i] = append(single[i], []string{v})
		}
	}
	want := Nominal(labels(exampleC)).Alpha
	for name, d := range map[string]func(a, b []string) float64{"masi": MASI, "jaccard": Jaccard} {
		if got := Sets(single, d).Alpha; math.Abs(got-want) > 1e-12 {
			t.Errorf("%s alpha on single labels = %v, want nominal alpha %v", name, got, want)
		}
	}
	// Order and duplicates inside an answer do not matter.
	same := [][][]string{{{"a", "b"}, {"b", "a", "a"}}, {{"c"}, {"c"}}}
	if got := Sets(same, MASI).Alpha; got != 1 {
		t.Errorf("alpha on equal sets written differently = %v, want 1", got)
	}
}

func TestSetDistances(t *testing.T) {
	tests := []struct {
		a, b          []string
		masi, jaccard float64
	}{
		{[]string{"a", "b"}, []string{"b", "a"}, 0, 0},
		{nil, nil, 0, 0},
		{[]string{"a"}, nil, 1, 1},
		// Subset: J = 1/2, M = 2/3 → MASI 1 − 1/3.
		{[]string{"a"}, []string{"a", "b"}, 1 - 1.0/3, 0.5},
		// Overlap: J = 1/3, M = 1/3 → MASI 1 − 1/9 (Passonneau 2006's worked cases).
		{[]string{"a", "b"}, []string{"b", "c"}, 1 - 1.0/9, 1 - 1.0/3},
		{[]string{"a"}, []string{"b"}, 1, 1},
	}
	for _, tt := range tests {
		if got := MASI(tt.a, tt.b); math.Abs(got-tt.masi) > 1e-12 {
			t.Errorf("MASI(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.masi)
		}
		if got := MASI(tt.b, tt.a); math.Abs(got-tt.masi) > 1e-12 {
			t.Errorf("MASI(%v, %v) = %v, want %v (symmetric)", tt.b, tt.a, got, tt.masi)
		}
		if got := Jaccard(tt.a, tt.b); math.Abs(got-tt.jaccard) > 1e-12 {
			t.Errorf("Jaccard(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.jaccard)
		}
	}
}

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}
