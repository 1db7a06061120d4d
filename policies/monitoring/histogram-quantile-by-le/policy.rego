# METADATA
# title: histogram_quantile aggregates buckets by le
# description: >-
#   An expression (PrometheusRule or Grafana dashboard) calling histogram_quantile over
#   classic-histogram buckets (`*_bucket` series) should aggregate them keeping le: `sum by (le)`,
#   `by (le, ...)` or `without (...)` not naming le. Checked over the parsed PromQL tree (the gate
#   provides data.promql[expr].histogramQuantile); native histograms, which have no le, are not
#   judged.
# scope: package
# custom:
#   id: monitoring/histogram-quantile-by-le
#   input: kubernetes
#   severity: warning
#   kinds: [PrometheusRule, ConfigMap]
#   ci_only: "needs the gate's PromQL parser (data.promql), which Rego has not"
#   rationale: Without summing buckets by le across pods, the quantile is computed per pod and series, so a dashboard shows one line per instance and an alert fires on a single noisy pod instead of the service's latency.
#   baseline: 'Prometheus "Histograms and summaries" practices; seed review #34'
package rules.monitoring.histogram_quantile_by_le

import rego.v1

import data.lib.kubernetes
import data.lib.wiring

violation contains {"msg": msg, "field": e.field} if {
	obj := kubernetes.resource
	some e in wiring.expressions(obj)
	some problem in object.get(data.promql, [e.expr, "histogramQuantile"], [])
	msg := sprintf(
		"%s: %s: %s; write histogram_quantile(q, sum by (le) (rate(..._bucket[5m])))",
		[kubernetes.display(obj), e.where, problem],
	)
}
