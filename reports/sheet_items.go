package reports

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/lvm-mail/lvm-mail/campaign"
)

// answerColours colour the answers 1..5 in the Items chart: a diverging
// scale that says nothing about which pole is better.
var answerColours = [5]string{"A6611A", "DFC27D", "D9D9D9", "80CDC1", "018571"}

// items writes the Items sheet: every statement and how people answered it.
func (b *book) items() {
	s := b.sheet(SheetItems)
	r, w := b.r, b.w
	b.widths(s, 60, 26, 13, 30, 9, 9, 9, 10, 10, 10, 10, 10)
	b.heading(s, 12, w.T("items.title"), w.T("items.subtitle"))
	names := []string{w.T("items.statement"), w.T("items.dimension"), w.T("items.side"), w.T("items.short"), w.T("items.answers"),
		w.T("items.average"), w.T("items.spread")}
	for v := campaign.ScaleMin; v <= campaign.ScaleMax; v++ {
		names = append(names, w.T(fmt.Sprintf("scale.%d", v)))
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
		short := w.T("items.short_label", "dimension", dimName[it.Dimension], "side", w.T("pole."+string(it.Pole)+"_text"))
		if perSide[k] > 1 {
			short = w.T("items.short_label_numbered", "dimension", dimName[it.Dimension], "side", w.T("pole."+string(it.Pole)+"_text"), "number", seen[k])
		}
		b.str(s, 1, row, it.Text, b.st.text)
		b.str(s, 2, row, dimName[it.Dimension], b.st.text)
		side := b.st.sideL
		if it.Pole == campaign.Management {
			side = b.st.sideM
		}
		b.str(s, 3, row, w.pole(it.Pole), side)
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
	b.paragraph(s, row, 7, w.T("items.note"), b.st.note)
	row += 2
	if len(r.Items) == 0 || r.Items[0].Distribution == nil {
		return
	}
	var series []excelize.ChartSeries
	for i := range campaign.ScaleMax {
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
		Title:      title(w.T("items.chart_title")),
		Legend:     excelize.ChartLegend{Position: "bottom"},
		XAxis:      excelize.ChartAxis{ReverseOrder: true, Font: axisFont},
		YAxis:      excelize.ChartAxis{MajorGridLines: true, Font: axisFont},
		Dimension:  excelize.ChartDimension{Width: 900, Height: uint(120 + 24*len(r.Items))},
		Format:     excelize.GraphicOptions{AltText: w.T("items.chart_alt")},
	}))
}
