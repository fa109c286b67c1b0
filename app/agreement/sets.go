package agreement

import (
	"slices"
	"strings"
)

// MASI is the MASI distance between two sets of labels (Passonneau, "Measuring Agreement on
// Set-valued Items (MASI) for Semantic and Pragmatic Annotation", LREC 2006):
// 1 − J·M, where J is the Jaccard index |A∩B|/|A∪B| and M is 1 when the sets are equal, 2/3
// when one contains the other, 1/3 when they overlap otherwise and 0 when they are disjoint.
// It is what Assay uses for categorical_list answers: unlike plain Jaccard it ranks "one
// reviewer picked a subset of the other's labels" as closer than "they overlap partly".
// Two empty sets are equal (distance 0).
func MASI(a, b []string) float64 {
	inter, union, sa, sb := counts(a, b)
	if union == 0 {
		return 0
	}
	var m float64
	switch {
	case inter == sa && inter == sb:
		m = 1
	case inter == sa || inter == sb:
		m = 2.0 / 3
	case inter > 0:
		m = 1.0 / 3
	}
	return 1 - float64(inter)/float64(union)*m
}

// Jaccard is the Jaccard distance 1 − |A∩B|/|A∪B| between two sets of labels; two empty sets
// are equal (distance 0).
func Jaccard(a, b []string) float64 {
	inter, union, _, _ := counts(a, b)
	if union == 0 {
		return 0
	}
	return 1 - float64(inter)/float64(union)
}

// counts returns |A∩B|, |A∪B|, |A| and |B|, ignoring duplicates within a set.
func counts(a, b []string) (inter, union, sa, sb int) {
	as, bs := set(a), set(b)
	for v := range as {
		if bs[v] {
			inter++
		}
	}
	return inter, len(as) + len(bs) - inter, len(as), len(bs)
}

func set(l []string) map[string]bool {
	m := make(map[string]bool, len(l))
	for _, v := range l {
		m[v] = true
	}
	return m
}

// SetKey is a canonical text for a set of labels: equal sets, in any order and with any
// duplicates, get the same key.
func SetKey(l []string) string {
	s := slices.Clone(l)
	slices.Sort(s)
	return strings.Join(slices.Compact(s), "\x1f")
}
