# METADATA
# title: PrometheusRule expressions parse
# description: >-
#   Every rules[].expr of a PrometheusRule must be valid PromQL. The gate parses each expression
#   in TypeScript and provides data.promql[expr] = {"ok": bool, "error": string}; an expression
#   without an entry was not parsed and is not judged here.
# scope: package
# custom:
#   id: monitoring/prometheusrule-expr
#   input: kubernetes
#   severity: error
#   kinds: [PrometheusRule]
#   ci_only: "needs the gate's PromQL parser (data.promql), which Rego has not"
#   rationale: Prometheus rejects a whole rule group when one expression does not parse, so every alert of the group stops firing.
#   baseline: Prometheus recording and alerting rules (promtool check rules)
package rules.monitoring.prometheusrule_expr

import rego.v1

import data.lib.kubernetes
import data.lib.wiring

violation contains {"msg": msg, "field": e.field} if {
	rule := kubernetes.resource
	rule.kind == "PrometheusRule"
	some e in wiring.expressions(rule)
	result := data.promql[e.expr]
	result.ok == false
	msg := sprintf("%s: %s has an invalid expr: %s; fix the PromQL (%s)", [kubernetes.display(rule), e.where, result.error, e.expr])
}
