package campaign

// Reliability: Cronbach's alpha of each pole's statements, and the
// reliability of the balance as a difference of two scores, from the sums
// a Tally keeps.

// AlphaThreshold is the Cronbach's alpha below which a set of statements is
// said not to hang together well enough to be read as one index.
const AlphaThreshold = 0.7

// A Reliability is Cronbach's alpha of one pole's statements.
type Reliability struct {
	Alpha float64
	Items int  // statements of the pole
	N     int  // responses that answered every one of them
	OK    bool // false when alpha cannot be computed: fewer than two statements or two such responses, or no variance
}

// Low reports whether alpha is below AlphaThreshold.
func (r Reliability) Low() bool { return r.OK && r.Alpha < AlphaThreshold }

// Alpha returns Cronbach's alpha of the statements of one pole, computed
// listwise: over the responses that answered every statement of that pole.
func (t *Tally) Alpha(p Pole) Reliability {
	c := &t.cov[poleIndex(p)]
	a, ok := c.alpha()
	return Reliability{Alpha: a, Items: c.k, N: int(c.n), OK: ok}
}

// BalanceReliability returns the reliability of the balance, the difference
// between a person's mean leadership and mean management answers, by the
// classical formula for a difference score:
//
//	r = (σL²·αL + σM²·αM − 2·cov(L, M)) / (σL² + σM² − 2·cov(L, M))
//
// with the alphas of Alpha and the variances and covariance of the two means
// over the responses that answered every statement. n is that number of
// responses; ok is false when the reliability cannot be computed.
func (t *Tally) BalanceReliability() (r float64, n int, ok bool) {
	al, am := t.Alpha(Leadership), t.Alpha(Management)
	varL, varM, cov, ok := t.diff.moments(len(t.poleItems[0]), len(t.poleItems[1]))
	if !ok || !al.OK || !am.OK {
		return 0, int(t.diff.n), false
	}
	r, ok = DifferenceReliability(varL, varM, cov, al.Alpha, am.Alpha)
	return r, int(t.diff.n), ok
}

// DifferenceReliability returns the reliability of the difference X − Y of
// two scores with variances varX and varY, covariance cov and reliabilities
// relX and relY: (varX·relX + varY·relY − 2·cov) / (varX + varY − 2·cov).
// It is false when the difference has no variance.
func DifferenceReliability(varX, varY, cov, relX, relY float64) (float64, bool) {
	den := varX + varY - 2*cov
	if !(den > 1e-12) {
		return 0, false
	}
	return (varX*relX + varY*relY - 2*cov) / den, true
}

// covariance accumulates the sums and cross-products of k answers.
type covariance struct {
	k     int
	n     int64
	sum   []int64
	cross []int64 // k×k, upper triangle used
}

func newCovariance(k int) covariance {
	return covariance{k: k, sum: make([]int64, k), cross: make([]int64, k*k)}
}

func (c *covariance) add(answers []int, idx []int) {
	c.n++
	for a, i := range idx {
		x := int64(answers[i])
		c.sum[a] += x
		row := c.cross[a*c.k:]
		for b := a; b < len(idx); b++ {
			row[b] += x * int64(answers[idx[b]])
		}
	}
}

// alpha returns k/(k−1) · (1 − Σ var(item) / var(total)). Every variance is
// n²·var here, n·Σxy − Σx·Σy in exact integers; the factor cancels.
func (c *covariance) alpha() (float64, bool) {
	if c.k < 2 || c.n < 2 {
		return 0, false
	}
	var items, total int64
	for a := 0; a < c.k; a++ {
		for b := a; b < c.k; b++ {
			s := c.n*c.cross[a*c.k+b] - c.sum[a]*c.sum[b]
			if a == b {
				items += s
				total += s
			} else {
				total += 2 * s
			}
		}
	}
	if total <= 0 {
		return 0, false
	}
	k := float64(c.k)
	return k / (k - 1) * (1 - float64(items)/float64(total)), true
}

// difference accumulates the sums of two poles' answer totals per response.
type difference struct {
	n                            int64
	sumL, sumM, sqL, sqM, crossL int64
}

func (d *difference) add(l, m int64) {
	d.n++
	d.sumL += l
	d.sumM += m
	d.sqL += l * l
	d.sqM += m * m
	d.crossL += l * m
}

// moments returns the sample variances and covariance of the per-response
// means (totals divided by kL and kM statements).
func (d *difference) moments(kL, kM int) (varL, varM, cov float64, ok bool) {
	if d.n < 2 || kL == 0 || kM == 0 {
		return 0, 0, 0, false
	}
	n := float64(d.n)
	scale := n * (n - 1)
	varL = float64(d.n*d.sqL-d.sumL*d.sumL) / scale / float64(kL*kL)
	varM = float64(d.n*d.sqM-d.sumM*d.sumM) / scale / float64(kM*kM)
	cov = float64(d.n*d.crossL-d.sumL*d.sumM) / scale / float64(kL*kM)
	return varL, varM, cov, true
}
