package rules.k8s.volume_types_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.volume_types

v(obj) := x if {
	x := volume_types.violation with input as t.review(obj)
}

test_allowed_types if {
	count(v(t.deployment({"volumes": [
		{"name": "a", "configMap": {"name": "c"}},
		{"name": "b", "csi": {"driver": "d"}},
		{"name": "c", "downwardAPI": {}},
		{"name": "d", "emptyDir": {}},
		{"name": "e", "ephemeral": {}},
		{"name": "f", "persistentVolumeClaim": {"claimName": "p"}},
		{"name": "g", "projected": {"sources": []}},
		{"name": "h", "secret": {"secretName": "s"}},
		{"name": "i"},
	]}))) == 0
}

test_other_types_denied_in_every_kind if {
	vols := {"volumes": [
		{"name": "a", "hostPath": {"path": "/"}},
		{"name": "b", "nfs": {"server": "x", "path": "/"}},
		{"name": "c", "emptyDir": {}},
	]}
	every _, obj in t.workloads(vols) {
		count(v(obj)) == 2
	}
}

test_message_and_field if {
	some x in v(t.pod({"volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "shared", "nfs": {"server": "x", "path": "/"}}]}))
	x.field == "spec.volumes[1].nfs"
	startswith(x.msg, "Pod/app: volume 'shared' is of type nfs; use one of configMap, csi, downwardAPI, emptyDir, ephemeral,")
}
