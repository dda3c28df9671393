// SPDX-License-Identifier: LGPL-2.1-or-later
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import WStream from 'gi://WStream';

const PrintSink = GObject.registerClass({Implements: [WStream.Sink]},
    class PrintSink extends GObject.Object {
        vfunc_write(chunk, _controller) {
            print('sink:', chunk);
            return true; // done; throw a GLib.Error to error the stream
        }
    });

Gio._promisify(WStream.DefaultWriter.prototype, 'close_async', 'close_finish');

const writer = WStream.WritableStream.new(new PrintSink(), null).get_writer();
writer.write_async('hello', null, null);
await writer.close_async(null); // rejects if the stream failed
print('closed');
