package rules.k8s.networkpolicy_dns_test

import rego.v1

import data.rules.k8s.networkpolicy_dns

kube_system := {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}

dns_ports := [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]

np(name, selector, egress) := {
	"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name, "namespace": "app"},
	"spec": {"podSelector": selector, "policyTypes": ["Egress"], "egress": egress},
}

app := {"matchLabels": {"app": "api"}}

violations(resources, i) := v if {
	v := networkpolicy_dns.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
}

test_dns_allowed_in_same_policy if count(violations([np("a", app, [{"to": [kube_system], "ports": dns_ports}])], 0)) == 0

test_dns_allowed_by_namespace_wide_policy if {
	rs := [np("a", app, [{"to": [{"podSelector": {}}], "ports": [{"port": 5432}]}]), np("dns", {}, [{"to": [kube_system], "ports": dns_ports}])]
	count(violations(rs, 0)) == 0
	count(violations(rs, 1)) == 0
}

test_dns_allowed_by_port_range_and_open_rule if {
	count(violations([np("a", app, [{"to": [kube_system], "ports": [{"protocol": "UDP", "port": 1, "endPort": 100}, {"protocol": "TCP"}]}])], 0)) == 0
	count(violations([np("a", app, [{}])], 0)) == 0
	count(violations([np("a", app, [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}])], 0)) == 0
}

test_ingress_only_policy_allowed if {
	count(violations([{"kind": "NetworkPolicy", "metadata": {"name": "i", "namespace": "app"}, "spec": {"podSelector": {}}}], 0)) == 0
}

test_dns_udp_only_denied if {
	v := violations([np("a", app, [{"to": [kube_system], "ports": [{"protocol": "UDP", "port": 53}]}])], 0)
	count(v) == 1
	some f in v
	contains(f.msg, "(TCP port 53)")
}

test_dns_to_wrong_namespace_label_denied if {
	v := violations([np("a", app, [{"to": [{"namespaceSelector": {"matchLabels": {"name": "kube-system"}}}], "ports": dns_ports}])], 0)
	count(v) == 1
}

test_dns_missing_denied if {
	v := violations([np("a", {}, [])], 0)
	count(v) == 1
	some f in v
	contains(f.msg, "(TCP/UDP port 53)")
}
