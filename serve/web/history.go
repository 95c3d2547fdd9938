package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/tlsaudit/tlsaudit/checks/grade"
	policyfile "github.com/tlsaudit/tlsaudit/checks/policy"
	"github.com/tlsaudit/tlsaudit/report"
)

// historyLimit is how many assessments the history page reads.
const historyLimit = 60

type historyRow struct {
	A        *Assessment
	DaysLeft *int
	URL      string
	OldSel   bool
	NewSel   bool
}

type historyBody struct {
	Host    string
	Rows    []historyRow
	Chart   *chart
	Diff    *report.Diff
	Old     *Assessment
	New     *Assessment
	Changes int
}

func (p *Pages) history(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	key, err := p.cfg.Backend.Key(q.Get("d"))
	if err != nil {
		p.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	hist, err := p.cfg.Backend.History(r.Context(), key, historyLimit)
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, "Reading the history failed.")
		return
	}
	var done []*Assessment // finished, newest first
	for _, a := range hist {
		if a.Finished() {
			done = append(done, a)
		}
	}
	body := historyBody{Host: key}
	pick := func(name string, def int) *Assessment {
		if id, err := strconv.ParseInt(q.Get(name), 10, 64); err == nil {
			for _, a := range done {
				if a.ID == id {
					return a
				}
			}
		}
		if def < len(done) {
			return done[def]
		}
		return nil
	}
	body.New, body.Old = pick("b", 0), pick("a", 1)
	for _, a := range done {
		row := historyRow{A: a, URL: analyzeURL(key, "id", strconv.FormatInt(a.ID, 10))}
		if d, ok := assessmentDays(a); ok {
			row.DaysLeft = &d
		}
		row.OldSel = body.Old != nil && a.ID == body.Old.ID
		row.NewSel = body.New != nil && a.ID == body.New.ID
		body.Rows = append(body.Rows, row)
	}
	body.Chart = buildChart(done)
	if body.Old != nil && body.New != nil && body.Old.ID != body.New.ID {
		body.Diff = report.Compare(reportsOf(body.Old), reportsOf(body.New), report.DiffOptions{ExpiryWarn: p.cfg.ExpiryWarn})
		for _, t := range body.Diff.Targets {
			body.Changes += len(t.Changes)
		}
	}
	p.render(w, r, http.StatusOK, "history", "", "History of "+key, body, "")
}

// reportsOf lists an assessment's reports, keyed for the diff by endpoint
// address (the host is the same on both sides).
func reportsOf(a *Assessment) []*report.Report {
	var out []*report.Report
	for _, ep := range a.Endpoints {
		if ep.Report != nil {
			c := *ep.Report
			c.Target.Input = ep.IP
			out = append(out, &c)
		}
	}
	return out
}

// assessmentDays is the fewest days any endpoint's leaf had left when the
// assessment ran.
func assessmentDays(a *Assessment) (int, bool) {
	best, ok := 0, false
	for _, ep := range a.Endpoints {
		if ep.Report == nil || ep.Report.Observation == nil {
			continue
		}
		at := ep.Report.Observation.Started
		if at.IsZero() {
			at = a.FinishedAt
		}
		if d, has := daysLeft(ep.Report, at); has && (!ok || d < best) {
			best, ok = d, true
		}
	}
	return best, ok
}

// chart is an inline SVG of grade and days to expiry over time: two
// panels sharing the time axis, coordinates in the SVG's own units (the
// element scales to the page's width).
type chart struct {
	W, H        int
	GradeLine   string // polyline points
	DaysLine    string
	GradePoints []chartPoint
	DaysPoints  []chartPoint
	GradeTicks  []chartTick
	DaysTicks   []chartTick
	TimeTicks   []chartTick
	GradeTop    int // panel tops and heights
	DaysTop     int
	PanelH      int
	Left, Right int
}

type chartPoint struct {
	X, Y  int
	Label string
}

type chartTick struct {
	Pos   int
	Label string
}

func buildChart(done []*Assessment) *chart {
	if len(done) == 0 {
		return nil
	}
	c := &chart{W: 640, H: 300, GradeTop: 16, DaysTop: 166, PanelH: 110, Left: 46, Right: 624}
	// Oldest first.
	pts := make([]*Assessment, len(done))
	for i, a := range done {
		pts[len(done)-1-i] = a
	}
	t0, t1 := timeOf(pts[0]), timeOf(pts[len(pts)-1])
	span := t1.Sub(t0)
	x := func(t time.Time) int {
		if span <= 0 {
			return (c.Left + c.Right) / 2
		}
		return c.Left + int(float64(c.Right-c.Left)*float64(t.Sub(t0))/float64(span))
	}
	gy := func(rank int) int { return c.GradeTop + c.PanelH - rank*c.PanelH/8 }
	// The grade axis: T and M share its bottom, the scale F to A+ rises
	// above them, each letter at its rank.
	c.GradeTicks = append(c.GradeTicks, chartTick{gy(0), string(grade.T) + "/" + string(grade.M)})
	letters := grade.Letters()
	for i := len(letters) - 1; i >= 0; i-- {
		if l := letters[i]; grade.InScale(l) {
			r, _ := policyfile.GradeRank(l)
			c.GradeTicks = append(c.GradeTicks, chartTick{gy(r), string(l)})
		}
	}
	maxDays := 30
	type dp struct {
		t time.Time
		d int
	}
	var days []dp
	for _, a := range pts {
		if d, ok := assessmentDays(a); ok {
			days = append(days, dp{timeOf(a), d})
			maxDays = max(maxDays, d)
		}
	}
	maxDays = (maxDays + 29) / 30 * 30
	dy := func(d int) int {
		d = max(d, 0)
		return c.DaysTop + c.PanelH - d*c.PanelH/maxDays
	}
	for _, v := range []int{0, maxDays / 2, maxDays} {
		c.DaysTicks = append(c.DaysTicks, chartTick{dy(v), strconv.Itoa(v)})
	}
	for _, a := range pts {
		rank, ok := policyfile.GradeRank(a.Grade)
		if !ok {
			continue
		}
		p := chartPoint{x(timeOf(a)), gy(rank), fmt.Sprintf("%s: %s", timeOf(a).UTC().Format("2006-01-02 15:04"), a.Grade)}
		c.GradePoints = append(c.GradePoints, p)
		c.GradeLine += fmt.Sprintf("%d,%d ", p.X, p.Y)
	}
	for _, d := range days {
		p := chartPoint{x(d.t), dy(d.d), fmt.Sprintf("%s: %d days", d.t.UTC().Format("2006-01-02 15:04"), d.d)}
		c.DaysPoints = append(c.DaysPoints, p)
		c.DaysLine += fmt.Sprintf("%d,%d ", p.X, p.Y)
	}
	c.TimeTicks = append(c.TimeTicks, chartTick{c.Left, t0.UTC().Format("2006-01-02")})
	if span > 0 {
		c.TimeTicks = append(c.TimeTicks, chartTick{c.Right, t1.UTC().Format("2006-01-02")})
	}
	return c
}

func timeOf(a *Assessment) time.Time {
	if !a.FinishedAt.IsZero() {
		return a.FinishedAt
	}
	return a.CreatedAt
}
