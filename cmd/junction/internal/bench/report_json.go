// The JSON report: the Report struct, indented, plus the column definitions.
package bench

import (
	"encoding/json"
	"io"
)

func (r *Report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		*Report
		Definitions []string `json:"definitions"`
	}{r, definitions})
}
