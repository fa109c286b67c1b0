package store

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/assay-labs/assay/app/model"
)

// simpleClause is one `<key> <op> <value>` clause of the small filter language that MLflow's
// experiment and dataset searches accept: AND-joined, keys such as name, created_time or
// tags.<key>, string values in single or double quotes, numbers bare.
type simpleClause struct {
	Key   string
	Op    string
	Value any // string or float64
}

var (
	andSplit   = regexp.MustCompile(`(?i)\s+AND\s+`)
	clauseExpr = regexp.MustCompile(`(?i)^\s*((?:attributes?\.|attr\.)?[A-Za-z_][\w]*(?:\.(?:` + "`[^`]+`" + `|"[^"]+"|[\w.\-]+))?)\s*(=|!=|<>|>=|<=|>|<|\bNOT\s+LIKE\b|\bLIKE\b|\bILIKE\b)\s*(.+?)\s*$`)
)

// parseSimpleFilter parses the filter; field names the request field for errors.
func parseSimpleFilter(field, s string) ([]simpleClause, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []simpleClause
	for _, part := range andSplit.Split(s, -1) {
		m := clauseExpr.FindStringSubmatch(part)
		if m == nil {
			return nil, model.Invalid(field, "cannot parse %q: expected <key> <op> <value> clauses joined by AND", strings.TrimSpace(part))
		}
		key := strings.ToLower(m[1])
		for _, p := range []string{"attributes.", "attribute.", "attr."} {
			key = strings.TrimPrefix(key, p)
		}
		if strings.HasPrefix(strings.ToLower(m[1]), "tags.") || strings.HasPrefix(strings.ToLower(m[1]), "tag.") {
			_, k, _ := strings.Cut(m[1], ".")
			key = "tags." + strings.Trim(k, "`\"")
		}
		c := simpleClause{Key: key, Op: strings.ToUpper(strings.Join(strings.Fields(m[2]), " "))}
		if c.Op == "<>" {
			c.Op = "!="
		}
		v := m[3]
		if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
			c.Value = v[1 : len(v)-1]
		} else if n, err := strconv.ParseFloat(v, 64); err == nil {
			c.Value = n
		} else {
			return nil, model.Invalid(field, "value %s in %q must be a quoted string or a number", v, strings.TrimSpace(part))
		}
		out = append(out, c)
	}
	return out, nil
}

// simpleWhere compiles clauses against a table whose allowed columns are given (key → SQL
// column, numeric or not); tags.<k> clauses use tagSQL, a format with one %s for the operator
// and value placeholder, e.g. "json_extract(d.tags, '$.' || ?) %s".
func simpleWhere(field string, cs []simpleClause, columns map[string]string, numeric map[string]bool, tagSQL func(op string) string) (string, []any, error) {
	conds, args := []string{"1=1"}, []any{}
	for _, c := range cs {
		op, isLike := c.Op, strings.Contains(c.Op, "LIKE")
		if strings.HasPrefix(c.Key, "tags.") {
			if tagSQL == nil {
				return "", nil, model.Invalid(field, "tag filters are not supported here")
			}
			s, ok := c.Value.(string)
			if !ok {
				return "", nil, model.Invalid(field, "tag values must be quoted strings")
			}
			conds = append(conds, tagSQL(sqlOp(op)))
			args = append(args, strings.TrimPrefix(c.Key, "tags."), s)
			continue
		}
		col, ok := columns[c.Key]
		if !ok {
			return "", nil, model.Invalid(field, "unknown filter key %q", c.Key)
		}
		_, isNum := c.Value.(float64)
		if numeric[c.Key] != isNum || (isLike && numeric[c.Key]) {
			return "", nil, model.Invalid(field, "%s cannot be compared with %s %v", c.Key, c.Op, c.Value)
		}
		conds = append(conds, fmt.Sprintf("%s %s ?", col, sqlOp(op)))
		args = append(args, c.Value)
	}
	return strings.Join(conds, " AND "), args, nil
}

// sqlOp maps filter operators to SQLite. LIKE and ILIKE both become SQLite's LIKE, which ignores
// ASCII case: for experiment and dataset names that is what people expect.
func sqlOp(op string) string {
	switch op {
	case "ILIKE":
		return "LIKE"
	}
	return op
}
