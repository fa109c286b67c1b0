package labelingapi

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"

	"github.com/assay-labs/assay/app/agreement"
	"github.com/assay-labs/assay/app/model"
	"github.com/assay-labs/assay/app/store"
)

// schemaStats is what the stats route reports for one schema.
type schemaStats struct {
	Name string `json:"name"`
	// Type is the schema's input kind: categorical, categorical_list, numeric, text, text_list, pass_fail.
	Type    string `json:"type"`
	Answers int    `json:"answers"`
	// Distribution counts answers by value: options (every option, even unused), pass_fail
	// labels, each element of a list, numbers exactly or in ten buckets when there are more
	// than twenty distinct ones, and the twenty most frequent texts.
	Distribution map[string]int `json:"distribution"`
	// Agreement is nil for free text, whose answers are not comparable values.
	Agreement *agreementStats `json:"agreement"`
	// Disagreements lists, in session order, the items whose reviewers gave different answers.
	Disagreements []string `json:"disagreements"`
}

// agreementStats is Krippendorff's alpha for a schema, with Cohen's kappa per pair of reviewers
// for nominal schemas.
type agreementStats struct {
	// Level is the level of measurement alpha is computed at: "nominal" (categorical,
	// pass_fail), "interval" (numeric) or "nominal-set" (categorical_list, with Metric "masi").
	Level  string `json:"level"`
	Metric string `json:"metric"`
	// Alpha is null when undefined: no item with two answers yet, or no variation at all.
	Alpha *float64 `json:"alpha"`
	// Units counts the items with at least two answers; PairableValues their answers.
	Units          int         `json:"units"`
	PairableValues int         `json:"pairable_values"`
	KappaPairs     []kappaPair `json:"kappa_pairs"`
}

// kappaPair is Cohen's kappa between two reviewers over the items both answered.
type kappaPair struct {
	Reviewers         [2]string `json:"reviewers"`
	Items             int       `json:"items"`
	ObservedAgreement float64   `json:"observed_agreement"`
	Kappa             *float64  `json:"kappa"`
}

// answerSet gathers a session's valid answers: schema → item → reviewer → value.
type answerSet struct {
	bySchema map[string]*schemaAnswers
}

type schemaAnswers struct {
	items []*itemAnswers // in session order
	index map[string]*itemAnswers
}

type itemAnswers struct {
	itemID string
	values map[string]json.RawMessage // by reviewer
}

func newAnswerSet() *answerSet { return &answerSet{bySchema: map[string]*schemaAnswers{}} }

// add records an answer; answers arrive in item order and, within an item, oldest first, so a
// reviewer's later answer replaces an earlier one.
func (s *answerSet) add(a store.SessionAnswer) {
	sa := s.bySchema[a.Schema]
	if sa == nil {
		sa = &schemaAnswers{index: map[string]*itemAnswers{}}
		s.bySchema[a.Schema] = sa
	}
	it := sa.index[a.ItemID]
	if it == nil {
		it = &itemAnswers{itemID: a.ItemID, values: map[string]json.RawMessage{}}
		sa.index[a.ItemID] = it
		sa.items = append(sa.items, it)
	}
	it.values[a.Reviewer] = a.Value
}

func (s *answerSet) schemaNames() []string {
	out := make([]string, 0, len(s.bySchema))
	for n := range s.bySchema {
		out = append(out, n)
	}
	return out
}

