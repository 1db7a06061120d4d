#!/usr/bin/env node
// Writes a released image reference into an overlay's version.yaml:
//
//   node .github/scripts/set-image.mjs FILE IMAGE TAG DIGEST
//   node .github/scripts/set-image.mjs overlays/dev/version.yaml ghcr.io/funlynk/backend 1.4.0 sha256:<64 hex>
//
// version.yaml may name the image either way kustomize allows, and every occurrence is updated:
// - a patch that sets a container's `image:` to IMAGE (with or without tag/digest) gets
//   `IMAGE:TAG@DIGEST`;
// - an `images:` entry (kustomization or Component) whose newName, or else name, is IMAGE gets
//   `newTag: TAG` and `digest: DIGEST`.
// Comments and layout are kept (yaml's Document API). Exits 1, changing nothing, when IMAGE is not
// in the file or an argument is malformed, so a release never opens an empty pull request.
import { readFileSync, writeFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, parseAllDocuments, visit } from 'yaml';

function fail(message) {
  process.stderr.write(`set-image: ${message}\n`);
  process.exit(1);
}

const [file, image, tag, digest] = process.argv.slice(2);
if (file === undefined || image === undefined || tag === undefined || digest === undefined || process.argv.length !== 6) {
  fail('usage: set-image.mjs FILE IMAGE TAG DIGEST');
}
if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)+$/.test(image)) {
  fail(`'${image}' is not an image name without tag or digest`);
}
if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) fail(`'${tag}' is not a valid image tag`);
if (!/^sha256:[0-9a-f]{64}$/.test(digest)) fail(`'${digest}' is not a sha256 digest`);

let text;
try {
  text = readFileSync(file, 'utf8');
} catch (error) {
  fail(`cannot read ${file}: ${error.message}`);
}

const docs = parseAllDocuments(text);
for (const doc of docs) {
  if (doc.errors.length > 0) fail(`${file}: ${doc.errors[0].message}`);
}

/** IMAGE, IMAGE:tag, IMAGE@digest or IMAGE:tag@digest; not another image that shares the prefix. */
function namesImage(value) {
  if (typeof value !== 'string' || !value.startsWith(image)) return false;
  const rest = value.slice(image.length);
  return rest === '' || rest.startsWith(':') || rest.startsWith('@');
}

const reference = `${image}:${tag}@${digest}`;
let updated = 0;
for (const doc of docs) {
  visit(doc, {
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.value === 'image' && isScalar(pair.value) && namesImage(pair.value.value)) {
        pair.value.value = reference;
        updated += 1;
      }
      if (isScalar(pair.key) && pair.key.value === 'images' && isSeq(pair.value)) {
        for (const entry of pair.value.items) {
          if (!isMap(entry)) continue;
          const named = entry.get('newName') ?? entry.get('name');
          if (named !== image) continue;
          entry.set('newTag', tag);
          entry.set('digest', digest);
          updated += 1;
        }
      }
    },
  });
}

if (updated === 0) fail(`${file} does not name ${image}`);
writeFileSync(file, docs.map((doc) => doc.toString()).join(''));
process.stdout.write(`set-image: ${file}: ${image} is ${reference} (${updated} place${updated === 1 ? '' : 's'})\n`);
