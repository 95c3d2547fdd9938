// Package metrics exports the state of a tlsaudit server in the Prometheus
// exposition format: the latest report of every endpoint (certificate
// expiry per chain position, grade, failing findings), and counters of the
// server's own work (assessments by result, their duration, the queue).
//
// Names follow Prometheus' conventions: the tlsaudit_ prefix, base units
// (seconds, Unix timestamps), _total for counters, _info for a series
// whose labels carry the value. Endpoint series are labelled with the host
// name as the target was written (host), the address dialled (address) and
// the TCP port (port).
//
// Endpoint series are built at scrape time from the reports recorded last,
// so a grade that changes letter or a certificate that is replaced leaves
// no stale series behind.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tlsaudit/tlsaudit/checks"
	policyfile "github.com/tlsaudit/tlsaudit/checks/policy"
	"github.com/tlsaudit/tlsaudit/report"
)

// Metric names, for alert rules and tests.
const (
	NameCertNotAfter      = "tlsaudit_certificate_not_after_timestamp_seconds"
	NameEarliestExpiry    = "tlsaudit_earliest_certificate_expiry_timestamp_seconds"
	NameGradeInfo         = "tlsaudit_grade_info"
	NameGradeRank         = "tlsaudit_grade_rank"
	NameGradeScore        = "tlsaudit_grade_score"
	NameFailingFindings   = "tlsaudit_failing_findings"
	NamePolicyViolations  = "tlsaudit_policy_violations"
	NameScanSuccess       = "tlsaudit_scan_success"
	NameLastAssessment    = "tlsaudit_last_assessment_timestamp_seconds"
	NameAssessments       = "tlsaudit_assessments_total"
	NameAssessmentSeconds = "tlsaudit_assessment_duration_seconds"
	NameQueueDepth        = "tlsaudit_queue_depth"
)

var endpointLabels = []string{"host", "address", "port"}

var (
	descNotAfter = prometheus.NewDesc(NameCertNotAfter,
		"NotAfter of each served certificate as a Unix timestamp, by chain and position (0 is the leaf).",
		append(endpointLabels, "chain", "position", "key_type"), nil)
	descEarliest = prometheus.NewDesc(NameEarliestExpiry,
		"The earliest NotAfter among the certificates the endpoint serves, as a Unix timestamp.",
		endpointLabels, nil)
	descGradeInfo = prometheus.NewDesc(NameGradeInfo,
		"The endpoint's grade letter (always 1; the letter is the grade label).",
		append(endpointLabels, "grade"), nil)
	descGradeRank = prometheus.NewDesc(NameGradeRank,
		"The grade as a number: A+ 8, A 7, A- 6, B 5, C 4, D 3, E 2, F 1, T and M 0.",
		endpointLabels, nil)
	descGradeScore = prometheus.NewDesc(NameGradeScore,
		"The weighted grade score, 0 to 100.",
		endpointLabels, nil)
	descFailing = prometheus.NewDesc(NameFailingFindings,
		"Failed checks of the latest assessment, by severity.",
		append(endpointLabels, "severity"), nil)
	descPolicy = prometheus.NewDesc(NamePolicyViolations,
		"Policy rules the endpoint breaks in its latest assessment.",
		endpointLabels, nil)
	descSuccess = prometheus.NewDesc(NameScanSuccess,
		"1 when the latest assessment scanned the endpoint, 0 when it could not.",
		endpointLabels, nil)
	descLast = prometheus.NewDesc(NameLastAssessment,
		"When the latest assessment of the endpoint finished, as a Unix timestamp.",
		endpointLabels, nil)
)

// Endpoint names one audited endpoint.
type Endpoint struct {
	Host    string
	Address string
	Port    int
}

// EndpointOf is the endpoint a report is about.
func EndpointOf(r *report.Report) Endpoint {
	return Endpoint{Host: r.Target.Host, Address: r.Target.IP, Port: r.Target.Port}
}

func (e Endpoint) labels() []string {
	return []string{e.Host, e.Address, strconv.Itoa(e.Port)}
}

type entry struct {
	r          *report.Report
	violations int
	at         time.Time
}

