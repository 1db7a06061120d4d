# METADATA
# title: histogram_quantile aggregates buckets by le
# description: >-
#   An expression (PrometheusRule or Grafana dashboard) calling histogram_quantile should
#   aggregate its classic-histogram buckets with `sum by (le)` or `by (le, ...)`. Checked with a
#   regular expression on the text: an expression with histogram_quantile and no `by (...le...)`
#   clause is reported.
# scope: package
# custom:
#   id: monitoring/histogram-quantile-by-le
#   input: kubernetes
#   severity: warning
#   kinds: [PrometheusRule, ConfigMap]
#   rationale: Without summing buckets by le across pods, the quantile is computed per pod and series, so a dashboard shows one line per instance and an alert fires on a single noisy pod instead of the service's latency.
#   baseline: 'Prometheus "Histograms and summaries" practices; seed review #34'
package rules.monitoring.histogram_quantile_by_le

import rego.v1

import data.lib.kubernetes
import data.lib.wiring

violation contains {"msg": msg, "field": e.field} if {
	obj := kubernetes.resource
	some e in wiring.expressions(obj)
	contains(e.expr, "histogram_quantile")
	not regex.match(`by\s*\([^)]*\ble\b[^)]*\)`, e.expr)
	msg := sprintf(
		"%s: %s calls histogram_quantile without aggregating buckets by le (%s); write histogram_quantile(q, sum by (le) (rate(..._bucket[5m])))",
		[kubernetes.display(obj), e.where, e.expr],
	)
}
