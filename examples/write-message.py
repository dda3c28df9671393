#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes a message chunk by chunk into a stream whose sink prints what it
receives, with backpressure, then closes the stream. The same program as
write-message.c and write-message.js; all three print the same lines.

Needs PyGObject and the WStream typelib and overrides (installed with the
library; tools/examples.sh runs it from the build tree).
"""

import gi
gi.require_version('WStream', '1')
from gi.repository import GLib, GObject, WStream  # noqa: E402

MESSAGE = 'Hello, streams! Backpressure keeps the queue short.'
CHUNK_SIZE = 8


class PrintingSink(GObject.Object, WStream.Sink):
    """A sink that takes a little while for each chunk."""

    def __init__(self):
        super().__init__()
        self.received = ''

    def do_write(self, chunk, controller):
        print('sink: received "%s"' % chunk)
        self.received += chunk
        # Finish later: the stream queues further chunks meanwhile.
        deferred = controller.defer()

        def finish():
            deferred.resolve(None)
            return GLib.SOURCE_REMOVE
        GLib.timeout_add(5, finish)
        return True

    def do_close(self, controller):
        print('sink: closed after "%s"' % self.received)
        return True


def main():
    loop = GLib.MainLoop()
    stream = WStream.WritableStream(PrintingSink(), WStream.QueuingStrategy.new_count(2))
    writer = stream.get_writer()
    rest = [MESSAGE]

    def pump(error=None):
        """Writes while the stream wants more, then waits for it to be ready."""
        if error is not None:
            print('stream failed: %s' % error.message)
            loop.quit()
            return
        while rest[0] and writer.desired_size > 0:
            chunk, rest[0] = rest[0][:CHUNK_SIZE], rest[0][CHUNK_SIZE:]
            print('write "%s"' % chunk)
            writer.write(chunk)   # nobody waits: costs its queue entry only
        if rest[0]:
            print('wait: desired size %g' % writer.desired_size)
            writer.wait_ready(pump)
        else:
            writer.close(closed)

    def closed(error):
        print('closed' if error is None else 'close failed: %s' % error.message)
        loop.quit()

    pump()
    loop.run()


if __name__ == '__main__':
    main()
