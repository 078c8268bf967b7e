package campaign

import "math"

// The statistics of the report's uncertainty, in plain float64 arithmetic
// and the standard library only: 95% confidence intervals of a mean with a
// finite-population correction, Welch's t test of two means, and Holm's
// correction for testing many groups at once. Student's t distribution is
// computed through the regularised incomplete beta function.
//
// testdata/stats.py computes the same figures independently (numerical
// integration of the t density, two-pass variances) for the tests.

// Confidence is the level of the report's intervals and tests: 95%.
const Confidence = 0.95

// Moments sums one figure over people, one value per person: how many
// values, their sum and their sum of squares. A group keeps these instead
// of a row per person.
type Moments struct {
	N     int     `json:"n"`
	Sum   float64 `json:"sum"`
	SumSq float64 `json:"sum_sq"`
}

// Add counts one person's value.
func (m *Moments) Add(x float64) {
	m.N++
	m.Sum += x
	m.SumSq += x * x
}

// Plus returns the moments of the values of m and o together.
func (m Moments) Plus(o Moments) Moments {
	return Moments{N: m.N + o.N, Sum: m.Sum + o.Sum, SumSq: m.SumSq + o.SumSq}
}

// Minus returns the moments of the values of m without those of o, a part
// of them: the rest of an organisation once a group is taken out.
func (m Moments) Minus(o Moments) Moments {
	return Moments{N: m.N - o.N, Sum: m.Sum - o.Sum, SumSq: m.SumSq - o.SumSq}
}

// Mean returns the mean; false without values.
func (m Moments) Mean() (float64, bool) {
	if m.N <= 0 {
		return 0, false
	}
	return m.Sum / float64(m.N), true
}

// Variance returns the sample variance (divisor n − 1); false with fewer
// than two values.
func (m Moments) Variance() (float64, bool) {
	if m.N < 2 {
		return 0, false
	}
	n := float64(m.N)
	ss := m.SumSq - m.Sum*m.Sum/n
	// Rounding can leave a tiny negative remainder where every value is the same.
	return max(ss, 0) / (n - 1), true
}

// Interval95 returns the 95% confidence interval of the mean of m's values,
// mean ∓ t(0.975, n − 1) · √(s²/n · (1 − n/N)), where N is the population
// the values were drawn from (the people invited). The finite-population
// correction (1 − n/N) narrows the interval as more of the population
// answers; it is left out when N is unknown (0) or smaller than n. ok is
// false with fewer than two values.
func Interval95(m Moments, population int) (low, high float64, ok bool) {
	mean, ok := m.Mean()
	if !ok {
		return 0, 0, false
	}
	v, ok := m.Variance()
	if !ok {
		return 0, 0, false
	}
	fpc := 1.0
	if population >= m.N {
		fpc = 1 - float64(m.N)/float64(population)
	}
	half := StudentTQuantile((1+Confidence)/2, float64(m.N-1)) * math.Sqrt(v/float64(m.N)*fpc)
	return mean - half, mean + half, true
}

// A Welch is the result of Welch's t test of two means.
type Welch struct {
	Difference float64 // mean of a − mean of b
	T          float64
	DF         float64 // Welch–Satterthwaite degrees of freedom
	P          float64 // two-sided
}

// WelchTest compares the means of a and b without assuming equal variances:
// t = (x̄a − x̄b) / √(sa²/na + sb²/nb), with Welch–Satterthwaite degrees of
// freedom and a two-sided p-value. It treats the answers as a sample of how
// people could have answered, so it has no finite-population correction:
// even when everyone answered, a small difference is not called clear. ok
// is false unless both have at least two values; when neither varies, P is
// 0 for different means and 1 for equal ones.
func WelchTest(a, b Moments) (Welch, bool) {
	ma, okA := a.Mean()
	mb, okB := b.Mean()
	va, okVA := a.Variance()
	vb, okVB := b.Variance()
	if !okA || !okB || !okVA || !okVB {
		return Welch{}, false
	}
	w := Welch{Difference: ma - mb}
	sa, sb := va/float64(a.N), vb/float64(b.N)
	if sa+sb == 0 {
		w.T, w.P = math.Inf(1), 0
		if w.Difference == 0 {
			w.T, w.P = 0, 1
		}
		return w, true
	}
	w.T = w.Difference / math.Sqrt(sa+sb)
	w.DF = (sa + sb) * (sa + sb) / (sa*sa/float64(a.N-1) + sb*sb/float64(b.N-1))
	w.P = StudentTTwoSided(w.T, w.DF)
	return w, true
}

