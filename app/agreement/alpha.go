// Package agreement measures how much reviewers agree: Krippendorff's alpha for any number of
// reviewers, missing answers and level of measurement, and Cohen's kappa for a pair of reviewers.
//
// Both follow their authors' definitions:
//   - K. Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), eq. for the general
//     form α = 1 − D_o/D_e, computed from pairable values (units with at least two values);
//   - J. Cohen, "A Coefficient of Agreement for Nominal Scales" (1960), κ = (p_o − p_e)/(1 − p_e).
//
// Undefined results (no pairable values, no variation at all) are NaN; callers turn them into null.
package agreement

import (
	"math"
)

// Result is Krippendorff's alpha with what it was computed from.
type Result struct {
	// Alpha is 1 for perfect agreement, 0 for agreement at chance level, negative below it;
	// NaN when undefined (fewer than two pairable values, or every value the same).
	Alpha float64
	// Units counts the units (items) with at least two values, the only ones alpha uses.
	Units int
	// Pairable counts the values in those units (Krippendorff's n).
	Pairable int
	// Observed and Expected are the disagreements D_o and D_e.
	Observed, Expected float64
}

// Nominal computes alpha for unordered categories: two values differ by 1 or not at all.
// Each unit lists the values its reviewers gave (missing ones left out).
func Nominal(units [][]string) Result {
	return alpha(units, func(v string) string { return v }, func(a, b string) float64 {
		if a == b {
			return 0
		}
		return 1
	})
}

// Interval computes alpha for numbers on an interval scale: δ(a, b) = (a − b)².
func Interval(units [][]float64) Result {
	units, n := pairable(units)
	r := Result{Units: len(units), Pairable: n}
	if n < 2 {
		r.Alpha = math.NaN()
		return r
	}
	var within, sum, sumSq float64
	for _, u := range units {
		within += withinUnit(u, func(a, b float64) float64 { return (a - b) * (a - b) })
		for _, v := range u {
			sum += v
			sumSq += v * v
		}
	}
	// Σ over ordered pairs k≠l of all pairable values of (v_k − v_l)² = 2nΣv² − 2(Σv)²: linear
	// time however many distinct numbers there are.
	between := 2*float64(n)*sumSq - 2*sum*sum
	if between < 1e-12*2*float64(n)*sumSq {
		between = 0 // rounding left over when every value is the same
	}
	return finish(r, within, between)
}

// Sets computes alpha for set-valued answers (a categorical list) under a set distance such as
// MASI or Jaccard. Each value is a set of labels; order and duplicates inside a value do not matter.
func Sets(units [][][]string, distance func(a, b []string) float64) Result {
	return alpha(units, SetKey, distance)
}

// alpha is the general form for any difference function δ with δ(v, v) = 0. key identifies equal
// values so the expected disagreement sums over distinct values instead of all pairs of values.
func alpha[T any](all [][]T, key func(T) string, delta func(a, b T) float64) Result {
	units, n := pairable(all)
	r := Result{Units: len(units), Pairable: n}
	if n < 2 {
		r.Alpha = math.NaN()
		return r
	}
	var within float64
	type distinct struct {
		v     T
		count float64
	}
	idx := map[string]int{}
	var values []distinct
	for _, u := range units {
		within += withinUnit(u, delta)
		for _, v := range u {
			k := key(v)
			i, ok := idx[k]
			if !ok {
				i = len(values)
				idx[k] = i
				values = append(values, distinct{v: v})
			}
			values[i].count++
		}
	}
	var between float64
	for i := range values {
		for j := i + 1; j < len(values); j++ {
			between += 2 * values[i].count * values[j].count * delta(values[i].v, values[j].v)
		}
	}
	return finish(r, within, between)
}

// pairable keeps the units with at least two values and counts their values.
func pairable[T any](units [][]T) ([][]T, int) {
	var out [][]T
	n := 0
	for _, u := range units {
		if len(u) >= 2 {
			out = append(out, u)
			n += len(u)
		}
	}
	return out, n
}

// withinUnit is a unit's contribution to the observed disagreement: the sum of δ over its
// ordered pairs of values, divided by m_u − 1.
func withinUnit[T any](u []T, delta func(a, b T) float64) float64 {
	var s float64
	for i := range u {
		for j := i + 1; j < len(u); j++ {
			s += 2 * delta(u[i], u[j])
		}
	}
	return s / float64(len(u)-1)
}

// finish turns the two sums into D_o = within/n, D_e = between/(n(n−1)) and α = 1 − D_o/D_e.
func finish(r Result, within, between float64) Result {
	n := float64(r.Pairable)
	r.Observed = within / n
	r.Expected = between / (n * (n - 1))
	if r.Expected <= 0 {
		r.Alpha = math.NaN()
		return r
	}
	r.Alpha = 1 - r.Observed/r.Expected
	return r
}
