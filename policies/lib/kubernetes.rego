# Helpers over Kubernetes objects shared by every policy: the pod spec of any workload kind,
# all containers with their field paths, label selector matching, quantities.
package lib.kubernetes

import rego.v1

# The object under evaluation (only for Kubernetes inputs).
resource := input.resource if input.kind == "kubernetes"

# Kinds that carry a pod template, and the path of the pod spec inside each.
pod_spec_paths := {
	"Pod": ["spec"],
	"Deployment": ["spec", "template", "spec"],
	"StatefulSet": ["spec", "template", "spec"],
	"DaemonSet": ["spec", "template", "spec"],
	"ReplicaSet": ["spec", "template", "spec"],
	"ReplicationController": ["spec", "template", "spec"],
	"Job": ["spec", "template", "spec"],
	"CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
}

# Path of the pod template metadata (labels) inside each kind.
pod_meta_paths := {
	"Pod": ["metadata"],
	"Deployment": ["spec", "template", "metadata"],
	"StatefulSet": ["spec", "template", "metadata"],
	"DaemonSet": ["spec", "template", "metadata"],
	"ReplicaSet": ["spec", "template", "metadata"],
	"ReplicationController": ["spec", "template", "metadata"],
	"Job": ["spec", "template", "metadata"],
	"CronJob": ["spec", "jobTemplate", "spec", "template", "metadata"],
}

is_workload(obj) if pod_spec_paths[obj.kind]

# pod_spec(obj) is the pod spec of any workload object.
pod_spec(obj) := object.get(obj, pod_spec_paths[obj.kind], {})

# pod_spec_path(obj) is the dotted field path of the pod spec ("spec.template.spec").
pod_spec_path(obj) := concat(".", pod_spec_paths[obj.kind])

# pod_labels(obj) are the labels the workload's pods carry.
pod_labels(obj) := object.get(obj, array.concat(pod_meta_paths[obj.kind], ["labels"]), {})

pod_annotations(obj) := object.get(obj, array.concat(pod_meta_paths[obj.kind], ["annotations"]), {})

container_kinds := ["containers", "initContainers", "ephemeralContainers"]

# containers(obj) is every container of a workload (regular, init and ephemeral), each as
# {"container": c, "kind": "containers", "index": i, "path": "spec.template.spec.containers[0]"}.
containers(obj) := [entry |
	spec := pod_spec(obj)
	some ckind in container_kinds
	some i, c in object.get(spec, ckind, [])
	entry := {
		"container": c,
		"kind": ckind,
		"index": i,
		"path": item_path(pod_spec_path(obj), ckind, i),
	}
]

# item_path(path, key, i) is the field path of item i of the list at path.key ("spec.volumes[2]").
# concat and format_int run inside the wasm module; sprintf is a call out to the JavaScript host,
# which made these paths, built for every container of every object, the evaluation's costliest
# builtin. An index that is not a number (a mapping where a list belongs) is still shown.
item_path(path, key, i) := concat("", [path, ".", key, "[", format_int(i, 10), "]"]) if is_number(i)

item_path(path, key, i) := sprintf("%s.%s[%v]", [path, key, i]) if not is_number(i)

# Only regular and init containers (ephemeral containers carry no resources or probes).
runtime_containers(obj) := [e | some e in containers(obj); e.kind != "ephemeralContainers"]

# label selector matching: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist).
selector_matches(selector, labels) if {
	every k, v in object.get(selector, "matchLabels", {}) {
		labels[k] == v
	}
	every expr in object.get(selector, "matchExpressions", []) {
		expression_matches(expr, labels)
	}
}

expression_matches(expr, labels) if {
	expr.operator == "In"
	labels[expr.key] in expr.values
}

expression_matches(expr, labels) if {
	expr.operator == "NotIn"
	not labels[expr.key] in expr.values
}

expression_matches(expr, labels) if {
	expr.operator == "Exists"
	labels[expr.key]
}

expression_matches(expr, labels) if {
	expr.operator == "DoesNotExist"
	not labels[expr.key]
}

# A plain map selector (Service.spec.selector): every pair must match.
map_selector_matches(selector, labels) if {
	count(selector) > 0
	every k, v in selector {
		labels[k] == v
	}
}

# Every object of the target.
default target_resources := []

target_resources := data.target.resources

# namespace_of(obj): the object's namespace, or "" when it names none.
namespace_of(obj) := object.get(obj, ["metadata", "namespace"], "")

# same_namespace(a, b)
same_namespace(a, b) if namespace_of(a) == namespace_of(b)

# name(obj) as "Kind/name" for messages.
display(obj) := sprintf("%s/%s", [obj.kind, obj.metadata.name])
