/**
 * The Rego of a Gatekeeper ConstraintTemplate, made from a rule's own policy module and the
 * libraries it uses, so admission runs the same code as CI.
 *
 * Gatekeeper's constraint framework (frameworks/constraint, pkg/regorewriter and
 * pkg/client/drivers/rego at the version Gatekeeper v3.21.1 pins) accepts a template whose entry
 * module defines `violation`, whose libraries all sit in packages below `lib.` (not `lib` itself),
 * whose only references into `data` go to those libraries or to `data.inventory` (the replicated
 * cluster objects), and whose imports are libraries or `future.*`. So, for each module:
 *   - the rule's own package `<ns>.<name>` becomes the library `lib.gitops.<ns>.<name>`;
 *   - what the gate hands the policies as data (`data.target`, `data.config`, `data.units`) is read
 *     from the generated library `lib.gitops.context` instead, which builds it at admission from
 *     the object under review, `data.inventory` and the constraint's parameters;
 *   - `import rego.v1` goes (the template declares Rego v1, and the framework refuses the import).
 */
import { InputError } from '../util/errors.js';

export const CONTEXT_PACKAGE = 'lib.gitops.context';
export const RULE_PREFIX = 'lib.gitops';

/** The data documents the gate provides that the context library rebuilds at admission. */
const GATE_DATA = ['target', 'config', 'units'] as const;

/** The `package` line of a Rego module (first one, comments ignored). */
export function packageOf(source: string, file: string): string {
  const m = /^package\s+([A-Za-z_][\w.]*)\s*$/m.exec(source);
  if (!m) throw new InputError('no package line', file, 1);
  return m[1]!;
}

/** Every library package a module refers to (`data.lib.x`, imports or references). */
export function libRefs(source: string): string[] {
  const out = new Set<string>();
  for (const m of source.matchAll(/\bdata\.(lib\.[A-Za-z_]\w*)/g)) out.add(m[1]!);
  return [...out].sort();
}

/** Lines that are only a comment are dropped from libraries (the templates stay small); code is untouched. */
function rewrite(source: string, keepComments: boolean): string {
  let text = source.replace(/^import rego\.v1\s*\n/gm, '');
  const gate = new RegExp(`\\bdata\\.(${GATE_DATA.join('|')})\\b`, 'g');
  text = text.replace(gate, (_, name: string) => `data.${CONTEXT_PACKAGE}.${name}`);
  if (!keepComments) text = text.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n');
  return `${text.replace(/\n{3,}/g, '\n\n').trim()}\n`;
}

/**
 * Data documents a module reads that admission cannot rebuild (anything but the libraries, the
 * gate's target/config/units and data.inventory), e.g. data.promql or data.repository.
 */
export function unavailableData(source: string): string[] {
  const code = source.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n');
  const found = new Set<string>();
  for (const m of code.matchAll(/\bdata\.([A-Za-z_]\w*)/g)) {
    if (!['lib', 'inventory', ...GATE_DATA].includes(m[1]!)) found.add(`data.${m[1]}`);
  }
  return [...found].sort();
}

/** The rule's policy module as a template library. */
export function ruleLibrary(source: string, file: string): { pkg: string; rego: string } {
  const pkg = packageOf(source, file);
  const rego = rewrite(source, true).replace(/^package\s+[\w.]+\s*$/m, `package ${RULE_PREFIX}.${pkg}`);
  return { pkg, rego };
}

/** A shared library (package lib.x) as a template library. */
export function sharedLibrary(source: string): string {
  return rewrite(source, false);
}

/**
 * The context library: what the gate's TypeScript computes for CI, computed in Rego at admission.
 * - target: the object under review plus every replicated object (data.inventory) but its own old
 *   copy, and the cluster's environment (constraint parameter `env`);
 * - config: the `policy` settings of gitops.yaml, fixed when the template was generated;
 * - units: every quantity-like value as millicores and bytes, parsed the way
 *   policy/facts.ts does (same pattern, same scales, same rounding).
 */
export function contextLibrary(config: Record<string, unknown>): string {
  return `package ${CONTEXT_PACKAGE}

import data.lib.quantity

config := ${JSON.stringify(config)}

target := {"name": "admission", "env": object.get(input.parameters, "env", null), "resources": resources}

replicated contains o if some o in data.inventory.cluster[_][_]

replicated contains o if some o in data.inventory.namespace[_][_][_]

same_object(a, b) if {
	a.kind == b.kind
	a.metadata.name == b.metadata.name
	object.get(a, ["metadata", "namespace"], "") == object.get(b, ["metadata", "namespace"], "")
}

resources := array.concat([input.resource], [o | some o in replicated; not same_object(o, input.resource)])

quantity_pattern := \`^([+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$\`

scale := {
	"": 1, "m": 0.001, "k": 1000, "M": 1000000, "G": 1000000000, "T": 1000000000000,
	"P": 1000000000000000, "E": 1000000000000000000,
	"Ki": 1024, "Mi": 1048576, "Gi": 1073741824, "Ti": 1099511627776,
	"Pi": 1125899906842624, "Ei": 1152921504606846976,
}

base_units(v) := v if is_number(v)

base_units(v) := to_number(m[1]) * scale[m[2]] if {
	is_string(v)
	m := regex.find_all_string_submatch_n(quantity_pattern, trim_space(v), 1)[0]
}

scalars contains v if {
	walk(array.concat(resources, [config]), [_, v])
	is_string(v)
}

scalars contains v if {
	walk(array.concat(resources, [config]), [_, v])
	is_number(v)
}

parsed[quantity.key(v)] := q if {
	some v in scalars
	q := base_units(v)
}

millicores(q) := round(q * 1000000) / 1000

units := {
	"cpu": {k: m | some k, q in parsed; m := millicores(q)},
	"memory": {k: b | some k, q in parsed; b := ceil(q)},
}
`;
}

/**
 * The template's entry module: runs the rule's violations on the object under review, keeps those
 * whose severity the constraint asks for (parameter `severities`, every severity when unset), and
 * reports each with the rule, its severity and the field as details.
 */
export function entryModule(ruleId: string, pkg: string, defaultSeverity: string): string {
  return `package gitops.admission

review_input := {
	"kind": "kubernetes",
	"index": 0,
	"resource": input.review.object,
	"review": input.review,
	"parameters": input.parameters,
}

wanted(_) if not input.parameters.severities

wanted(severity) if severity in input.parameters.severities

violation contains {"msg": v.msg, "details": details} if {
	found := data.${RULE_PREFIX}.${pkg}.violation with input as review_input
	some v in found
	severity := object.get(v, "severity", ${JSON.stringify(defaultSeverity)})
	wanted(severity)
	details := {"rule": ${JSON.stringify(ruleId)}, "severity": severity, "field": object.get(v, "field", null)}
}
`;
}