// stats computes one schema's distribution, agreement and disagreements.
func (s *answerSet) stats(sc model.LabelSchema) schemaStats {
	kind := sc.Input.Kind()
	out := schemaStats{Name: sc.Name, Type: kind, Distribution: map[string]int{}, Disagreements: []string{}}
	for _, o := range options(sc.Input) {
		out.Distribution[o] = 0
	}
	sa := s.bySchema[sc.Name]
	if sa == nil {
		sa = &schemaAnswers{}
	}
	units := decodeUnits(sc.Input, sa.items)
	var numbers []float64
	texts := map[string]int{}
	for _, u := range units {
		for _, v := range u.values {
			out.Answers++
			switch kind {
			case "numeric":
				numbers = append(numbers, v.num)
			case "text", "text_list":
				for _, l := range v.labels {
					texts[l]++
				}
			default:
				for _, l := range v.labels {
					out.Distribution[l]++
				}
			}
		}
		if kind != "text" && kind != "text_list" && u.disagree() {
			out.Disagreements = append(out.Disagreements, u.itemID)
		}
	}
	switch kind {
	case "numeric":
		out.Distribution = numberDistribution(numbers, sc.Input.Numeric)
	case "text", "text_list":
		out.Distribution = topTexts(texts, 20)
	}
	out.Agreement = agreementFor(kind, units)
	return out
}

// value is one decoded answer: labels for categorical, pass_fail (one label), lists and texts;
// num for numeric.
type value struct {
	labels []string
	num    float64
	key    string // equal answers have equal keys
}

type unitValues struct {
	itemID    string
	reviewers []string // sorted
	values    []value  // parallel to reviewers
}

func (u unitValues) disagree() bool {
	for _, v := range u.values[1:] {
		if v.key != u.values[0].key {
			return true
		}
	}
	return false
}

// decodeUnits decodes every answer by the schema's input; answers that do not fit it (given
// under an older, different definition) are left out.
func decodeUnits(in model.LabelInput, items []*itemAnswers) []unitValues {
	var out []unitValues
	for _, it := range items {
		u := unitValues{itemID: it.itemID}
		for who := range it.values {
			u.reviewers = append(u.reviewers, who)
		}
		sort.Strings(u.reviewers)
		kept := u.reviewers[:0]
		for _, who := range u.reviewers {
			if v, ok := decode(in, it.values[who]); ok {
				kept = append(kept, who)
				u.values = append(u.values, v)
			}
		}
		u.reviewers = kept
		if len(u.values) > 0 {
			out = append(out, u)
		}
	}
	return out
}

func decode(in model.LabelInput, raw json.RawMessage) (value, bool) {
	switch in.Kind() {
	case "categorical", "text":
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return value{}, false
		}
		return value{labels: []string{s}, key: s}, true
	case "pass_fail":
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return value{}, false
		}
		l := in.PassFail.NegativeLabel
		if b {
			l = in.PassFail.PositiveLabel
		}
		return value{labels: []string{l}, key: l}, true
	case "numeric":
		var f float64
		if json.Unmarshal(raw, &f) != nil {
			return value{}, false
		}
		return value{num: f, key: strconv.FormatFloat(f, 'g', -1, 64)}, true
	case "categorical_list", "text_list":
		var l []string
		if json.Unmarshal(raw, &l) != nil {
			return value{}, false
		}
		return value{labels: l, key: agreement.SetKey(l)}, true
	}
	return value{}, false
}

// agreementFor computes alpha at the schema's level of measurement, and pairwise kappa for
// nominal schemas.
func agreementFor(kind string, units []unitValues) *agreementStats {
	var a agreementStats
	var r agreement.Result
	switch kind {
	case "categorical", "pass_fail":
		a.Level, a.Metric = "nominal", "nominal"
		vals := make([][]string, len(units))
		for i, u := range units {
			for _, v := range u.values {
				vals[i] = append(vals[i], v.key)
			}
		}
		r = agreement.Nominal(vals)
		a.KappaPairs = kappaPairs(units)
	case "numeric":
		a.Level, a.Metric = "interval", "squared difference"
		vals := make([][]float64, len(units))
		for i, u := range units {
			for _, v := range u.values {
				vals[i] = append(vals[i], v.num)
			}
		}
		r = agreement.Interval(vals)
	case "categorical_list":
		// MASI rather than Jaccard: a reviewer who picked a subset of another's labels is
		// closer to them than one whose labels only overlap (Passonneau 2006).
		a.Level, a.Metric = "nominal-set", "masi"
		vals := make([][][]string, len(units))
		for i, u := range units {
			for _, v := range u.values {
				vals[i] = append(vals[i], v.labels)
			}
		}
		r = agreement.Sets(vals, agreement.MASI)
	default:
		return nil
	}
	a.Alpha, a.Units, a.PairableValues = finite(r.Alpha), r.Units, r.Pairable
	if a.KappaPairs == nil {
		a.KappaPairs = []kappaPair{}
	}
	return &a
}

