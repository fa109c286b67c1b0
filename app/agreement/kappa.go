package agreement

import "math"

// Kappa is Cohen's kappa between two reviewers over the items both answered.
type Kappa struct {
	// Kappa is (p_o − p_e)/(1 − p_e); NaN when p_e is 1 (both reviewers always gave the same
	// single value, so chance explains everything) or there are no items.
	Kappa float64
	// Observed is p_o, the share of items on which they agree.
	Observed float64
	// Items counts the items both answered.
	Items int
}

// CohenKappa compares two reviewers' nominal answers, paired by position: a[i] and b[i] are
// their answers to the same item.
func CohenKappa(a, b []string) Kappa {
	n := min(len(a), len(b))
	k := Kappa{Items: n, Kappa: math.NaN()}
	if n == 0 {
		return k
	}
	agree := 0
	ma, mb := map[string]int{}, map[string]int{}
	for i := range n {
		if a[i] == b[i] {
			agree++
		}
		ma[a[i]]++
		mb[b[i]]++
	}
	nf := float64(n)
	k.Observed = float64(agree) / nf
	var pe float64
	for v, ca := range ma {
		pe += float64(ca) / nf * float64(mb[v]) / nf
	}
	if 1-pe > 1e-12 {
		k.Kappa = (k.Observed - pe) / (1 - pe)
	}
	return k
}
