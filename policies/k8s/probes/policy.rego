# METADATA
# title: Long-running containers need readiness and liveness probes on declared ports
# description: >-
#   Every regular container of a long-running workload (Deployment, StatefulSet, DaemonSet, ReplicaSet,
#   ReplicationController, a Pod with restartPolicy Always) has a readinessProbe and a livenessProbe (warning
#   when missing). The port of every httpGet, tcpSocket and grpc probe is a containerPort number or the name
#   of a port that container declares (error otherwise).
# scope: package
# custom:
#   id: k8s/probes
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: Without readiness a Service sends traffic to pods that are not ready (rollouts are not zero-downtime); without liveness a hung process is never restarted; a probe on an undeclared port fails forever.
#   baseline: Kubernetes configuration best practices; NSA/CISA Kubernetes Hardening Guide "availability"
package rules.k8s.probes

import rego.v1

import data.lib.kubernetes
import data.lib.pss

long_running_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"}

long_running(obj) if obj.kind in long_running_kinds

long_running(obj) if {
	obj.kind == "Pod"
	object.get(obj.spec, "restartPolicy", "Always") == "Always"
}

violation contains {"msg": msg, "field": field, "severity": "warning"} if {
	obj := pss.workload
	long_running(obj)
	some entry in kubernetes.containers(obj)
	entry.kind == "containers"
	some probe in ["readinessProbe", "livenessProbe"]
	not entry.container[probe]
	msg := sprintf("%s: %s has no %s; add one (httpGet on a health endpoint, or tcpSocket)", [pss.name(obj), pss.label(entry), probe])
	field := sprintf("%s.%s", [entry.path, probe])
}

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.containers(obj)
	some probe in ["readinessProbe", "livenessProbe", "startupProbe"]
	some action in ["httpGet", "tcpSocket", "grpc"]
	port := entry.container[probe][action].port
	not declared(entry.container, port)
	msg := sprintf("%s: %s %s.%s.port %v is not a port the container declares (%s); use one of them or declare it under ports", [pss.name(obj), pss.label(entry), probe, action, port, declared_list(entry.container)])
	field := sprintf("%s.%s.%s.port", [entry.path, probe, action])
}

declared(c, port) if {
	is_number(port)
	some p in object.get(c, "ports", [])
	p.containerPort == port
}

declared(c, port) if {
	is_string(port)
	some p in object.get(c, "ports", [])
	p.name == port
}

declared_list(c) := "none" if count(object.get(c, "ports", [])) == 0

declared_list(c) := concat(", ", [port_text(p) | some p in c.ports]) if count(object.get(c, "ports", [])) > 0

port_text(p) := sprintf("%v/%s", [p.containerPort, p.name]) if p.name

port_text(p) := sprintf("%v", [p.containerPort]) if not p.name
