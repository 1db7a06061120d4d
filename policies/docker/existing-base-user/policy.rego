# METADATA
# title: RUN does not re-create a user or group the base image already has
# description: >-
#   addgroup/adduser/groupadd/useradd in a stage whose base image (data.config.baseImageUsers)
#   already defines that name or id is an error: BusyBox and shadow-utils refuse an existing name
#   or id, so the build fails.
# scope: package
# custom:
#   id: docker/existing-base-user
#   input: dockerfile
#   severity: error
#   kinds: [Dockerfile]
#   ci_only: "reads a Dockerfile, which never reaches the API server"
#   rationale: nginx images already have user and group nginx (101), node images node (1000); creating them again fails the build.
#   baseline: 'REVIEW #1'
package rules.docker.existing_base_user

import data.lib.docker as dlib
import rego.v1

# Options that take a value, per command (BusyBox and shadow-utils / Debian adduser).
value_flags := {
	"addgroup": {"-g", "--gid"},
	"groupadd": {"-g", "--gid", "-K", "--key", "-p", "--password"},
	"adduser": {"-h", "-g", "-s", "-G", "-u", "-k", "--home", "--gecos", "--shell", "--ingroup", "--uid", "--gid"},
	"useradd": {
		"-u", "-g", "-G", "-d", "-s", "-c", "-k", "-e", "-f", "-K", "-p",
		"--uid", "--gid", "--groups", "--home-dir", "--shell", "--comment",
	},
}

# The option carrying the id each command creates.
id_flags := {
	"addgroup": {"-g", "--gid"},
	"groupadd": {"-g", "--gid"},
	"adduser": {"-u", "--uid"},
	"useradd": {"-u", "--uid"},
}

creates := {"addgroup": "group", "groupadd": "group", "adduser": "user", "useradd": "user"}

# created(raw) are {"kind", "name"|"id", "cmd"} for every user/group a RUN creates.
created(raw) := {c |
	some cmd in dlib.commands(raw)
	ws := dlib.words(cmd)
	prog := dlib.basename(ws[0])
	creates[prog]
	some c in created_by(prog, ws)
}

created_by(prog, ws) := ({c |
	positional := [w |
		some k, w in ws
		k > 0
		not startswith(w, "-")
		not ws[k - 1] in value_flags[prog]
	]

	# With two names, BusyBox adds an existing user to an existing group: nothing is created.
	count(positional) == 1
	c := {"kind": creates[prog], "name": positional[0], "cmd": prog}
} | {c |
	some k, w in ws
	w in id_flags[prog]
	c := {"kind": creates[prog], "id": ws[k + 1], "cmd": prog}
}) | {c |
	some w in ws
	some f in id_flags[prog]
	startswith(w, concat("", [f, "="]))
	c := {"kind": creates[prog], "id": substring(w, count(f) + 1, -1), "cmd": prog}
}

clash(c, users) := sprintf("%s '%s'", [c.kind, c.name]) if {
	c.kind == "user"
	c.name == users.user
}

clash(c, users) := sprintf("%s '%s'", [c.kind, c.name]) if {
	c.kind == "group"
	c.name == users.group
}

clash(c, users) := sprintf("uid %s", [c.id]) if {
	c.kind == "user"
	c.id == sprintf("%v", [users.uid])
}

clash(c, users) := sprintf("gid %s", [c.id]) if {
	c.kind == "group"
	c.id == sprintf("%v", [users.gid])
}

violation contains {"msg": msg, "field": null, "line": run.line} if {
	res := dlib.resource
	some stage in res.stages
	base := dlib.root_from(res, stage)
	users := dlib.base_users(base)
	some run in dlib.instructions(stage, "RUN")
	some c in created(run.raw)
	what := clash(c, users)
	msg := sprintf(
		"%s: %s creates %s, which %s already defines (user %s uid %v, group %s gid %v); use the existing one instead",
		[dlib.label(stage), c.cmd, what, dlib.image_text(base), users.user, users.uid, users.group, users.gid],
	)
}
