package rules.monitoring.scrape_networkpolicy_test

import rego.v1

import data.rules.monitoring.scrape_networkpolicy

deployment := {
	"apiVersion": "apps/v1", "kind": "Deployment",
	"metadata": {"name": "api", "namespace": "app"},
	"spec": {
		"selector": {"matchLabels": {"app": "api"}},
		"template": {
			"metadata": {"labels": {"app": "api"}},
			"spec": {"containers": [{"name": "api", "ports": [{"name": "http", "containerPort": 3000}, {"name": "metrics", "containerPort": 9090}]}]},
		},
	},
}

service(target_port) := {
	"apiVersion": "v1", "kind": "Service",
	"metadata": {"name": "api", "namespace": "app", "labels": {"app": "api"}},
	"spec": {"selector": {"app": "api"}, "ports": [{"name": "web", "port": 80, "targetPort": target_port}]},
}

service_monitor(extra) := object.union(
	{
		"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
		"metadata": {"name": "api", "namespace": "app"},
		"spec": {"selector": {"matchLabels": {"app": "api"}}, "endpoints": [{"port": "web"}]},
	},
	extra,
)

pod_monitor(endpoint) := {
	"apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor",
	"metadata": {"name": "api", "namespace": "monitoring"},
	"spec": {"selector": {"matchLabels": {"app": "api"}}, "namespaceSelector": {"matchNames": ["app"]}, "podMetricsEndpoints": [endpoint]},
}

netpol(name, selector, ingress) := {
	"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
	"metadata": {"name": name, "namespace": "app"},
	"spec": {"podSelector": selector, "policyTypes": ["Ingress"], "ingress": ingress},
}

from_ns(ns) := {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}}}

api_policy(ingress) := netpol("api", {"matchLabels": {"app": "api"}}, ingress)

rule(peers, port) := {"from": peers, "ports": [{"protocol": "TCP", "port": port}]}

# Violations of the resources[0] object (the NetworkPolicy under test comes first).
violations(resources) := v if {
	v := scrape_networkpolicy.violation with input as {"kind": "kubernetes", "index": 0, "resource": resources[0]}
		with data.target as {"name": "t", "env": "dev", "resources": resources}
		with data.config as {}
}

seedlike := [
	api_policy([rule([from_ns("istio-system"), {"podSelector": {"matchLabels": {"app": "admin"}}}], 3000)]),
	deployment, service(3000), service_monitor({}),
]

test_seed_like_blocked_warning if {
	v := violations(seedlike)
	count(v) == 1
	some f in v
	f.field == "spec.ingress"
	f.msg == "NetworkPolicy/api: restricts ingress to the pods of Deployment/api, but neither it nor another NetworkPolicy selecting them allows TCP 3000 from namespace monitoring, where Prometheus runs, so ServiceMonitor/api endpoints[0] cannot scrape them; add an ingress rule from namespaceSelector kubernetes.io/metadata.name: monitoring on that port"
}

test_no_monitor_or_other_kind_allowed if {
	count(violations([seedlike[0], deployment, service(3000)])) == 0
	count(violations([deployment, seedlike[0], service(3000), service_monitor({})])) == 0
}

test_egress_only_policy_allowed if {
	egress := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "e", "namespace": "app"}, "spec": {"podSelector": {}, "policyTypes": ["Egress"]}}
	count(violations([egress, deployment, service(3000), service_monitor({})])) == 0
}

test_allowed_from_monitoring_namespace if {
	count(violations([api_policy([rule([from_ns("monitoring")], 3000)]), deployment, service(3000), service_monitor({})])) == 0
	with_pods := object.union(from_ns("monitoring"), {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}})
	count(violations([api_policy([rule([with_pods], 3000)]), deployment, service(3000), service_monitor({})])) == 0
}

test_open_peers_allowed if {
	count(violations([api_policy([{"ports": [{"port": 3000}]}]), deployment, service(3000), service_monitor({})])) == 0
	count(violations([api_policy([rule([{"ipBlock": {"cidr": "10.0.0.0/8"}}], 3000)]), deployment, service(3000), service_monitor({})])) == 0
	count(violations([api_policy([{"from": [from_ns("monitoring")]}]), deployment, service(3000), service_monitor({})])) == 0
	count(violations([api_policy([{"from": [from_ns("monitoring")], "ports": [{"protocol": "TCP"}]}]), deployment, service(3000), service_monitor({})])) == 0
}

