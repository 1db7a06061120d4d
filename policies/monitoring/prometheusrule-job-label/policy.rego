# METADATA
# title: PromQL job matchers name a scraped Service
# description: >-
#   A `job="X"` (or `job='X'`) matcher in a PrometheusRule expression or a Grafana dashboard
#   ConfigMap must name a Service of the target: prometheus-operator sets `job` to the Service
#   name, or to the value of the Service label named by a ServiceMonitor's spec.jobLabel.
# scope: package
# custom:
#   id: monitoring/prometheusrule-job-label
#   input: kubernetes
#   severity: warning
#   kinds: [PrometheusRule, ConfigMap]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: A job matcher naming no scraped Service returns no series; alerts never fire and panels stay empty, without any error.
#   baseline: 'prometheus-operator ServiceMonitor job label (Service name or jobLabel); seed review #34'
package rules.monitoring.prometheusrule_job_label

import rego.v1

import data.lib.kubernetes
import data.lib.wiring

obj := kubernetes.resource

# Values Prometheus can give the job label for the target's Services.
jobs contains s.metadata.name if {
	some s in wiring.resources
	s.kind == "Service"
}

jobs contains value if {
	some sm in wiring.resources
	sm.kind == "ServiceMonitor"
	some s in wiring.resources
	s.kind == "Service"
	value := s.metadata.labels[sm.spec.jobLabel]
}

violation contains {"msg": msg, "field": e.field} if {
	some e in wiring.expressions(obj)
	some m in regex.find_all_string_submatch_n(`\bjob\s*=\s*["']([^"']*)["']`, e.expr, -1)
	job := m[1]
	not job in jobs
	msg := sprintf(
		"%s: %s matches job=\"%s\", but no Service of the target is named %s (Prometheus sets job to the scraped Service's name); use one of %s",
		[kubernetes.display(obj), e.where, job, job, json.marshal(sort(jobs))],
	)
}
