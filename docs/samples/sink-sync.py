# SPDX-License-Identifier: LGPL-2.1-or-later
# A sink that finishes every operation at once: it collects text.
import gi

gi.require_version("WStream", "1")
from gi.repository import GLib, GObject, WStream


class TextSink(GObject.Object, WStream.Sink):
    def __init__(self):
        super().__init__()
        self.parts = []

    def do_write(self, chunk, controller):
        if isinstance(chunk, GLib.Bytes):
            # Copy now: the GBytes is not kept alive after this call returns.
            chunk = chunk.get_data().decode()
        if not isinstance(chunk, str):
            # Raising a GLib.Error fails the write and errors the stream.
            raise GLib.Error.new_literal(WStream.error_quark(), "TextSink writes text",
                                         WStream.Error.INVALID_CHUNK_TYPE)
        print("sink got", repr(chunk))
        self.parts.append(chunk)
        return True

    def do_close(self, controller):
        print("sink closed:", "".join(self.parts))
        return True


def written(what):
    def callback(error):  # None, or the GLib.Error the write failed with
        if error:
            print("write", what, "failed:", error.message)
        else:
            print("wrote", what)
    return callback


def closed(error):
    if error:
        print("close failed:", error.message)
    else:
        print("stream closed")
    loop.quit()


loop = GLib.MainLoop()
stream = WStream.WritableStream(TextSink())
writer = stream.get_writer()
writer.write("Hello, ", written("a str"))
writer.write(b"world", written("bytes"))   # bytes become a GLib.Bytes chunk
writer.close(closed)
loop.run()
