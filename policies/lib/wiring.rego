# Helpers for cross-resource rules: what the target declares, which workloads a selector reaches,
# how many replicas a workload runs at least and at most, which objects produce a Secret.
package lib.wiring

import rego.v1

import data.lib.index
import data.lib.kubernetes

resources := kubernetes.target_resources

# indexed(kind, ns): the target index answers lookups of this kind and namespace (string keys).
indexed(kind, ns) if {
	index.available
	is_string(kind)
	is_string(ns)
}

# indexed_ns(ns): the target index answers lookups of this namespace.
indexed_ns(ns) if {
	index.available
	is_string(ns)
}

# workloads: every object of the target that carries a pod template (or is a Pod).
workloads := [o | some o in resources; kubernetes.is_workload(o)]

# Kinds whose replica count is set by spec.replicas (and that an HPA may scale).
scalable_kinds := {"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"}

# namespaces_with_workloads: namespaces (as namespace_of gives them) holding at least one workload.
namespaces_with_workloads contains kubernetes.namespace_of(w) if some w in workloads

# objects(kind, ns): the target's objects of that kind in that namespace.
objects(kind, ns) := [resources[i] | some i in object.get(index.target.by_ns_kind, [ns, kind], [])] if indexed(kind, ns)

objects(kind, ns) := [o | some o in resources; o.kind == kind; kubernetes.namespace_of(o) == ns] if not indexed(kind, ns)

# of_kind(kind): the target's objects of that kind, in every namespace.
of_kind(kind) := [resources[i] | some i in object.get(index.target.by_kind, kind, [])] if index.available

of_kind(kind) := [o | some o in resources; o.kind == kind] if not index.available

# workloads_in(ns): the target's workloads in that namespace.
workloads_in(ns) := [resources[i] | some i in object.get(index.target.workloads_by_ns, ns, [])] if indexed_ns(ns)

workloads_in(ns) := [w | some w in workloads; kubernetes.namespace_of(w) == ns] if not indexed_ns(ns)

# names(kind, ns): the set of names of those objects.
names(kind, ns) := {o.metadata.name | some o in objects(kind, ns)}

# group(apiVersion): the API group ("" for the core group).
group(api_version) := index.group(api_version)

# selected_workloads(selector, ns): workloads in ns whose pods' labels match a LabelSelector.
# An empty selector ({}), as in a PodDisruptionBudget or NetworkPolicy, selects every pod.
selected_workloads(selector, ns) := [w |
	some w in workloads_in(ns)
	some labels in pod_label_sets(w)
	kubernetes.selector_matches(selector, labels)
]

# map_selected_workloads(selector, ns): workloads in ns matched by a plain map selector (Service).
map_selected_workloads(selector, ns) := [w |
	some w in workloads_in(ns)
	some labels in pod_label_sets(w)
	kubernetes.map_selector_matches(selector, labels)
]

# pod_label_sets(w): the label sets w's pods carry: the template's labels plus the labels the
# controller adds to each pod (Kubernetes "Well-Known Labels"): a StatefulSet's pods get
# statefulset.kubernetes.io/pod-name <name>-<ordinal> and apps.kubernetes.io/pod-index, a Job's
# pods job-name and batch.kubernetes.io/job-name.
pod_label_sets(w) := [object.union(kubernetes.pod_labels(w), {
	"statefulset.kubernetes.io/pod-name": ordinal_name(w.metadata.name, i),
	"apps.kubernetes.io/pod-index": format_int(i, 10),
}) |
	some i in numbers.range(0, max([max_replicas(w), 1]) - 1)
] if w.kind == "StatefulSet"

# The name of a StatefulSet's pod `i` (format_int runs in wasm, sprintf in the host; see item_path).
ordinal_name(name, i) := concat("-", [name, format_int(i, 10)]) if is_string(name)

ordinal_name(name, i) := sprintf("%v-%d", [name, i]) if not is_string(name)

pod_label_sets(w) := [object.union(kubernetes.pod_labels(w), {
	"job-name": w.metadata.name,
	"batch.kubernetes.io/job-name": w.metadata.name,
})] if w.kind == "Job"

pod_label_sets(w) := [kubernetes.pod_labels(w)] if not w.kind in {"StatefulSet", "Job"}

# empty_selector(s): a LabelSelector with no terms, which selects everything.
empty_selector(s) if {
	count(object.get(s, "matchLabels", {})) == 0
	count(object.get(s, "matchExpressions", [])) == 0
}

# hpas_for(w): HorizontalPodAutoscalers in w's namespace whose scaleTargetRef names w.
hpas_for(w) := [h |
	some h in objects("HorizontalPodAutoscaler", kubernetes.namespace_of(w))
	h.spec.scaleTargetRef.kind == w.kind
	h.spec.scaleTargetRef.name == w.metadata.name
]

# max_replicas(w): the most pods a workload runs: HPA maxReplicas, else spec.replicas, else 1.
max_replicas(w) := max([object.get(h, ["spec", "maxReplicas"], 1) | some h in hpas_for(w)]) if count(hpas_for(w)) > 0

