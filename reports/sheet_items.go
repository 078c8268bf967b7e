package reports

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// answerColours colour the answers 1..5 in the Items chart: a diverging
// scale that says nothing about which pole is better.
var answerColours = [5]string{"A6611A", "DFC27D", "D9D9D9", "80CDC1", "018571"}

func poleWord(p campaign.Pole) string {
	if p == campaign.Management {
		return "Management"
	}
	return "Leadership"
}

// items writes the Items sheet: every statement and how people answered it.
func (b *book) items() {
	const s = SheetItems
	r := b.r
	b.widths(s, 60, 26, 13, 30, 9, 9, 9, 10, 10, 10, 10, 10)
	b.heading(s, 12, "Statements", "Every statement, with how people answered it.")
	names := []string{"Statement", "Dimension", "Side", "Short label", "Answers", "Average (1–5)", "Spread"}
	for _, l := range campaign.ScaleLabels {
		names = append(names, l)
	}
	b.headers(s, 3, names)
	dimName := map[string]string{}
	for _, d := range r.Dimensions {
		dimName[d.ID] = d.Name
	}
	// Short labels name the dimension and side, numbered where a dimension
	// has more than one statement of a side.
	type side struct{ dim, pole string }
	perSide := map[side]int{}
	for _, it := range r.Items {
		perSide[side{it.Dimension, string(it.Pole)}]++
	}
	seen := map[side]int{}
	row := 4
	for _, it := range r.Items {
		k := side{it.Dimension, string(it.Pole)}
		seen[k]++
		short := dimName[it.Dimension] + " (" + strings.ToLower(poleWord(it.Pole))
		if perSide[k] > 1 {
			short += fmt.Sprintf(" %d", seen[k])
		}
		short += ")"
		b.str(s, 1, row, it.Text, b.st.text)
		b.str(s, 2, row, dimName[it.Dimension], b.st.text)
		side := b.st.sideL
		if it.Pole == campaign.Management {
			side = b.st.sideM
		}
		b.str(s, 3, row, poleWord(it.Pole), side)
		b.str(s, 4, row, short, b.st.text)
		b.int(s, 5, row, it.N)
		b.num(s, 6, row, it.Mean, b.st.num2, b.tooFew())
		b.num(s, 7, row, it.SD, b.st.num2, "")
		if it.Distribution != nil {
			for i, n := range it.Distribution {
				b.int(s, 8+i, row, n)
			}
		}
		row++
	}
	last := row - 1
	b.freeze(s, 2, 4)
	row++
	b.paragraph(s, row, 7, "Answers: people who answered the statement. Average: on the 1–5 scale (3 is the middle). "+
		"Spread: the standard deviation; about two thirds of the answers lie within one spread of the average. "+
		"The last five columns count each answer.", b.st.note)
	row += 2
	if len(r.Items) == 0 || r.Items[0].Distribution == nil {
		return
	}
	var series []excelize.ChartSeries
	for i := range campaign.ScaleLabels {
		series = append(series, excelize.ChartSeries{
			Name:       absCell(s, 8+i, 3),
			Categories: absRange(s, 4, 4, last),
			Values:     absRange(s, 8+i, 4, last),
			Fill:       fill(answerColours[i]),
		})
	}
	b.do(b.f.InsertPageBreak(s, ref(1, row))) // print the chart whole, on a page of its own
	b.do(b.f.AddChart(s, ref(1, row), &excelize.Chart{
		Type:       excelize.BarPercentStacked,
		VaryColors: ptr(false),
		Series:     series,
		Title:      title("How people answered each statement"),
		Legend:     excelize.ChartLegend{Position: "bottom"},
		XAxis:      excelize.ChartAxis{ReverseOrder: true, Font: axisFont},
		YAxis:      excelize.ChartAxis{MajorGridLines: true, Font: axisFont},
		Dimension:  excelize.ChartDimension{Width: 900, Height: uint(120 + 24*len(r.Items))},
		Format:     excelize.GraphicOptions{AltText: "Stacked bars: the share of each answer, from strongly disagree to strongly agree, for every statement"},
	}))
}
