package labelingapi

import (
	"fmt"
	"testing"

	"github.com/assay-labs/assay/app/model"
)

func TestNumberDistribution(t *testing.T) {
	lo, hi := 0.0, 100.0
	var many []float64
	for i := range 25 {
		many = append(many, float64(i*4)) // 0, 4, …, 96
	}
	tests := []struct {
		name   string
		nums   []float64
		bounds *model.InputNumeric
		want   map[string]int
	}{
		{"exact when few distinct", []float64{1, 1, 2.5}, nil, map[string]int{"1": 2, "2.5": 1}},
		{"ten buckets over the bounds", many, &model.InputNumeric{MinValue: &lo, MaxValue: &hi}, map[string]int{
			"[0, 10)": 3, "[10, 20)": 2, "[20, 30)": 3, "[30, 40)": 2, "[40, 50)": 3,
			"[50, 60)": 2, "[60, 70)": 3, "[70, 80)": 2, "[80, 90)": 3, "[90, 100]": 2}},
		{"ten buckets over the answers", append(many, 100), nil, map[string]int{
			"[0, 10)": 3, "[10, 20)": 2, "[20, 30)": 3, "[30, 40)": 2, "[40, 50)": 3,
			"[50, 60)": 2, "[60, 70)": 3, "[70, 80)": 2, "[80, 90)": 3, "[90, 100]": 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := numberDistribution(tt.nums, tt.bounds)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestTopTexts(t *testing.T) {
	got := topTexts(map[string]int{"b": 2, "a": 2, "c": 5, "d": 1}, 3)
	if want := map[string]int{"c": 5, "a": 2, "b": 2}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("topTexts = %v, want %v", got, want)
	}
}
