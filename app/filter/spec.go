package filter

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// valueKind is the type of value a field compares against with = and !=.
type valueKind int

const (
	vString valueKind = iota // a quoted string
	vNumber                  // an unquoted number
	vEither                  // either (assessment values: 'yes', 0.8)
)

// Operator sets, as MLflow's SearchUtils and SearchTraceUtils define them.
var (
	numericOps    = []string{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe}
	keyValueOps   = []string{OpEq, OpNe, OpLike, OpILike, OpIsNull, OpIsNotNull}
	listOps       = []string{OpEq, OpNe, OpIn, OpNotIn}
	stringListOps = []string{OpEq, OpNe, OpIn, OpNotIn, OpLike, OpILike}
	stringOps     = []string{OpEq, OpNe, OpLike, OpILike}
	assessmentOps = []string{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpLike, OpILike, OpIsNull, OpIsNotNull}
)

// spec says which operators and values a field accepts.
type spec struct {
	ops   []string  // the operators allowed, in the order errors list them
	value valueKind // what = and != compare against
	enum  []string  // when set, the only string values allowed (upper case)
}

// allows reports whether op is allowed on the field.
func (s spec) allows(op string) bool { return slices.Contains(s.ops, op) }

// opError is the message for an operator the field does not allow.
func (s spec) opError(f Field, op string) string {
	if len(s.ops) == 0 {
		return fmt.Sprintf("cannot filter by %s", describe(f))
	}
	return fmt.Sprintf("operator %s is not supported for %s; use one of %s", op, describe(f), strings.Join(s.ops, ", "))
}

// wants says what kind of value op needs on this field.
func (s spec) wants(op string) valueKind {
	switch op {
	case OpLt, OpLe, OpGt, OpGe:
		return vNumber
	case OpLike, OpILike, OpIn, OpNotIn:
		return vString
	}
	return s.value
}

// checkScalar checks one string value against the enum, if any.
func (s spec) checkScalar(f Field, v string) string {
	if s.enum != nil && !slices.Contains(s.enum, v) {
		return fmt.Sprintf("%s must be one of %s", describe(f), strings.Join(s.enum, ", "))
	}
	return ""
}

// check validates a whole clause against the spec, for clauses that did not come from the parser.
// It returns "" when the clause is fine.
func (s spec) check(c Clause) string {
	if !s.allows(c.Op) {
		return s.opError(c.Field, c.Op)
	}
	switch c.Op {
	case OpIsNull, OpIsNotNull:
		if c.Value == nil {
			return ""
		}
	case OpIn, OpNotIn:
		if v, ok := c.Value.([]string); ok {
			if len(v) == 0 {
				return "IN lists cannot be empty"
			}
			for _, e := range v {
				if msg := s.checkScalar(c.Field, e); msg != "" {
					return msg
				}
			}
			return ""
		}
	default:
		switch v := c.Value.(type) {
		case string:
			if s.wants(c.Op) != vNumber {
				return s.checkScalar(c.Field, v)
			}
		case float64:
			if s.wants(c.Op) != vString && !math.IsNaN(v) && !math.IsInf(v, 0) {
				return ""
			}
		}
	}
	return fmt.Sprintf("value %v (%T) does not fit operator %s on %s", c.Value, c.Value, c.Op, describe(c.Field))
}

// describe names a field in messages: the key alone for attributes, prefix.key otherwise.
func describe(f Field) string {
	if f.Kind == KindAttribute {
		return f.Key
	}
	return prefixes[f.Kind] + "." + f.Key
}

// normalize puts an enum value in upper case (status values are case-insensitive); other values
// are kept as written.
func (s spec) normalize(v string) string {
	if s.enum != nil {
		return strings.ToUpper(v)
	}
	return v
}
