package rules.docker.existing_base_user_test

import data.lib.docker_test as t
import data.rules.docker.existing_base_user
import rego.v1

users := {
	"nginx": {"user": "nginx", "uid": 101, "group": "nginx", "gid": 101},
	"node": {"user": "node", "uid": 1000, "group": "node", "gid": 1000},
}

on(name, runs) := t.dockerfile([t.stage(0, null, t.image(1, name, "1.27.3-alpine", null), runs)])

test_new_names_and_ids_allowed if {
	df := on("node", [t.ins("RUN", 2, "addgroup -g 1001 -S app && adduser -S -G app -u 1001 app")])
	count(existing_base_user.violation) == 0 with input as df with data.config.baseImageUsers as users
}

test_unknown_base_allowed if {
	df := on("alpine", [t.ins("RUN", 2, "addgroup -S nginx")])
	count(existing_base_user.violation) == 0 with input as df with data.config.baseImageUsers as users
}

test_adding_user_to_group_allowed if {
	df := on("nginx", [t.ins("RUN", 2, "addgroup nginx www-data")])
	count(existing_base_user.violation) == 0 with input as df with data.config.baseImageUsers as users
}

test_seed_admin_denied if {
	df := on("nginx", [t.ins("RUN", 2, "addgroup -g 1001 -S nginx"), t.ins("RUN", 3, "adduser -S nginx -u 1001")])
	v := existing_base_user.violation with input as df with data.config.baseImageUsers as users
	count(v) == 2
	{x.line | some x in v} == {2, 3}
}

test_existing_ids_denied if {
	df := on("node", [t.ins("RUN", 2, "groupadd --gid=1000 app && useradd -u 1000 -g app app")])
	v := existing_base_user.violation with input as df with data.config.baseImageUsers as users
	count(v) == 2
}

test_base_through_stage_chain_denied if {
	df := t.dockerfile([
		t.stage(0, "base", t.image(1, "node", "22.11.0-alpine", null), []),
		t.stage(1, null, t.from_stage(2, "base", 0), [t.ins("RUN", 3, "/usr/sbin/useradd -r node")]),
	])
	v := existing_base_user.violation with input as df with data.config.baseImageUsers as users
	count(v) == 1
	some x in v
	contains(x.msg, "user 'node'")
}
