// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The Streams Standard's writable-stream classes for GJS, backed by the
// WStream C objects:
//
//   import {WritableStream, CountQueuingStrategy} from 'file:///usr/share/wstream-1/gjs/wstream-web.js';
//
// WritableStream, WritableStreamDefaultWriter, WritableStreamDefaultController,
// CountQueuingStrategy and ByteLengthQueuingStrategy have the Standard's
// JavaScript API. The state machine is the C library's; this module only
// translates:
//
// - Chunks and reasons. Any JavaScript value is a chunk, and any value is a
//   reason. Each stream keeps a table of the values it handed to C: a chunk
//   travels through C as a number (its key), a reason as a GError of the
//   "wstream-js-value-quark" domain whose code is its key. Promises reject
//   with, and the sink's abort() receives, the very value given (identity).
//   Errors made by the C library become TypeError or RangeError.
// - Promises and sink calls. The C stream's sink is a WStream.LanguageSink,
//   which never calls into JavaScript: it records, in order, the sink
//   operations the stream starts, the settling of the promises this module
//   watches and the abort signal. After each call into C this module reads
//   those events and acts on them in that order: it settles the matching
//   JavaScript promise, or calls the plain JavaScript sink object. The
//   reaction to what the sink method returned (a microtask, converted as
//   Web IDL converts it) finishes the operation with
//   WStream.LanguageSink.settle(), which resumes the stream right there. So
//   all of the stream's work happens in JavaScript calls and microtasks, on
//   the engine's own microtask queue, and the promises settle in the order
//   the Standard (and Node, and browsers) settle them.
//   Nothing calls from C into JavaScript: GJS 1.74 refuses such calls while
//   an incremental garbage collection is in progress, which would lose
//   sink calls and settlements under memory pressure.
//
// Lifetimes: C never refers to JavaScript (the C stream holds the C
// language sink, which holds only C values), so the garbage collector sees
// every reference: a stream, its writer and its sink object are collected
// like any JavaScript objects once unreachable and not busy. Reasons handed
// to abort() and controller.error() stay in the stream's value table as
// long as the stream lives.

import GLib from 'gi://GLib';
import WStream from 'gi://WStream?version=1';

const VALUE_DOMAIN = GLib.quark_from_string('wstream-js-value-quark');
const WSTREAM_DOMAIN = WStream.error_quark();

// Errors of the C library that the Standard reports as RangeError; the
// others are TypeErrors.
const RANGE_ERRORS = new Set([
    WStream.Error.INVALID_HIGH_WATER_MARK,
    WStream.Error.INVALID_SIZE,
]);
// C errors that can become a stream's stored error: the same JavaScript
// object stands for all copies of one, as the Standard has one storedError.
const STORABLE_ERRORS = new Set([
    WStream.Error.FAILED,
    WStream.Error.INVALID_SIZE,
    WStream.Error.INVALID_CHUNK_TYPE,
]);

// The values one stream handed to C.
class ValueTable {
    constructor() {
        this._next = 1;
        this._reasons = new Map();
        this._chunks = new Map();
        this._cErrors = new Map();
    }

    // A GError that stands for @value.
    errorFor(value) {
        const key = this._next++;
        if (this._next > 0x7fffffff)
            this._next = 1;
        this._reasons.set(key, value);
        return new GLib.Error(VALUE_DOMAIN, key, 'JavaScript value');
    }

    putChunk(chunk) {
        const key = this._next++;
        if (this._next > 0x7fffffff)
            this._next = 1;
        this._chunks.set(key, chunk);
        return key;
    }

    getChunk(key) {
        return this._chunks.get(key);
    }

    dropChunk(key) {
        this._chunks.delete(key);
    }

    // The JavaScript value a GError from C stands for.
    toJS(error) {
        if (error === null || error === undefined)
            return undefined;
        if (error.domain === VALUE_DOMAIN && this._reasons.has(error.code))
            return this._reasons.get(error.code);
        if (error.domain !== WSTREAM_DOMAIN)
            return new Error(error.message);
        const storable = STORABLE_ERRORS.has(error.code);
        const cacheKey = `${error.code}:${error.message}`;
        if (storable && this._cErrors.has(cacheKey))
            return this._cErrors.get(cacheKey);
        const value = RANGE_ERRORS.has(error.code)
            ? new RangeError(error.message) : new TypeError(error.message);
        if (storable)
            this._cErrors.set(cacheKey, value);
        return value;
    }

    // Calls a C function; a GLib.Error it throws becomes the JS value.
    call(func) {
        try {
            return func();
        } catch (e) {
            if (e instanceof GLib.Error)
                throw this.toJS(e);
            throw e;
        }
    }
}

