# METADATA
# title: In-cluster addresses in configuration name Services that exist there
# description: >-
#   A ConfigMap value or a container's env value that addresses a Service by its cluster DNS name
#   (<service>.<namespace>.svc, optionally .cluster.local) names a Service of that namespace
#   declared in the target, when the target declares a Service of that name in another namespace
#   or declares that namespace itself. Addresses of namespaces the target knows nothing about
#   (a platform add-on's) are not judged.
# scope: package
# custom:
#   id: k8s/service-hosts
#   input: kubernetes
#   severity: error
#   kinds: [ConfigMap, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: >-
#     A wrong namespace in an endpoint fails only at runtime and often silently: an exporter that
#     cannot resolve its collector drops logs and traces, and the namespace's NetworkPolicies allow
#     only the real one anyway.
#   baseline: Kubernetes "DNS for Services and Pods"; OpenTelemetry SDK OTEL_EXPORTER_OTLP_ENDPOINT
package rules.k8s.service_hosts

import rego.v1

import data.lib.kubernetes

obj := kubernetes.resource

host_re := `(?:^|[^A-Za-z0-9.-])([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?(?:[:/]|$)`

# Values to look at, with their field paths.
# The values that can address a Service host: only those that contain ".svc" at all (the regex
# cannot match others) are kept, so most values get neither a field path nor a regex run.
values contains {"field": sprintf("data.%s", [key]), "name": key, "value": v} if {
	obj.kind == "ConfigMap"
	some key, v in object.get(obj, "data", {})
	is_string(v)
	contains(v, ".svc")
}

values contains {"field": sprintf("%s.env[%d].value", [entry.path, i]), "name": e.name, "value": e.value} if {
	kubernetes.is_workload(obj)
	some entry in kubernetes.containers(obj)
	some i, e in object.get(entry.container, "env", [])
	is_string(e.value)
	contains(e.value, ".svc")
}

services contains [s.metadata.namespace, s.metadata.name] if {
	some s in data.target.resources
	s.kind == "Service"
}

declared_namespaces contains n.metadata.name if {
	some n in data.target.resources
	n.kind == "Namespace"
}

# Every <name>.<namespace>.svc a value addresses, with the value.
addressed contains [v, m[1], m[3]] if {
	some v in values
	some m in regex.find_all_string_submatch_n(host_re, v.value, -1)
}

violation contains {"msg": msg, "field": v.field} if {
	some [v, name, ns] in addressed
	not [ns, name] in services
	elsewhere := {s[0] | some s in services; s[1] == name}
	count(elsewhere) > 0
	msg := sprintf("%s/%s: %s addresses %s.%s, but Service %s is declared in namespace %s, not %s; use %s.%s.svc.cluster.local", [obj.kind, obj.metadata.name, v.name, name, ns, name, concat(", ", sort(elsewhere)), ns, name, min(elsewhere)])
}

violation contains {"msg": msg, "field": v.field} if {
	some [v, name, ns] in addressed
	not [ns, name] in services
	count({s | some s in services; s[1] == name}) == 0
	ns in declared_namespaces
	msg := sprintf("%s/%s: %s addresses %s.%s, but namespace %s declares no Service %s", [obj.kind, obj.metadata.name, v.name, name, ns, ns, name])
}
