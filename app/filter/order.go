package filter

import (
	"fmt"
	"slices"
)

// traceOrderAttributes are the trace attributes order_by accepts.
var traceOrderAttributes = []string{
	"timestamp_ms", "execution_time_ms", "end_time_ms", "status", "request_id", "name", "run_id", "client_request_id",
}

// ParseTraceOrderBy parses search_traces order_by entries such as "timestamp_ms DESC" or
// "tags.`priority`". Keys are the trace attributes (with the filter's aliases), tags.<key> and
// metadata.<key>; the direction is ASC unless DESC is given, as in MLflow. Errors are *Error.
func ParseTraceOrderBy(entries []string) ([]Order, error) {
	return parseOrderBy(entries, func(t token) (Field, string) {
		f, msg := traceField(t)
		if msg != "" {
			return f, msg
		}
		switch {
		case f.Kind == KindTag, f.Kind == KindMetadata:
		case f.Kind == KindAttribute && slices.Contains(traceOrderAttributes, f.Key):
		default:
			return f, fmt.Sprintf("cannot order traces by %s", describe(f))
		}
		return f, ""
	})
}

// ParseRunOrderBy parses search_runs order_by entries such as "metrics.rmse ASC" or
// "attributes.start_time DESC". Keys are run attributes (a bare name is an attribute),
// metrics.<key>, params.<key> and tags.<key>; the direction is ASC unless DESC is given.
// Errors are *Error.
func ParseRunOrderBy(entries []string) ([]Order, error) {
	return parseOrderBy(entries, func(t token) (Field, string) {
		f, msg := runField(t)
		if msg == "" && f.Kind == KindDataset {
			msg = fmt.Sprintf("cannot order runs by %s", describe(f))
		}
		return f, msg
	})
}

// parseOrderBy parses each entry as "field [ASC|DESC]" and rejects a field named twice.
func parseOrderBy(entries []string, field func(token) (Field, string)) ([]Order, error) {
	var orders []Order
	for i, src := range entries {
		p := newParser(fmt.Sprintf("order_by[%d]", i), src)
		ft := p.next()
		if ft.kind != tWord && ft.kind != tIdent {
			return nil, p.errAt(ft, "expected a field name, optionally followed by ASC or DESC")
		}
		f, msg := field(ft)
		if msg != "" {
			return nil, p.errAt(ft, "%s", msg)
		}
		o := Order{Field: f}
		t := p.next()
		if t.is("ASC") || t.is("DESC") {
			o.Desc = t.is("DESC")
			t = p.next()
		}
		if t.kind != tEOF {
			return nil, p.errAt(t, "expected ASC, DESC or the end of the order_by entry")
		}
		if slices.ContainsFunc(orders, func(prev Order) bool { return prev.Field == f }) {
			return nil, p.errAt(ft, "%s appears twice in order_by", describe(f))
		}
		orders = append(orders, o)
	}
	return orders, nil
}
