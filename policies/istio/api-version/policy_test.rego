package rules.istio.api_version_test

import rego.v1

import data.rules.istio.api_version

violations(r) := v if {
	v := api_version.violation with input as {"kind": "kubernetes", "index": 0, "resource": r}
		with data.target as {"name": "t", "env": "prod", "resources": [r]}
}

obj(api, kind) := {"apiVersion": api, "kind": kind, "metadata": {"name": "x", "namespace": "app"}}

test_v1_allowed if {
	count(violations(obj("networking.istio.io/v1", "VirtualService"))) == 0
	count(violations(obj("security.istio.io/v1", "PeerAuthentication"))) == 0
}

test_envoyfilter_alpha_allowed if count(violations(obj("networking.istio.io/v1alpha3", "EnvoyFilter"))) == 0

test_core_kind_allowed if count(violations(obj("v1", "Service"))) == 0

test_beta_and_alpha_denied if {
	count(violations(obj("networking.istio.io/v1beta1", "Gateway"))) == 1
	count(violations(obj("networking.istio.io/v1alpha3", "DestinationRule"))) == 1
	count(violations(obj("security.istio.io/v1beta1", "AuthorizationPolicy"))) == 1
	count(violations(obj("telemetry.istio.io/v1alpha1", "Telemetry"))) == 1
}
