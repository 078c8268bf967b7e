package demo

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
)

// Organisation is the fictional employer of the demo.
const Organisation = "Northwind Bakeries"

// A Department of the fictional organisation, with how its staff tend to
// experience their managers: the mean answer (1..5) they give to
// leadership-keyed and to management-keyed statements.
type Department struct {
	Name       string
	Share      float64 // of the staff; a department with Fixed staff ignores it
	Fixed      int     // a fixed head count, for a department too small to report
	Leadership float64
	Management float64
	Story      string // what the report should show for it
}

// Departments are chosen so the report tells a story: one department led,
// one managed, one both, one neither, and three too small to be shown on
// their own, which the report pools into one group.
var Departments = []Department{
	{Name: "Bakery", Share: 0.36, Leadership: 2.3, Management: 4.2, Story: "manager-run"},
	{Name: "Product Development", Share: 0.22, Leadership: 4.2, Management: 2.2, Story: "leader-led"},
	{Name: "Shops", Share: 0.26, Leadership: 4.0, Management: 4.0, Story: "leads and manages"},
	{Name: "Logistics", Share: 0.16, Leadership: 2.4, Management: 2.3, Story: "neither"},
	{Name: "Finance", Fixed: 3, Leadership: 3.2, Management: 3.6, Story: "too small to show"},
	{Name: "Facilities", Fixed: 4, Leadership: 3.0, Management: 3.4, Story: "too small to show"},
	{Name: "People Team", Fixed: 3, Leadership: 3.6, Management: 3.2, Story: "too small to show"},
}

var (
	firstNames = []string{"Amara", "Ben", "Chloé", "Dmitri", "Elif", "Femi", "Grace", "Hamza", "Ines", "Jonas",
		"Kaito", "Lena", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tamsin", "Uma",
		"Viktor", "Wen", "Xavier", "Yara", "Zoë"}
	lastNames = []string{"Adeyemi", "Björk", "Castillo", "Dubois", "Eriksen", "Fischer", "García", "Hughes",
		"Ivanova", "Jansen", "Kowalski", "Lindqvist", "Müller", "Nakamura", "O'Brien", "Patel", "Quinn",
		"Rossi", "Schmidt", "Tanaka", "Umarov", "Varga", "Wójcik", "Xu", "Yilmaz", "Zhou"}
	sites = []string{"Leeds", "Leeds", "York", "Hull"}
)

// A Person on the demo roster.
type Person struct {
	Email, FirstName, LastName, Department, Site string
}

// Staff returns a deterministic roster of n people spread over the
// Departments, the small ones included (n is at least their fixed head
// counts plus one for each other department).
func Staff(n int) []Person {
	r := rand.New(rand.NewPCG(2026, 11))
	var out []Person
	seen := map[string]int{}
	counts := headCounts(n)
	for i, d := range Departments {
		for range counts[i] {
			first := firstNames[r.IntN(len(firstNames))]
			last := lastNames[r.IntN(len(lastNames))]
			local := strings.ToLower(asciiFold(first) + "." + asciiFold(last))
			seen[local]++
			if seen[local] > 1 {
				local = fmt.Sprintf("%s%d", local, seen[local])
			}
			out = append(out, Person{
				Email:      local + "@northwind.example",
				FirstName:  first,
				LastName:   last,
				Department: d.Name,
				Site:       sites[r.IntN(len(sites))],
			})
		}
	}
	return out
}

// headCounts shares n people out over the Departments: the fixed head
// counts first, then the rest by share, rounding by largest remainder so
// that the counts add up to n exactly.
func headCounts(n int) []int {
	counts := make([]int, len(Departments))
	rest := n
	for i, d := range Departments {
		counts[i] = d.Fixed
		rest -= d.Fixed
	}
	type remainder struct {
		i    int
		frac float64
	}
	var rems []remainder
	left := rest
	for i, d := range Departments {
		if d.Fixed > 0 {
			continue
		}
		exact := float64(rest) * d.Share
		counts[i] = max(1, int(exact))
		left -= counts[i]
		rems = append(rems, remainder{i, exact - float64(int(exact))})
	}
	slices.SortStableFunc(rems, func(a, b remainder) int { return cmp.Compare(b.frac, a.frac) })
	for k := 0; left > 0 && len(rems) > 0; k++ {
		counts[rems[k%len(rems)].i]++
		left--
	}
	return counts
}

// WriteCSV writes the roster as an HR system would export it.
func WriteCSV(w io.Writer, staff []Person) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"First Name", "Last Name", "Email", "Department", "Site"})
	for _, p := range staff {
		cw.Write([]string{p.FirstName, p.LastName, p.Email, p.Department, p.Site})
	}
	cw.Flush()
	return cw.Error()
}

// asciiFold drops accents and anything else an email's local part should
// not carry.
func asciiFold(s string) string {
	repl := strings.NewReplacer("é", "e", "ë", "e", "ö", "o", "ó", "o", "ü", "u", "í", "i", "á", "a", "ø", "o", "ł", "l", "'", "")
	var b strings.Builder
	for _, r := range repl.Replace(s) {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
	}
	return b.String()
}