function markHandled(promise) {
    promise.then(undefined, () => {});
    return promise;
}

function rejectedWith(error) {
    return Promise.reject(error);
}

const Event = WStream.LanguageEventKind;
const kControllerToken = Symbol('WritableStreamDefaultController');

// One stream's shared state: its language sink, its value table, the
// JavaScript sink object, and the JavaScript promises waiting for events.
// It never refers to the WritableStream or its C object, so that the
// stream can be collected.
class StreamContext {
    constructor(sinkObject, dict, table) {
        this.sink = WStream.LanguageSink.new();
        this.object = sinkObject;
        this.dict = dict;
        this.table = table;
        this.controller = null;
        this.pending = new Map();  // tag → {promise, resolve, reject, onSettled}
    }

    // The JavaScript promise for the events of @tag.
    promiseFor(tag, {handled = false, onSettled = null} = {}) {
        const existing = this.pending.get(tag);
        if (existing !== undefined)
            return existing.promise;
        const entry = {onSettled};
        entry.promise = new Promise((resolve, reject) => {
            entry.resolve = resolve;
            entry.reject = reject;
        });
        if (handled)
            markHandled(entry.promise);
        this.pending.set(tag, entry);
        return entry.promise;
    }

    watch(cPromise, options) {
        const tag = this.sink.watch(cPromise);
        const promise = this.promiseFor(tag, options);
        this.drain();
        return promise;
    }

    // Acts on every event the C stream recorded, oldest first. Sink methods
    // may call into the stream again, which drains the newer events from
    // inside; the order stays the order the events were recorded in.
    drain() {
        const sink = this.sink;
        for (;;) {
            const [kind, tag] = sink.next_event();
            switch (kind) {
            case Event.NONE:
                return;
            case Event.FULFILLED:
            case Event.REJECTED: {
                const entry = this.pending.get(tag);
                if (entry === undefined)
                    break;
                this.pending.delete(tag);
                entry.onSettled?.();
                if (kind === Event.FULFILLED)
                    entry.resolve(undefined);
                else
                    entry.reject(this.table.toJS(sink.get_event_error()));
                break;
            }
            case Event.START:
                // Only the constructor starts: see WritableStream.
                break;
            case Event.WRITE: {
                const chunk = this.table.getChunk(sink.get_event_chunk());
                const write = this.dict.write;
                this.runOperation(tag, () =>
                    write === undefined ? undefined : write.call(this.object, chunk, this.controller));
                break;
            }
            case Event.CLOSE: {
                const close = this.dict.close;
                this.runOperation(tag, () =>
                    close === undefined ? undefined : close.call(this.object));
                break;
            }
            case Event.ABORT: {
                const reason = this.table.toJS(sink.get_event_error());
                const abort = this.dict.abort;
                this.runOperation(tag, () =>
                    abort === undefined ? undefined : abort.call(this.object, reason));
                break;
            }
            case Event.ABORT_SIGNAL:
                this.controller?._signalAbort(this.table.toJS(sink.get_event_error()));
                break;
            }
        }
    }

    // Calls a sink method and finishes the C operation from the reaction to
    // its result. The result is converted as Web IDL converts a callback's
    // return value to a promise ("a promise resolved with" it: a new promise
    // resolved with the value), so a promise returned by the sink costs the
    // same two microtasks as in a browser before the stream goes on.
    runOperation(tag, call) {
        let result;
        try {
            const value = call();
            result = new Promise(resolve => resolve(value));
        } catch (e) {
            result = Promise.reject(e);
        }
        this.settleWhen(tag, result);
    }

    settleWhen(tag, result) {
        result.then(
            () => {
                this.sink.settle(tag, null);
                this.drain();
            },
            e => {
                this.sink.settle(tag, this.table.errorFor(e));
                this.drain();
            });
    }
}

// ---------------------------------------------------------------------------
// Dictionary conversions (Web IDL)
// ---------------------------------------------------------------------------

function toDictionary(value, what) {
    if (value === undefined || value === null)
        return {};
    if (typeof value !== 'object' && typeof value !== 'function')
        throw new TypeError(`${what} must be an object`);
    return value;
}

function toUnrestrictedDouble(value) {
    return +value;  // ToNumber: throws for symbols and BigInts
}

function callbackMember(dict, name, what) {
    const value = dict[name];
    if (value === undefined)
        return undefined;
    if (typeof value !== 'function')
        throw new TypeError(`${what}.${name} must be a function`);
    return value;
}

