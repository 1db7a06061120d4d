package rules.k8s.default_service_account_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.default_service_account

v(obj) := x if {
	x := default_service_account.violation with input as t.review(obj)
}

test_dedicated_account_allowed_in_every_kind if {
	every _, obj in t.workloads({"serviceAccountName": "backend"}) {
		count(v(obj)) == 0
	}
}

test_deprecated_service_account_field_counts if count(v(t.deployment({"serviceAccount": "backend"}))) == 0

test_missing_denied_in_every_kind if {
	every _, obj in t.workloads({}) {
		count(v(obj)) == 1
	}
}

test_missing_message if {
	v(t.deployment({})) == {{
		"msg": "Deployment/app: sets no serviceAccountName, so it runs as the service account default; create a ServiceAccount for it and set serviceAccountName",
		"field": "spec.template.spec.serviceAccountName",
	}}
}

test_explicit_default_message if {
	v(t.cronjob({"serviceAccountName": "default"})) == {{
		"msg": "CronJob/app: runs as the service account default; create a ServiceAccount for it and set serviceAccountName",
		"field": "spec.jobTemplate.spec.template.spec.serviceAccountName",
	}}
}

test_empty_name_is_default if count(v(t.pod({"serviceAccountName": ""}))) == 1
