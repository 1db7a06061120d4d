# METADATA
# title: PrometheusRule expressions parse and type-check
# description: >-
#   Every rules[].expr of a PrometheusRule must be valid PromQL: it parses, and every function,
#   aggregation, operator and subquery gets the argument types it needs (rate() of an instant
#   vector, abs() of a range vector are errors). The gate parses each expression in TypeScript
#   and provides data.promql[expr] = {"ok": bool, "error": string, "typeErrors": [string]}; an
#   expression without an entry was not parsed and is not judged here.
# scope: package
# custom:
#   id: monitoring/prometheusrule-expr
#   input: kubernetes
#   severity: error
#   kinds: [PrometheusRule]
#   ci_only: "needs the gate's PromQL parser (data.promql), which Rego has not"
#   rationale: Prometheus rejects a whole rule group when one expression does not parse or type-check, so every alert of the group stops firing.
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

violation contains {"msg": msg, "field": e.field} if {
	rule := kubernetes.resource
	rule.kind == "PrometheusRule"
	some e in wiring.expressions(rule)
	some problem in object.get(data.promql, [e.expr, "typeErrors"], [])
	msg := sprintf("%s: %s has a PromQL type error: %s; fix the PromQL (%s)", [kubernetes.display(rule), e.where, problem, e.expr])
}
