import type { Cancellation } from "./cancellation.js";

/** Receives what an abort listener threw. */
export type AbortListenerReporter = (error: unknown) => void;

type Listener = NonNullable<Parameters<EventTarget["addEventListener"]>[1]>;
type AddOptions = Parameters<EventTarget["addEventListener"]>[2];
type RemoveOptions = Parameters<EventTarget["removeEventListener"]>[2];
type GuardedListener = (event: Event) => void;

/**
 * A standard AbortSignal that aborts with `cancellation`, for code we do not
 * control (local tool handlers). Node reports an exception thrown by an
 * AbortSignal listener as an uncaught exception, which would end the whole
 * gateway; on this signal every listener, whether added with
 * `addEventListener` or set as `onabort`, runs inside a guard that hands its
 * failure (a throw, or a rejected promise) to `report` instead.
 *
 * It is a real AbortSignal (`instanceof` holds, `fetch` and `events.once`
 * accept it): only its own `addEventListener`, `removeEventListener` and
 * `onabort` are shadowed.
 */
export function isolatedSignal(cancellation: Cancellation, report: AbortListenerReporter): AbortSignal {
  const controller = new AbortController();
  const signal = controller.signal;
  const wrappers = new WeakMap<Listener, GuardedListener>();
  const guard = (listener: Listener): GuardedListener => {
    let wrapper = wrappers.get(listener);
    if (!wrapper) {
      wrapper = function (this: unknown, event: Event): void {
        try {
          const outcome: unknown =
            typeof listener === "function" ? listener.call(this, event) : listener.handleEvent(event);
          if (isThenable(outcome)) outcome.then(undefined, report);
        } catch (error) {
          report(error);
        }
      };
      wrappers.set(listener, wrapper);
    }
    return wrapper;
  };
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  const onabort = findAccessor(signal, "onabort");
  let handler: ((this: AbortSignal, event: Event) => unknown) | null = null;
  Object.defineProperties(signal, {
    addEventListener: {
      value(this: AbortSignal, type: string, listener: Listener | null, options?: AddOptions): void {
        if (listener !== null) add.call(this, type, guard(listener), options);
      },
    },
    removeEventListener: {
      value(this: AbortSignal, type: string, listener: Listener | null, options?: RemoveOptions): void {
        if (listener !== null) remove.call(this, type, wrappers.get(listener) ?? listener, options);
      },
    },
    onabort: {
      get: () => handler,
      set(this: AbortSignal, value: unknown) {
        handler = typeof value === "function" ? (value as (this: AbortSignal, event: Event) => unknown) : null;
        onabort?.set?.call(this, handler === null ? null : guard(handler));
      },
    },
  });
  if (cancellation.reason) controller.abort(cancellation.reason);
  else cancellation.onCancel((reason) => controller.abort(reason));
  return signal;
}

/** The accessor of `name` on `object`'s prototype chain. */
function findAccessor(object: object, name: string): PropertyDescriptor | undefined {
  for (let proto: object | null = Object.getPrototypeOf(object); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor) return descriptor;
  }
  return undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}
