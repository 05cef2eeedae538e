// The text report: one aligned table, skipped models with their reason,
// notes, and the definitions of the columns.
package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

func (r *Report) writeTable(w io.Writer) error {
	var b strings.Builder
	b.WriteString(r.header() + "\n")
	if r.LatencyKind != "" {
		fmt.Fprintf(&b, "latency: %s\n", r.LatencyKind)
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(columns, "\t"))
	for i := range r.Results {
		res := &r.Results[i]
		if res.Skipped != "" {
			cells := []string{res.Model, res.Description}
			for len(cells) < len(columns)-1 {
				cells = append(cells, "-")
			}
			cells = append(cells, "skipped: "+oneLine(res.Skipped))
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
			continue
		}
		fmt.Fprintln(tw, strings.Join(res.cells(), "\t"))
	}
	tw.Flush()
	notes := r.notes()
	if len(notes) > 0 {
		b.WriteString("\n")
		for _, n := range notes {
			b.WriteString("  " + n + "\n")
		}
	}
	b.WriteString("\n")
	for _, d := range definitions {
		b.WriteString(d + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
