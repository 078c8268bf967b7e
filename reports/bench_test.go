package reports_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lvm-mail/lvm-mail/campaign"
	"github.com/lvm-mail/lvm-mail/instrument"
	"github.com/lvm-mail/lvm-mail/reports"
)

// Benchmarks. scripts/bench-report.sh runs them and prints how the time per
// response changes from 10,000 to 100,000 responses.
//
// The responses come from a compact in-memory table, turned into one
// campaign.Response at a time (fresh answer map, as ScanResponses makes
// them), so that the benchmark measures the report, not the input: what a
// store scan would hand over, without SQLite.

var benchSizes = []int{10_000, 30_000, 100_000}

var benchDepartments = []string{"Sales", "Support", "Operations", "Finance", "Engineering", "Marketing", "Legal", "HR", "Facilities", "Research"}
var benchLocations = []string{"Leeds", "York", "Hull"}

// benchData is n responses to the default instrument (20 statements), in
// 10 departments and 3 locations; one in five has a comment. As the store
// keeps them, the groups are sums (one per group) and the comments stand
// apart from the answers.
type benchData struct {
	in       campaign.Instrument
	answers  [][]uint8 // per response, per statement; 0 = skipped
	dept     []uint8
	loc      []uint8
	comment  []bool
	groups   []campaign.GroupTally
	comments []campaign.Comment
	names    []string // everyone invited, whose names the comments are scrubbed of
}

const benchComment = "More say in how the work is planned would help, and clearer goals for the year."

func newBenchData(n int) *benchData {
	in := instrument.Default()
	d := &benchData{in: in, answers: make([][]uint8, n), dept: make([]uint8, n), loc: make([]uint8, n), comment: make([]bool, n)}
	rng := rand.New(rand.NewPCG(uint64(n), 1))
	for i := range n {
		row := make([]uint8, len(in.Items))
		lean := [2]float64{1 + 4*rng.Float64(), 1 + 4*rng.Float64()}
		for j, it := range in.Items {
			if rng.IntN(50) == 0 {
				continue // about 2% of statements skipped
			}
			base := lean[0]
			if it.Pole == campaign.Management {
				base = lean[1]
			}
			v := int(base + rng.NormFloat64()*0.8 + 0.5)
			row[j] = uint8(min(max(v, 1), 5))
		}
		d.answers[i] = row
		d.dept[i] = uint8(rng.IntN(len(benchDepartments)))
		d.loc[i] = uint8(rng.IntN(len(benchLocations)))
		d.comment[i] = rng.IntN(5) == 0
	}

	// The sums the store keeps for each group, and the comments.
	groups := map[campaign.GroupKey]*campaign.Tally{}
	add := func(k campaign.GroupKey, r *campaign.Response) {
		if groups[k] == nil {
			groups[k] = campaign.NewTally(&d.in)
		}
		groups[k].Add(r)
	}
	d.each(func(i int, r *campaign.Response) {
		add(campaign.GroupKey{Column: "department", Value: benchDepartments[d.dept[i]]}, r)
		add(campaign.GroupKey{Column: "location", Value: benchLocations[d.loc[i]]}, r)
		if d.comment[i] {
			d.comments = append(d.comments, campaign.Comment{Text: benchComment, Department: benchDepartments[d.dept[i]]})
		}
	})
	for k, t := range groups {
		d.groups = append(d.groups, t.AsGroup(k))
	}
	first := []string{"Amara", "Ben", "Chloé", "Dmitri", "Elif", "Femi", "Grace", "Hamza", "Ines", "Jonas", "Will", "May"}
	for i := range n * 3 / 2 {
		d.names = append(d.names, fmt.Sprintf("%s %s%d", first[i%len(first)], "Surname", i/len(first)))
	}
	return d
}

// each calls fn with every response in turn, as ScanResponses would.
func (d *benchData) each(fn func(i int, r *campaign.Response)) {
	for i, row := range d.answers {
		r := campaign.Response{Answers: make(map[string]int, len(row))}
		for j, v := range row {
			if v != 0 {
				r.Answers[d.in.Items[j].ID] = int(v)
			}
		}
		fn(i, &r)
	}
}

// tally tallies everything a report reads, as Load does.
func (d *benchData) tally() *campaign.Tally {
	t := campaign.NewTally(&d.in)
	d.each(func(_ int, r *campaign.Response) { t.Add(r) })
	for _, g := range d.groups {
		t.AddGroup(g)
	}
	for _, c := range d.comments {
		t.AddComment(c)
	}
	return t
}

func (d *benchData) input(tally *campaign.Tally) reports.Input {
	n := len(d.answers)
	c := &campaign.Campaign{
		ID: 1, Slug: "bench", Name: "Bench", Instrument: d.in, MinGroupSize: 5,
		CreatedAt: testNow.Add(-24 * time.Hour), ClosedAt: testNow,
	}
	var sizes []campaign.GroupSize
	for _, dept := range benchDepartments {
		sizes = append(sizes, campaign.GroupSize{Column: "department", Value: dept, Invited: n / len(benchDepartments) * 3 / 2})
	}
	for _, loc := range benchLocations {
		sizes = append(sizes, campaign.GroupSize{Column: "location", Value: loc, Invited: n / len(benchLocations) * 3 / 2})
	}
	return reports.Input{Campaign: c, Status: campaign.Status{Invited: n * 3 / 2, Sent: n * 3 / 2}, GroupSizes: sizes, Tally: tally, Names: d.names}
}

