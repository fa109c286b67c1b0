package filter

// resolver maps an identifier token to the field it names and the spec of that field. It returns
// a non-empty message when the identifier is not a known field.
type resolver func(t token) (Field, spec, string)

// parser reads clauses from a lexer. It pulls one token at a time, so the first error in the
// input is the one reported.
type parser struct {
	lx *lexer
}

func newParser(input, src string) *parser {
	return &parser{lx: &lexer{input: input, src: src}}
}

func (p *parser) next() token { return p.lx.token() }

// errAt reports a problem at token t; when t is a lexing error, that error wins.
func (p *parser) errAt(t token, format string, args ...any) *Error {
	if t.kind == tError {
		return t.err
	}
	return errorAt(p.lx.input, p.lx.src, t.pos, t.text, format, args...)
}

// parseFilter parses "clause AND clause ..." with resolve naming the fields. An empty or blank
// filter has no clauses.
func parseFilter(src string, resolve resolver) ([]Clause, error) {
	p := newParser("filter", src)
	var cs []Clause
	for {
		t := p.next()
		if t.kind == tEOF && len(cs) == 0 {
			return nil, nil
		}
		c, err := p.clause(t, resolve)
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
		switch t := p.next(); {
		case t.kind == tEOF:
			return cs, nil
		case t.is("AND"):
		case t.is("OR"):
			return nil, p.errAt(t, "OR is not supported; clauses can only be joined with AND")
		default:
			return nil, p.errAt(t, "expected AND or the end of the filter")
		}
	}
}

// clause parses "field operator value", starting at the field token ft.
func (p *parser) clause(ft token, resolve resolver) (Clause, *Error) {
	if ft.kind != tWord && ft.kind != tIdent {
		return Clause{}, p.errAt(ft, "expected a field name, such as tags.`my.key`")
	}
	f, sp, msg := resolve(ft)
	if msg != "" {
		return Clause{}, p.errAt(ft, "%s", msg)
	}
	ot := p.next()
	op, err := p.operator(ot)
	if err != nil {
		return Clause{}, err
	}
	if !sp.allows(op) {
		return Clause{}, p.errAt(ot, "%s", sp.opError(f, op))
	}
	v, err := p.value(f, sp, op)
	if err != nil {
		return Clause{}, err
	}
	return Clause{Field: f, Op: op, Value: v, Pos: ft.pos}, nil
}

// operator reads a comparison operator starting at t: a symbol, or IN, NOT IN, LIKE, ILIKE,
// IS NULL, IS NOT NULL in any letter case.
func (p *parser) operator(t token) (string, *Error) {
	switch {
	case t.kind == tOp:
		return t.str, nil
	case t.is("IN"):
		return OpIn, nil
	case t.is("LIKE"):
		return OpLike, nil
	case t.is("ILIKE"):
		return OpILike, nil
	case t.is("NOT"):
		n := p.next()
		if n.is("IN") {
			return OpNotIn, nil
		}
		return "", p.errAt(n, "expected IN after NOT (NOT LIKE is not supported)")
	case t.is("IS"):
		n := p.next()
		if n.is("NULL") {
			return OpIsNull, nil
		}
		if !n.is("NOT") {
			return "", p.errAt(n, "expected NULL or NOT NULL after IS")
		}
		if m := p.next(); !m.is("NULL") {
			return "", p.errAt(m, "expected NULL after IS NOT")
		}
		return OpIsNotNull, nil
	case t.is("RLIKE"):
		return "", p.errAt(t, "RLIKE is not supported; use LIKE or ILIKE")
	}
	return "", p.errAt(t, "expected an operator (=, !=, <, <=, >, >=, IN, NOT IN, LIKE, ILIKE)")
}

// value reads what op compares f against: nothing, a list, a string or a number.
func (p *parser) value(f Field, sp spec, op string) (any, *Error) {
	switch op {
	case OpIsNull, OpIsNotNull:
		return nil, nil
	case OpIn, OpNotIn:
		return p.list(f, sp)
	}
	t := p.next()
	want := sp.wants(op)
	switch {
	case t.kind == tString && want != vNumber:
		v := sp.normalize(t.str)
		if msg := sp.checkScalar(f, v); msg != "" {
			return nil, p.errAt(t, "%s", msg)
		}
		return v, nil
	case t.kind == tNumber && want != vString:
		return t.num, nil
	}
	switch want {
	case vNumber:
		return nil, p.errAt(t, "expected a number after %s %s", describe(f), op)
	case vString:
		return nil, p.errAt(t, "expected a quoted string after %s %s", describe(f), op)
	}
	return nil, p.errAt(t, "expected a quoted string or a number after %s %s", describe(f), op)
}

// list reads ('a', 'b', ...): one or more quoted strings; a trailing comma is allowed, as in the
// Python tuples clients format into filters.
func (p *parser) list(f Field, sp spec) ([]string, *Error) {
	if t := p.next(); t.kind != tLParen {
		return nil, p.errAt(t, "expected ( to start the list of values for %s", describe(f))
	}
	var vals []string
	for {
		t := p.next()
		if t.kind == tRParen && len(vals) > 0 {
			return vals, nil
		}
		if t.kind == tRParen {
			return nil, p.errAt(t, "the list of values cannot be empty")
		}
		if t.kind != tString {
			return nil, p.errAt(t, "expected a quoted string in the list of values for %s", describe(f))
		}
		v := sp.normalize(t.str)
		if msg := sp.checkScalar(f, v); msg != "" {
			return nil, p.errAt(t, "%s", msg)
		}
		vals = append(vals, v)
		switch t := p.next(); t.kind {
		case tRParen:
			return vals, nil
		case tComma:
		default:
			return nil, p.errAt(t, "expected , or ) in the list of values")
		}
	}
}
