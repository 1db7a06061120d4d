package rules.monitoring.log_forwarder_test

import rego.v1

import data.lib.testing
import data.rules.monitoring.log_forwarder

clf(api_version, spec) := {
	"apiVersion": api_version,
	"kind": "ClusterLogForwarder",
	"metadata": {"name": "logs", "namespace": "openshift-logging"},
	"spec": spec,
}

violations(obj) := v if {
	v := log_forwarder.violation with input as testing.review(obj)
}

fields(obj) := {v.field | some v in violations(obj)}

complete := {
	"inputs": [{"name": "funlynk-apps", "application": {"namespaces": ["funlynk"]}}],
	"filters": [{"name": "drop-debug", "type": "drop"}],
	"outputs": [{"name": "store", "type": "otlp"}],
	"pipelines": [{
		"name": "apps",
		"inputRefs": ["funlynk-apps", "audit"],
		"filterRefs": ["drop-debug"],
		"outputRefs": ["store", "default"],
	}],
}

test_other_kinds_allowed if {
	count(violations({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})) == 0
}

test_openshift_group_only_the_kind_denied if {
	v := violations(clf("observability.openshift.io/v1", complete))
	count(v) == 1
	some f in v
	f.field == "kind"
	not contains(f.msg, "is neither")
}

test_invented_group_named if {
	some f in violations(clf("logging.coreos.com/v1", complete))
	f.field == "kind"
	contains(f.msg, "(logging.coreos.com is neither)")
}

test_undefined_filter_denied if {
	spec := object.union(complete, {"pipelines": [{"name": "apps", "inputRefs": ["application"], "filterRefs": ["funlynk-filter"], "outputRefs": ["store"]}]})
	fields(clf("logging.openshift.io/v1", spec)) == {"kind", "spec.pipelines[0].filterRefs[0]"}
	some f in violations(clf("logging.openshift.io/v1", spec))
	f.field == "spec.pipelines[0].filterRefs[0]"
	contains(f.msg, "pipeline 'apps' filterRefs names 'funlynk-filter', which spec.filters does not define (defined: drop-debug)")
}

test_no_filters_defined_says_none if {
	spec := {"pipelines": [{"inputRefs": ["application"], "filterRefs": ["f"], "outputRefs": ["default"]}]}
	some f in violations(clf("logging.openshift.io/v1", spec))
	f.field == "spec.pipelines[0].filterRefs[0]"
	contains(f.msg, "pipeline '#0' filterRefs names 'f', which spec.filters does not define (defined: none)")
}

test_undefined_input_and_output_denied if {
	spec := object.union(complete, {"pipelines": [{"name": "apps", "inputRefs": ["application", "mine"], "outputRefs": ["store", "elsewhere"]}]})
	fields(clf("logging.openshift.io/v1", spec)) == {"kind", "spec.pipelines[0].inputRefs[1]", "spec.pipelines[0].outputRefs[1]"}
}
