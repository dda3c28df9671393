# SPDX-License-Identifier: LGPL-2.1-or-later
# A sink that finishes its writes later, and a producer that waits for the
# writer to be ready before each write.
import gi

gi.require_version("WStream", "1")
from gi.repository import GLib, GObject, WStream


class SlowSink(GObject.Object, WStream.Sink):
    def do_write(self, chunk, controller):
        promise = controller.defer()
        print("  sink: writing", chunk)

        def finish():
            print("  sink: finished", chunk)
            promise.resolve(None)  # or promise.reject(error)
            return GLib.SOURCE_REMOVE

        GLib.timeout_add(10, finish)
        return True


loop = GLib.MainLoop()
stream = WStream.WritableStream(SlowSink(), WStream.QueuingStrategy.new_count(1))
writer = stream.get_writer()
chunks = iter(["a", "b", "c"])


def on_ready(error):
    if error:
        print("the stream failed:", error.message)
        loop.quit()
        return
    chunk = next(chunks, None)
    if chunk is None:
        writer.close(on_closed)
        return
    print("ready, desired size", writer.desired_size, "- write", chunk)
    writer.write(chunk)   # nobody waits for the write itself
    writer.wait_ready(on_ready)


def on_closed(error):
    if error:
        print("close failed:", error.message)
    else:
        print("closed")
    loop.quit()


writer.wait_ready(on_ready)
loop.run()
