// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Scenarios for the promise-order comparison between Node's built-in
// WritableStream and the wstream web module (see order-runner.mjs). Each
// scenario records events with log(); user microtasks are interleaved on
// purpose, so that the order of promise reactions relative to the script's
// own microtasks is checked too. Only the globals of the Streams Standard
// are used. Every rejection is handled (Node exits on unhandled ones).

const tick = () => Promise.resolve();

// What an error value is, without depending on message texts.
function what(e, reasons = {}) {
    for (const [name, value] of Object.entries(reasons)) {
        if (e === value)
            return name;
    }
    if (e === undefined)
        return 'undefined';
    if (e instanceof Error || (e && typeof e === 'object' && 'name' in e))
        return e.name;
    return typeof e;
}

// A promise with its resolve/reject functions outside.
function deferred() {
    let resolve, reject;
    const promise = new Promise((res, rej) => {
        resolve = res;
        reject = rej;
    });
    return {promise, resolve, reject};
}

function watch(log, label, promise, reasons = {}) {
    promise.then(() => log(`${label} fulfilled`), e => log(`${label} rejected ${what(e, reasons)}`));
}

export const scenarios = {
    async syncSink(log) {
        const ws = new WritableStream({
            start() { log('start'); },
            write(chunk) { log(`sink write ${chunk}`); },
            close() { log('sink close'); },
        });
        const writer = ws.getWriter();
        log(`desiredSize ${writer.desiredSize} locked ${ws.locked}`);
        watch(log, 'ready', writer.ready);
        watch(log, 'closed', writer.closed);
        watch(log, 'write a', writer.write('a'));
        log(`desiredSize ${writer.desiredSize}`);
        tick().then(() => log('user microtask 1'));
        watch(log, 'write b', writer.write('b'));
        watch(log, 'ready again', writer.ready);
        tick().then(() => log('user microtask 2'));
        watch(log, 'close', writer.close());
        log(`desiredSize ${writer.desiredSize}`);
        await writer.closed;
        log(`desiredSize ${writer.desiredSize}`);
    },

    async asyncSinkBackpressure(log) {
        const pending = [];
        const ws = new WritableStream({
            write(chunk) {
                log(`sink write ${chunk}`);
                const d = deferred();
                pending.push(d);
                return d.promise;
            },
        }, new CountQueuingStrategy({highWaterMark: 2}));
        const writer = ws.getWriter();
        await tick();
        for (const chunk of [1, 2, 3]) {
            watch(log, `write ${chunk}`, writer.write(chunk));
            log(`desiredSize ${writer.desiredSize}`);
        }
        watch(log, 'ready', writer.ready);
        await tick();
        await tick();
        while (pending.length > 0) {
            log('resolving one');
            pending.shift().resolve();
            tick().then(() => log('user microtask'));
            await tick();
            await tick();
            await tick();
            log(`desiredSize ${writer.desiredSize}`);
        }
        watch(log, 'close', writer.close());
        await writer.closed;
        log('closed');
    },

    async closeOnErroredStream(log) {
        const boom = new Error('boom');
        const ws = new WritableStream({
            start(controller) { controller.error(boom); },
        });
        const writer = ws.getWriter();
        await tick();
        writer.close().catch(e => log(`close rejected ${what(e, {boom})}`));
        tick().then(() => log('user microtask'));
        writer.write('x').catch(e => log(`write rejected ${what(e, {boom})}`));
        writer.closed.catch(e => log(`closed rejected ${what(e, {boom})}`));
        writer.ready.catch(e => log(`ready rejected ${what(e, {boom})}`));
        log(`desiredSize ${writer.desiredSize}`);
    },

    async abortWhileWriting(log) {
        const reason = {why: 'stop'};
        let release;
        const ws = new WritableStream({
            start(controller) {
                controller.signal.addEventListener('abort', () => {
                    log(`signal abort ${what(controller.signal.reason, {reason})} aborted ${controller.signal.aborted}`);
                });
            },
            write(chunk) {
                log(`sink write ${chunk}`);
                const d = deferred();
                release = d.resolve;
                return d.promise;
            },
            abort(r) {
                log(`sink abort ${what(r, {reason})}`);
                return tick().then(() => log('sink abort done'));
            },
        }, {highWaterMark: 4});
        const writer = ws.getWriter();
        await tick();
        const reasons = {reason};
        watch(log, 'write 1', writer.write(1), reasons);
        watch(log, 'write 2', writer.write(2), reasons);
        watch(log, 'ready', writer.ready, reasons);
        watch(log, 'closed', writer.closed, reasons);
        watch(log, 'abort', writer.abort(reason), reasons);
        log(`desiredSize ${writer.desiredSize}`);
        watch(log, 'write 3', writer.write(3), reasons);
        watch(log, 'second abort', writer.abort('other'), reasons);
        await tick();
        log('releasing the write in flight');
        release();
        tick().then(() => log('user microtask'));
        await writer.closed.catch(() => {});
        log('after closed');
    },

    async abortWithoutReason(log) {
        const ws = new WritableStream({
            start(controller) {
                controller.signal.onabort = () => log(`onabort ${what(controller.signal.reason)}`);
            },
            abort(r) { log(`sink abort ${what(r)}`); },
        });
        const writer = ws.getWriter();
        await tick();
        watch(log, 'abort', writer.abort());
        watch(log, 'closed', writer.closed);
        watch(log, 'write', writer.write('late'));
    },

    async sinkWriteThrows(log) {
        const oops = new Error('oops');
        const ws = new WritableStream({
            write(chunk) {
                log(`sink write ${chunk}`);
                if (chunk === 2)
                    throw oops;
            },
            abort() { log('sink abort (must not run)'); },
        }, {highWaterMark: 5});
        const writer = ws.getWriter();
        const reasons = {oops};
        for (const chunk of [1, 2, 3])
            watch(log, `write ${chunk}`, writer.write(chunk), reasons);
        watch(log, 'close', writer.close(), reasons);
        watch(log, 'closed', writer.closed, reasons);
        tick().then(() => log('user microtask'));
        await writer.closed.catch(() => {});
        log(`desiredSize ${writer.desiredSize}`);
    },

    async sinkWriteRejectsLater(log) {
        const nope = new TypeError('nope');
        const ws = new WritableStream({
            write(chunk) {
                log(`sink write ${chunk}`);
                return tick().then(() => tick()).then(() => {
                    throw nope;
                });
            },
        });
        const writer = ws.getWriter();
        const reasons = {nope};
        watch(log, 'write', writer.write('a'), reasons);
        watch(log, 'ready', writer.ready, reasons);
        watch(log, 'closed', writer.closed, reasons);
        for (let i = 0; i < 6; i++)
            tick().then(() => log(`user microtask ${i}`));
        await writer.closed.catch(() => {});
    },

    async startPromise(log) {
        const started = deferred();
        const ws = new WritableStream({
            start() {
                log('start');
                return started.promise;
            },
            write(chunk) { log(`sink write ${chunk}`); },
            close() { log('sink close'); },
        });
        const writer = ws.getWriter();
        watch(log, 'write a', writer.write('a'));
        watch(log, 'close', writer.close());
        await tick();
        log('resolving start');
        started.resolve();
        tick().then(() => log('user microtask'));
        await writer.closed;
        log('closed');
    },

    async startRejects(log) {
        const bad = new RangeError('bad start');
        const ws = new WritableStream({
            start() { return Promise.reject(bad); },
            abort() { log('sink abort (must not run)'); },
        });
        const writer = ws.getWriter();
        const reasons = {bad};
        watch(log, 'write', writer.write('a'), reasons);
        watch(log, 'closed', writer.closed, reasons);
        log(`desiredSize ${writer.desiredSize}`);
        await writer.closed.catch(() => {});
        log(`desiredSize ${writer.desiredSize}`);
    },

    async startThrows(log) {
        const bad = {bad: true};
        try {
            new WritableStream({start() { throw bad; }});
            log('constructed');
        } catch (e) {
            log(`constructor threw ${what(e, {bad})}`);
        }
    },

    async closeRejects(log) {
        const fail = new Error('close failed');
        const ws = new WritableStream({
            close() { return Promise.reject(fail); },
        });
        const writer = ws.getWriter();
        const reasons = {fail};
        watch(log, 'close', writer.close(), reasons);
        watch(log, 'closed', writer.closed, reasons);
        watch(log, 'abort during close', writer.abort('late'), reasons);
        await writer.closed.catch(() => {});
    },

    async customSize(log) {
        const sizes = [];
        const ws = new WritableStream({
            write(chunk) { log(`sink write ${chunk}`); return tick(); },
        }, {
            highWaterMark: 10,
            size(chunk) {
                sizes.push(this === undefined ? 'no this' : 'this');
                return chunk.length;
            },
        });
        const writer = ws.getWriter();
        for (const chunk of ['abc', 'defgh', 'ij'])
            watch(log, `write ${chunk}`, writer.write(chunk));
        log(`desiredSize ${writer.desiredSize}`);
        watch(log, 'ready', writer.ready);
        await writer.close();
        log(`sizes ${sizes.join(',')}`);
    },

    async sizeThrows(log) {
        const sizeError = new Error('no size');
        const ws = new WritableStream({
            write(chunk) { log(`sink write ${chunk}`); },
            abort(r) { log(`sink abort ${what(r, {sizeError})}`); },
        }, {
            size(chunk) {
                if (chunk === 'bad')
                    throw sizeError;
                return 1;
            },
        });
        const writer = ws.getWriter();
        await tick();
        const reasons = {sizeError};
        watch(log, 'write ok', writer.write('ok'), reasons);
        watch(log, 'write bad', writer.write('bad'), reasons);
        watch(log, 'closed', writer.closed, reasons);
        log(`desiredSize ${writer.desiredSize}`);
        await writer.closed.catch(() => {});
    },

    async byteLengthStrategy(log) {
        const strategy = new ByteLengthQueuingStrategy({highWaterMark: 8});
        log(`hwm ${strategy.highWaterMark} size ${strategy.size(new Uint8Array(3))}`);
        const ws = new WritableStream({
            write(chunk) { log(`sink write ${chunk.byteLength} bytes`); return tick(); },
        }, strategy);
        const writer = ws.getWriter();
        await tick();
        watch(log, 'write 6', writer.write(new Uint8Array(6)));
        log(`desiredSize ${writer.desiredSize}`);
        watch(log, 'write 4', writer.write(new ArrayBuffer(4)));
        log(`desiredSize ${writer.desiredSize}`);
        watch(log, 'ready', writer.ready);
        await writer.close();
        log('closed');
    },

    async invalidSizeWhileWriting(log) {
        // A size that is not a number (42 has no byteLength) is a RangeError
        // at EnqueueValueWithSize, after the write request was added.
        const ws = new WritableStream({
            write(chunk) { log(`sink write ${chunk.byteLength} bytes`); return tick(); },
        }, new ByteLengthQueuingStrategy({highWaterMark: 8}));
        const writer = ws.getWriter();
        await tick();
        watch(log, 'write 6', writer.write(new Uint8Array(6)));
        watch(log, 'write 4', writer.write(new Uint8Array(4)));
        watch(log, 'ready', writer.ready);
        watch(log, 'write no bytes', writer.write(42));
        await writer.closed.catch(e => log(`closed rejected ${what(e)}`));
    },

    async invalidHighWaterMark(log) {
        for (const hwm of [-1, NaN, 'x']) {
            try {
                new WritableStream({}, {highWaterMark: hwm});
                log(`hwm ${hwm} accepted`);
            } catch (e) {
                log(`hwm ${hwm} ${what(e)}`);
            }
        }
        const ws = new WritableStream({}, {highWaterMark: Infinity});
        log(`infinite desiredSize ${ws.getWriter().desiredSize}`);
        try {
            new WritableStream({type: 'bytes'});
        } catch (e) {
            log(`type ${what(e)}`);
        }
        try {
            new WritableStream({write: 5});
        } catch (e) {
            log(`write not callable ${what(e)}`);
        }
    },

    async releaseLock(log) {
        let finish;
        const ws = new WritableStream({
            write(chunk) {
                log(`sink write ${chunk}`);
                const d = deferred();
                finish = d.resolve;
                return d.promise;
            },
        });
        const writer = ws.getWriter();
        await tick();
        watch(log, 'write 1', writer.write(1));
        const oldReady = writer.ready;
        const oldClosed = writer.closed;
        writer.releaseLock();
        log(`locked ${ws.locked} same closed ${writer.closed === oldClosed} same ready ${writer.ready === oldReady}`);
        watch(log, 'old ready', oldReady);
        watch(log, 'old closed', oldClosed);
        watch(log, 'released write', writer.write(2));
        watch(log, 'released close', writer.close());
        watch(log, 'released abort', writer.abort());
        try {
            log(`desiredSize ${writer.desiredSize}`);
        } catch (e) {
            log(`desiredSize threw ${what(e)}`);
        }
        writer.releaseLock();
        const second = ws.getWriter();
        log(`second desiredSize ${second.desiredSize}`);
        watch(log, 'second write', second.write(3));
        await tick();
        finish();
        await tick();
        await tick();
        finish();
        await second.close();
        log('closed');
    },

    async streamCloseAndAbort(log) {
        const ws = new WritableStream({
            close() { log('sink close'); },
        });
        watch(log, 'stream close', ws.close());
        watch(log, 'stream close again', ws.close());
        watch(log, 'stream abort after close', ws.abort('x'));
        const locked = new WritableStream();
        const writer = locked.getWriter();
        watch(log, 'locked close', locked.close());
        watch(log, 'locked abort', locked.abort());
        try {
            locked.getWriter();
        } catch (e) {
            log(`getWriter ${what(e)}`);
        }
        try {
            new WritableStreamDefaultWriter(locked);
        } catch (e) {
            log(`new writer ${what(e)}`);
        }
        writer.releaseLock();
        const r = {r: 1};
        const aborted = new WritableStream({abort(reason) { log(`sink abort ${what(reason, {r})}`); }});
        watch(log, 'unlocked abort', aborted.abort(r), {r});
        await tick();
        const w2 = aborted.getWriter();
        watch(log, 'closed after abort', w2.closed, {r});
    },

    async errorFromWrite(log) {
        const e1 = new Error('e1');
        let ctrl;
        const ws = new WritableStream({
            start(controller) { ctrl = controller; },
            write(chunk) {
                log(`sink write ${chunk}`);
                if (chunk === 'err') {
                    ctrl.error(e1);
                    log('errored inside write');
                }
            },
        }, {highWaterMark: 3});
        const writer = ws.getWriter();
        const reasons = {e1};
        watch(log, 'write ok', writer.write('ok'), reasons);
        watch(log, 'write err', writer.write('err'), reasons);
        watch(log, 'write after', writer.write('after'), reasons);
        watch(log, 'closed', writer.closed, reasons);
        await writer.closed.catch(() => {});
        log(`desiredSize ${writer.desiredSize}`);
        ctrl.error(new Error('ignored'));
        watch(log, 'abort errored', writer.abort('x'), reasons);
    },

    async writesFromSink(log) {
        let writer;
        const ws = new WritableStream({
            write(chunk) {
                log(`sink write ${chunk}`);
                if (chunk < 3)
                    watch(log, `nested write ${chunk + 1}`, writer.write(chunk + 1));
            },
        });
        writer = ws.getWriter();
        watch(log, 'write 1', writer.write(1));
        await writer.close();
        log('closed');
    },

    async anyValueChunks(log) {
        const seen = [];
        const sym = Symbol('s');
        const obj = {o: 1};
        const fn = () => 1;
        const chunks = [undefined, null, 0, -0, NaN, 'str', sym, obj, fn, [1, 2], 10n];
        const ws = new WritableStream({
            write(chunk) { seen.push(chunk); },
        });
        const writer = ws.getWriter();
        for (const chunk of chunks)
            writer.write(chunk);
        await writer.close();
        log(`count ${seen.length}`);
        log(`identical ${seen.every((c, i) => Object.is(c, chunks[i]))}`);
    },

    // The MDN WritableStream.getWriter() example, unchanged but for the DOM
    // and console, which are stand-ins that record what the example does.
    async seedsSendMessage(log) {
        const console = {log: (...args) => log(`console.log ${args.map(String).join(' ')}`)};
        const document = {
            querySelector: () => ({appendChild: item => log(`li ${JSON.stringify(item.textContent)}`)}),
            createElement: () => ({textContent: ''}),
        };
        // GJS 1.74's TextDecoder has no streaming mode; every chunk here
        // is a complete character, so decoding without it gives the same.
        const TextDecoder = class extends globalThis.TextDecoder {
            decode(input) {
                return super.decode(input);
            }
        };
        const done = deferred();

        const list = document.querySelector('ul');

        function sendMessage(message, writableStream) {
          // defaultWriter is of type WritableStreamDefaultWriter
          const defaultWriter = writableStream.getWriter();
          const encoder = new TextEncoder();
          const encoded = encoder.encode(message, { stream: true });
          encoded.forEach((chunk) => {
            defaultWriter.ready
              .then(() => {
                return defaultWriter.write(chunk);
              })
              .then(() => {
                console.log("Chunk written to sink.");
              })
              .catch((err) => {
                console.log("Chunk error:", err);
              });
          });
          // Call ready again to ensure that all chunks are written
          //   before closing the writer.
          defaultWriter.ready
            .then(() => {
              defaultWriter.close();
            })
            .then(() => {
              console.log("All chunks written");
            })
            .catch((err) => {
              console.log("Stream error:", err);
            });
        }

        const decoder = new TextDecoder("utf-8");
        const queuingStrategy = new CountQueuingStrategy({ highWaterMark: 1 });
        let result = "";
        const writableStream = new WritableStream({
          // Implement the sink
          write(chunk) {
            return new Promise((resolve, reject) => {
              var buffer = new ArrayBuffer(2);
              var view = new Uint16Array(buffer);
              view[0] = chunk;
              var decoded = decoder.decode(view, { stream: true });
              var listItem = document.createElement('li');
              listItem.textContent = "Chunk decoded: " + decoded;
              list.appendChild(listItem);
              result += decoded;
              resolve();
            });
          },
          close() {
            var listItem = document.createElement('li');
            listItem.textContent = "[MESSAGE RECEIVED] " + result;
            list.appendChild(listItem);
            done.resolve();
          },
          abort(err) {
            console.log("Sink error:", err);
          }
        }, queuingStrategy);

        sendMessage("Hello, world.", writableStream);
        await done.promise;
    },

    // The MDN WritableStreamDefaultWriter.releaseLock() example, with its
    // elisions filled in.
    async seedsReleaseLock(log) {
        const queuingStrategy = new CountQueuingStrategy({ highWaterMark: 1 });
        const writableStream = new WritableStream({
          write(chunk) {
            log(`write ${chunk}`);
          },
          close() {
            log('close');
          },
          abort(err) {
            log(`abort ${err}`);
          }
        }, queuingStrategy);

        const writer = writableStream.getWriter();
        writer.write('one').then(() => log('one written'));

        // release writer's lock on the stream when desired
        writer.releaseLock();

        log(`locked ${writableStream.locked}`);
        const other = writableStream.getWriter();
        await other.write('two');
        await other.abort('enough');
        log('aborted');
    },

    async seedsWriteArray(log) {
        // The Cloudflare documentation's writeArrayToStream example.
        function writeArrayToStream(array, writableStream) {
            const writer = writableStream.getWriter();
            array.forEach(chunk => writer.write(chunk).catch(() => {}));
            return writer.close();
        }
        const received = [];
        const writableStream = new WritableStream({
            write(chunk) { received.push(chunk); },
        });
        await writeArrayToStream([1, 2, 3, 4, 5], writableStream)
            .then(() => log('All done!'))
            .catch(e => log(`Error with the stream: ${e}`));
        log(`received ${received.join(',')}`);
    },
};
