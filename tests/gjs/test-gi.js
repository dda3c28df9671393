// SPDX-License-Identifier: LGPL-2.1-or-later
//
// WStream used directly through GObject introspection from GJS: sinks
// written as GObject classes in JavaScript (synchronous, throwing,
// finishing later), size functions in JavaScript, and the _async methods
// used as promises. TAP output.
//
//   gjs -m test-gi.js

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import WStream from 'gi://WStream?version=1';

for (const [klass, names] of [
    [WStream.DefaultWriter, ['write', 'close', 'abort', 'wait_ready', 'wait_closed']],
    [WStream.WritableStream, ['close', 'abort']],
]) {
    for (const name of names)
        Gio._promisify(klass.prototype, `${name}_async`, `${name}_finish`);
}
Gio._promisify(WStream.DefaultWriter.prototype, 'write_bytes_async', 'write_finish');

const MY_DOMAIN = GLib.quark_from_string('wstream-test-gjs-quark');

const tests = [];
function test(name, func) {
    tests.push({name, func});
}

function assertEqual(actual, expected, what = '') {
    const a = JSON.stringify(actual), e = JSON.stringify(expected);
    if (a !== e)
        throw new Error(`${what} expected ${e}, got ${a}`);
}

function assert(cond, what) {
    if (!cond)
        throw new Error(`assertion failed: ${what}`);
}

function idle() {
    return new Promise(resolve => GLib.idle_add(GLib.PRIORITY_DEFAULT_IDLE, () => {
        resolve();
        return GLib.SOURCE_REMOVE;
    }));
}

// A sink that records what it gets and behaves as told per chunk: 'throw'
// fails with a GLib.Error, 'jsthrow' throws a plain JavaScript error, 'defer'
// finishes later from an idle callback.
const RecordingSink = GObject.registerClass({
    Implements: [WStream.Sink],
}, class RecordingSink extends GObject.Object {
    _init() {
        super._init();
        this.events = [];
        this.pending = [];
    }

    vfunc_start(controller) {
        this.events.push('start');
        return true;
    }

    vfunc_write(chunk, controller) {
        this.events.push(`write ${chunk instanceof GLib.Bytes ? `bytes ${chunk.get_size()}` : chunk}`);
        if (chunk === 'throw')
            throw new GLib.Error(MY_DOMAIN, 7, 'the sink refuses');
        if (chunk === 'jsthrow')
            throw new Error('a JavaScript error');
        if (chunk === 'defer')
            this.pending.push(controller.defer());
        return true;
    }

    vfunc_close(controller) {
        this.events.push('close');
        return true;
    }

    vfunc_abort(reason, controller) {
        this.events.push(`abort ${reason.message}`);
        return true;
    }
});

test('a synchronous sink gets every chunk in order', async () => {
    const sink = new RecordingSink();
    const stream = WStream.WritableStream.new(sink, null);
    const writer = stream.get_writer();
    await writer.wait_ready_async(null);
    const writes = [writer.write_async('a', null), writer.write_async(2.5, null),
        writer.write_bytes_async(new Uint8Array([1, 2, 3]), null)];
    await Promise.all(writes);
    await writer.close_async(null);
    await writer.wait_closed_async(null);
    assertEqual(sink.events, ['start', 'write a', 'write 2.5', 'write bytes 3', 'close']);
    assertEqual(stream.state, WStream.State.CLOSED, 'state');
});

test('a sink that throws a GLib.Error errors the stream with it', async () => {
    const sink = new RecordingSink();
    const stream = WStream.WritableStream.new(sink, null);
    const writer = stream.get_writer();
    await writer.wait_ready_async(null);
    let error = null;
    try {
        await writer.write_async('throw', null);
    } catch (e) {
        error = e;
    }
    assert(error instanceof GLib.Error, 'rejected with a GLib.Error');
    assert(error.matches(MY_DOMAIN, 7), `the sink's error, got ${error}`);
    try {
        await writer.wait_closed_async(null);
        throw new Error('closed succeeded');
    } catch (e) {
        assert(e.matches(MY_DOMAIN, 7), 'closed rejects with the same error');
    }
    assertEqual(stream.state, WStream.State.ERRORED, 'state');
    assertEqual(sink.events, ['start', 'write throw']);
});

test('a sink that throws a JavaScript error errors the stream', async () => {
    const sink = new RecordingSink();
    const stream = WStream.WritableStream.new(sink, null);
    const writer = stream.get_writer();
    await writer.wait_ready_async(null);
    let error = null;
    try {
        await writer.write_async('jsthrow', null);
    } catch (e) {
        error = e;
    }
    assert(error !== null, 'the write failed');
    assertEqual(stream.state, WStream.State.ERRORED, 'state');
});

