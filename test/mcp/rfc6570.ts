/**
 * A small RFC 6570 (level 4) URI template expander, for tests: it plays the
 * client that expands a template the switchboard handed out.
 */

/** A variable's value: a string, a list, or an associative array (pairs, in order). */
export type TemplateValue = string | readonly string[] | ReadonlyArray<readonly [string, string]> | undefined;

interface Operator {
  first: string;
  sep: string;
  named: boolean;
  ifEmpty: string;
  reserved: boolean;
}

const OPERATORS: Record<string, Operator> = {
  "": { first: "", sep: ",", named: false, ifEmpty: "", reserved: false },
  "+": { first: "", sep: ",", named: false, ifEmpty: "", reserved: true },
  "#": { first: "#", sep: ",", named: false, ifEmpty: "", reserved: true },
  ".": { first: ".", sep: ".", named: false, ifEmpty: "", reserved: false },
  "/": { first: "/", sep: "/", named: false, ifEmpty: "", reserved: false },
  ";": { first: ";", sep: ";", named: true, ifEmpty: "", reserved: false },
  "?": { first: "?", sep: "&", named: true, ifEmpty: "=", reserved: false },
  "&": { first: "&", sep: "&", named: true, ifEmpty: "=", reserved: false },
};

const UNRESERVED = /[A-Za-z0-9\-._~]/;
const RESERVED = /[:/?#[\]@!$&'()*+,;=]/;

function encode(text: string, allowReserved: boolean): string {
  let out = "";
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (UNRESERVED.test(c)) out += c;
    else if (allowReserved && RESERVED.test(c)) out += c;
    else if (allowReserved && c === "%" && /^[0-9A-Fa-f]{2}$/.test((chars[i + 1] ?? "") + (chars[i + 2] ?? ""))) out += c;
    else for (const byte of Buffer.from(c, "utf8")) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function isPairs(value: TemplateValue): value is ReadonlyArray<readonly [string, string]> {
  return Array.isArray(value) && value.length > 0 && Array.isArray(value[0]);
}

function expandVar(op: Operator, spec: string, vars: Record<string, TemplateValue>): string | undefined {
  const explode = spec.endsWith("*");
  const [name, prefixText] = (explode ? spec.slice(0, -1) : spec).split(":") as [string, string | undefined];
  const value = vars[name];
  if (value === undefined) return undefined;
  const enc = (s: string) => encode(s, op.reserved);
  if (typeof value === "string") {
    const v = enc(prefixText === undefined ? value : Array.from(value).slice(0, Number(prefixText)).join(""));
    if (!op.named) return v;
    return value === "" ? name + op.ifEmpty : `${name}=${v}`;
  }
  if (value.length === 0) return undefined;
  if (isPairs(value)) {
    if (explode) return value.map(([k, v]) => (op.named && v === "" ? enc(k) + op.ifEmpty : `${enc(k)}=${enc(v)}`)).join(op.sep);
    const joined = value.map(([k, v]) => `${enc(k)},${enc(v)}`).join(",");
    return op.named ? `${name}=${joined}` : joined;
  }
  const list = value as readonly string[];
  if (explode) return list.map((v) => (op.named ? (v === "" ? name + op.ifEmpty : `${name}=${enc(v)}`) : enc(v))).join(op.sep);
  const joined = list.map(enc).join(",");
  return op.named ? `${name}=${joined}` : joined;
}

/** Expand `template` with `vars` as RFC 6570 specifies (levels 1-4). */
export function expandTemplate(template: string, vars: Record<string, TemplateValue>): string {
  return template.replace(/\{([^}]*)\}|([^{]+)/g, (match, expression: string | undefined) => {
    if (expression === undefined) return encode(match, true);
    const opChar = /^[+#./;?&]/.test(expression) ? expression[0]! : "";
    const op = OPERATORS[opChar]!;
    const parts = expression
      .slice(opChar.length)
      .split(",")
      .map((spec) => expandVar(op, spec, vars))
      .filter((part): part is string => part !== undefined);
    return parts.length === 0 ? "" : op.first + parts.join(op.sep);
  });
}