// kappaPairs computes Cohen's kappa for every pair of reviewers who answered an item in common.
func kappaPairs(units []unitValues) []kappaPair {
	type pair struct{ a, b string }
	answers := map[pair]*[2][]string{}
	var order []pair
	for _, u := range units {
		for i := range u.reviewers {
			for j := i + 1; j < len(u.reviewers); j++ {
				p := pair{u.reviewers[i], u.reviewers[j]}
				ab := answers[p]
				if ab == nil {
					ab = &[2][]string{}
					answers[p] = ab
					order = append(order, p)
				}
				ab[0] = append(ab[0], u.values[i].key)
				ab[1] = append(ab[1], u.values[j].key)
			}
		}
	}
	sort.Slice(order, func(i, j int) bool {
		return order[i].a < order[j].a || order[i].a == order[j].a && order[i].b < order[j].b
	})
	out := make([]kappaPair, 0, len(order))
	for _, p := range order {
		ab := answers[p]
		k := agreement.CohenKappa(ab[0], ab[1])
		out = append(out, kappaPair{Reviewers: [2]string{p.a, p.b}, Items: k.Items, ObservedAgreement: k.Observed, Kappa: finite(k.Kappa)})
	}
	return out
}

// options are the values a schema offers, so that unused ones show as 0 in its distribution.
func options(in model.LabelInput) []string {
	switch {
	case in.Categorical != nil:
		return in.Categorical.Options
	case in.CategoricalList != nil:
		return in.CategoricalList.Options
	case in.PassFail != nil:
		return []string{in.PassFail.PositiveLabel, in.PassFail.NegativeLabel}
	}
	return nil
}

// numberDistribution counts numbers exactly when there are at most twenty distinct values, and
// otherwise in ten equal buckets over the schema's bounds (or the answers' range) named
// "[lo, hi)" — the last one "[lo, hi]".
func numberDistribution(nums []float64, bounds *model.InputNumeric) map[string]int {
	out := map[string]int{}
	distinct := map[float64]bool{}
	for _, n := range nums {
		distinct[n] = true
	}
	if len(distinct) <= 20 {
		for _, n := range nums {
			out[strconv.FormatFloat(n, 'g', -1, 64)]++
		}
		return out
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, n := range nums {
		lo, hi = math.Min(lo, n), math.Max(hi, n)
	}
	if bounds != nil && bounds.MinValue != nil && bounds.MaxValue != nil {
		lo, hi = *bounds.MinValue, *bounds.MaxValue
	}
	const buckets = 10
	width := (hi - lo) / buckets
	name := func(i int) string {
		a := strconv.FormatFloat(lo+float64(i)*width, 'g', 4, 64)
		b := strconv.FormatFloat(lo+float64(i+1)*width, 'g', 4, 64)
		if i == buckets-1 {
			return "[" + a + ", " + b + "]"
		}
		return "[" + a + ", " + b + ")"
	}
	for i := range buckets {
		out[name(i)] = 0
	}
	for _, n := range nums {
		i := min(buckets-1, max(0, int((n-lo)/width)))
		out[name(i)]++
	}
	return out
}

// topTexts keeps the n most frequent texts (ties broken alphabetically).
func topTexts(counts map[string]int, n int) map[string]int {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	out := map[string]int{}
	for _, k := range keys[:min(n, len(keys))] {
		out[k] = counts[k]
	}
	return out
}

// finite is f, or nil (JSON null) when f is NaN or infinite.
func finite(f float64) *float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}
