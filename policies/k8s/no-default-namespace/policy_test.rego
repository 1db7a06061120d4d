package rules.k8s.no_default_namespace_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.no_default_namespace

v(obj) := x if {
	x := no_default_namespace.violation with input as t.review(obj)
}

in_ns(obj, ns) := json.patch(obj, [{"op": "replace", "path": "/metadata/namespace", "value": ns}])

without_ns(obj) := json.patch(obj, [{"op": "remove", "path": "/metadata/namespace"}])

test_own_namespace_allowed if {
	every _, obj in t.workloads({}) {
		count(v(obj)) == 0
	}
}

test_no_namespace_allowed if {
	every _, obj in t.workloads({}) {
		count(v(without_ns(obj))) == 0
	}
}

test_default_and_kube_system_denied if {
	every _, obj in t.workloads({}) {
		count(v(in_ns(obj, "default"))) == 1
		count(v(in_ns(obj, "kube-system"))) == 1
	}
}

test_message if {
	v(in_ns(t.cronjob({}), "default")) == {{
		"msg": "CronJob/app: runs in namespace default; deploy it to the application's own namespace",
		"field": "metadata.namespace",
	}}
}

test_non_workload_ignored if {
	count(v({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "default"}})) == 0
}
