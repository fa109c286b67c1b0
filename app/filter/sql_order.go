package filter

import (
	"fmt"
	"strings"
)

// TraceOrderSQL compiles search_traces order_by entries to an ORDER BY fragment (without the
// keywords) with ? placeholders and their arguments. Unless the entries say otherwise it orders
// by t.request_time DESC, and it always ends with t.trace_id so that pages never overlap: no
// entries give "t.request_time DESC, t.trace_id". Tags and metadata sort with missing keys last.
// Errors are *Error.
func TraceOrderSQL(orders []Order) (sql string, args []any, err error) {
	return compileOrder(orders, traceOrderTerm,
		Field{Kind: KindAttribute, Key: "timestamp_ms"}, "t.request_time DESC",
		Field{Kind: KindAttribute, Key: "request_id"}, "t.trace_id")
}

// RunOrderSQL compiles search_runs order_by entries to an ORDER BY fragment (without the
// keywords) with ? placeholders and their arguments. Unless the entries say otherwise it orders
// by r.start_time DESC, and it always ends with r.run_id: no entries give
// "r.start_time DESC, r.run_id". Metrics, params and tags sort with missing keys last.
// Errors are *Error.
func RunOrderSQL(orders []Order) (sql string, args []any, err error) {
	return compileOrder(orders, runOrderTerm,
		Field{Kind: KindAttribute, Key: "start_time"}, "r.start_time DESC",
		Field{Kind: KindAttribute, Key: "run_id"}, "r.run_id")
}

// orderTerm gives the SQL expression to sort a field by, its arguments, and whether it can be
// NULL; or a message when the field cannot be sorted by.
type orderTerm func(f Field) (expr string, args []any, nullable bool, msg string)

// compileOrder renders each entry, then the default order (unless its field was given) and the
// unique tie-breaker (unless its field was given, which already makes the order total).
func compileOrder(orders []Order, term orderTerm, defField Field, defSQL string, tieField Field, tieSQL string) (string, []any, error) {
	var o fragment
	seen := map[Field]bool{}
	for i, ord := range orders {
		expr, args, nullable, msg := term(ord.Field)
		if msg != "" {
			return "", nil, &Error{Input: fmt.Sprintf("order_by[%d]", i), Near: shorten(describe(ord.Field)), Msg: msg}
		}
		if seen[ord.Field] {
			continue
		}
		seen[ord.Field] = true
		dir := " ASC"
		if ord.Desc {
			dir = " DESC"
		}
		if nullable {
			dir += " NULLS LAST"
		}
		o.add(expr+dir, args...)
	}
	if !seen[defField] {
		o.add(defSQL)
	}
	if !seen[tieField] {
		o.add(tieSQL)
	}
	return strings.Join(o.parts, ", "), o.args, nil
}

// traceOrderTerm maps a trace order_by field to SQL.
func traceOrderTerm(f Field) (string, []any, bool, string) {
	switch f.Kind {
	case KindAttribute:
		switch f.Key {
		case "name":
			expr, args := traceTags.value(traceNameTag)
			return expr, args, true, ""
		case "run_id":
			expr, args := traceMetadata.value(sourceRunKey)
			return expr, args, true, ""
		}
		if col, ok := traceColumns[f.Key]; ok {
			return col, nil, f.Key == "client_request_id", ""
		}
	case KindTag:
		expr, args := traceTags.value(f.Key)
		return expr, args, true, ""
	case KindMetadata:
		expr, args := traceMetadata.value(f.Key)
		return expr, args, true, ""
	}
	return "", nil, false, "cannot order traces by " + describe(f)
}

// runOrderTerm maps a run order_by field to SQL.
func runOrderTerm(f Field) (string, []any, bool, string) {
	switch f.Kind {
	case KindAttribute:
		if col, ok := runColumns[f.Key]; ok {
			return col, nil, f.Key == "end_time", ""
		}
	case KindMetric:
		expr, args := runMetrics.value(f.Key)
		return expr, args, true, ""
	case KindParam:
		expr, args := runParams.value(f.Key)
		return expr, args, true, ""
	case KindTag:
		expr, args := runTags.value(f.Key)
		return expr, args, true, ""
	}
	return "", nil, false, "cannot order runs by " + describe(f)
}