max_replicas(w) := object.get(w, ["spec", "replicas"], 1) if {
	count(hpas_for(w)) == 0
	w.kind in scalable_kinds
}

max_replicas(w) := 1 if {
	count(hpas_for(w)) == 0
	not w.kind in scalable_kinds
}

# min_replicas(w): the fewest pods a workload runs: HPA minReplicas (default 1), else spec.replicas, else 1.
min_replicas(w) := min([object.get(h, ["spec", "minReplicas"], 1) | some h in hpas_for(w)]) if count(hpas_for(w)) > 0

min_replicas(w) := object.get(w, ["spec", "replicas"], 1) if {
	count(hpas_for(w)) == 0
	w.kind in scalable_kinds
}

min_replicas(w) := 1 if {
	count(hpas_for(w)) == 0
	not w.kind in scalable_kinds
}

# pdbs_for(w): PodDisruptionBudgets in w's namespace whose selector matches w's pods.
pdbs_for(w) := [p |
	some p in objects("PodDisruptionBudget", kubernetes.namespace_of(w))
	kubernetes.selector_matches(object.get(p, ["spec", "selector"], {}), kubernetes.pod_labels(w))
]

# scaled(value, replicas, round_up): an int-or-percent (maxSurge, maxUnavailable) as a pod count.
scaled(value, _, _) := value if is_number(value)

scaled(value, replicas, true) := ceil((to_number(trim_suffix(value, "%")) * replicas) / 100) if is_string(value)

scaled(value, replicas, false) := floor((to_number(trim_suffix(value, "%")) * replicas) / 100) if is_string(value)

# produced_secrets(ns): names of Secrets that exist in ns once the target is applied: Secret
# objects and those an ExternalSecret, SealedSecret or cert-manager Certificate creates.
produced_secrets(ns) := {n |
	some o in resources
	kubernetes.namespace_of(o) == ns
	n := secret_name_from(o)
}

secret_name_from(o) := o.metadata.name if o.kind == "Secret"

secret_name_from(o) := object.get(o, ["spec", "target", "name"], o.metadata.name) if o.kind == "ExternalSecret"

secret_name_from(o) := object.get(o, ["spec", "template", "metadata", "name"], o.metadata.name) if o.kind == "SealedSecret"

secret_name_from(o) := o.spec.secretName if o.kind == "Certificate"

# namespace_index(ns): index of the first Namespace object named ns in the target.
namespace_index(ns) := index.target.namespace_at[ns] if indexed_ns(ns)

namespace_index(ns) := index.first_namespace(ns) if not indexed_ns(ns)

# declared_namespace(ns): the Namespace object of ns, when the target declares it.
declared_namespace(ns) := resources[namespace_index(ns)]

# namespace_labels(ns): labels a namespace carries: its Namespace object's labels (when the
# target declares it) plus kubernetes.io/metadata.name, which the API server always sets.
namespace_labels(ns) := object.union(
	object.get(declared_namespace(ns), ["metadata", "labels"], {}),
	{"kubernetes.io/metadata.name": ns},
) if declared_namespace(ns)

namespace_labels(ns) := {"kubernetes.io/metadata.name": ns} if not declared_namespace(ns)

# anchor(ns): index in the target of the object a namespace-level finding is reported on:
# the Namespace object when declared, else the first workload of the namespace.
anchor(ns) := namespace_index(ns)

anchor(ns) := min([i |
	some i, o in resources
	kubernetes.is_workload(o)
	kubernetes.namespace_of(o) == ns
]) if not namespace_index(ns)

# is_anchor_of(ns): the object under evaluation is where ns's namespace-level findings go.
is_anchor_of(ns) if input.index == anchor(ns)

# anchored_here: the namespaces holding workloads whose namespace-level findings go to the object
# under evaluation (is_anchor_of for every namespace in namespaces_with_workloads, in one lookup).
anchored_here contains ns if {
	index.available
	some ns in object.get(index.target.anchored_at, format_int(input.index, 10), [])
}

anchored_here contains ns if {
	not index.available
	some ns in namespaces_with_workloads
	is_anchor_of(ns)
}

# earlier_duplicates: indices of earlier objects of the target with the same group, kind,
# namespace and name as the object under evaluation.
earlier_duplicates contains j if {
	index.available
	some j in object.get(index.target.earlier_duplicates, format_int(input.index, 10), [])
}

earlier_duplicates contains j if {
	not index.available
	some j, other in resources
	j < input.index
	index.identity(other) == index.identity(kubernetes.resource)
}

# ns_display(ns): a namespace for messages ("" shows as "(no namespace)").
ns_display(ns) := ns if ns != ""

ns_display("") := "(no namespace)"

# NetworkPolicy helpers.

# policy_types(np): the directions a NetworkPolicy restricts (API defaults when policyTypes is unset).
policy_types(np) := {t | some t in np.spec.policyTypes} if np.spec.policyTypes

