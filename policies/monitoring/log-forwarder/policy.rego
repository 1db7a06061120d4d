# METADATA
# title: Logs ship through a portable pipeline, not OpenShift's ClusterLogForwarder
# description: >-
#   A ClusterLogForwarder is the API of OpenShift's Cluster Logging Operator (groups
#   logging.openshift.io and observability.openshift.io); other clusters serve no such kind, and
#   logging.coreos.com never existed. The repository ships logs with the OpenTelemetry Collector.
#   Independently of that, each pipeline may only reference inputs, filters and outputs the object
#   defines (or the operator's built-in inputs application, infrastructure, audit and output
#   default).
# scope: package
# custom:
#   id: monitoring/log-forwarder
#   input: kubernetes
#   severity: error
#   kinds: [ClusterLogForwarder]
#   rationale: >-
#     An object of a kind the cluster does not serve fails to apply and forwards nothing; a
#     pipeline naming an undefined filter or output is rejected by the operator, so no logs leave
#     the cluster.
#   baseline: 'OpenShift Logging "ClusterLogForwarder" API reference; seed review #17'
package rules.monitoring.log_forwarder

import rego.v1

import data.lib.kubernetes

clf := kubernetes.resource if kubernetes.resource.kind == "ClusterLogForwarder"

openshift_groups := {"logging.openshift.io", "observability.openshift.io"}

group := split(clf.apiVersion, "/")[0]

group_note := "" if group in openshift_groups

group_note := sprintf(" (%s is neither)", [group]) if not group in openshift_groups

violation contains {"msg": msg, "field": "kind"} if {
	clf
	msg := sprintf(
		"%s: ClusterLogForwarder is OpenShift's Cluster Logging Operator API (logging.openshift.io/v1, observability.openshift.io/v1)%s, served on no other cluster; ship logs with the OpenTelemetry Collector (OTLP to the log store) instead",
		[kubernetes.display(clf), group_note],
	)
}

# Names each pipeline list may reference: those the object defines, plus the operator's built-ins.
builtin := {"inputRefs": {"application", "infrastructure", "audit"}, "filterRefs": set(), "outputRefs": {"default"}}

section := {"inputRefs": "inputs", "filterRefs": "filters", "outputRefs": "outputs"}

defined(ref_key) := {n.name | some n in object.get(clf, ["spec", section[ref_key]], [])} | builtin[ref_key]

violation contains {"msg": msg, "field": sprintf("spec.pipelines[%d].%s[%d]", [i, ref_key, j])} if {
	some i, pipeline in object.get(clf, ["spec", "pipelines"], [])
	some ref_key, _ in section
	some j, name in object.get(pipeline, ref_key, [])
	not name in defined(ref_key)
	msg := sprintf(
		"%s: pipeline '%s' %s names '%s', which spec.%s does not define (defined: %s); define it or remove the reference",
		[kubernetes.display(clf), object.get(pipeline, "name", sprintf("#%d", [i])), ref_key, name, section[ref_key], names_display(defined(ref_key))],
	)
}

names_display(names) := "none" if count(names) == 0

names_display(names) := concat(", ", sort(names)) if count(names) > 0