// peakHeap samples the live heap while a benchmark runs.
type peakHeap struct {
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
}

func startPeakHeap() *peakHeap {
	p := &peakHeap{stop: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() {
		metrics.Read(sample)
		p.peak = max(p.peak, sample[0].Value.Uint64())
	}
	runtime.GC()
	read()
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				read()
				return
			case <-t.C:
				read()
			}
		}
	}()
	return p
}

func (p *peakHeap) end() float64 {
	close(p.stop)
	p.done.Wait()
	return float64(p.peak) / (1 << 20)
}

// BenchmarkScore tallies the responses: the part of a report that grows
// with their number.
func BenchmarkScore(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			d := newBenchData(n)
			b.ReportAllocs()
			heap := startPeakHeap()
			for b.Loop() {
				d.tally()
			}
			b.ReportMetric(heap.end(), "peak-heap-MB")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/response")
		})
	}
}

// BenchmarkReport builds the whole report: tally, model, and the workbook,
// written to nowhere.
func BenchmarkReport(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			d := newBenchData(n)
			b.ReportAllocs()
			heap := startPeakHeap()
			for b.Loop() {
				r, err := reports.New(d.input(d.tally()), reports.Options{Now: func() time.Time { return testNow }})
				if err != nil {
					b.Fatal(err)
				}
				if err := reports.WriteWorkbook(io.Discard, r); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(heap.end(), "peak-heap-MB")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/response")
		})
	}
}

// BenchmarkReportFromStore goes end to end through SQLite: responses
// recorded with RecordResponse (in the setup, not timed: about a
// millisecond each), then Load and WriteWorkbook, as "lvm-mail report" runs
// them.
func BenchmarkReportFromStore(b *testing.B) {
	for _, n := range []int{2_000, 10_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) { benchmarkReportFromStore(b, n) })
	}
}

func benchmarkReportFromStore(b *testing.B, n int) {
	ctx := context.Background()
	s := openStore(b)
	var staff []campaign.StaffMember
	for i := range n {
		staff = append(staff, campaign.StaffMember{
			Email: fmt.Sprintf("p%05d@example.com", i), Name: fmt.Sprintf("Person %d", i),
			Department: benchDepartments[i%len(benchDepartments)], Attributes: map[string]string{"location": benchLocations[i%3]},
		})
	}
	if _, err := s.ImportStaff(ctx, staff, campaign.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	d := newBenchData(n)
	c, err := s.CreateCampaign(ctx, campaign.NewCampaign{Name: "Bench", Instrument: d.in, MinGroupSize: 5,
		Breakdowns: []string{"location"}}, testKey())
	if err != nil {
		b.Fatal(err)
	}
	rs, err := s.FindRecipients(ctx, c.ID)
	if err != nil {
		b.Fatal(err)
	}
	d.each(func(i int, r *campaign.Response) {
		comment := ""
		if d.comment[i] {
			comment = benchComment
		}
		if err := s.RecordResponse(ctx, rs[i].Token(testKey()), r.Answers, comment); err != nil {
			b.Fatal(err)
		}
	})
	if err := s.CloseCampaign(ctx, c.ID); err != nil {
		b.Fatal(err)
	}
	c, _ = s.FindCampaignByID(ctx, c.ID)

	b.ReportAllocs()
	heap := startPeakHeap()
	var size int
	for b.Loop() {
		r, err := reports.Load(ctx, s, c, reports.Options{Now: func() time.Time { return testNow }})
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := reports.WriteWorkbook(&buf, r); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(heap.end(), "peak-heap-MB")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/response")
	b.ReportMetric(float64(size)/1024, "workbook-KiB")
}

// BenchmarkScrubber measures taking names, addresses and numbers out of
// comments: building the scrubber from a roster of 150,000 names, and
// scrubbing a comment that names no one (the common case) and one that
// names a colleague and gives an address and a number. Its baseline, in the
// same run, is copying the comment as the report did before.
func BenchmarkScrubber(b *testing.B) {
	d := newBenchData(100_000)
	b.Run("build-150k-names", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			reports.NewScrubber(d.names)
		}
	})
	s := reports.NewScrubber(d.names)
	for name, text := range map[string]string{
		"plain":    benchComment,
		"personal": "Ask Grace Surname12 or mail grace@example.com, or call 0113 496 0000: she will know.",
	} {
		b.Run("baseline-copy/"+name, func(b *testing.B) {
			for b.Loop() {
				_ = strings.Clone(text)
			}
		})
		b.Run("scrub/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.Scrub(text)
			}
		})
	}
}