// QueuingStrategy: highWaterMark, size (alphabetical order, as Web IDL reads
// dictionary members).
function convertQueuingStrategy(strategy) {
    const dict = toDictionary(strategy, 'The strategy');
    const hwm = dict.highWaterMark;
    const highWaterMark = hwm === undefined ? undefined : toUnrestrictedDouble(hwm);
    const size = callbackMember(dict, 'size', 'The strategy');
    return {highWaterMark, size};
}

// UnderlyingSink: abort, close, start, type, write.
function convertUnderlyingSink(sink) {
    const dict = toDictionary(sink, 'The underlying sink');
    const abort = callbackMember(dict, 'abort', 'The underlying sink');
    const close = callbackMember(dict, 'close', 'The underlying sink');
    const start = callbackMember(dict, 'start', 'The underlying sink');
    const type = dict.type;
    const write = callbackMember(dict, 'write', 'The underlying sink');
    return {abort, close, start, type, write};
}

// ---------------------------------------------------------------------------
// Queuing strategies
// ---------------------------------------------------------------------------

const countSize = function size() {
    return 1;
};

const byteLengthSize = function size(chunk) {
    return chunk.byteLength;
};

function convertStrategyInit(init, what) {
    if (init === undefined || init === null || (typeof init !== 'object' && typeof init !== 'function'))
        throw new TypeError(`${what} needs an object with a highWaterMark`);
    const hwm = init.highWaterMark;
    if (hwm === undefined)
        throw new TypeError(`${what} needs a highWaterMark`);
    return toUnrestrictedDouble(hwm);
}

export class CountQueuingStrategy {
    #highWaterMark;

    constructor(init) {
        this.#highWaterMark = convertStrategyInit(init, 'CountQueuingStrategy');
    }