test_other_port_or_protocol_blocked if {
	count(violations([api_policy([rule([from_ns("monitoring")], 8080)]), deployment, service(3000), service_monitor({})])) == 1
	udp := {"from": [from_ns("monitoring")], "ports": [{"protocol": "UDP", "port": 3000}]}
	count(violations([api_policy([udp]), deployment, service(3000), service_monitor({})])) == 1
}

test_port_range_allowed if {
	ranged := {"from": [from_ns("monitoring")], "ports": [{"port": 2000, "endPort": 4000}]}
	count(violations([api_policy([ranged]), deployment, service(3000), service_monitor({})])) == 0
}

test_named_target_port if {
	count(violations([api_policy([rule([from_ns("monitoring")], "metrics")]), deployment, service("metrics"), service_monitor({})])) == 0
	count(violations([api_policy([rule([from_ns("monitoring")], 9090)]), deployment, service("metrics"), service_monitor({})])) == 0
	some f in violations([api_policy([rule([from_ns("monitoring")], 3000)]), deployment, service("metrics"), service_monitor({})])
	contains(f.msg, "allows TCP 9090 (metrics) from namespace monitoring")
}

test_namespace_wide_policy_allows_for_specific if {
	allow_prometheus := netpol("allow-prometheus", {}, [rule([from_ns("monitoring")], 3000)])
	count(violations([seedlike[0], allow_prometheus, deployment, service(3000), service_monitor({})])) == 0
}

test_namespace_wide_reports_only_without_specific if {
	deny := netpol("default-deny", {}, [])
	count(violations([deny, deployment, service(3000), service_monitor({})])) == 1
	count(violations([deny, seedlike[0], deployment, service(3000), service_monitor({})])) == 0
	count(violations([seedlike[0], deny, deployment, service(3000), service_monitor({})])) == 1
}

test_monitor_namespace_scope if {
	elsewhere := service_monitor({"metadata": {"namespace": "monitoring"}})
	count(violations([seedlike[0], deployment, service(3000), elsewhere])) == 0
	count(violations([seedlike[0], deployment, service(3000), service_monitor({"metadata": {"namespace": "monitoring"}, "spec": {"namespaceSelector": {"matchNames": ["app"]}}})])) == 1
	count(violations([seedlike[0], deployment, service(3000), service_monitor({"metadata": {"namespace": "monitoring"}, "spec": {"namespaceSelector": {"any": true}}})])) == 1
}

test_pod_monitor if {
	v := violations([seedlike[0], deployment, pod_monitor({"port": "metrics"})])
	count(v) == 1
	some f in v
	contains(f.msg, "allows TCP 9090 (metrics) from namespace monitoring, where Prometheus runs, so PodMonitor/api podMetricsEndpoints[0]")
	from_monitoring := api_policy([rule([from_ns("monitoring")], 3000)])
	count(violations([from_monitoring, deployment, pod_monitor({"portNumber": 3000})])) == 0
	count(violations([from_monitoring, deployment, pod_monitor({"port": "http"})])) == 0
	count(violations([from_monitoring, deployment, pod_monitor({"portNumber": 9090})])) == 1
}

test_prometheus_object_namespace if {
	prom := {"apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus", "metadata": {"name": "k8s", "namespace": "observability"}}
	policy := api_policy([rule([from_ns("monitoring")], 3000)])
	some f in violations([policy, deployment, service(3000), service_monitor({}), prom])
	contains(f.msg, "from namespace observability")
	count(violations([api_policy([rule([from_ns("observability")], 3000)]), deployment, service(3000), service_monitor({}), prom])) == 0
}

test_configured_namespace if {
	resources := [api_policy([rule([from_ns("obs")], 3000)]), deployment, service(3000), service_monitor({})]
	v := scrape_networkpolicy.violation with input as {"kind": "kubernetes", "index": 0, "resource": resources[0]}
		with data.target as {"name": "t", "env": "dev", "resources": resources}
		with data.config as {"prometheusNamespace": "obs"}
	count(v) == 0
}

test_same_namespace_prometheus_pods if {
	policy := api_policy([rule([{"podSelector": {"matchLabels": {"app": "prometheus"}}}], 3000)])
	v := scrape_networkpolicy.violation with input as {"kind": "kubernetes", "index": 0, "resource": policy}
		with data.target as {"name": "t", "env": "dev", "resources": [policy, deployment, service(3000), service_monitor({})]}
		with data.config as {"prometheusNamespace": "app"}
	count(v) == 0
}
