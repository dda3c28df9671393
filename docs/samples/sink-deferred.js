// SPDX-License-Identifier: LGPL-2.1-or-later
// A sink that finishes its writes later, and a producer that waits for the
// writer to be ready before each write.
import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import WStream from 'gi://WStream';

const SlowSink = GObject.registerClass({
    Implements: [WStream.Sink],
}, class SlowSink extends GObject.Object {
    vfunc_write(chunk, controller) {
        const promise = controller.defer();
        print('  sink: writing', chunk);
        GLib.timeout_add(GLib.PRIORITY_DEFAULT, 10, () => {
            print('  sink: finished', chunk);
            promise.resolve(null); // or promise.reject(error)
            return GLib.SOURCE_REMOVE;
        });
        return true;
    }
});

Gio._promisify(WStream.DefaultWriter.prototype, 'wait_ready_async', 'wait_ready_finish');
Gio._promisify(WStream.DefaultWriter.prototype, 'close_async', 'close_finish');

const strategy = WStream.QueuingStrategy.new_count(1);
const writer = WStream.WritableStream.new(new SlowSink(), strategy).get_writer();

for (const chunk of ['a', 'b', 'c']) {
    await writer.wait_ready_async(null);
    const [, desired] = writer.get_desired_size();
    print('ready, desired size', desired, '- write', chunk);
    writer.write_async(chunk, null, null); // nobody waits for the write itself
}
await writer.close_async(null);
print('closed');