test('a sink finishes a write later through the deferred promise', async () => {
    const sink = new RecordingSink();
    const stream = WStream.WritableStream.new(sink, null);
    const writer = stream.get_writer();
    await writer.wait_ready_async(null);
    const log = [];
    const first = writer.write_async('defer', null).then(() => log.push('first written'));
    writer.write_async('second', null).then(() => log.push('second written'));
    for (let i = 0; i < 3; i++)
        await idle();
    assertEqual(log, [], 'nothing settled before the sink resolved');
    assertEqual(sink.events, ['start', 'write defer']);
    const [deferred] = sink.pending;
    assert(deferred.resolve(null), 'resolve settles');
    await first;
    await writer.close_async(null);
    assertEqual(log, ['first written', 'second written']);
    assertEqual(sink.events, ['start', 'write defer', 'write second', 'close']);
});

// GJS 1.74 cannot wrap the GError argument of a JavaScript vfunc that C
// calls with an empty JavaScript stack (from the main loop): the call fails
// with "Error getting saved frame information". A JavaScript sink's abort
// therefore works when the abort reaches it from a JavaScript call (an idle
// stream aborted by JavaScript code, as here), not when it runs after a
// write in flight finished. The web-standard module is not affected.
test('abort reaches the sink with the reason and rejects pending writes', async () => {
    const sink = new RecordingSink();
    const stream = WStream.WritableStream.new(sink, WStream.QueuingStrategy.new_count(4));
    const writer = stream.get_writer();
    await writer.wait_ready_async(null);
    const reason = new GLib.Error(MY_DOMAIN, 9, 'stop it');
    const closed = writer.wait_closed_async(null).then(() => 'closed', e => e.message);
    const aborted = writer.abort_async(reason, null);
    assertEqual(sink.events, ['start', 'abort stop it'], 'the sink aborted inside abort_async');
    const late = writer.write_async('late', null).then(() => 'written', e => e.message);
    await aborted;
    assertEqual(await closed, 'stop it', 'closed');
    assertEqual(await late, 'stop it', 'a later write');
    assertEqual(stream.state, WStream.State.ERRORED, 'state');
});

test('a size function written in JavaScript measures chunks', async () => {
    const measured = [];
    const strategy = WStream.QueuingStrategy.new_custom(10, chunk => {
        measured.push(chunk);
        if (chunk === 'huge')
            throw new GLib.Error(MY_DOMAIN, 3, 'cannot measure');
        return [true, chunk.length];
    });
    const sink = new RecordingSink();
    const stream = WStream.WritableStream.new(sink, strategy);
    const writer = stream.get_writer();
    writer.write_async('abcd', null).catch(() => {});
    writer.write_async('efg', null).catch(() => {});
    const [, desired] = writer.get_desired_size();
    assertEqual(desired, 3, 'desired size');
    let error = null;
    try {
        await writer.write_async('huge', null);
    } catch (e) {
        error = e;
    }
    assert(error?.matches(MY_DOMAIN, 3), `the size function's error, got ${error}`);
    assertEqual(measured, ['abcd', 'efg', 'huge']);
    assertEqual(stream.state === WStream.State.ERRORING || stream.state === WStream.State.ERRORED, true, 'errored');
});

test('a strategy subclass in JavaScript measures chunks', async () => {
    const HalfSize = GObject.registerClass(class HalfSize extends WStream.QueuingStrategy {
        vfunc_size(chunk) {
            return [true, chunk / 2];
        }
    });
    const strategy = new HalfSize({high_water_mark: 4});
    const stream = WStream.WritableStream.new(new RecordingSink(), strategy);
    const writer = stream.get_writer();
    writer.write_async(6, null).catch(() => {});
    const [, desired] = writer.get_desired_size();
    assertEqual(desired, 1, 'desired size');
    await writer.close_async(null);
});

test('a plain stream closes and aborts through its own methods', async () => {
    const stream = WStream.WritableStream.new(null, null);
    await stream.close_async(null);
    assertEqual(stream.state, WStream.State.CLOSED, 'state');
    const other = WStream.WritableStream.new(null, null);
    await other.abort_async(null, null);
    assertEqual(other.state, WStream.State.ERRORED, 'state');
});

let failed = 0;
print(`1..${tests.length}`);
for (const [i, {name, func}] of tests.entries()) {
    try {
        // eslint-disable-next-line no-await-in-loop
        await func();
        print(`ok ${i + 1} - ${name}`);
    } catch (e) {
        failed++;
        print(`not ok ${i + 1} - ${name}`);
        for (const line of `${e}\n${e.stack ?? ''}`.split('\n'))
            print(`# ${line}`);
    }
}
if (failed > 0)
    imports.system.exit(1);
