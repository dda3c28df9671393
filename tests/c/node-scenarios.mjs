// SPDX-License-Identifier: LGPL-2.1-or-later
// The scenarios of the C stream tests, run on Node's built-in
// WritableStream: the event sequences the C tests expect come from here.
// Run: node tests/c/node-scenarios.mjs [name]
const out = [];
const log = (s) => out.push(s);
const tick = () => new Promise((r) => setTimeout(r, 0));
const msg = (e) => (e instanceof TypeError ? 'TypeError' : e instanceof RangeError ? 'RangeError' : e?.message ?? String(e));
const track = (p, label) => p.then(() => log(label + ' ok'), (e) => log(label + ' rejected ' + msg(e)));
const E = (m) => new Error(m);
// Node deviates on write() to a closed or closing stream: it throws an
// internal assertion synchronously (whatwg/streams#1341, #1218) where the
// Standard returns a promise rejected with a TypeError. Log what the
// Standard gives.
const trackWrite = (w, chunk, label) => {
  let p;
  try { p = w.write(chunk); } catch (e) { if (e.code !== 'ERR_INTERNAL_ASSERTION') throw e; p = Promise.reject(new TypeError('closed')); }
  return track(p, label);
};

function makeSink(modes = {}) {
  const s = { pending: null, controller: null };
  const act = (op) => {
    const m = modes[op] || 'ok';
    if (m === 'fail') throw E(op + ' failed');
    if (m === 'defer') return new Promise((res, rej) => { s.pending = { res, rej }; });
  };
  s.sink = {
    start(c) { log('sink.start'); s.controller = c; s.onStart?.(c); return act('start'); },
    write(chunk, c) { log('sink.write ' + chunk); s.onWrite?.(chunk, c); return act('write'); },
    close() { log('sink.close'); return act('close'); },
    abort(r) { log('sink.abort ' + msg(r)); return act('abort'); },
  };
  s.resolve = () => { const p = s.pending; s.pending = null; p.res(); };
  s.reject = (m) => { const p = s.pending; s.pending = null; p.rej(E(m)); };
  return s;
}
const ds = (w) => { const d = w.desiredSize; log('desired ' + (d === null ? 'null' : d)); };

