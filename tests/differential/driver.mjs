// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The Node side of the differential test: runs every sequence of the file
// given as argv[2] (one per line, grammar in README.md) against Node's
// built-in WritableStream and prints the trace of observable events,
// "### <n>" before the trace of sequence n.  driver.c is the wstream side
// and prints the same format.

import { readFileSync } from 'node:fs';

const out = [];
let trace = null;
const emit = (line) => trace.push(line);

process.on('unhandledRejection', () => {});

// The marker a "nerr" sink method or size function throws: wstream turns a
// vfunc that returns FALSE without an error into WSTREAM_ERROR_FAILED.
const FAILED = { failed: true };

function norm(r) {
  if (r === undefined)
    return 'undefined';
  if (r === FAILED)
    return 'FAILED';
  if (r instanceof TypeError)
    return 'TypeError';
  if (r instanceof RangeError)
    return 'RangeError';
  if (typeof r === 'string')
    return r;
  if (typeof DOMException !== 'undefined' && r instanceof DOMException)
    return r.name;
  if (r instanceof Error)
    return 'other:' + (r.code || r.name);
  return 'other:' + String(r);
}

function fmtNum(x) {
  if (x === null)
    return 'null';
  if (Object.is(x, -0))
    return '0';
  return String(x);
}

function parseMode(s) {
  const plus = s.indexOf('+');
  const base = plus < 0 ? s : s.slice(0, plus);
  const action = plus < 0 ? null : s.slice(plus + 1);
  return { base, action, done: false };
}

function parseNum(s) {
  if (s === 'inf')
    return Infinity;
  if (s === 'nan')
    return NaN;
  if (s === 'neg')
    return -1;
  return Number(s);
}

function chunkOf(s) {
  const v = s.slice(1);
  switch (s[0]) {
  case 's': return v;
  case 'i': return Number(v);
  case 'b': return new Uint8Array(Number(v));
  }
  throw new Error('bad chunk ' + s);
}

function chunkStr(c) {
  if (typeof c === 'string')
    return 's' + c;
  if (typeof c === 'number')
    return 'i' + c;
  if (c instanceof Uint8Array)
    return 'b' + c.byteLength;
  return '?';
}

function reasonOf(s) {
  return s === '-' ? undefined : s;
}

