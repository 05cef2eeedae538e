// The HTML report: one self-contained page (inline CSS, no scripts, no
// external assets) with the table and, per measured model, an inline SVG
// histogram of latency on a log scale with p50/p99/p99.9 marked.
package bench

import (
	"fmt"
	"html/template"
	"io"
	"math"
)

// Chart geometry in SVG user units.
const (
	svgW, svgH             = 640, 200
	padL, padR, padT, padB = 48, 12, 12, 34
	plotW, plotH           = svgW - padL - padR, svgH - padT - padB
)

type svgBar struct{ X, Y, W, H float64 }
type svgMark struct {
	X, LabelY float64
	Label     string
	Anchor    string // text-anchor: labels right of centre end at their line
	DX        int
}
type svgTick struct {
	X     float64
	Label string
}

// chart is the geometry of one model's histogram.
type chart struct {
	Model, Description string
	Bars               []svgBar
	Marks              []svgMark
	Ticks              []svgTick
	MaxCount           uint64
	W, H, PadL, PadT   int
	PlotW, PlotH       int
	Bottom             int
}

func newChart(r *Result) *chart {
	if len(r.Histogram) == 0 || r.Latency == nil {
		return nil
	}
	bins := r.Histogram
	c := &chart{Model: r.Model, Description: r.Description, W: svgW, H: svgH, PadL: padL, PadT: padT,
		PlotW: plotW, PlotH: plotH, Bottom: padT + plotH}
	for _, b := range bins {
		c.MaxCount = max(c.MaxCount, b.Count)
	}
	lo, hi := bins[0].LowUS, bins[len(bins)-1].HighUS
	xOf := func(us float64) float64 {
		if hi <= lo || us <= lo {
			return padL
		}
		return padL + float64(plotW)*math.Min(1, math.Log(us/lo)/math.Log(hi/lo))
	}
	bw := float64(plotW) / float64(len(bins))
	for i, b := range bins {
		if b.Count == 0 {
			continue
		}
		h := float64(plotH) * float64(b.Count) / float64(c.MaxCount)
		c.Bars = append(c.Bars, svgBar{X: padL + float64(i)*bw, Y: float64(padT+plotH) - h, W: math.Max(1, bw-1), H: h})
	}
	l := r.Latency
	for i, m := range []struct {
		name string
		us   float64
	}{{"p50", l.P50US}, {"p99", l.P99US}, {"p99.9", l.P999US}} {
		mk := svgMark{X: xOf(m.us), LabelY: float64(padT + 12 + 13*i), Label: m.name + " " + fmtLatency(m.us), Anchor: "start", DX: 3}
		if mk.X > padL+0.6*plotW {
			mk.Anchor, mk.DX = "end", -3
		}
		c.Marks = append(c.Marks, mk)
	}
	for _, f := range []float64{0, 0.25, 0.5, 0.75, 1} {
		us := lo * math.Pow(hi/lo, f)
		c.Ticks = append(c.Ticks, svgTick{X: padL + f*float64(plotW), Label: fmtLatency(us)})
	}
	return c
}

var htmlPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"f1":   func(v float64) string { return fmt.Sprintf("%.1f", v) },
	"cols": func() []string { return columns },
	"defs": func() []string { return definitions },
	"add":  func(a, b int) int { return a + b },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{{.Report.Workload}} — junction bench</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:right;white-space:nowrap}
th{background:#f2f2f2}td:nth-child(1),td:nth-child(2){text-align:left}
td.skip{text-align:left;color:#a00}
section{margin:1.5em 0}h2{font-size:1.05em;margin:0 0 .3em}
.notes,.defs{color:#555;font-size:.9em}
svg text{font:11px system-ui,sans-serif;fill:#333}
</style></head><body>
<h1>junction bench {{.Report.Workload}}</h1>
<p>{{.Header}}<br>latency: {{.Report.LatencyKind}}; started {{.Report.Started.Format "2006-01-02 15:04:05 MST"}}</p>
<table><thead><tr>{{range cols}}<th>{{.}}</th>{{end}}</tr></thead><tbody>
{{range .Rows}}<tr>{{if .Skipped}}<td>{{.Model}}</td><td>{{.Description}}</td><td class="skip" colspan="9">skipped: {{.Skipped}}</td>{{else}}{{range .Cells}}<td>{{.}}</td>{{end}}{{end}}</tr>
{{end}}</tbody></table>
{{if .Notes}}<ul class="notes">{{range .Notes}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{range .Charts}}<section><h2>{{.Model}} — {{.Description}}</h2>
<svg xmlns="http://www.w3.org/2000/svg" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="latency histogram of {{.Model}}">
<rect x="{{.PadL}}" y="{{.PadT}}" width="{{.PlotW}}" height="{{.PlotH}}" fill="#fafafa" stroke="#ccc"/>
{{range .Bars}}<rect x="{{f1 .X}}" y="{{f1 .Y}}" width="{{f1 .W}}" height="{{f1 .H}}" fill="#4a7fb5"/>
{{end}}{{$b := .Bottom}}{{$t := .PadT}}{{range .Marks}}<line x1="{{f1 .X}}" y1="{{$t}}" x2="{{f1 .X}}" y2="{{$b}}" stroke="#c0392b" stroke-dasharray="3,2"/>
<text x="{{f1 .X}}" y="{{f1 .LabelY}}" dx="{{.DX}}" text-anchor="{{.Anchor}}">{{.Label}}</text>
{{end}}{{range .Ticks}}<text x="{{f1 .X}}" y="{{add $b 14}}" text-anchor="middle">{{.Label}}</text>
{{end}}<text x="{{.PadL}}" y="{{add $b 28}}">latency (log scale)</text>
<text x="4" y="{{add .PadT 10}}">{{.MaxCount}}</text><text x="4" y="{{$b}}">0</text>
</svg></section>
{{end}}<div class="defs">{{range defs}}<p>{{.}}</p>{{end}}</div>
</body></html>
`))

type htmlRow struct {
	Model, Description, Skipped string
	Cells                       []string
}

func (r *Report) writeHTML(w io.Writer) error {
	data := struct {
		Report *Report
		Header string
		Rows   []htmlRow
		Notes  []string
		Charts []*chart
	}{Report: r, Header: r.header()}
	for i := range r.Results {
		res := &r.Results[i]
		row := htmlRow{Model: res.Model, Description: res.Description, Skipped: res.Skipped}
		if res.Skipped == "" {
			row.Cells = res.cells()
		}
		data.Rows = append(data.Rows, row)
		if c := newChart(res); c != nil {
			data.Charts = append(data.Charts, c)
		}
	}
	data.Notes = r.notes()
	return htmlPage.Execute(w, data)
}