// Metrics holds the series. Its methods are safe for concurrent use.
type Metrics struct {
	reg      *prometheus.Registry
	duration prometheus.Histogram
	results  *prometheus.CounterVec

	mu     sync.Mutex
	latest map[Endpoint]entry
}

// New returns the metrics with their own registry (Go runtime and process
// collectors included). queueDepth, when not nil, is read at every scrape.
func New(queueDepth func() int) *Metrics {
	m := &Metrics{
		reg:    prometheus.NewRegistry(),
		latest: map[Endpoint]entry{},
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    NameAssessmentSeconds,
			Help:    "How long one assessment took, from start to report.",
			Buckets: []float64{0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300},
		}),
		results: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: NameAssessments,
			Help: "Assessments finished, by result (the report's status: ok, connection_refused, timeout, ...).",
		}, []string{"result"}),
	}
	m.reg.MustRegister(m.duration, m.results, (*endpoints)(m),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if queueDepth != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: NameQueueDepth,
			Help: "Assessments queued or running.",
		}, func() float64 { return float64(queueDepth()) }))
	}
	return m
}

// Registry is the registry the series are in, for callers that add their own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Record takes the report of a finished assessment: it replaces the
// endpoint's series and counts the assessment. violations is the number of
// policy rules the report breaks (0 without a policy); took is the
// assessment's duration (0: not observed).
func (m *Metrics) Record(r *report.Report, violations int, took time.Duration) {
	if r == nil {
		return
	}
	m.results.WithLabelValues(string(r.Status)).Inc()
	if took > 0 {
		m.duration.Observe(took.Seconds())
	}
	m.mu.Lock()
	m.latest[EndpointOf(r)] = entry{r: r, violations: violations, at: time.Now()}
	m.mu.Unlock()
}

// Forget drops the series of every endpoint of host (a host no longer
// monitored).
func (m *Metrics) Forget(host string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for e := range m.latest {
		if e.Host == host {
			delete(m.latest, e)
		}
	}
}

// endpoints is the collector of the per-endpoint series.
type endpoints Metrics

func (c *endpoints) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descNotAfter, descEarliest, descGradeInfo, descGradeRank, descGradeScore,
		descFailing, descPolicy, descSuccess, descLast} {
		ch <- d
	}
}

func (c *endpoints) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	snapshot := make(map[Endpoint]entry, len(c.latest))
	for k, v := range c.latest {
		snapshot[k] = v
	}
	c.mu.Unlock()
	for ep, e := range snapshot {
		collectEndpoint(ch, ep, e)
	}
}

func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func collectEndpoint(ch chan<- prometheus.Metric, ep Endpoint, e entry) {
	lv := ep.labels()
	with := func(extra ...string) []string { return append(append([]string(nil), lv...), extra...) }
	r := e.r
	gauge(ch, descLast, float64(e.at.Unix()), lv...)
	if r.Status != "ok" {
		gauge(ch, descSuccess, 0, lv...)
		return
	}
	gauge(ch, descSuccess, 1, lv...)
	gauge(ch, descPolicy, float64(e.violations), lv...)
	if o := r.Observation; o != nil {
		var earliest time.Time
		for ci, chain := range o.Chains {
			for pi, c := range chain.Certificates {
				if c.NotAfter.IsZero() {
					continue
				}
				gauge(ch, descNotAfter, float64(c.NotAfter.Unix()), with(strconv.Itoa(ci), strconv.Itoa(pi), chain.KeyType)...)
				if earliest.IsZero() || c.NotAfter.Before(earliest) {
					earliest = c.NotAfter
				}
			}
		}
		if !earliest.IsZero() {
			gauge(ch, descEarliest, float64(earliest.Unix()), lv...)
		}
	}
	if g := r.Grade; g != nil && g.Letter != "" {
		gauge(ch, descGradeInfo, 1, with(string(g.Letter))...)
		rank, _ := policyfile.GradeRank(g.Letter)
		gauge(ch, descGradeRank, float64(rank), lv...)
		gauge(ch, descGradeScore, float64(g.Score), lv...)
	}
	counts := map[checks.Severity]int{}
	for _, f := range r.Findings {
		if f.Status == checks.StatusFail {
			counts[f.Severity]++
		}
	}
	for _, s := range checks.Severities() {
		gauge(ch, descFailing, float64(counts[s]), with(string(s))...)
	}
}