async function runSequence(line) {
  const tokens = line.trim().split(/\s+/);
  const cfg = {};
  let i = 0;
  for (; i < tokens.length && tokens[i].includes('='); i++) {
    const eq = tokens[i].indexOf('=');
    cfg[tokens[i].slice(0, eq)] = tokens[i].slice(eq + 1);
  }
  const ops = tokens.slice(i);
  const modes = {};
  for (const op of ['start', 'write', 'close', 'abort'])
    modes[op] = cfg[op].split(',').map(parseMode);
  const calls = { start: 0, write: 0, close: 0, abort: 0, size: 0 };

  const st = {
    writers: [],
    controller: null,
    stream: null,
    pending: [],
    nextId: 0,
    depth: 0,
  };

  // A sink method's or size function's action runs once, and not inside
  // another action (so that a sink that writes from write() cannot loop).
  function runAction(m) {
    if (m.action !== null && !m.done && st.depth === 0) {
      m.done = true;
      st.depth++;
      runOp(m.action, '>> ');
      st.depth--;
    }
  }

  function sinkMethod(op, args) {
    const m = modes[op][calls[op]++ % modes[op].length];
    runAction(m);
    switch (m.base) {
    case 'ok':
      return undefined;
    case 'nerr':
      throw FAILED;
    case 'later':
      return new Promise((resolve, reject) => st.pending.push({ resolve, reject }));
    default:
      if (m.base.startsWith('f:'))
        throw m.base.slice(2);
      throw new Error('bad mode ' + m.base);
    }
  }

  const sink = {
    start(controller) {
      emit('sink.start');
      st.controller = controller;
      controller.signal.addEventListener('abort', () => {
        emit('signal abort ' + norm(controller.signal.reason));
      });
      return sinkMethod('start');
    },
    write(chunk, controller) {
      emit('sink.write ' + chunkStr(chunk));
      return sinkMethod('write');
    },
    close() {
      emit('sink.close');
      return sinkMethod('close');
    },
    abort(reason) {
      emit('sink.abort ' + norm(reason));
      return sinkMethod('abort');
    },
  };

  const hwm = parseNum(cfg.hwm);
  let strategy;
  if (cfg.size === 'count') {
    strategy = new CountQueuingStrategy({ highWaterMark: hwm });
  } else if (cfg.size === 'bytes') {
    strategy = new ByteLengthQueuingStrategy({ highWaterMark: hwm });
  } else {
    const sizes = cfg.size.slice('custom:'.length).split(',').map(parseMode);
    strategy = {
      highWaterMark: hwm,
      size(chunk) {
        const m = sizes[calls.size++ % sizes.length];
        emit('size ' + chunkStr(chunk));
        runAction(m);
        if (m.base === 'nerr')
          throw FAILED;
        if (m.base.startsWith('t:'))
          throw m.base.slice(2);
        return parseNum(m.base);
      },
    };
  }

  function watch(id, kind, p) {
    p.then(() => emit(`p${id} ${kind} ok`),
           (e) => emit(`p${id} ${kind} rej ${norm(e)}`));
  }

  // Calls f (which returns a promise) and watches its outcome; a synchronous
  // throw is traced as "p<id> <kind> threw <reason>".
  function call(kind, f) {
    const id = st.nextId++;
    let p;
    try {
      p = f();
    } catch (e) {
      emit(`p${id} ${kind} threw ${norm(e)}`);
      return;
    }
    watch(id, kind, p);
  }

  function writer(idx) {
    if (st.writers.length === 0)
      return null;
    return st.writers[Number(idx) % st.writers.length];
  }

  function runOp(op, prefix) {
    emit(prefix + op);
    const f = op.split('/');
    const name = f[0];
    const needsWriter = ['w', 'c', 'a', 'r', 'rd', 'cl', 'ds'].includes(name);
    const w = needsWriter ? writer(f[1]) : null;
    if (needsWriter && w === null) {
      emit('nowriter');
      return;
    }
    // A sink's start() runs inside the constructor, before there is a stream.
    if (['g', 'sc', 'sa', 'lk'].includes(name) && st.stream === null) {
      emit('nostream');
      return;
    }
    switch (name) {
    case 'g':
      try {
        st.writers.push(st.stream.getWriter());
        emit('writer w' + (st.writers.length - 1));
      } catch (e) {
        emit('getWriter threw ' + norm(e));
      }
      break;
    case 'w': {
      const chunk = chunkOf(f[2]);
      call('write', () => w.write(chunk));
      break;
    }
    case 'c':
      call('close', () => w.close());
      break;
    case 'a':
      call('abort', () => w.abort(reasonOf(f[2])));
      break;
    case 'sc':
      call('sclose', () => st.stream.close());
      break;
    case 'sa':
      call('sabort', () => st.stream.abort(reasonOf(f[1])));
      break;
    case 'r':
      w.releaseLock();
      break;
    case 'rd':
      call('ready', () => w.ready);
      break;
    case 'cl':
      call('closed', () => w.closed);
      break;
    case 'ds':
      try {
        emit('desired ' + fmtNum(w.desiredSize));
      } catch (e) {
        emit('desired threw ' + norm(e));
      }
      break;
    case 'lk':
      emit('locked ' + st.stream.locked);
      break;
    case 'ce':
      if (st.controller === null)
        emit('nocontroller');
      else
        st.controller.error(reasonOf(f[1]));
      break;
    case 'st': {
      const p = st.pending.shift();
      if (p === undefined)
        emit('nopending');
      else if (f[1] === '-')
        p.resolve();
      else
        p.reject(f[1]);
      break;
    }
    default:
      throw new Error('bad op ' + op);
    }
  }

  const macrotask = () => new Promise((resolve) => setImmediate(resolve));

  try {
    st.stream = new WritableStream(sink, strategy);
  } catch (e) {
    emit('new threw ' + norm(e));
    return;
  }
  await macrotask();
  for (const op of ops) {
    runOp(op, '> ');
    await macrotask();
  }
  emit('end');
}

const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l.trim() !== '');
for (let n = 0; n < lines.length; n++) {
  trace = [];
  await runSequence(lines[n]);
  out.push('### ' + n);
  for (const l of trace)
    out.push(l);
}
out.push('');
process.stdout.write(out.join('\n'));
