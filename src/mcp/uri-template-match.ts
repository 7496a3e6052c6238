/**
 * Could a URI have come from an RFC 6570 template? Used to route a read of a
 * URI that is in no list (an expansion of an un-prefixed backend's template)
 * to the backend whose template it fits.
 *
 * Each expression stands for any run of the characters its operator can
 * produce: `{var}` `{.var}` `{;var}` stay within a path segment (no `/ ? #`),
 * `{/var}` within the path (no `? #`), `{?var}` `{&var}` within the query (no
 * `#`), and `{+var}` `{#var}` anything. Literals must appear as written. The
 * test is deliberately loose within those bounds (servers differ in how
 * strictly they encode), so it answers "may match", never extracts values.
 *
 * The match walks the template once, keeping the set of URI positions
 * reachable so far: time is bounded by (URI length × template parts), with no
 * backtracking, whatever the template or the URI.
 */

interface Part {
  literal?: string;
  /** Characters an expression may not produce. */
  stops?: string;
}

function stopsOf(operator: string): string {
  switch (operator) {
    case "+":
    case "#":
      return "";
    case "/":
      return "?#";
    case "?":
    case "&":
      return "#";
    default:
      return "/?#";
  }
}

function partsOf(template: string): Part[] | undefined {
  const parts: Part[] = [];
  let at = 0;
  while (at < template.length) {
    const open = template.indexOf("{", at);
    if (open === -1) {
      parts.push({ literal: template.slice(at) });
      break;
    }
    if (open > at) parts.push({ literal: template.slice(at, open) });
    const close = template.indexOf("}", open);
    if (close === -1) return undefined;
    const expression = template.slice(open + 1, close);
    const operator = /^[+#./;?&]/.test(expression) ? (expression[0] as string) : "";
    parts.push({ stops: stopsOf(operator) });
    at = close + 1;
  }
  return parts;
}

/** Tests URIs against one template. */
export class UriTemplateMatcher {
  /** The template's parts, or undefined when the template is malformed (an unclosed `{`): it matches nothing. */
  private readonly parts: Part[] | undefined;

  constructor(template: string) {
    this.parts = partsOf(template);
  }

  /** True when `uri` may be an expansion of the template. */
  matches(uri: string): boolean {
    if (this.parts === undefined) return false;
    const n = uri.length;
    let reachable = new Uint8Array(n + 1);
    let next = new Uint8Array(n + 1);
    reachable[0] = 1;
    for (const part of this.parts) {
      next.fill(0);
      let any = false;
      if (part.literal !== undefined) {
        const literal = part.literal;
        for (let i = 0; i + literal.length <= n; i++) {
          if (reachable[i] === 1 && uri.startsWith(literal, i)) {
            next[i + literal.length] = 1;
            any = true;
          }
        }
      } else {
        const stops = part.stops as string;
        // A run may start at any reachable position and extend while no stop character occurs.
        let open = false;
        for (let i = 0; i <= n; i++) {
          if (reachable[i] === 1) open = true;
          if (open) {
            next[i] = 1;
            any = true;
          }
          if (i < n && stops.includes(uri[i] as string)) open = false;
        }
      }
      if (!any) return false;
      [reachable, next] = [next, reachable];
    }
    return reachable[n] === 1;
  }
}
