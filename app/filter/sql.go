package filter

import (
	"fmt"
	"strings"
)

// fragment collects the parts of a WHERE or ORDER BY fragment and their ? arguments.
type fragment struct {
	parts []string
	args  []any
}

func (f *fragment) add(sql string, args ...any) {
	f.parts = append(f.parts, sql)
	f.args = append(f.args, args...)
}

// compileWhere checks each clause against its spec and ANDs the SQL that render gives for it.
// An empty list matches everything ("1=1").
func compileWhere(cs []Clause, specOf func(Field) spec, render func(Clause) (string, []any, string)) (string, []any, error) {
	if len(cs) == 0 {
		return "1=1", nil, nil
	}
	var w fragment
	for _, c := range cs {
		if msg := specOf(c.Field).check(c); msg != "" {
			return "", nil, clauseError(c, msg)
		}
		sql, args, msg := render(c)
		if msg != "" {
			return "", nil, clauseError(c, msg)
		}
		w.add("("+sql+")", args...)
	}
	return strings.Join(w.parts, " AND "), w.args, nil
}

// clauseError reports a clause that cannot be compiled, at the clause's position.
func clauseError(c Clause, msg string) *Error {
	return &Error{Input: "filter", Pos: c.Pos, Near: shorten(describe(c.Field)), Msg: msg}
}

// compare renders "expr op value" for one column or expression. LIKE becomes GLOB (case-
// sensitive) and ILIKE becomes SQLite's LIKE (ASCII case-insensitive); see like.go. It returns
// a message instead of SQL when the value cannot be used.
func compare(expr, op string, v any) (string, []any, string) {
	switch op {
	case OpIn, OpNotIn:
		list := v.([]string)
		args := make([]any, len(list))
		for i, s := range list {
			args[i] = s
		}
		return fmt.Sprintf("%s %s (%s)", expr, op, placeholders(len(list))), args, ""
	case OpLike:
		p := likeToGlob(v.(string))
		if len(p) > maxPattern {
			return "", nil, "the LIKE pattern is too long"
		}
		return expr + " GLOB ?", []any{p}, ""
	case OpILike:
		p := likeToEscaped(v.(string))
		if len(p) > maxPattern {
			return "", nil, "the ILIKE pattern is too long"
		}
		return expr + ` LIKE ? ESCAPE '\'`, []any{p}, ""
	}
	return expr + " " + op + " ?", []any{v}, ""
}

// placeholders returns n comma-separated question marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// keyValues is a side table of (owner, key, value) rows: tags, metadata, params, latest metrics.
type keyValues struct {
	table string // e.g. trace_tags
	alias string // e.g. tt
	join  string // how a row belongs to the outer row, e.g. tt.trace_id = t.trace_id
	owner string // the outer row's id, e.g. t.trace_id
	ref   string // the side table's column naming it, e.g. trace_id
}

// rows is the subquery selecting the rows of key for the outer row.
func (kv keyValues) rows(what string) string {
	return fmt.Sprintf("SELECT %s FROM %s %s WHERE %s AND %s.key = ?", what, kv.table, kv.alias, kv.join, kv.alias)
}

// match renders a filter on the value of key. As in MLflow, a comparison means "has the key and
// its value compares so": tags.x != 'a' does not match rows without tag x. IS NULL and IS NOT
// NULL test whether the key is there at all.
func (kv keyValues) match(key, op string, v any) (string, []any, string) {
	switch op {
	case OpIsNull:
		return "NOT EXISTS (" + kv.rows("1") + ")", []any{key}, ""
	case OpIsNotNull:
		return "EXISTS (" + kv.rows("1") + ")", []any{key}, ""
	}
	cond, args, msg := compare(kv.alias+".value", op, v)
	// "owner IN (rows with that key and value)" rather than a correlated EXISTS: SQLite can then
	// start from the side table's (key, value) index and look the few matching owners up, instead
	// of testing every owner in the experiment (778 ms → milliseconds on 1M traces).
	sub := fmt.Sprintf("SELECT %s.%s FROM %s %s WHERE %s.key = ? AND %s", kv.alias, kv.ref, kv.table, kv.alias, kv.alias, cond)
	return kv.owner + " IN (" + sub + ")", append([]any{key}, args...), msg
}

// probe renders the same filter as match as a correlated EXISTS, cheap per outer row: for
// searches that walk the outer rows in order and stop after a page.
func (kv keyValues) probe(key, op string, v any) (string, []any, string) {
	if op == OpIsNull || op == OpIsNotNull {
		return kv.match(key, op, v)
	}
	cond, args, msg := compare(kv.alias+".value", op, v)
	return "EXISTS (" + kv.rows("1") + " AND " + cond + ")", append([]any{key}, args...), msg
}

// value is the scalar subquery giving the value of key for the outer row (NULL when absent),
// for ORDER BY.
func (kv keyValues) value(key string) (string, []any) {
	return "(" + kv.rows(kv.alias+".value") + ")", []any{key}
}
