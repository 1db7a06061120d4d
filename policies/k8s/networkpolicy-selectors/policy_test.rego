package rules.k8s.networkpolicy_selectors_test

import rego.v1

import data.rules.k8s.networkpolicy_selectors

namespace(labels) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app", "labels": labels}}

deployment := {
	"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "app"},
	"spec": {"template": {"metadata": {"labels": {"app": "api"}}, "spec": {"containers": [{"name": "api"}]}}},
}

np(name, selector, spec) := {
	"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name, "namespace": "app"},
	"spec": object.union({"podSelector": selector}, spec),
}

api := {"matchLabels": {"app": "api"}}

istiod := {"egress": [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "istio-system"}}}], "ports": [{"port": 15012}]}], "policyTypes": ["Egress"]}

deny := {"policyTypes": ["Ingress", "Egress"]}

violations(resources, i) := v if {
	v := networkpolicy_selectors.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
}

test_selectors_matching_pods_allowed if {
	rs := [deployment, np("a", api, {"ingress": [{"from": [{"podSelector": api}, {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "x"}}}]}]})]
	count(violations(rs, 1)) == 0
}

test_pod_selector_matching_nothing_denied if {
	rs := [deployment, np("a", {"matchLabels": {"app": "web"}}, {})]
	v := violations(rs, 1)
	count(v) == 1
	some f in v
	f.field == "spec.podSelector"
}

test_peer_selecting_nothing_denied if {
	rs := [deployment, np("a", api, {"egress": [{"to": [{"podSelector": {"matchLabels": {"app": "postgres"}}}]}, {"to": [{"podSelector": {"matchLabels": {"app": "redis"}}}]}]})]
	v := violations(rs, 1)
	{f.field | some f in v} == {"spec.egress[0].to[0].podSelector", "spec.egress[1].to[0].podSelector"}
}

test_meshed_default_deny_with_istiod_allowed if {
	rs := [namespace({"istio-injection": "enabled"}), deployment, np("deny", {}, deny), np("istiod", {}, istiod)]
	count(violations(rs, 2)) == 0
	count(violations(rs, 3)) == 0
}

test_meshed_default_deny_without_istiod_denied if {
	rs := [namespace({"istio-injection": "enabled"}), deployment, np("deny", {}, deny)]
	v := violations(rs, 2)
	count(v) == 1
	some f in v
	f.field == "spec.egress"
}

test_unmeshed_default_deny_allowed if {
	rs := [namespace({}), deployment, np("deny", {}, deny)]
	count(violations(rs, 2)) == 0
}

test_meshed_selective_egress_without_istiod_denied if {
	rs := [namespace({"istio-injection": "enabled"}), deployment, np("a", api, {"policyTypes": ["Egress"], "egress": [{"to": [{"podSelector": api}]}]})]
	v := violations(rs, 2)
	count(v) == 1
}

test_meshed_selective_egress_with_namespace_istiod_allowed if {
	rs := [namespace({"istio-injection": "enabled"}), deployment, np("a", api, {"policyTypes": ["Egress"], "egress": [{"to": [{"podSelector": api}]}]}), np("istiod", {}, istiod)]
	count(violations(rs, 2)) == 0
}

peer_auth(ns) := {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": "default", "namespace": ns}, "spec": {"mtls": {"mode": "STRICT"}}}

test_meshed_message_says_sidecars_run if {
	rs := [namespace({"istio-injection": "enabled"}), deployment, np("deny", {}, deny)]
	some f in violations(rs, 2)
	contains(f.msg, "restricts egress in namespace app, which runs Istio sidecars, but")
}

test_istio_policies_without_injection_still_need_istiod if {
	rs := [namespace({}), deployment, np("deny", {}, deny), peer_auth("app")]
	v := violations(rs, 2)
	count(v) == 1
	some f in v
	f.field == "spec.egress"
	contains(f.msg, "restricts egress in namespace app, whose Istio security policies need sidecars, but")
}

test_root_namespace_policies_do_not_mesh_others if {
	rs := [namespace({}), deployment, np("deny", {}, deny), peer_auth("istio-system")]
	count(violations(rs, 2)) == 0
}
