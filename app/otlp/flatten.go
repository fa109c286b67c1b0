package otlp

import (
	"sort"
	"strconv"
	"strings"
)

// unflatten gathers the attributes whose keys start with prefix (which ends in ".") into a
// tree split on dots (keys whose first segment after prefix is not an index are skipped, so
// the result is a list), in which objects whose keys are all indexes become lists ordered by
// index: "llm.input_messages.0.message.role" under prefix "llm.input_messages." ends up at
// tree[0]["message"]["role"]. When a key is both a leaf and a branch the branch wins, so the
// result does not depend on map order. It returns nil when no key matches.
func unflatten(attrs map[string]any, prefix string) any {
	var root node
	for k, v := range attrs {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		path := strings.Split(rest, ".")
		if _, isIndex := index(path[0]); !isIndex {
			continue
		}
		if root == nil {
			root = node{}
		}
		insert(root, path, v)
	}
	if root == nil {
		return nil
	}
	return listify(root)
}

// node is a branch of the tree unflatten builds; its own type keeps attribute values that
// happen to be maps (OTLP kvlists) apart from branches, so they are never modified.
type node map[string]any

func insert(n node, path []string, v any) {
	for _, seg := range path[:len(path)-1] {
		child, ok := n[seg].(node)
		if !ok {
			child = node{}
			n[seg] = child
		}
		n = child
	}
	last := path[len(path)-1]
	if _, isBranch := n[last].(node); !isBranch {
		n[last] = v
	}
}

// listify turns a branch into a list when all its keys are small non-negative integers and
// into a map[string]any otherwise, recursively; leaves are returned as they are.
func listify(v any) any {
	n, ok := v.(node)
	if !ok {
		return v
	}
	m := make(map[string]any, len(n))
	for k, e := range n {
		m[k] = listify(e)
	}
	idx := make([]int, 0, len(m))
	for k := range m {
		i, ok := index(k)
		if !ok {
			return m
		}
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := make([]any, len(idx))
	for j, i := range idx {
		out[j] = m[strconv.Itoa(i)]
	}
	return out
}

// index parses a canonical decimal list index ("0", "12", not "01" or "-1").
func index(s string) (int, bool) {
	if s == "" || len(s) > 9 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// list returns v as a list of objects, skipping elements that are not objects.
func list(v any) []map[string]any {
	arr, _ := v.([]any)
	var out []map[string]any
	for _, e := range arr {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// obj returns v as an object, decoding a JSON string if need be.
func obj(v any) map[string]any {
	if s, ok := v.(string); ok {
		dec, _ := loadJSON(s)
		v = dec
	}
	m, _ := v.(map[string]any)
	return m
}
