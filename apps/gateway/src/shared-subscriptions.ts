/**
 * Subscribers that share a document share its execution: each event of a subscription is
 * executed once per (document, operation, variables, audience), and its result, the same
 * object, goes to every such subscriber, serialised once (`sharedFrames`). The audience is
 * what decides what a subscriber may see (`audienceOf`: its account, owner and scopes), so a
 * shared result is the one each of them would have got on its own.
 *
 * Only the execution of an event is shared. Each subscriber still opens its own source stream
 * (the field's `subscribe`: its scopes, its ownership check, its subscription limits, its
 * credential's expiry, its first state), and an event shared is one whose object the streams
 * hand out alike (`events/follow.ts` hands one object per state to every stream of it); an
 * event of one stream alone (an error that ends it) is executed for it alone.
 */
import { buildExecutionContext, execute } from '@graphql-tools/executor';
import {
  createSourceEventStream,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  print,
} from 'graphql';
import { isAsyncIterable, mapAsyncIterator, type Plugin } from 'graphql-yoga';

export interface SharedSubscriptionsOptions<Context> {
  /** What decides what a subscriber may see, as a key; null shares nothing of its subscription. */
  audience(context: Context): string | null;
}

type Result = ExecutionResult & { stringify?: (result: ExecutionResult) => string };

/** Each document's text, printed once per document object: two parses of one text share. */
const texts = new WeakMap<DocumentNode, string>();
function textOf(document: DocumentNode): string {
  let text = texts.get(document);
  if (text === undefined) {
    text = print(document);
    texts.set(document, text);
  }
  return text;
}

/**
 * Lets Yoga's SSE processor (`result.stringify || JSON.stringify`) serialise a shared result
 * once: the text is kept for this very object, never for a copy (a masked error's).
 */
function stringifiedOnce(result: Result): Result {
  let text: string | undefined;
  Object.defineProperty(result, 'stringify', {
    value: (value: ExecutionResult) => {
      if (value !== result) return JSON.stringify(value);
      text ??= JSON.stringify(value);
      return text;
    },
  });
  return result;
}

/**
 * The envelop plugin: a subscription whose context has an audience runs its source stream as
 * graphql's `subscribe` does, and executes each event through a cache shared by every
 * subscription of the same key.
 */
export function sharedSubscriptions<Context>({
  audience,
}: SharedSubscriptionsOptions<Context>): Plugin<Record<string, unknown>> {
  /** Per event (a source stream's value), its result per sharing key, while the event lives. */
  const results = new WeakMap<object, Map<string, Result | Promise<Result>>>();

  const resultOf = (args: ExecutionArgs, key: string, event: unknown) => {
    const run = () => execute({ ...args, rootValue: event }) as Result | Promise<Result>;
    if (typeof event !== 'object' || event === null) return run();
    let byKey = results.get(event);
    if (!byKey) {
      byKey = new Map();
      results.set(event, byKey);
    }
    let result = byKey.get(key);
    if (!result) {
      const ran = run();
      result = ran instanceof Promise ? ran.then(stringifiedOnce) : stringifiedOnce(ran);
      byKey.set(key, result);
    }
    return result;
  };

  return {
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const seen = audience(args.contextValue as Context);
      if (seen === null) return;
      const key = JSON.stringify([
        textOf(args.document),
        args.operationName ?? null,
        args.variableValues ?? null,
        seen,
      ]);
      setSubscribeFn(async (args) => {
        // Arguments that cannot run (variables that do not coerce) answer as they always did:
        // nothing has run yet, so the executor's own subscribe may say it.
        if (Array.isArray(buildExecutionContext(args))) return subscribeFn(args);
        const stream = await createSourceEventStream(args);
        if (!isAsyncIterable(stream)) return stream;
        return mapAsyncIterator(stream, (event) => resultOf(args, key, event));
      });
    },
  };
}