policy_types(np) := {"Ingress", "Egress"} if {
	not np.spec.policyTypes
	count(object.get(np.spec, "egress", [])) > 0
}

policy_types(np) := {"Ingress"} if {
	not np.spec.policyTypes
	count(object.get(np.spec, "egress", [])) == 0
}

# peers(np): every from/to peer with its path: {"peer", "path", "direction"}.
peers(np) := [p |
	some dir, list in {"ingress": "from", "egress": "to"}
	some i, rule in object.get(np.spec, dir, [])
	some j, peer in object.get(rule, list, [])
	p := {"peer": peer, "path": kubernetes.item_path(kubernetes.item_path("spec", dir, i), list, j), "direction": dir}
]

# egress_allows(np, protocol, port, dest_ns): some egress rule of np lets its pods reach port/protocol
# on pods of namespace dest_ns (a rule without ports allows every port; without `to`, every peer).
egress_allows(np, protocol, port, dest_ns) if {
	some rule in object.get(np.spec, "egress", [])
	rule_port_allows(rule, protocol, port)
	rule_peer_reaches(rule, kubernetes.namespace_of(np), dest_ns)
}

rule_port_allows(rule, _, _) if count(object.get(rule, "ports", [])) == 0

rule_port_allows(rule, protocol, port) if {
	some p in rule.ports
	object.get(p, "protocol", "TCP") == protocol
	port_matches(p, port)
}

port_matches(p, _) if not p.port

port_matches(p, port) if p.port == port

port_matches(p, port) if {
	is_number(p.port)
	p.port <= port
	port <= p.endPort
}

rule_peer_reaches(rule, _, _) if count(object.get(rule, "to", [])) == 0

rule_peer_reaches(rule, _, dest_ns) if {
	some peer in rule.to
	peer.namespaceSelector
	kubernetes.selector_matches(peer.namespaceSelector, namespace_labels(dest_ns))
}

rule_peer_reaches(rule, own_ns, own_ns) if {
	some peer in rule.to
	not peer.namespaceSelector
	peer.podSelector
}

rule_peer_reaches(rule, _, _) if {
	some peer in rule.to
	peer.ipBlock
}

# egress_policies_for(np): np itself and the namespace-wide (empty podSelector) policies restricting
# egress in its namespace: their egress rules all apply to np's pods.
egress_policies_for(np) := {np} | {other |
	some other in objects("NetworkPolicy", kubernetes.namespace_of(np))
	empty_selector(object.get(other, ["spec", "podSelector"], {}))
	"Egress" in policy_types(other)
}

# egress_reaches(np, protocol, port, dest_ns): np's pods may reach port/protocol in dest_ns.
egress_reaches(np, protocol, port, dest_ns) if {
	some p in egress_policies_for(np)
	egress_allows(p, protocol, port, dest_ns)
}

# Monitoring helpers: PromQL expressions of PrometheusRules and Grafana dashboards.

# dashboard_documents(cm): {"key", "text", "json" (when valid)} of a ConfigMap's .json data keys
# that hold a Grafana dashboard: the ConfigMap has the grafana_dashboard label, or the JSON
# has "panels" or a "dashboard" wrapper.
dashboard_documents(cm) := [d |
	cm.kind == "ConfigMap"
	some key, text in object.get(cm, "data", {})
	endswith(key, ".json")
	d := dashboard_document(cm, key, text)
]

dashboard_document(cm, key, text) := {"key": key, "text": text, "json": parsed} if {
	json.is_valid(text)
	parsed := json.unmarshal(text)
	looks_like_dashboard(cm, parsed)
}

dashboard_document(cm, key, text) := {"key": key, "text": text} if {
	not json.is_valid(text)
	dashboard_labelled(cm)
}

dashboard_labelled(cm) if cm.metadata.labels.grafana_dashboard

looks_like_dashboard(cm, _) if dashboard_labelled(cm)

looks_like_dashboard(_, parsed) if parsed.panels

looks_like_dashboard(_, parsed) if parsed.dashboard

# expressions(obj): {"expr", "field", "where"} for every PromQL expression of a PrometheusRule
# (rules[].expr) or of a dashboard ConfigMap (any "expr" string in the dashboard JSON).
expressions(obj) := {e |
	obj.kind == "PrometheusRule"
	some g, group in object.get(obj, ["spec", "groups"], [])
	some r, rule in object.get(group, "rules", [])
	is_string(rule.expr)
	e := {
		"expr": rule.expr,
		"field": sprintf("spec.groups[%d].rules[%d].expr", [g, r]),
		"where": sprintf("rule '%s' of group '%s'", [object.get(rule, "alert", object.get(rule, "record", sprintf("#%d", [r]))), group.name]),
	}
} | {e |
	some d in dashboard_documents(obj)
	walk(d.json, [path, value])
	path[count(path) - 1] == "expr"
	is_string(value)
	e := {"expr": value, "field": "data", "where": sprintf("dashboard %s", [d.key])}
}
