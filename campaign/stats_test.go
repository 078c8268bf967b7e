package campaign_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// statsCases are the reference values of testdata/stats.json, computed by
// testdata/stats.py without any of the code under test (see its header).
type statsCases struct {
	TCDF []struct {
		T, DF, P float64
	} `json:"t_cdf"`
	TQuantile []struct {
		P, DF, T float64
	} `json:"t_quantile"`
	CI95 []struct {
		Name       string
		Values     []float64
		Population int
		Low, High  float64
	} `json:"ci95"`
	Welch []struct {
		Name                 string
		A, B                 []float64
		Difference, T, DF, P float64
	} `json:"welch"`
	Holm []struct {
		P, Adjusted []float64
		Reject      []bool
	} `json:"holm"`
}

func loadStatsCases(t *testing.T) statsCases {
	t.Helper()
	b, err := os.ReadFile("testdata/stats.json")
	if err != nil {
		t.Fatal(err)
	}
	var c statsCases
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("testdata/stats.json: %v", err)
	}
	if len(c.TCDF) == 0 || len(c.TQuantile) == 0 || len(c.CI95) == 0 || len(c.Welch) == 0 || len(c.Holm) == 0 {
		t.Fatalf("testdata/stats.json lacks cases: %+v", c)
	}
	return c
}

// within fails unless got is within tol of want, relative to want where
// want is larger than 1.
func within(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol*max(1, math.Abs(want)) || math.IsNaN(got) {
		t.Errorf("%s: got %.12g, want %.12g", what, got, want)
	}
}

func moments(values []float64) campaign.Moments {
	var m campaign.Moments
	for _, v := range values {
		m.Add(v)
	}
	return m
}

func TestStudentT(t *testing.T) {
	c := loadStatsCases(t)
	for _, tc := range c.TCDF {
		within(t, "StudentTCDF", campaign.StudentTCDF(tc.T, tc.DF), tc.P, 1e-9)
		within(t, "StudentTTwoSided", campaign.StudentTTwoSided(tc.T, tc.DF), 2*min(tc.P, 1-tc.P), 1e-9)
	}
	for _, tc := range c.TQuantile {
		within(t, "StudentTQuantile", campaign.StudentTQuantile(tc.P, tc.DF), tc.T, 1e-8)
	}
}

func TestInterval95(t *testing.T) {
	for _, tc := range loadStatsCases(t).CI95 {
		t.Run(tc.Name, func(t *testing.T) {
			low, high, ok := campaign.Interval95(moments(tc.Values), tc.Population)
			if !ok {
				t.Fatalf("no interval for %d values", len(tc.Values))
			}
			within(t, "low", low, tc.Low, 1e-8)
			within(t, "high", high, tc.High, 1e-8)
		})
	}
	t.Run("EveryoneAnswered", func(t *testing.T) {
		// The whole population: the mean is known exactly.
		low, high, ok := campaign.Interval95(moments([]float64{10, 30, 50}), 3)
		if !ok || low != 30 || high != 30 {
			t.Errorf("got [%v, %v] (%v), want [30, 30]", low, high, ok)
		}
	})
	t.Run("OneValue", func(t *testing.T) {
		if _, _, ok := campaign.Interval95(moments([]float64{40}), 10); ok {
			t.Error("got an interval from one value")
		}
	})
}

func TestWelchTest(t *testing.T) {
	for _, tc := range loadStatsCases(t).Welch {
		t.Run(tc.Name, func(t *testing.T) {
			w, ok := campaign.WelchTest(moments(tc.A), moments(tc.B))
			if !ok {
				t.Fatal("no test")
			}
			within(t, "difference", w.Difference, tc.Difference, 1e-9)
			within(t, "t", w.T, tc.T, 1e-9)
			within(t, "df", w.DF, tc.DF, 1e-9)
			within(t, "p", w.P, tc.P, 1e-9)
		})
	}
	t.Run("ByDifference", func(t *testing.T) {
		// The rest of an organisation is its sums minus a group's.
		a, b := moments([]float64{60, 70, 80}), moments([]float64{10, 20, 30, 40})
		all := a.Plus(b)
		w1, _ := campaign.WelchTest(a, b)
		w2, _ := campaign.WelchTest(a, all.Minus(a))
		within(t, "p from the rest", w2.P, w1.P, 1e-12)
	})
	for _, tt := range []struct {
		name  string
		a, b  []float64
		wantP float64
		ok    bool
	}{
		{"NoSpreadDifferent", []float64{50, 50}, []float64{20, 20, 20}, 0, true},
		{"NoSpreadSame", []float64{50, 50}, []float64{50, 50}, 1, true},
		{"TooFew", []float64{50}, []float64{20, 30}, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w, ok := campaign.WelchTest(moments(tt.a), moments(tt.b))
			if ok != tt.ok || ok && w.P != tt.wantP {
				t.Errorf("got p %v (%v), want %v (%v)", w.P, ok, tt.wantP, tt.ok)
			}
		})
	}
}

func TestHolm(t *testing.T) {
	for _, tc := range loadStatsCases(t).Holm {
		got := campaign.Holm(tc.P)
		for i := range tc.P {
			within(t, "adjusted p", got[i], tc.Adjusted[i], 1e-12)
			if reject := got[i] <= 1-campaign.Confidence; reject != tc.Reject[i] {
				t.Errorf("p %v of %v: got significant %v, want %v", tc.P[i], tc.P, reject, tc.Reject[i])
			}
		}
	}
}
