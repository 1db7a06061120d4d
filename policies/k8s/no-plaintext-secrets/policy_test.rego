package rules.k8s.no_plaintext_secrets_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.no_plaintext_secrets

v(obj) := x if {
	x := no_plaintext_secrets.violation with input as t.review(obj)
}

secret(extra) := object.union({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "funlynk"}}, extra)

test_empty_secret_allowed if count(v(secret({}))) == 0

test_service_account_token_secret_allowed if {
	count(v(secret({"type": "kubernetes.io/service-account-token", "data": {}}))) == 0
}

test_empty_values_allowed if count(v(secret({"stringData": {"password": ""}, "data": {}}))) == 0

test_data_denied if {
	v(secret({"data": {"password": "cGFzcw==", "user": "dQ==", "empty": ""}})) == {{
		"msg": "Secret/db: commits 2 value(s) in data (password, user) in plain text; remove them and declare an ExternalSecret or SealedSecret that produces this Secret",
		"field": "data",
	}}
}

test_data_and_string_data_denied_separately if {
	count(v(secret({"data": {"a": "YQ=="}, "stringData": {"b": "b"}}))) == 2
}

test_service_account_token_with_data_denied if {
	count(v(secret({"type": "kubernetes.io/service-account-token", "data": {"token": "dA=="}}))) == 1
}

test_configmap_ignored if {
	count(v({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}})) == 0
}

test_workload_ignored if count(v(t.deployment({}))) == 0