    get highWaterMark() {
        if (!(#highWaterMark in this))
            throw new TypeError('Illegal invocation');
        return this.#highWaterMark;
    }

    get size() {
        if (!(#highWaterMark in this))
            throw new TypeError('Illegal invocation');
        return countSize;
    }
}

export class ByteLengthQueuingStrategy {
    #highWaterMark;

    constructor(init) {
        this.#highWaterMark = convertStrategyInit(init, 'ByteLengthQueuingStrategy');
    }

    get highWaterMark() {
        if (!(#highWaterMark in this))
            throw new TypeError('Illegal invocation');
        return this.#highWaterMark;
    }

    get size() {
        if (!(#highWaterMark in this))
            throw new TypeError('Illegal invocation');
        return byteLengthSize;
    }
}

// The C strategy for a converted strategy dictionary: the plain count
// strategy when nothing needs measuring; otherwise one whose size function
// returns what this module measured with the JavaScript size function
// right before the write (see WritableStreamDefaultWriter.write).
function makeCStrategy({highWaterMark, size}, ctx) {
    const hwm = highWaterMark === undefined ? 1 : highWaterMark;
    if (Number.isNaN(hwm) || hwm < 0)
        throw new RangeError('Invalid highWaterMark');
    if (size === undefined || size === countSize)
        return [ctx.table.call(() => WStream.QueuingStrategy.new_count(hwm)), null];
    return [ctx.table.call(() => ctx.sink.new_strategy(hwm)), size];
}

// ---------------------------------------------------------------------------
// AbortSignal (controller.signal)
// ---------------------------------------------------------------------------

const kSignalToken = Symbol('WritableStreamAbortSignal');

function makeAbortError() {
    if (typeof globalThis.DOMException === 'function')
        return new globalThis.DOMException('This operation was aborted', 'AbortError');
    const error = new Error('This operation was aborted');
    error.name = 'AbortError';
    return error;
}

// The part of the DOM's AbortSignal a sink uses: aborted, reason, onabort,
// addEventListener('abort'), removeEventListener, throwIfAborted(). It
// fires when the stream is aborted, before the sink's abort() runs.
class WritableStreamAbortSignal {
    #aborted = false;
    #reason = undefined;
    #listeners = [];

    constructor(token) {
        if (token !== kSignalToken)
            throw new TypeError('Illegal constructor');
        this.onabort = null;
    }

    get aborted() {
        return this.#aborted;
    }

    get reason() {
        return this.#reason;
    }

    throwIfAborted() {
        if (this.#aborted)
            throw this.#reason;
    }

    addEventListener(type, listener, options = {}) {
        if (type !== 'abort' || listener === null || listener === undefined)
            return;
        if (this.#listeners.some(l => l.listener === listener))
            return;
        const once = typeof options === 'object' && options !== null && Boolean(options.once);
        this.#listeners.push({listener, once});
    }

    removeEventListener(type, listener) {
        if (type !== 'abort')
            return;
        this.#listeners = this.#listeners.filter(l => l.listener !== listener);
    }

    _signalAbort(reason) {
        if (this.#aborted)
            return;
        this.#aborted = true;
        this.#reason = reason === undefined ? makeAbortError() : reason;
        const event = {type: 'abort', target: this, currentTarget: this};
        const handlers = [];
        if (typeof this.onabort === 'function')
            handlers.push({listener: this.onabort, once: false});
        handlers.push(...this.#listeners);
        this.#listeners = this.#listeners.filter(l => !l.once);
        for (const {listener} of handlers) {
            try {
                if (typeof listener === 'function')
                    listener.call(this, event);
                else if (listener && typeof listener.handleEvent === 'function')
                    listener.handleEvent(event);
            } catch (e) {
                // As the DOM does: report, go on with the next listener.
                logError(e, 'Exception in an abort event listener');
            }
        }
    }
}

// ---------------------------------------------------------------------------
// WritableStream
// ---------------------------------------------------------------------------

const streams = new WeakSet();
let streamInternals;

export class WritableStream {
    #c;
    #ctx;
    #size;

    constructor(underlyingSink = undefined, strategy = undefined) {
        const strategyDict = convertQueuingStrategy(strategy);
        const sinkObject = underlyingSink === undefined ? null : underlyingSink;
        const dict = convertUnderlyingSink(sinkObject);
        if (dict.type !== undefined)
            throw new RangeError('Invalid type is specified');

        const ctx = new StreamContext(sinkObject, dict, new ValueTable());
        const [cStrategy, size] = makeCStrategy(strategyDict, ctx);
        const c = ctx.table.call(() => WStream.WritableStream.new(ctx.sink, cStrategy));
        ctx.controller = new WritableStreamDefaultController(kControllerToken,
            ctx.sink.get_controller(), ctx);

        // "Let startResult be the result of performing startAlgorithm": the
        // sink's start runs now, and a throw fails the constructor.
        const [kind, tag] = ctx.sink.next_event();
        if (kind !== Event.START)
            throw new Error(`wstream: expected the sink's start, got event ${kind}`);
        let result;
        try {
            const value = dict.start === undefined
                ? undefined : dict.start.call(sinkObject, ctx.controller);
            result = new Promise(resolve => resolve(value));
        } catch (e) {
            ctx.sink.settle(tag, ctx.table.errorFor(e));
            throw e;
        }
        ctx.settleWhen(tag, result);
        ctx.drain();

        this.#c = c;
        this.#ctx = ctx;
        this.#size = size;
        streams.add(this);
    }

    static {
        streamInternals = stream => [stream.#c, stream.#ctx, stream.#size];
    }

    get locked() {
        if (!streams.has(this))
            throw new TypeError('Illegal invocation');
        return this.#c.is_locked();
    }

    abort(reason = undefined) {
        if (!streams.has(this))
            return rejectedWith(new TypeError('Illegal invocation'));
        const ctx = this.#ctx;
        return ctx.watch(this.#c.abort_promise(ctx.table.errorFor(reason)));
    }

    close() {
        if (!streams.has(this))
            return rejectedWith(new TypeError('Illegal invocation'));
        return this.#ctx.watch(this.#c.close_promise());
    }

    getWriter() {
        if (!streams.has(this))
            throw new TypeError('Illegal invocation');
        return new WritableStreamDefaultWriter(this);
    }

    get [Symbol.toStringTag]() {
        return 'WritableStream';
    }
}

// ---------------------------------------------------------------------------
// WritableStreamDefaultWriter
// ---------------------------------------------------------------------------

const writers = new WeakSet();

export class WritableStreamDefaultWriter {
    #c;
    #ctx;
    #size;
    #readyTag = 0;
    #ready = null;
    #closedTag = 0;
    #closed = null;

    constructor(stream) {
        if (!streams.has(stream))
            throw new TypeError('WritableStreamDefaultWriter needs a WritableStream');
        const [cStream, ctx, size] = streamInternals(stream);
        this.#ctx = ctx;
        this.#size = size;
        this.#c = ctx.table.call(() => WStream.DefaultWriter.new(cStream));
        writers.add(this);
    }

    // The JavaScript promise of the writer's current ready or closed C
    // promise; the same object as long as the C promise is the same.
    #slotPromise(which) {
        const ctx = this.#ctx;
        const tag = which === 'ready'
            ? ctx.sink.watch_ready(this.#c) : ctx.sink.watch_closed(this.#c);
        if (which === 'ready' && tag === this.#readyTag)
            return this.#ready;
        if (which === 'closed' && tag === this.#closedTag)
            return this.#closed;
        const promise = ctx.promiseFor(tag, {handled: true});
        if (which === 'ready') {
            this.#readyTag = tag;
            this.#ready = promise;
        } else {
            this.#closedTag = tag;
            this.#closed = promise;
        }
        ctx.drain();
        return promise;
    }

    get closed() {
        if (!writers.has(this))
            return rejectedWith(new TypeError('Illegal invocation'));
        return this.#slotPromise('closed');
    }

    get ready() {
        if (!writers.has(this))
            return rejectedWith(new TypeError('Illegal invocation'));
        return this.#slotPromise('ready');
    }

    get desiredSize() {
        if (!writers.has(this))
            throw new TypeError('Illegal invocation');
        if (this.#c.get_stream() === null)
            throw new TypeError('Cannot get the desired size of a stream using a released writer');
        try {
            const [, size] = this.#c.get_desired_size();
            return size;
        } catch (e) {
            if (e instanceof GLib.Error)
                return null;  // erroring or errored
            throw e;
        }
    }

    abort(reason = undefined) {
        if (!writers.has(this))
            return rejectedWith(new TypeError('Illegal invocation'));
        if (this.#c.get_stream() === null)
            return rejectedWith(new TypeError('Cannot abort a stream using a released writer'));
        const ctx = this.#ctx;
        return ctx.watch(this.#c.abort_promise(ctx.table.errorFor(reason)));
    }

    close() {
        if (!writers.has(this))
            return rejectedWith(new TypeError('Illegal invocation'));
        return this.#ctx.watch(this.#c.close_promise());
    }

    releaseLock() {
        if (!writers.has(this))
            throw new TypeError('Illegal invocation');
        this.#c.release_lock();
        this.#ctx.drain();
    }

    write(chunk = undefined) {
        if (!writers.has(this))
            return rejectedWith(new TypeError('Illegal invocation'));
        const ctx = this.#ctx;
        const table = ctx.table;
        const size = this.#size;
        // "Let chunkSize be ! WritableStreamDefaultControllerGetChunkSize":
        // the JavaScript size function runs here, where the C stream would
        // call its own, and the C strategy returns the result.
        if (size !== null && this.#c.get_stream() !== null && ctx.sink.wants_size()) {
            let measured;
            try {
                measured = toUnrestrictedDouble(size.call(undefined, chunk));
            } catch (e) {
                ctx.sink.set_next_size_error(table.errorFor(e));
                measured = undefined;
            }
            if (measured !== undefined)
                ctx.sink.set_next_size(measured);
        }
        const key = table.putChunk(chunk);
        const tag = ctx.sink.write(this.#c, key);
        const promise = ctx.promiseFor(tag, {onSettled: () => table.dropChunk(key)});
        ctx.drain();
        return promise;
    }

    get [Symbol.toStringTag]() {
        return 'WritableStreamDefaultWriter';
    }
}

// ---------------------------------------------------------------------------
// WritableStreamDefaultController
// ---------------------------------------------------------------------------

export class WritableStreamDefaultController {
    #c;
    #ctx;
    #signal;

    constructor(token, cController, ctx) {
        if (token !== kControllerToken)
            throw new TypeError('Illegal constructor');
        this.#c = cController;
        this.#ctx = ctx;
        this.#signal = new WritableStreamAbortSignal(kSignalToken);
    }

    get signal() {
        if (!(#signal in this))
            throw new TypeError('Illegal invocation');
        return this.#signal;
    }

    error(e = undefined) {
        if (!(#signal in this))
            throw new TypeError('Illegal invocation');
        this.#c.error(this.#ctx.table.errorFor(e));
        this.#ctx.drain();
    }

    _signalAbort(reason) {
        this.#signal._signalAbort(reason);
    }

    get [Symbol.toStringTag]() {
        return 'WritableStreamDefaultController';
    }
}

// Makes the classes globals, as they are in a browser, for code written for
// one: `import {installGlobals} from '…/wstream-web.js'; installGlobals();`.
// Globals that exist already are kept unless @force.
export function installGlobals({force = false} = {}) {
    const classes = {
        WritableStream,
        WritableStreamDefaultWriter,
        WritableStreamDefaultController,
        CountQueuingStrategy,
        ByteLengthQueuingStrategy,
    };
    for (const [name, value] of Object.entries(classes)) {
        if (force || !(name in globalThis)) {
            Object.defineProperty(globalThis, name, {
                value, writable: true, configurable: true, enumerable: false,
            });
        }
    }
}
