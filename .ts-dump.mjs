import { Parser, Language } from 'web-tree-sitter';
import { createRequire } from 'node:module';
const require = createRequire('/work/main/package.json');
await Parser.init();
const lang = await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'));
const p = new Parser(); p.setLanguage(lang);
function dump(n, depth, field) {
  const pad = '  '.repeat(depth);
  const t = n.childCount === 0 ? ' ' + JSON.stringify(n.text) : '';
  console.log(`${pad}${field ? field + ': ' : ''}${n.isNamed ? n.type : JSON.stringify(n.type)}${n.isMissing ? ' MISSING' : ''}${n.isError ? ' ERROR' : ''} [${n.startPosition.row}:${n.startPosition.column}-${n.endPosition.row}:${n.endPosition.column} @${n.startIndex}]${t}`);
  for (let i = 0; i < n.childCount; i++) dump(n.child(i), depth + 1, n.fieldNameForChild(i));
}
const src = process.argv[2] ?? require('node:fs').readFileSync(0, 'utf8');
const tree = p.parse(src);
console.log('hasError', tree.rootNode.hasError);
dump(tree.rootNode, 0, null);
