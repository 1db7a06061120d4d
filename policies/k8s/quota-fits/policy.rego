# METADATA
# title: ResourceQuotas admit every workload at full scale, sidecars and rollout surge included
# description: >-
#   For requests.cpu, limits.cpu, requests.memory and limits.memory (and the cpu/memory aliases),
#   the quota must hold the sum over the namespace's workloads of (containers + the Istio sidecar
#   when injected, or when the namespace holds Istio security policies and so must inject) x (HPA maxReplicas, else spec.replicas, else 1, plus the rolling-update surge).
#   Containers without the quota'd resource need a LimitRange default, or their pods are rejected.
#   The pod count (spec.hard.pods) must hold the same sum of pods at full scale with surge.
#   Quota scopes are not modelled: every quota is treated as covering every pod of its namespace.
# scope: package
# custom:
#   id: k8s/quota-fits
#   input: kubernetes
#   severity: error
#   kinds: [ResourceQuota, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod]
#   ci_only: "sums every workload of a namespace as declared; during a rollout the cluster holds old and new ReplicaSets at once"
#   rationale: >-
#     A quota below the scaled-out footprint silently caps the HPA (new pods are rejected) and
#     makes rollouts stall when surge pods do not fit; Istio's sidecar counts against it too.
#   baseline: 'Kubernetes ResourceQuota admission; NSA/CISA hardening (quotas); seed review #27'
package rules.k8s.quota_fits

import rego.v1

import data.lib.istio
import data.lib.kubernetes
import data.lib.quantity
import data.lib.wiring

# Quota keys checked: key -> [section of container resources, resource, sidecar config key, proxy annotation].
checked := {
	"requests.cpu": ["requests", "cpu", "cpuRequest", "sidecar.istio.io/proxyCPU"],
	"cpu": ["requests", "cpu", "cpuRequest", "sidecar.istio.io/proxyCPU"],
	"limits.cpu": ["limits", "cpu", "cpuLimit", "sidecar.istio.io/proxyCPULimit"],
	"requests.memory": ["requests", "memory", "memoryRequest", "sidecar.istio.io/proxyMemory"],
	"memory": ["requests", "memory", "memoryRequest", "sidecar.istio.io/proxyMemory"],
	"limits.memory": ["limits", "memory", "memoryLimit", "sidecar.istio.io/proxyMemoryLimit"],
}

amount("cpu", q) := quantity.cpu_millis(q)

amount("cpu", q) := parse_cpu(q) if not quantity.cpu_millis(q)

amount("memory", q) := quantity.memory_bytes(q)

amount("memory", q) := parse_memory(q) if not quantity.memory_bytes(q)

# Fallback for quantities the gate's units table lacks: it normalises the target's values, not
# data.config (the sidecar defaults). Plain decimal forms only ("100m", "2", "128Mi", "1G").
decimal(s) if regex.match(`^[0-9]+(\.[0-9]+)?$`, s)

parse_cpu(q) := q * 1000 if is_number(q)

parse_cpu(q) := to_number(trim_suffix(q, "m")) if {
	is_string(q)
	endswith(q, "m")
	decimal(trim_suffix(q, "m"))
}

parse_cpu(q) := to_number(q) * 1000 if {
	is_string(q)
	decimal(q)
}

memory_suffixes := {
	"Ki": 1024, "Mi": 1048576, "Gi": 1073741824, "Ti": 1099511627776,
	"k": 1000, "M": 1000000, "G": 1000000000, "T": 1000000000000,
}

parse_memory(q) := q if is_number(q)

parse_memory(q) := to_number(q) if {
	is_string(q)
	decimal(q)
}

parse_memory(q) := to_number(trim_suffix(q, suffix)) * factor if {
	is_string(q)
	some suffix, factor in memory_suffixes
	endswith(q, suffix)
	decimal(trim_suffix(q, suffix))
}

show("cpu", n) := sprintf("%dm", [n])

show("memory", n) := sprintf("%dMi", [ceil(n / 1048576)])

# The value a container declares for a quota key; requests default to limits when only limits are set.
declared(c, "requests", res) := c.resources.requests[res]

declared(c, "requests", res) := c.resources.limits[res] if not c.resources.requests[res]

declared(c, "limits", res) := c.resources.limits[res]

container_amount(c, section, res) := amount(res, declared(c, section, res))

container_amount(c, section, res) := 0 if not declared(c, section, res)

sidecar_quantity(w, spec) := kubernetes.pod_annotations(w)[spec[3]]

sidecar_quantity(w, spec) := data.config.istioSidecar[spec[2]] if not kubernetes.pod_annotations(w)[spec[3]]

# A pod counts a sidecar when Istio injects one, or when its namespace holds Istio security
# policies (istio/sidecar-injection requires injection there, so the quota must fit it) and the
# pod does not opt out.
sidecar(w) if istio.has_sidecar(w)

sidecar(w) if {
	some o in wiring.resources
	o.kind in {"PeerAuthentication", "AuthorizationPolicy", "RequestAuthentication"}
	kubernetes.namespace_of(o) == kubernetes.namespace_of(w)
	not istio.opted_out(w)
}

sidecar_amount(w, spec) := amount(spec[1], sidecar_quantity(w, spec)) if sidecar(w)

sidecar_amount(w, _) := 0 if not sidecar(w)