async function methodsIn(w, s) {
  ds(w);
  trackWrite(w, 'x', 'write x'); ds(w);
  track(w.close(), 'close'); ds(w);
  track(w.abort(E('E9')), 'abort');
  track(w.ready, 'ready'); track(w.closed, 'closed');
  await tick(); log('-');
  while (s.pending) { s.resolve(); await tick(); }
  log('-'); ds(w);
}
const scenarios = {
  async 'size-invalid-while-writing'() {
    const s = makeSink({ write: 'defer' });
    const ws = new WritableStream(s.sink, { highWaterMark: 8, size(c) { return c === 'nan' ? NaN : 1; } });
    const w = ws.getWriter();
    await tick();
    track(w.write('a'), 'write a'); track(w.write('nan'), 'write nan'); track(w.closed, 'closed');
    await tick(); log('-');
    s.resolve(); await tick();
  },

  async 'methods-writable'() {
    const s = makeSink(); const w = new WritableStream(s.sink).getWriter(); await tick(); log('=');
    await methodsIn(w, s);
  },
  async 'methods-close-queued'() {
    const s = makeSink({ write: 'defer' }); const w = new WritableStream(s.sink).getWriter(); await tick();
    track(w.write('a'), 'write a'); track(w.close(), 'close a'); log('=');
    await methodsIn(w, s);
  },
  async 'methods-erroring-in-flight'() {
    const s = makeSink({ write: 'defer' }); const w = new WritableStream(s.sink).getWriter(); await tick();
    track(w.write('a'), 'write a'); track(w.abort(E('E1')), 'abort a'); log('=');
    await methodsIn(w, s);
  },
  async 'methods-erroring-not-started'() {
    const s = makeSink({ start: 'defer' }); const w = new WritableStream(s.sink).getWriter(); await tick();
    track(w.abort(E('E1')), 'abort a'); log('=');
    await methodsIn(w, s);
  },
  async 'methods-errored'() {
    const s = makeSink({ write: 'fail' }); const w = new WritableStream(s.sink).getWriter(); await tick();
    track(w.write('a'), 'write a'); await tick(); log('=');
    await methodsIn(w, s);
  },
  async 'methods-closed'() {
    const s = makeSink(); const w = new WritableStream(s.sink).getWriter(); await tick();
    track(w.close(), 'close a'); await tick(); log('=');
    await methodsIn(w, s);
  },
  async 'close-inside-write'() {
    const s = makeSink(); let w;
    s.onWrite = (c) => { if (c === 'a') track(w.close(), 'close'); };
    w = new WritableStream(s.sink).getWriter(); await tick();
    track(w.write('a'), 'write a'); trackWrite(w, 'b', 'write b');
    await tick();
  },
  async 'close-inside-size'() {
    let w;
    const s = makeSink();
    const ws = new WritableStream(s.sink, { highWaterMark: 2, size(c) { log('size ' + c); if (c === 'a') track(w.close(), 'close'); return 1; } });
    w = ws.getWriter(); await tick();
    trackWrite(w, 'a', 'write a');
    await tick();
  },
  async 'reenter-from-callbacks'() {
    const s = makeSink({ write: 'defer' });
    const ws = new WritableStream(s.sink);
    let w = ws.getWriter(); await tick();
    w.write('a').then(() => { log('write a ok'); track(w.write('c'), 'write c'); });
    w.ready.then(() => log('ready ok'));
    track(w.write('b'), 'write b');
    w.ready.then(() => { log('ready 2 ok'); track(w.abort(E('E1')), 'abort'); });
    w.closed.catch((e) => { log('closed rejected ' + msg(e)); w.releaseLock(); log('released'); });
    await tick(); log('-');
    while (s.pending) { s.resolve(); await tick(); }
  },

  // The seeds' three examples.
  async 'seed-send-message'() {
    // MDN's WritableStream.getWriter() example, with console.log → log and
    // the list items → log.
    function sendMessage(message, writableStream) {
      const defaultWriter = writableStream.getWriter();
      const encoder = new TextEncoder();
      const encoded = encoder.encode(message, { stream: true });
      encoded.forEach((chunk) => {
        defaultWriter.ready
          .then(() => defaultWriter.write(chunk))
          .then(() => log('Chunk written to sink.'))
          .catch((err) => log('Chunk error: ' + err));
      });
      defaultWriter.ready
        .then(() => { defaultWriter.close(); })
        .then(() => log('All chunks written'))
        .catch((err) => log('Stream error: ' + err));
    }
    const decoder = new TextDecoder('utf-8');
    const queuingStrategy = new CountQueuingStrategy({ highWaterMark: 1 });
    let result = '';
    const writableStream = new WritableStream({
      write(chunk) {
        return new Promise((resolve) => {
          const decoded = decoder.decode(new Uint8Array([chunk]), { stream: true });
          log('Chunk decoded: ' + decoded);
          result += decoded;
          resolve();
        });
      },
      close() { log('[MESSAGE RECEIVED] ' + result); },
      abort(err) { log('Sink error: ' + err); },
    }, queuingStrategy);
    sendMessage('Hi, you.', writableStream);
    await tick(); await tick();
  },
  async 'seed-write-array'() {
    function writeArrayToStream(array, writableStream) {
      const writer = writableStream.getWriter();
      array.forEach((chunk) => writer.write(chunk).catch(() => {}));
      return writer.close();
    }
    const s = makeSink();
    const ws = new WritableStream(s.sink);
    writeArrayToStream([1, 2, 3, 4, 5], ws).then(() => log('All done!')).catch((e) => log('Error with the stream: ' + e));
    await tick();
  },
  async 'seed-write-array-failing'() {
    function writeArrayToStream(array, writableStream) {
      const writer = writableStream.getWriter();
      array.forEach((chunk) => writer.write(chunk).catch(() => {}));
      return writer.close();
    }
    const s = makeSink();
    s.onWrite = (chunk) => { if (chunk === 3) throw E('no threes'); };
    const ws = new WritableStream(s.sink);
    writeArrayToStream([1, 2, 3, 4, 5], ws).then(() => log('All done!')).catch((e) => log('Error with the stream: ' + msg(e)));
    await tick();
  },
  async 'seed-preamble-release'() {
    const s = makeSink({ write: 'defer' });
    const writable = new WritableStream(s.sink);
    let writer = writable.getWriter();
    track(writer.write('foo bar'), 'write preamble');
    writer.releaseLock();
    log('released');
    // The rest of the body, from somewhere else: a second writer.
    const w2 = writable.getWriter();
    for (const part of ['body1', 'body2']) track(w2.write(part), 'write ' + part);
    track(w2.close(), 'close');
    await tick(); log('-');
    s.resolve(); await tick(); log('-');
    s.resolve(); await tick(); log('-');
    s.resolve(); await tick();
  },

  async 'write-close'() {
    const s = makeSink();
    const ws = new WritableStream(s.sink);
    const w = ws.getWriter();
    track(w.write('a'), 'write a'); track(w.write('b'), 'write b');
    track(w.close(), 'close'); track(w.closed, 'closed');
    log('returned');
    await tick();
  },
  async 'deferred-writes'() {
    const s = makeSink({ write: 'defer', close: 'defer' });
    const ws = new WritableStream(s.sink);
    const w = ws.getWriter();
    track(w.write('a'), 'write a'); track(w.write('b'), 'write b'); track(w.close(), 'close');
    await tick(); log('-'); s.resolve(); await tick(); log('-'); s.resolve(); await tick(); log('-'); s.resolve(); await tick();
  },
  async 'backpressure-count'() {
    const s = makeSink({ write: 'defer' });
    const ws = new WritableStream(s.sink, new CountQueuingStrategy({ highWaterMark: 2 }));
    const w = ws.getWriter();
    ds(w); track(w.ready, 'ready 0');
    await tick();
    w.write('a'); ds(w); track(w.ready, 'ready 1');
    w.write('b'); ds(w); track(w.ready, 'ready 2');
    w.write('c'); ds(w); track(w.ready, 'ready 3');
    await tick(); log('-'); ds(w);
    s.resolve(); await tick(); log('-'); ds(w);
    s.resolve(); await tick(); log('-'); ds(w);
    s.resolve(); await tick(); log('-'); ds(w);
  },
  async 'abort-while-writing'() {
    const s = makeSink({ write: 'defer' });
    const ws = new WritableStream(s.sink);
    const w = ws.getWriter();
    s.controller.signal.addEventListener('abort', () => log('signal ' + msg(s.controller.signal.reason)));
    await tick();
    track(w.write('a'), 'write a'); track(w.write('b'), 'write b');
    track(w.ready, 'ready'); track(w.closed, 'closed');
    await tick(); log('-');
    track(w.abort(E('E1')), 'abort'); log('abort returned'); ds(w);
    await tick(); log('-');
    s.resolve(); await tick();
  },
  async 'abort-while-closing'() {
    const s = makeSink({ close: 'defer' });
    const ws = new WritableStream(s.sink);
    const w = ws.getWriter();
    track(w.write('a'), 'write a'); track(w.close(), 'close'); track(w.closed, 'closed');
    await tick(); log('-');
    track(w.abort(E('E1')), 'abort');
    await tick(); log('-');
    s.resolve(); await tick();
  },
  async 'abort-twice'() {
    const s = makeSink({ abort: 'defer' });
    const ws = new WritableStream(s.sink);
    const w = ws.getWriter();
    await tick();
    track(w.abort(E('E1')), 'abort 1'); track(w.abort(E('E2')), 'abort 2'); track(w.closed, 'closed');
    await tick(); log('-');
    s.resolve(); await tick();
  },
  async 'abort-after-close'() {
    const s = makeSink();
    const ws = new WritableStream(s.sink);
    const w = ws.getWriter();
    track(w.close(), 'close');
    await tick(); log('-');
    track(w.abort(E('E1')), 'abort'); trackWrite(w, 'x', 'write x'); ds(w);
    await tick();
  },
  async 'write-fails'() {
    const s = makeSink({ write: 'fail' });
    const ws = new WritableStream(s.sink);
    const w = ws.getWriter();
    await tick();
    track(w.write('a'), 'write a'); track(w.write('b'), 'write b'); track(w.close(), 'close');
    track(w.ready, 'ready'); track(w.closed, 'closed');
    await tick(); log('-');
    ds(w); track(w.write('c'), 'write c'); track(w.abort(E('E1')), 'abort');
    await tick();
  },
  async 'close-fails'() {
    const s = makeSink({ close: 'fail' });
    const ws = new WritableStream(s.sink);
    const w = ws.getWriter();
    track(w.write('a'), 'write a'); track(w.close(), 'close'); track(w.closed, 'closed');
    await tick();
  },
  async 'start-deferred-fails'() {
    const s = makeSink({ start: 'defer' });
    const ws = new WritableStream(s.sink);
    const w = ws.getWriter();
    track(w.write('a'), 'write a'); track(w.closed, 'closed');
    await tick(); log('-');
    s.reject('E1'); await tick();
  },
  async 'error-in-start'() {
    const s = makeSink();
    s.onStart = (c) => c.error(E('E1'));
    const ws = new WritableStream(s.sink);
    const w = ws.getWriter();
    ds(w);
    track(w.write('a'), 'write a'); track(w.ready, 'ready'); track(w.closed, 'closed');
    await tick();
  },
  async 'error-in-write'() {
    const s = makeSink({ write: 'defer' });
    s.onWrite = (chunk, c) => c.error(E('E1'));
    const ws = new WritableStream(s.sink);
    const w = ws.getWriter();
    await tick();
    track(w.write('a'), 'write a'); track(w.write('b'), 'write b'); track(w.closed, 'closed');
    await tick(); log('-');
    s.resolve(); await tick();
  },
  async 'write-inside-write'() {
    const s = makeSink();
    let w;
    s.onWrite = (chunk) => { if (chunk === 'a') { track(w.write('x'), 'write x'); log('nested returned'); } };
    const ws = new WritableStream(s.sink);
    w = ws.getWriter();
    await tick();
    track(w.write('a'), 'write a'); log('returned');
    await tick();
  },
  async 'abort-inside-write'() {
    const s = makeSink();
    let w;
    s.onWrite = () => { track(w.abort(E('E1')), 'abort'); };
    const ws = new WritableStream(s.sink);
    w = ws.getWriter();
    await tick();
    track(w.write('a'), 'write a'); track(w.write('b'), 'write b'); track(w.closed, 'closed');
    await tick();
  },
  async 'release-inside-write'() {
    const s = makeSink();
    let w;
    s.onWrite = () => { w.releaseLock(); log('locked ' + ws.locked); };
    const ws = new WritableStream(s.sink);
    w = ws.getWriter();
    await tick();
    track(w.write('a'), 'write a'); track(w.closed, 'closed');
    const w2 = ws.getWriter(); track(w2.write('b'), 'write b');
    await tick();
  },
  async 'size-reenters'() {
    const s = makeSink();
    let w;
    let mode = '';
    const ws = new WritableStream(s.sink, {
      highWaterMark: 4,
      size(chunk) {
        log('size ' + chunk);
        if (mode === 'write' && chunk === 'a') track(w.write('inner'), 'write inner');
        if (mode === 'abort') track(w.abort(E('E1')), 'abort');
        if (mode === 'release') w.releaseLock();
        if (mode === 'throw') throw E('size failed');
        if (mode === 'nan') return NaN;
        return 1;
      },
    });
    w = ws.getWriter();
    await tick();
    mode = 'write'; track(w.write('a'), 'write a'); await tick(); log('-');
    mode = 'release'; track(w.write('b'), 'write b'); await tick(); log('-');
    w = ws.getWriter();
    mode = 'abort'; track(w.write('c'), 'write c'); track(w.closed, 'closed'); await tick();
  },
  async 'size-throws'() {
    const s = makeSink();
    const ws = new WritableStream(s.sink, { highWaterMark: 4, size(c) { if (c === 'bad') throw E('size failed'); return 1; } });
    const w = ws.getWriter();
    await tick();
    track(w.write('a'), 'write a'); track(w.write('bad'), 'write bad'); track(w.closed, 'closed');
    await tick();
  },
  async 'size-invalid'() {
    const s = makeSink();
    const ws = new WritableStream(s.sink, { highWaterMark: 4, size(c) { return c === 'nan' ? NaN : c === 'inf' ? Infinity : -1; } });
    const w = ws.getWriter();
    await tick();
    track(w.write('nan'), 'write nan'); track(w.closed, 'closed');
    await tick();
  },
  async 'release-with-pending-writes'() {
    const s = makeSink({ write: 'defer' });
    const ws = new WritableStream(s.sink);
    const w = ws.getWriter();
    await tick();
    track(w.write('a'), 'write a'); track(w.ready, 'ready'); track(w.closed, 'closed');
    w.releaseLock(); log('locked ' + ws.locked);
    track(w.write('z'), 'write z'); track(w.close(), 'close z'); ds2(w);
    const w2 = ws.getWriter(); track(w2.write('b'), 'write b'); track(w2.close(), 'close');
    await tick(); log('-');
    s.resolve(); await tick(); log('-');
    s.resolve(); await tick();
  },
  async 'release-errored'() {
    const s = makeSink({ write: 'fail' });
    const ws = new WritableStream(s.sink);
    const w = ws.getWriter();
    await tick();
    track(w.write('a'), 'write a');
    await tick(); log('-');
    w.releaseLock();
    track(w.ready, 'ready'); track(w.closed, 'closed');
    const w2 = ws.getWriter(); track(w2.ready, 'ready 2'); track(w2.closed, 'closed 2'); ds(w2);
    await tick();
  },
  async 'stream-methods-locked'() {
    const s = makeSink();
    const ws = new WritableStream(s.sink);
    const w = ws.getWriter();
    track(ws.abort(E('E1')), 'stream abort'); track(ws.close(), 'stream close');
    try { ws.getWriter(); } catch (e) { log('getWriter threw ' + msg(e)); }
    w.releaseLock();
    track(ws.close(), 'stream close 2'); track(ws.close(), 'stream close 3');
    await tick();
  },
  async 'close-twice-and-write-after-close'() {
    const s = makeSink({ close: 'defer' });
    const ws = new WritableStream(s.sink);
    const w = ws.getWriter();
    track(w.close(), 'close'); track(w.close(), 'close 2'); ds(w);
    await tick(); log('-');
    s.resolve(); await tick(); log('-'); ds(w);
    track(w.ready, 'ready'); track(w.closed, 'closed');
    await tick();
  },
  async 'byte-length-backpressure'() {
    const s = makeSink({ write: 'defer' });
    const ws = new WritableStream(s.sink, new ByteLengthQueuingStrategy({ highWaterMark: 10 }));
    const w = ws.getWriter();
    await tick();
    const enc = new TextEncoder();
    const chunk = (t) => { const u = enc.encode(t); u.toString = () => t; return u; };
    w.write(chunk('hello')); ds(w); track(w.ready, 'ready 1');
    w.write(chunk('world!')); ds(w); track(w.ready, 'ready 2');
    await tick(); log('-');
    s.resolve(); await tick(); log('-'); ds(w);
    s.resolve(); await tick(); log('-'); ds(w);
  },
  async 'infinite-hwm'() {
    const s = makeSink({ write: 'defer' });
    const ws = new WritableStream(s.sink, new CountQueuingStrategy({ highWaterMark: Infinity }));
    const w = ws.getWriter();
    await tick();
    for (const c of ['a', 'b', 'c']) w.write(c);
    ds(w); track(w.ready, 'ready');
    await tick();
  },
};
function ds2(w) { try { log('desired ' + w.desiredSize); } catch (e) { log('desired threw ' + msg(e)); } }

const only = process.argv[2];
for (const [name, fn] of Object.entries(scenarios)) {
  if (only && name !== only) continue;
  out.length = 0;
  await fn();
  await tick();
  console.log(name + ':\n  ' + out.map((s) => JSON.stringify(s)).join(', '));
}
