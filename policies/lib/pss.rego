# Helpers for the Pod Security Standards and other single-resource workload policies:
# the object under evaluation, a display name for messages, security contexts at pod and
# container level, and how a container is named in a message.
package lib.pss

import rego.v1

import data.lib.kubernetes

# The workload under evaluation, when it carries a pod spec.
workload := obj if {
	obj := kubernetes.resource
	kubernetes.is_workload(obj)
}

# name(obj) is "Kind/name" for messages; "Kind/<unnamed>" for an object that names itself
# only by generateName or not at all.
name(obj) := sprintf("%s/%s", [obj.kind, obj.metadata.name]) if is_string(obj.metadata.name)

name(obj) := sprintf("%s/<unnamed>", [obj.kind]) if not is_string(object.get(obj, ["metadata", "name"], null))

# spec(obj) is the pod spec, spec_path(obj) its dotted path.
spec(obj) := kubernetes.pod_spec(obj)

spec_path(obj) := kubernetes.pod_spec_path(obj)

# Pod-level securityContext and its path.
pod_sc(obj) := object.get(spec(obj), "securityContext", {})

pod_sc_path(obj) := sprintf("%s.securityContext", [spec_path(obj)])

# Container-level securityContext of a containers() entry.
container_sc(entry) := object.get(entry.container, "securityContext", {})

container_sc_path(entry) := sprintf("%s.securityContext", [entry.path])

kind_words := {
	"containers": "container",
	"initContainers": "init container",
	"ephemeralContainers": "ephemeral container",
}

# label(entry) names a container in a message: "container 'api'", "init container 'migrate'".
label(entry) := sprintf("%s '%s'", [kind_words[entry.kind], object.get(entry.container, "name", "")])

# Windows pods are exempt from some restricted controls (PSS: spec.os.name == windows).
is_windows(obj) if spec(obj).os.name == "windows"

# quote(key) renders a map key inside a field path: plain keys as ".key", keys with dots or
# slashes (labels, annotations) as ["key"], so the path stays unambiguous.
field_key(key) := sprintf(".%s", [key]) if regex.match(`^[A-Za-z0-9_-]+$`, key)

field_key(key) := sprintf("[\"%s\"]", [key]) if not regex.match(`^[A-Za-z0-9_-]+$`, key)
