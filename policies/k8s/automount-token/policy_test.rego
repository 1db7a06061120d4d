package k8s.automount_token_test

import rego.v1

import data.k8s.automount_token
import data.lib.testing as t

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