# Per pod: the regular containers plus the sidecar, or the largest init container if larger.
pod_amount(w, spec) := max(array.concat(
	[sum([container_amount(c.container, spec[0], spec[1]) | some c in kubernetes.containers(w); c.kind == "containers"]) + sidecar_amount(w, spec)],
	[container_amount(c.container, spec[0], spec[1]) | some c in kubernetes.containers(w); c.kind == "initContainers"],
))

surge(w) := wiring.scaled(object.get(w, ["spec", "strategy", "rollingUpdate", "maxSurge"], "25%"), wiring.max_replicas(w), true) if {
	w.kind == "Deployment"
	object.get(w, ["spec", "strategy", "type"], "RollingUpdate") == "RollingUpdate"
}

surge(w) := 0 if not w.kind == "Deployment"

surge(w) := 0 if object.get(w, ["spec", "strategy", "type"], "RollingUpdate") != "RollingUpdate"

pods(w) := wiring.max_replicas(w) + surge(w)

quota := kubernetes.resource if kubernetes.resource.kind == "ResourceQuota"

ns_workloads := [w | some w in wiring.workloads; kubernetes.namespace_of(w) == kubernetes.namespace_of(quota)]

# Quantities that the gate did not normalise: the arithmetic cannot be done with them.
unparsed contains q if {
	some key, spec in checked
	q := quota.spec.hard[key]
	not amount(spec[1], q)
}

unparsed contains q if {
	some key, spec in checked
	quota.spec.hard[key]
	some w in ns_workloads
	some c in kubernetes.containers(w)
	q := declared(c.container, spec[0], spec[1])
	not amount(spec[1], q)
}

unparsed contains q if {
	some key, spec in checked
	quota.spec.hard[key]
	some w in ns_workloads
	sidecar(w)
	q := sidecar_quantity(w, spec)
	not amount(spec[1], q)
}

violation contains {"msg": msg, "field": "spec.hard", "severity": "warning"} if {
	count(unparsed) > 0
	msg := sprintf("%s: cannot check the quota arithmetic: quantities %s are not valid Kubernetes quantities (or were not normalised); fix them", [kubernetes.display(quota), json.marshal(sort(unparsed))])
}

violation contains {"msg": msg, "field": "spec.hard"} if {
	count(unparsed) == 0
	some key, spec in checked
	hard := amount(spec[1], quota.spec.hard[key])
	needed := sum([n | some w in ns_workloads; n := pod_amount(w, spec) * pods(w)])
	needed > hard
	parts := [sprintf("%s %d pods x %s%s", [kubernetes.display(w), pods(w), show(spec[1], pod_amount(w, spec)), sidecar_note(w, spec)]) |
		some w in ns_workloads
		pod_amount(w, spec) > 0
	]
	msg := sprintf(
		"%s: %s %v (%s) is below the %s the namespace needs at full scale with rollout surge (%s); raise %s to at least %s or lower maxReplicas/requests",
		[kubernetes.display(quota), key, quota.spec.hard[key], show(spec[1], hard), show(spec[1], needed), concat("; ", parts), key, show(spec[1], needed)],
	)
}

# The pod count: every workload at full scale plus its rollout surge.
violation contains {"msg": msg, "field": "spec.hard.pods"} if {
	hard := to_number(quota.spec.hard.pods)
	needed := sum([pods(w) | some w in ns_workloads])
	needed > hard
	parts := [sprintf("%s %d", [kubernetes.display(w), pods(w)]) | some w in ns_workloads]
	msg := sprintf("%s: pods %v is below the %d pods the namespace runs at full scale with rollout surge (%s); raise pods to at least %d or lower maxReplicas", [kubernetes.display(quota), quota.spec.hard.pods, needed, concat("; ", parts), needed])
}

sidecar_note(w, spec) := sprintf(" incl. Istio sidecar %s", [show(spec[1], sidecar_amount(w, spec))]) if sidecar(w)

sidecar_note(w, _) := "" if not sidecar(w)

# On the workload: a container without a quota'd resource and no LimitRange default is rejected.
workload := kubernetes.resource if kubernetes.is_workload(kubernetes.resource)

limit_range_default(ns, "limits", res) if {
	some lr in wiring.objects("LimitRange", ns)
	some l in lr.spec.limits
	l.type == "Container"
	l["default"][res]
}

limit_range_default(ns, "requests", res) if {
	some lr in wiring.objects("LimitRange", ns)
	some l in lr.spec.limits
	l.type == "Container"
	object.union(object.get(l, "default", {}), object.get(l, "defaultRequest", {}))[res]
}

violation contains {"msg": msg, "field": sprintf("%s.resources.%s.%s", [c.path, spec[0], spec[1]])} if {
	ns := kubernetes.namespace_of(workload)
	some q in wiring.objects("ResourceQuota", ns)
	some key, spec in checked
	q.spec.hard[key]
	some c in kubernetes.runtime_containers(workload)
	not declared(c.container, spec[0], spec[1])
	not limit_range_default(ns, spec[0], spec[1])
	msg := sprintf(
		"%s: container '%s' sets no %s.%s while %s limits %s and no LimitRange gives a default, so its pods are rejected; set resources.%s.%s",
		[kubernetes.display(workload), c.container.name, spec[0], spec[1], kubernetes.display(q), key, spec[0], spec[1]],
	)
}
