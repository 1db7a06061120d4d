package rules.k8s.automount_token_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.automount_token

v(obj) := x if {
	x := automount_token.violation with input as t.review(obj)
}

test_false_allowed_in_every_kind if {
	every _, obj in t.workloads({"automountServiceAccountToken": false}) {
		count(v(obj)) == 0
	}
}

test_missing_denied_in_every_kind if {
	every _, obj in t.workloads({"containers": []}) {
		count(v(obj)) == 1
	}
}

test_missing_message if {
	v(t.deployment({})) == {{
		"msg": "Deployment/app: does not set automountServiceAccountToken, so the service account token is mounted; set automountServiceAccountToken: false in the pod spec unless the pod calls the Kubernetes API",
		"field": "spec.template.spec.automountServiceAccountToken",
	}}
}

test_true_message if {
	v(t.pod({"automountServiceAccountToken": true})) == {{
		"msg": "Pod/app: sets automountServiceAccountToken: true; set automountServiceAccountToken: false in the pod spec unless the pod calls the Kubernetes API",
		"field": "spec.automountServiceAccountToken",
	}}
}

sa(name, ns, automount) := {
	"apiVersion": "v1",
	"kind": "ServiceAccount",
	"metadata": {"name": name, "namespace": ns},
	"automountServiceAccountToken": automount,
}

in_target(obj, resources) := x if {
	x := automount_token.violation with input as t.review(obj)
		with data.target as {"name": "t", "env": "dev", "resources": array.concat([obj], resources)}
}

test_unset_inherits_false_from_service_account if {
	every _, obj in t.workloads({"serviceAccountName": "app"}) {
		count(in_target(obj, [sa("app", "funlynk", false)])) == 0
	}
}

test_unset_inherits_false_from_default_service_account if {
	count(in_target(t.deployment({}), [sa("default", "funlynk", false)])) == 0
}

test_service_account_not_disabling_denied if {
	count(in_target(t.deployment({"serviceAccountName": "app"}), [sa("app", "funlynk", true)])) == 1
	count(in_target(t.deployment({"serviceAccountName": "app"}), [sa("other", "funlynk", false)])) == 1
	count(in_target(t.deployment({"serviceAccountName": "app"}), [sa("app", "elsewhere", false)])) == 1
}

test_pod_true_overrides_service_account_false if {
	count(in_target(t.deployment({"serviceAccountName": "app", "automountServiceAccountToken": true}), [sa("app", "funlynk", false)])) == 1
}
