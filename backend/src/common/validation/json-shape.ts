import { MAX_JSON_DEPTH } from '@chatstream/protocol';

/** Most fields (object keys, at any depth) a REST body or frame may have: far above any real one. */
export const MAX_JSON_KEYS = 1000;

/**
 * Why a parsed JSON value is not a plausible request, or undefined: nested
 * deeper than `MAX_JSON_DEPTH` arrays/objects, or more than `MAX_JSON_KEYS`
 * fields. Runs before anything that walks the value recursively
 * (class-transformer, class-validator, JSON.stringify), so no input can make
 * them overflow the stack; this walk itself is iterative and stops at the
 * first excess. A flat object (every frame, every valid body) costs one pass
 * over its values and allocates nothing.
 */
export function jsonShapeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) return walk(value);
  let keys = 0;
  let nested = false;
  for (const key in value) {
    keys++;
    const child = (value as Record<string, unknown>)[key];
    if (typeof child === 'object' && child !== null) nested = true;
  }
  if (keys > MAX_JSON_KEYS) return tooManyKeys();
  return nested ? walk(value) : undefined;
}

function walk(root: object): string | undefined {
  const stack: Array<{ value: object; depth: number }> = [{ value: root, depth: 1 }];
  let keys = 0;
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (item.depth > MAX_JSON_DEPTH) return `is nested deeper than ${MAX_JSON_DEPTH} levels`;
    for (const key in item.value) {
      if (!Array.isArray(item.value) && ++keys > MAX_JSON_KEYS) return tooManyKeys();
      const child = (item.value as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: item.depth + 1 });
    }
  }
  return undefined;
}

const tooManyKeys = (): string => `has more than ${MAX_JSON_KEYS} fields`;