// Holm returns Holm's step-down adjustment of the p-values of m tests made
// together, in the same order: in ascending order of p, the i-th (from 1)
// becomes the largest of min(1, (m − j + 1) · p(j)) for j ≤ i. A test is
// significant at level α when its adjusted p-value is at most α; over all
// the tests, the chance of calling any true null significant stays within α.
func Holm(p []float64) []float64 {
	m := len(p)
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	// Insertion sort: reports compare tens of groups, and a stable order
	// keeps ties where they were.
	for i := 1; i < m; i++ {
		for j := i; j > 0 && p[order[j]] < p[order[j-1]]; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	adjusted := make([]float64, m)
	running := 0.0
	for rank, i := range order {
		running = max(running, min(1, float64(m-rank)*p[i]))
		adjusted[i] = running
	}
	return adjusted
}

// StudentTCDF returns P(T ≤ t) for T following Student's t distribution
// with df > 0 degrees of freedom (not necessarily whole).
func StudentTCDF(t, df float64) float64 {
	tail := StudentTTwoSided(t, df) / 2
	if t > 0 {
		return 1 - tail
	}
	return tail
}

// StudentTTwoSided returns P(|T| ≥ |t|), the two-sided p-value of t:
// I_x(df/2, 1/2) with x = df / (df + t²). It keeps its precision far into
// the tails, where 1 − StudentTCDF would not.
func StudentTTwoSided(t, df float64) float64 {
	if math.IsInf(t, 0) {
		return 0
	}
	return regIncBeta(df/2, 0.5, df/(df+t*t))
}

// StudentTQuantile returns the t with StudentTCDF(t, df) = p, for 0 < p < 1,
// by bisection: slow next to a dedicated algorithm, exact to the last bits,
// and a report needs a few dozen.
func StudentTQuantile(p, df float64) float64 {
	if p <= 0 {
		return math.Inf(-1)
	}
	if p >= 1 {
		return math.Inf(1)
	}
	lo, hi := -1.0, 1.0
	for StudentTCDF(lo, df) > p {
		lo *= 2
	}
	for StudentTCDF(hi, df) < p {
		hi *= 2
	}
	for range 200 {
		mid := (lo + hi) / 2
		if mid == lo || mid == hi {
			break
		}
		if StudentTCDF(mid, df) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// regIncBeta returns the regularised incomplete beta function I_x(a, b),
// from its continued fraction (Numerical Recipes, 6.4), evaluated where it
// converges fast and mirrored by I_x(a, b) = 1 − I_{1−x}(b, a) elsewhere.
func regIncBeta(a, b, x float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(lab - la - lb + a*math.Log(x) + b*math.Log1p(-x))
	if x < (a+1)/(a+b+2) {
		return front * betaFraction(a, b, x) / a
	}
	return 1 - front*betaFraction(b, a, 1-x)/b
}

// betaFraction evaluates the continued fraction of regIncBeta by the
// modified Lentz method.
func betaFraction(a, b, x float64) float64 {
	const (
		epsilon = 1e-16
		tiny    = 1e-300
	)
	guard := func(v float64) float64 {
		if math.Abs(v) < tiny {
			return tiny
		}
		return v
	}
	c, d := 1.0, 1/guard(1-(a+b)*x/(a+1))
	h := d
	for m := 1.0; m <= 1000; m++ {
		// The even step, then the odd one.
		num := m * (b - m) * x / ((a + 2*m - 1) * (a + 2*m))
		d = 1 / guard(1+num*d)
		c = guard(1 + num/c)
		h *= d * c
		num = -(a + m) * (a + b + m) * x / ((a + 2*m) * (a + 2*m + 1))
		d = 1 / guard(1+num*d)
		c = guard(1 + num/c)
		step := d * c
		h *= step
		if math.Abs(step-1) < epsilon {
			break
		}
	}
	return h
}
