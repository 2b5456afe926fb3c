import { Parser, Language } from 'web-tree-sitter';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
const require = createRequire(import.meta.url);
await Parser.init();
const lang = await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'));
const p = new Parser(); p.setLanguage(lang);
const src = readFileSync('/tmp/long.sh', 'utf8');
for (let k = 0; k < 3; k++) {
let t = performance.now();
const tree = p.parse(src);
const t1 = performance.now() - t; t = performance.now();
const c = tree.walk();
let n = 0;
function build() {
  const node = { type: c.nodeType, named: c.nodeIsNamed, field: c.currentFieldName, start: c.startIndex, end: c.endIndex, missing: c.nodeIsMissing, children: [] };
  n++;
  if (c.gotoFirstChild()) {
    do { node.children.push(build()); } while (c.gotoNextSibling());
    c.gotoParent();
  }
  return node;
}
const root = build();
console.log('parse', t1.toFixed(0), 'cursor build', (performance.now() - t).toFixed(0), n);
tree.delete(); c.delete();
}
