# Builders for Dockerfile and compose policy tests (inputs shaped like the gate's adapters emit
# them, see docs/policy-authoring.md), and tests of lib.docker.
package lib.docker_test

import data.lib.docker as dlib
import rego.v1

# ins("RUN", 3, "npm ci"): a shell-form instruction without flags.
ins(keyword, line, raw) := {
	"keyword": keyword,
	"line": line,
	"raw": raw,
	"args": [w | some w in split(raw, " "); w != ""],
	"flags": {},
	"json": false,
}

# insf("COPY", 7, "--from=build /app/dist ./dist", {"from": "build"}, ["/app/dist", "./dist"]).
insf(keyword, line, raw, flags, args) := {"keyword": keyword, "line": line, "raw": raw, "args": args, "flags": flags, "json": false}

# image(1, "node", "22.11.0-alpine", null): FROM of an official Docker Hub image on a line.
image(line, name, tag, digest) := {
	"raw": name, "image": name, "registry": "docker.io", "repository": concat("/", ["library", name]),
	"tag": tag, "digest": digest, "stage": null, "line": line,
}

# from_stage(9, "build", 0): FROM naming an earlier stage.
from_stage(line, name, index) := {
	"raw": name, "image": name, "registry": null, "repository": null,
	"tag": null, "digest": null, "stage": index, "line": line,
}

stage(index, name, from, instructions) := {"index": index, "name": name, "line": from.line, "from": from, "instructions": instructions}

default_ignore := {"exists": true, "patterns": [".git", ".env", "node_modules"]}

# dockerfile([stage...]): a Dockerfile input with a complete .dockerignore.
dockerfile(stages) := with_ignore(stages, default_ignore)

with_ignore(stages, ignore) := {
	"kind": "dockerfile",
	"file": "base/app/Dockerfile",
	"resource": {"stages": stages, "globalArgs": [], "dockerignore": ignore},
}

# compose(services): a compose input without Dockerfiles or paths.
compose(services) := compose_with(services, {}, {})

compose_with(services, dockerfiles, paths) := {
	"kind": "compose",
	"file": "overlays/local/compose.yaml",
	"resource": {"services": services},
	"dockerfiles": dockerfiles,
	"paths": paths,
}

# --- tests of lib.docker ---

chained := dockerfile([
	stage(0, "base", image(1, "node", "22.11.0-alpine", null), [ins("USER", 2, "1000"), ins("EXPOSE", 3, "3000/tcp")]),
	stage(1, "build", from_stage(4, "base", 0), [ins("RUN", 5, "npm ci")]),
	stage(2, null, image(6, "nginx", "1.27.3-alpine", null), []),
])

test_chain_follows_stage_references if {
	res := chained.resource
	dlib.chain(res, res.stages[1]) == {0, 1}
	dlib.root_from(res, res.stages[1]).repository == "library/node"
	dlib.effective_user(res, res.stages[1]).raw == "1000"
	dlib.exposed_ports(res, res.stages[1]) == {3000}
	not dlib.effective_user(res, res.stages[2])
	dlib.label(res.stages[2]) == "stage 2"
	dlib.label(res.stages[1]) == "stage 'build'"
}

test_stage_named_by_name_and_index if {
	res := chained.resource
	dlib.stage_named(res, "BUILD").index == 1
	dlib.stage_named(res, "0").name == "base"
	not dlib.stage_named(res, "missing")
}

test_commands_split_shell_lists if {
	dlib.commands("apk update && apk add --no-cache curl; rm -rf /x || true") == [
		"apk update", "apk add --no-cache curl", "rm -rf /x", "true",
	]
	dlib.words("adduser  -S\tnodejs") == ["adduser", "-S", "nodejs"]
}

test_port_mapping_short_and_long_syntax if {
	dlib.port_mapping("127.0.0.1:5432:5432") == {"host_ip": "127.0.0.1", "published": "5432", "target": 5432}
	dlib.port_mapping("3001:3000/tcp") == {"host_ip": null, "published": "3001", "target": 3000}
	dlib.port_mapping(6379) == {"host_ip": null, "published": null, "target": 6379}
	dlib.port_mapping("[::1]:80:8080") == {"host_ip": "::1", "published": "80", "target": 8080}
	dlib.port_mapping({"target": 80, "published": 8080}) == {"host_ip": null, "published": "8080", "target": 80}
}

test_eol_table if {
	dlib.is_eol(image(1, "node", "18-alpine", null))
	dlib.is_eol(image(1, "node", "20.18.1", null))
	dlib.is_eol(image(1, "node", "23-slim", null))
	not dlib.is_eol(image(1, "node", "22.11.0-alpine", null))
	not dlib.is_eol(image(1, "node", "lts-alpine", null))
	dlib.is_eol(image(1, "postgres", "14-alpine", null))
	not dlib.is_eol(image(1, "postgres", "17.2-alpine", null))
}

test_secret_names_and_url_credentials if {
	dlib.secret_name("POSTGRES_PASSWORD")
	dlib.secret_name("jwt_secret")
	not dlib.secret_name("POSTGRES_PASSWORD_FILE")
	not dlib.secret_name("NODE_ENV")
	not dlib.secret_name("jwt_secret_file")
	not dlib.secret_name("TOKEN_PATH")
	not dlib.secret_name("ACCESS_TOKEN_TTL")
	not dlib.secret_name("PASSWORD_MIN_LENGTH")
	not dlib.secret_name("vault.secret-name")
	dlib.secret_name("SECRET_KEY_BASE")
	dlib.secret_name("PATH_TOKEN")
	dlib.secret_name("GITHUB_TOKEN")
	dlib.url_credentials("postgresql://postgres:password@postgres:5432/db")
	not dlib.url_credentials("postgresql://postgres:${PGPASS}@postgres:5432/db")
	not dlib.url_credentials("redis://redis:6379")
}

test_image_text_and_basename if {
	dlib.image_text(image(1, "node", "22", "sha256:abc")) == "node:22@sha256:abc"
	dlib.image_text(image(1, "node", null, null)) == "node"
	dlib.basename("/app/healthcheck.js") == "healthcheck.js"
	dlib.basename("./dist/") == "dist"
}
