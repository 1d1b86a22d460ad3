// Read-only access to parsed YAML nodes by key, so rules can keep each node's position for their findings.
import { isMap, isNode, isScalar, isSeq, type Node, type Scalar } from 'yaml';

export interface Entry {
  key: string;
  keyNode: Scalar;
  value: Node | null;
}

/** The entries of a mapping in source order; nothing for any other node (a rule then finds nothing to read). */
export function entries(node: unknown): Entry[] {
  if (!isMap(node)) return [];
  const result: Entry[] = [];
  for (const pair of node.items) {
    if (!isScalar(pair.key)) continue;
    result.push({
      key: String(pair.key.value),
      keyNode: pair.key,
      value: isNode(pair.value) ? pair.value : null,
    });
  }
  return result;
}

export function field(node: unknown, key: string): Entry | undefined {
  return entries(node).find((entry) => entry.key === key);
}

export function value(node: unknown, key: string): Node | null | undefined {
  return field(node, key)?.value;
}

export function items(node: unknown): Node[] {
  if (!isSeq(node)) return [];
  return node.items.filter((item): item is Node => isNode(item));
}

/** A scalar's value as the runner reads it (`true`, `1` and `"x"` all as text); undefined for maps, lists, null. */
export function text(node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  return String(node.value);
}

export function isExpression(value: string): boolean {
  return value.includes('${{');
}
