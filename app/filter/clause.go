package filter

import (
	"strconv"
	"strings"
)

// Kind says which family of values a Field names.
type Kind string

// The field kinds. Attributes are columns of the trace or run itself; the others name a key in
// a side table (tags, metadata, params, metrics), an assessment, a span column or a dataset column.
const (
	KindAttribute   Kind = "attribute"
	KindTag         Kind = "tag"
	KindMetadata    Kind = "metadata"
	KindParam       Kind = "param"
	KindMetric      Kind = "metric"
	KindFeedback    Kind = "feedback"
	KindExpectation Kind = "expectation"
	KindSpan        Kind = "span"
	KindDataset     Kind = "dataset"
)

// prefixes is how String spells each kind; every spelling is accepted back by the parsers.
var prefixes = map[Kind]string{
	KindAttribute:   "attributes",
	KindTag:         "tags",
	KindMetadata:    "metadata",
	KindParam:       "params",
	KindMetric:      "metrics",
	KindFeedback:    "feedback",
	KindExpectation: "expectation",
	KindSpan:        "span",
	KindDataset:     "datasets",
}

// Field is what a clause compares. For attributes, spans and datasets Key is the canonical
// column name ("timestamp_ms", "start_time", "name"); for the other kinds it is the user's key
// (a tag key, a param key, an assessment name), exactly as written.
type Field struct {
	Kind Kind
	Key  string
}

// String spells the field so that its parser reads it back unchanged: an attribute by its bare
// name (timestamp_ms), anything else as prefix.key (tags.mlflow.user), with the key in backticks
// when it needs them (tags.`my key`).
func (f Field) String() string {
	if f.Kind == KindAttribute {
		if isPlain(f.Key, false) {
			return f.Key
		}
		return quoteKey(f.Key)
	}
	if isPlain(f.Key, true) {
		return prefixes[f.Kind] + "." + f.Key
	}
	return prefixes[f.Kind] + "." + quoteKey(f.Key)
}

// isPlain reports whether the lexer reads k back as a bare word: word characters, plus dots when
// k follows a prefix's dot; a bare attribute name must also start like a word.
func isPlain(k string, afterDot bool) bool {
	if k == "" || !afterDot && !isWordStart(k[0]) {
		return false
	}
	for i := 0; i < len(k); i++ {
		if !isWordChar(k[i]) && !(afterDot && k[i] == '.') {
			return false
		}
	}
	return true
}

// The operators. IN and NOT IN take a list; IS NULL and IS NOT NULL take no value.
const (
	OpEq        = "="
	OpNe        = "!="
	OpLt        = "<"
	OpLe        = "<="
	OpGt        = ">"
	OpGe        = ">="
	OpIn        = "IN"
	OpNotIn     = "NOT IN"
	OpLike      = "LIKE"
	OpILike     = "ILIKE"
	OpIsNull    = "IS NULL"
	OpIsNotNull = "IS NOT NULL"
)

// Clause is one comparison of a filter: Field Op Value.
type Clause struct {
	Field Field
	// Op is one of the Op* constants.
	Op string
	// Value is a string, a float64 (unquoted numbers), a []string (IN and NOT IN) or nil
	// (IS NULL and IS NOT NULL).
	Value any
	// Pos is the byte offset of the clause in the filter string, for compile-time errors.
	Pos int
}

// String spells the clause in filter syntax; parsing the result gives the same clause back.
func (c Clause) String() string {
	s := c.Field.String() + " " + c.Op
	switch v := c.Value.(type) {
	case string:
		s += " " + quoteString(v)
	case float64:
		s += " " + strconv.FormatFloat(v, 'g', -1, 64)
	case []string:
		q := make([]string, len(v))
		for i, e := range v {
			q[i] = quoteString(e)
		}
		s += " (" + strings.Join(q, ", ") + ")"
	}
	return s
}

// Order is one order_by entry: a field and a direction (ascending unless Desc, as in MLflow).
type Order struct {
	Field Field
	Desc  bool
}

// String spells the entry in order_by syntax, e.g. "metrics.`rmse` DESC".
func (o Order) String() string {
	if o.Desc {
		return o.Field.String() + " DESC"
	}
	return o.Field.String() + " ASC"
}

// quoteKey puts a key in backticks, escaping backslashes and doubling backticks.
func quoteKey(k string) string {
	return quote(k, '`')
}

// quoteString puts a value in single quotes, escaping backslashes and doubling quotes.
func quoteString(v string) string {
	return quote(v, '\'')
}

// quote is the inverse of lexer.quoted.
func quote(s string, q byte) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return string(q) + strings.ReplaceAll(s, string(q), string(q)+string(q)) + string(q)
}
