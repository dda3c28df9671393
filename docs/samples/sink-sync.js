// SPDX-License-Identifier: LGPL-2.1-or-later
// A sink that finishes every operation at once: it collects text.
import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import WStream from 'gi://WStream';

const TextSink = GObject.registerClass({
    Implements: [WStream.Sink],
}, class TextSink extends GObject.Object {
    _init() {
        super._init();
        this.parts = [];
    }

    vfunc_write(chunk, _controller) {
        if (chunk instanceof GLib.Bytes)
            chunk = new TextDecoder().decode(chunk.toArray());
        if (typeof chunk !== 'string') {
            // Throwing a GLib.Error fails the write and errors the stream.
            throw new GLib.Error(WStream.Error, WStream.Error.INVALID_CHUNK_TYPE,
                'TextSink writes text');
        }
        print('sink got', JSON.stringify(chunk));
        this.parts.push(chunk);
        return true;
    }

    vfunc_close(_controller) {
        print('sink closed:', this.parts.join(''));
        return true;
    }
});

// Turn the _async/_finish pairs into methods that return promises.
Gio._promisify(WStream.DefaultWriter.prototype, 'write_async', 'write_finish');
Gio._promisify(WStream.DefaultWriter.prototype, 'write_bytes_async', 'write_finish');
Gio._promisify(WStream.DefaultWriter.prototype, 'close_async', 'close_finish');

const stream = WStream.WritableStream.new(new TextSink(), null);
const writer = stream.get_writer();

try {
    await writer.write_async('Hello, ', null);
    print('wrote a string');
    await writer.write_bytes_async(new TextEncoder().encode('world'), null);
    print('wrote bytes');
    await writer.close_async(null);
    print('stream closed');
} catch (e) {
    print('failed:', e.message);
}
