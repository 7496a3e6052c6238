import { isJsonObject, type JsonObject } from "../jsonrpc/message.js";

/**
 * Rewriting the resource URIs carried inside results, so that every URI a
 * client receives can be read back through the switchboard.
 *
 * Where URIs live:
 * - a content block of type `resource_link`: its `uri`;
 * - a content block of type `resource` (embedded resource): its `resource.uri`;
 * - resource contents (`resources/read`): each `contents[i].uri`.
 * Tool results hold content blocks in `content`; prompt results hold one block
 * per message in `messages[i].content`.
 *
 * Every function returns a new object along the changed path and shares the
 * rest; the input is never modified. When there is nothing to rewrite (the
 * usual case: text-only results) the input itself is returned, without a copy.
 * Malformed parts (a block whose `uri` is not a string) are left as they are:
 * passing them on unchanged is the backend's answer, not ours to judge.
 */

/** Rewrites one URI. */
export type UriRewrite = (uri: string) => string;

/** True when `block` is a content block that carries a URI we rewrite. */
function carriesUri(block: unknown): boolean {
  if (!isJsonObject(block)) return false;
  const type = block["type"];
  return type === "resource_link" || type === "resource";
}

/** One content block with its URI rewritten (the block itself when it has none). */
export function rewriteContentBlock<T>(block: T, rewrite: UriRewrite): T {
  if (!isJsonObject(block)) return block;
  const type = block["type"];
  if (type === "resource_link") {
    const uri = block["uri"];
    return typeof uri === "string" ? ({ ...block, uri: rewrite(uri) } as T) : block;
  }
  if (type === "resource") {
    const resource = block["resource"];
    if (!isJsonObject(resource)) return block;
    const uri = resource["uri"];
    return typeof uri === "string" ? ({ ...block, resource: { ...resource, uri: rewrite(uri) } } as T) : block;
  }
  return block;
}

/** A content array with every URI rewritten (the array itself when none carries one). */
export function rewriteContentBlocks<T>(blocks: readonly T[], rewrite: UriRewrite): readonly T[] {
  let index = 0;
  while (index < blocks.length && !carriesUri(blocks[index])) index++;
  if (index === blocks.length) return blocks;
  const out = blocks.slice();
  for (; index < out.length; index++) out[index] = rewriteContentBlock(out[index], rewrite);
  return out;
}

/** A `tools/call` result (`content` array) with every URI rewritten. */
export function rewriteToolResultUris<T extends JsonObject>(result: T, rewrite: UriRewrite): T {
  const content = result["content"];
  if (!Array.isArray(content)) return result;
  const rewritten = rewriteContentBlocks(content, rewrite);
  return rewritten === content ? result : { ...result, content: rewritten };
}

/** A `prompts/get` result (`messages[i].content`) with every URI rewritten. */
export function rewritePromptResultUris<T extends JsonObject>(result: T, rewrite: UriRewrite): T {
  const messages = result["messages"];
  if (!Array.isArray(messages)) return result;
  let index = 0;
  while (index < messages.length && !(isJsonObject(messages[index]) && carriesUri(messages[index]["content"]))) index++;
  if (index === messages.length) return result;
  const out: unknown[] = messages.slice();
  for (; index < out.length; index++) {
    const message = out[index];
    if (!isJsonObject(message) || !carriesUri(message["content"])) continue;
    out[index] = { ...message, content: rewriteContentBlock(message["content"], rewrite) };
  }
  return { ...result, messages: out };
}

/** A `resources/read` result (`contents[i].uri`) with every URI rewritten. */
export function rewriteReadResultUris<T extends JsonObject>(result: T, rewrite: UriRewrite): T {
  const contents = result["contents"];
  if (!Array.isArray(contents) || contents.length === 0) return result;
  const out: unknown[] = contents.map((item: unknown) => {
    if (!isJsonObject(item)) return item;
    const uri = item["uri"];
    return typeof uri === "string" ? { ...item, uri: rewrite(uri) } : item;
  });
  return { ...result, contents: out };
}
