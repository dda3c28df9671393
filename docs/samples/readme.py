# SPDX-License-Identifier: LGPL-2.1-or-later
import gi
gi.require_version("WStream", "1")
from gi.repository import GLib, GObject, WStream


class PrintSink(GObject.Object, WStream.Sink):
    def do_write(self, chunk, controller):
        print("sink:", chunk)
        return True  # done; raise a GLib.Error to error the stream


def closed(error):  # None, or the GLib.Error the stream failed with
    if error:
        print("failed:", error.message)
    else:
        print("closed")
    loop.quit()


loop = GLib.MainLoop()
writer = WStream.WritableStream(PrintSink()).get_writer()
writer.write("hello")
writer.close(closed)
loop.run()
