// Inline Lambda code (CloudFormation ZipFile) loaded the way the Node.js runtime loads it: a CommonJS module whose
// require finds Node's built-ins and the runtime's AWS SDK v3.

export type InlineHandler<E = Record<string, unknown>, R = unknown> = (event: E, context?: unknown) => Promise<R>;

export function loadInlineHandler<E = Record<string, unknown>, R = unknown>(code: string): InlineHandler<E, R> {
  const module = { exports: {} as { handler: InlineHandler<E, R> } };
  new Function('require', 'exports', 'module', code)(require, module.exports, module);
  return module.exports.handler;
}

/** A Lambda context whose remaining time runs down from `ms`. */
export function lambdaContext(ms: number): { getRemainingTimeInMillis(): number } {
  const end = Date.now() + ms;
  return { getRemainingTimeInMillis: () => end - Date.now() };
}
